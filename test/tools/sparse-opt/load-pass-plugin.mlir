// sparse-opt loads an out-of-tree pass plugin and runs its pass.
// RUN: sparse-opt %s --load-pass-plugin=%sift_lib_dir/SiftTestPlugin%shlibext \
// RUN:   --pass-pipeline="builtin.module(sift-test-count-gates)" 2>&1 | FileCheck %s

// CHECK: remark: module holds 2 gates
func.func @two_gates(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = sparsity.gate %x threshold [0.5] : tensor<4xf32>
  %1 = sparsity.gate %0 threshold [0.25] : tensor<4xf32>
  return %1 : tensor<4xf32>
}
