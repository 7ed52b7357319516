// RUN: sparse-opt %s --split-input-file --convert-sparsity-to-kernel-calls | FileCheck %s

// CHECK: func.func private @sift_gated_matmul_f32(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, i64) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @rank2_no_bias
//  CHECK-SAME:   (%[[X:.*]]: tensor<1x4xf32>, %[[W:.*]]: tensor<4x3xf32>)
//   CHECK-DAG:   %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x3xf32>
//   CHECK-DAG:   %[[NOBIAS:.*]] = arith.constant dense<> : tensor<0xf32>
//   CHECK-DAG:   %[[T:.*]] = arith.constant dense<[1.000000e-01, 2.000000e-01, 0.000000e+00, 3.000000e-01]> : tensor<4xf32>
//       CHECK:   %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<1x4xf32> to memref<1x4xf32, strided<[?, ?], offset: ?>>
//       CHECK:   %[[XC:.*]] = memref.cast %[[XB]]
//       CHECK:   %[[WB:.*]] = bufferization.to_buffer %[[W]] read_only
//       CHECK:   %[[WC:.*]] = memref.cast %[[WB]]
//       CHECK:   %[[BB:.*]] = bufferization.to_buffer %[[NOBIAS]] read_only
//       CHECK:   %[[BC:.*]] = memref.cast %[[BB]]
//       CHECK:   %[[TB:.*]] = bufferization.to_buffer %[[T]] read_only
//       CHECK:   %[[TC:.*]] = memref.cast %[[TB]]
//       CHECK:   %[[OC:.*]] = memref.cast %[[OUT]] : memref<1x3xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
//       CHECK:   %[[INDEX:.*]] = arith.constant 0 : i64
//       CHECK:   call @sift_gated_matmul_f32(%[[XC]], %[[WC]], %[[BC]], %[[TC]], %[[OC]], %[[INDEX]])
//       CHECK:   %[[Y:.*]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<1x3xf32> to tensor<1x3xf32>
//       CHECK:   return %[[Y]]
func.func @rank2_no_bias(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>) -> tensor<1x3xf32> {
  %y = sparsity.gated_matmul %x, %w threshold [0.1, 0.2, 0.0, 0.3] layout input_major
      : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

// A rank-3 input is collapsed to rows around the call; gates are numbered
// in walk order, including those left to the linalg lowering (f16, output-
// major), so that indices match sparse-compile's gate table.
// CHECK-LABEL: func.func @rank3_bias_and_numbering
//  CHECK-SAME:   (%[[X:.*]]: tensor<2x?x4xf32>, %[[W:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<3xf32>
//       CHECK:   sparsity.gated_matmul {{.*}} : (tensor<1x4xf16>, tensor<4x3xf16>) -> tensor<1x3xf16>
//       CHECK:   sparsity.gated_matmul {{.*}} layout output_major
//       CHECK:   %[[ROWS:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<2x?x4xf32> into tensor<?x4xf32>
//       CHECK:   %[[M:.*]] = tensor.dim %[[ROWS]]
//       CHECK:   %[[OUT:.*]] = memref.alloc(%[[M]]) {alignment = 64 : i64} : memref<?x3xf32>
//       CHECK:   bufferization.to_buffer %[[B]] read_only
//       CHECK:   %[[INDEX:.*]] = arith.constant 2 : i64
//       CHECK:   call @sift_gated_matmul_f32({{.*}}, %[[INDEX]])
//       CHECK:   %[[Y:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
//       CHECK:   %[[R:.*]] = tensor.expand_shape %[[Y]] {{\[}}[0, 1], [2]] output_shape [2, %{{.*}}, 3] : tensor<?x3xf32> into tensor<2x?x3xf32>
//       CHECK:   return %{{.*}}, %{{.*}}, %[[R]]
func.func @rank3_bias_and_numbering(%x: tensor<2x?x4xf32>, %w: tensor<4x3xf32>, %b: tensor<3xf32>,
                                    %h: tensor<1x4xf16>, %wh: tensor<4x3xf16>, %wt: tensor<3x4xf32>)
    -> (tensor<1x3xf16>, tensor<1x3xf32>, tensor<2x?x3xf32>) {
  %0 = sparsity.gated_matmul %h, %wh threshold [0.5] layout input_major
      : (tensor<1x4xf16>, tensor<4x3xf16>) -> tensor<1x3xf16>
  %x0 = tensor.extract_slice %x[0, 0, 0] [1, 1, 4] [1, 1, 1] : tensor<2x?x4xf32> to tensor<1x4xf32>
  %1 = sparsity.gated_matmul %x0, %wt threshold [0.5] layout output_major
      : (tensor<1x4xf32>, tensor<3x4xf32>) -> tensor<1x3xf32>
  %2 = sparsity.gated_matmul %x, %w, %b threshold [0.5] layout input_major
      : (tensor<2x?x4xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<2x?x3xf32>
  return %0, %1, %2 : tensor<1x3xf16>, tensor<1x3xf32>, tensor<2x?x3xf32>
}
