// RUN: sparse-opt %s --split-input-file --convert-sparsity-to-linalg | FileCheck %s

// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @gate_scalar
//  CHECK-SAME:   (%[[X:.*]]: tensor<4x8xf32>)
//       CHECK:   %[[E:.*]] = tensor.empty() : tensor<4x8xf32>
//       CHECK:   %[[G:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
//  CHECK-SAME:     ins(%[[X]] : tensor<4x8xf32>) outs(%[[E]] : tensor<4x8xf32>)
//       CHECK:   ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
//       CHECK:     %[[ABS:.*]] = math.absf %[[IN]] : f32
//       CHECK:     %[[T:.*]] = arith.constant 5.000000e-01 : f32
//       CHECK:     %[[KEEP:.*]] = arith.cmpf ugt, %[[ABS]], %[[T]] : f32
//       CHECK:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
//       CHECK:     %[[SEL:.*]] = arith.select %[[KEEP]], %[[IN]], %[[ZERO]] : f32
//       CHECK:     linalg.yield %[[SEL]] : f32
//       CHECK:   return %[[G]]
//   CHECK-NOT:   sparsity.
func.func @gate_scalar(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = sparsity.gate %x threshold [0.5] : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Per-channel thresholds are a constant read along the last dimension; f16
// elements are widened to f32 for the comparison and selected unwidened.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[LAST:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @gate_per_channel_dynamic_f16
//  CHECK-SAME:   (%[[X:.*]]: tensor<?x2xf16>)
//   CHECK-DAG:   %[[TS:.*]] = arith.constant dense<[1.000000e-01, 2.000000e-01]> : tensor<2xf32>
//   CHECK-DAG:   %[[C0:.*]] = arith.constant 0 : index
//       CHECK:   %[[D0:.*]] = tensor.dim %[[X]], %[[C0]] : tensor<?x2xf16>
//       CHECK:   %[[E:.*]] = tensor.empty(%[[D0]]) : tensor<?x2xf16>
//       CHECK:   linalg.generic {indexing_maps = [#[[ID]], #[[LAST]], #[[ID]]]
//  CHECK-SAME:     ins(%[[X]], %[[TS]] : tensor<?x2xf16>, tensor<2xf32>) outs(%[[E]] : tensor<?x2xf16>)
//       CHECK:   ^bb0(%[[IN:.*]]: f16, %[[T:.*]]: f32, %{{.*}}: f16):
//       CHECK:     %[[WIDE:.*]] = arith.extf %[[IN]] : f16 to f32
//       CHECK:     %[[ABS:.*]] = math.absf %[[WIDE]] : f32
//       CHECK:     %[[KEEP:.*]] = arith.cmpf ugt, %[[ABS]], %[[T]] : f32
//       CHECK:     arith.select %[[KEEP]], %[[IN]], %{{.*}} : f16
func.func @gate_per_channel_dynamic_f16(%x: tensor<?x2xf16>) -> tensor<?x2xf16> {
  %0 = sparsity.gate %x threshold [0.1, 0.2] : tensor<?x2xf16>
  return %0 : tensor<?x2xf16>
}

// -----

// CHECK-LABEL: func.func @gated_matmul_input_major_bias
//  CHECK-SAME:   (%[[X:.*]]: tensor<3x8xf32>, %[[W:.*]]: tensor<8x4xf32>, %[[B:.*]]: tensor<4xf32>)
//       CHECK:   %[[G:.*]] = linalg.generic
//  CHECK-SAME:     ins(%[[X]] : tensor<3x8xf32>)
//       CHECK:   %[[E:.*]] = tensor.empty() : tensor<3x4xf32>
//       CHECK:   %[[ACC:.*]] = linalg.broadcast ins(%[[B]] : tensor<4xf32>) outs(%[[E]] : tensor<3x4xf32>) dimensions = [0]
//       CHECK:   %[[MM:.*]] = linalg.matmul ins(%[[G]], %[[W]] : tensor<3x8xf32>, tensor<8x4xf32>) outs(%[[ACC]] : tensor<3x4xf32>)
//       CHECK:   return %[[MM]]
func.func @gated_matmul_input_major_bias(%x: tensor<3x8xf32>, %w: tensor<8x4xf32>, %b: tensor<4xf32>) -> tensor<3x4xf32> {
  %0 = sparsity.gated_matmul %x, %w, %b threshold [0.25] layout input_major
       : (tensor<3x8xf32>, tensor<8x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// An output-major weight is read transposed; without bias the accumulator is
// zero-filled.
// CHECK-LABEL: func.func @gated_matmul_output_major
//  CHECK-SAME:   (%[[X:.*]]: tensor<1x8xf32>, %[[W:.*]]: tensor<4x8xf32>)
//       CHECK:   %[[G:.*]] = linalg.generic
//       CHECK:   } -> tensor<1x8xf32>
//       CHECK:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
//       CHECK:   %[[ACC:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<1x4xf32>)
//       CHECK:   linalg.matmul indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}] ins(%[[G]], %[[W]] : tensor<1x8xf32>, tensor<4x8xf32>) outs(%[[ACC]] : tensor<1x4xf32>)
func.func @gated_matmul_output_major(%x: tensor<1x8xf32>, %w: tensor<4x8xf32>) -> tensor<1x4xf32> {
  %0 = sparsity.gated_matmul %x, %w threshold [0.25] layout output_major
       : (tensor<1x8xf32>, tensor<4x8xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

// Batches share the weight: [B, M, K] is multiplied as [B*M, K] and expanded.
// CHECK-LABEL: func.func @gated_matmul_batched_dynamic
//  CHECK-SAME:   (%[[X:.*]]: tensor<2x?x8xf32>, %[[W:.*]]: tensor<8x4xf32>)
//       CHECK:   %[[M:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<2x?x8xf32>
//       CHECK:   %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<2x?x8xf32> into tensor<?x8xf32>
//       CHECK:   %[[G:.*]] = linalg.generic
//  CHECK-SAME:     ins(%[[FLAT]] : tensor<?x8xf32>)
//       CHECK:   %[[MM:.*]] = linalg.matmul ins(%[[G]], %[[W]] : tensor<?x8xf32>, tensor<8x4xf32>)
//       CHECK:   tensor.expand_shape %[[MM]] {{\[}}[0, 1], [2]] output_shape [2, %[[M]], 4] : tensor<?x4xf32> into tensor<2x?x4xf32>
func.func @gated_matmul_batched_dynamic(%x: tensor<2x?x8xf32>, %w: tensor<8x4xf32>) -> tensor<2x?x4xf32> {
  %0 = sparsity.gated_matmul %x, %w threshold [0.25] layout input_major
       : (tensor<2x?x8xf32>, tensor<8x4xf32>) -> tensor<2x?x4xf32>
  return %0 : tensor<2x?x4xf32>
}
