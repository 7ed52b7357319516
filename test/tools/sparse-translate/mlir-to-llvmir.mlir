// The full path from sparsity ops to LLVM IR: lower, then translate.
// RUN: sparse-opt %s --sift-lower-to-llvm | sparse-translate --mlir-to-llvmir | FileCheck %s

// CHECK-LABEL: define { ptr, ptr, i64, [1 x i64], [1 x i64] } @gate(
//       CHECK:   call float @llvm.fabs.f32(float
//       CHECK:   fcmp ugt float
//       CHECK:   select i1
func.func @gate(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = sparsity.gate %x threshold [0.5] : tensor<8xf32>
  return %0 : tensor<8xf32>
}
