// sparse-opt registers Sift's passes and pipelines beside upstream's.
// RUN: sparse-opt --help | FileCheck %s

// CHECK-DAG: --convert-sparsity-to-linalg
// CHECK-DAG: --sift-lower-to-llvm
// CHECK-DAG: --tosa-to-linalg
// CHECK-DAG: --one-shot-bufferize
// CHECK-DAG: --load-pass-plugin
