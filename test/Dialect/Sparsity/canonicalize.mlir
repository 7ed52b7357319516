// RUN: sparse-opt %s --split-input-file --canonicalize="test-convergence" | FileCheck %s

// A gate whose thresholds are all zero keeps every non-zero value.
// CHECK-LABEL: func.func @zero_threshold_folds
//  CHECK-SAME:   (%[[X:.*]]: tensor<4x2xf32>)
//   CHECK-NOT:   sparsity.gate
//       CHECK:   return %[[X]], %[[X]]
func.func @zero_threshold_folds(%x: tensor<4x2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>) {
  %0 = sparsity.gate %x threshold [0.0] : tensor<4x2xf32>
  %1 = sparsity.gate %x threshold [0.0, 0.0] : tensor<4x2xf32>
  return %0, %1 : tensor<4x2xf32>, tensor<4x2xf32>
}

// -----

// A non-zero threshold is kept.
// CHECK-LABEL: func.func @nonzero_threshold_stays
//       CHECK:   sparsity.gate %{{.*}} threshold [0.000000e+00, 1.000000e-01]
func.func @nonzero_threshold_stays(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %0 = sparsity.gate %x threshold [0.0, 0.1] : tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// gate(gate(x, a), b) == gate(x, max(a, b)).
// CHECK-LABEL: func.func @nested_gates_merge
//  CHECK-SAME:   (%[[X:.*]]: tensor<4x3xf32>)
//       CHECK:   %[[G:.*]] = sparsity.gate %[[X]] threshold [5.000000e-01, 7.500000e-01, 5.000000e-01] : tensor<4x3xf32>
//  CHECK-NEXT:   return %[[G]]
func.func @nested_gates_merge(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %0 = sparsity.gate %x threshold [0.5] : tensor<4x3xf32>
  %1 = sparsity.gate %0 threshold [0.25, 0.75, 0.5] : tensor<4x3xf32>
  return %1 : tensor<4x3xf32>
}

// -----

// Scalar thresholds merge to a scalar.
// CHECK-LABEL: func.func @nested_scalar_gates_merge
//       CHECK:   sparsity.gate %{{.*}} threshold [2.000000e+00] : tensor<8xbf16>
//   CHECK-NOT:   sparsity.gate
func.func @nested_scalar_gates_merge(%x: tensor<8xbf16>) -> tensor<8xbf16> {
  %0 = sparsity.gate %x threshold [2.0] : tensor<8xbf16>
  %1 = sparsity.gate %0 threshold [1.0] : tensor<8xbf16>
  return %1 : tensor<8xbf16>
}

// -----

// Per-channel thresholds that are all equal become one.
// CHECK-LABEL: func.func @uniform_channels_collapse
//       CHECK:   sparsity.gate %{{.*}} threshold [3.000000e-01] : tensor<2x3xf32>
//       CHECK:   sparsity.gated_matmul %{{.*}}, %{{.*}} threshold [1.000000e-01] layout input_major
func.func @uniform_channels_collapse(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> (tensor<2x3xf32>, tensor<2x4xf32>) {
  %0 = sparsity.gate %x threshold [0.3, 0.3, 0.3] : tensor<2x3xf32>
  %1 = sparsity.gated_matmul %x, %w threshold [0.1, 0.1, 0.1] layout input_major : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x4xf32>
}

// -----

// A gated matmul absorbs the gate that produces its activation input.
// CHECK-LABEL: func.func @gated_matmul_absorbs_gate
//  CHECK-SAME:   (%[[X:.*]]: tensor<2x3xf32>, %[[W:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<4xf32>)
//   CHECK-NOT:   sparsity.gate
//       CHECK:   sparsity.gated_matmul %[[X]], %[[W]], %[[B]] threshold [4.000000e-01, 2.000000e-01, 9.000000e-01] layout output_major
func.func @gated_matmul_absorbs_gate(%x: tensor<2x3xf32>, %w: tensor<4x3xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = sparsity.gate %x threshold [0.4, 0.1, 0.9] : tensor<2x3xf32>
  %1 = sparsity.gated_matmul %0, %w, %b threshold [0.2] layout output_major : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %1 : tensor<2x4xf32>
}

// -----

// Gating a constant folds to the gated constant; NaN survives.
// CHECK-LABEL: func.func @constant_folds
//       CHECK:   %[[C:.*]] = arith.constant dense<{{\[}}[0.000000e+00, -2.000000e+00, 0x7FC00000], [0.000000e+00, 0.000000e+00, 3.000000e+00]]> : tensor<2x3xf32>
//   CHECK-NOT:   sparsity.gate
//       CHECK:   return %[[C]]
func.func @constant_folds() -> tensor<2x3xf32> {
  %c = arith.constant dense<[[0.5, -2.0, 0x7FC00000], [-1.0, 1.0, 3.0]]> : tensor<2x3xf32>
  %0 = sparsity.gate %c threshold [1.0] : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Per-channel thresholds apply along the last dimension; the threshold is
// compared exactly, so 1.0 (== threshold) is zeroed and the f16 value just
// above it is kept.
// CHECK-LABEL: func.func @constant_folds_per_channel_f16
//       CHECK:   arith.constant dense<{{\[}}[0.000000e+00, 1.000980e+00], [5.000000e+00, 0.000000e+00]]> : tensor<2x2xf16>
func.func @constant_folds_per_channel_f16() -> tensor<2x2xf16> {
  %c = arith.constant dense<[[1.0, 1.000977], [5.0, -0.5]]> : tensor<2x2xf16>
  %0 = sparsity.gate %c threshold [1.0, 1.0] : tensor<2x2xf16>
  return %0 : tensor<2x2xf16>
}

// -----

// A splat constant folds to a splat.
// CHECK-LABEL: func.func @splat_folds
//       CHECK:   %[[C:.*]] = arith.constant dense<0.000000e+00> : tensor<16xf32>
//       CHECK:   return %[[C]]
func.func @splat_folds() -> tensor<16xf32> {
  %c = arith.constant dense<0.25> : tensor<16xf32>
  %0 = sparsity.gate %c threshold [0.5] : tensor<16xf32>
  return %0 : tensor<16xf32>
}
