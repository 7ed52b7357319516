// RUN: sparse-opt %s --split-input-file | FileCheck %s
// The generic form parses back to the same IR.
// RUN: sparse-opt %s --split-input-file --mlir-print-op-generic | sparse-opt --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @gate_scalar
//       CHECK:   sparsity.gate %{{.*}} threshold [5.000000e-01] : tensor<4x8xf32>
func.func @gate_scalar(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = sparsity.gate %x threshold [0.5] : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @gate_per_channel_f16
//       CHECK:   sparsity.gate %{{.*}} threshold [1.000000e-01, 0.000000e+00, 2.500000e+00] : tensor<?x3xf16>
func.func @gate_per_channel_f16(%x: tensor<?x3xf16>) -> tensor<?x3xf16> {
  %0 = sparsity.gate %x threshold [0.1, 0.0, 2.5] : tensor<?x3xf16>
  return %0 : tensor<?x3xf16>
}

// -----

// CHECK-LABEL: func.func @gate_bf16_rank0
//       CHECK:   sparsity.gate %{{.*}} threshold [1.000000e+00] : tensor<bf16>
func.func @gate_bf16_rank0(%x: tensor<bf16>) -> tensor<bf16> {
  %0 = sparsity.gate %x threshold [1.0] : tensor<bf16>
  return %0 : tensor<bf16>
}

// -----

// CHECK-LABEL: func.func @gated_matmul_input_major_bias
//       CHECK:   sparsity.gated_matmul %{{.*}}, %{{.*}}, %{{.*}} threshold [2.500000e-01] layout input_major : (tensor<1x16xf32>, tensor<16x32xf32>, tensor<32xf32>) -> tensor<1x32xf32>
func.func @gated_matmul_input_major_bias(%x: tensor<1x16xf32>, %w: tensor<16x32xf32>, %b: tensor<32xf32>) -> tensor<1x32xf32> {
  %0 = sparsity.gated_matmul %x, %w, %b threshold [0.25] layout input_major
       : (tensor<1x16xf32>, tensor<16x32xf32>, tensor<32xf32>) -> tensor<1x32xf32>
  return %0 : tensor<1x32xf32>
}

// -----

// CHECK-LABEL: func.func @gated_matmul_output_major
//       CHECK:   sparsity.gated_matmul %{{.*}}, %{{.*}} threshold [1.000000e-01, 2.000000e-01] layout output_major : (tensor<?x2xf32>, tensor<5x2xf32>) -> tensor<?x5xf32>
func.func @gated_matmul_output_major(%x: tensor<?x2xf32>, %w: tensor<5x2xf32>) -> tensor<?x5xf32> {
  %0 = sparsity.gated_matmul %x, %w threshold [0.1, 0.2] layout output_major
       : (tensor<?x2xf32>, tensor<5x2xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

// CHECK-LABEL: func.func @gated_matmul_batched_bf16
//       CHECK:   sparsity.gated_matmul %{{.*}}, %{{.*}} threshold [0.000000e+00] layout input_major : (tensor<2x?x8xbf16>, tensor<8x4xbf16>) -> tensor<2x?x4xbf16>
func.func @gated_matmul_batched_bf16(%x: tensor<2x?x8xbf16>, %w: tensor<8x4xbf16>) -> tensor<2x?x4xbf16> {
  %0 = sparsity.gated_matmul %x, %w threshold [0.0] layout input_major
       : (tensor<2x?x8xbf16>, tensor<8x4xbf16>) -> tensor<2x?x4xbf16>
  return %0 : tensor<2x?x4xbf16>
}

// -----

// CHECK-LABEL: func.func @gated_matmul_bf16_weight
//       CHECK:   sparsity.gated_matmul %{{.*}}, %{{.*}} threshold [1.000000e-01] layout input_major : (tensor<2x16xf32>, tensor<16x8xbf16>) -> tensor<2x8xf32>
func.func @gated_matmul_bf16_weight(%x: tensor<2x16xf32>, %w: tensor<16x8xbf16>) -> tensor<2x8xf32> {
  %0 = sparsity.gated_matmul %x, %w threshold [0.1] layout input_major
         : (tensor<2x16xf32>, tensor<16x8xbf16>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}
