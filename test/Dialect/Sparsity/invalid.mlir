// RUN: sparse-opt %s --split-input-file --verify-diagnostics

func.func @gate_negative_threshold(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{threshold #0 is negative (-5.000000e-01); thresholds bound magnitudes and must be >= 0}}
  %0 = sparsity.gate %x threshold [-0.5] : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @gate_nan_threshold(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{threshold #0 is NaN}}
  %0 = "sparsity.gate"(%x) <{threshold = array<f32: 0x7FC00000>}> : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @gate_infinite_threshold(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{threshold #1 is infinite}}
  %0 = "sparsity.gate"(%x) <{threshold = array<f32: 1.0, 0x7F800000>}> : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @gate_no_threshold(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{requires at least one threshold}}
  %0 = sparsity.gate %x threshold [] : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @gate_channel_mismatch(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{has 2 per-channel thresholds but the channel dimension has size 3}}
  %0 = sparsity.gate %x threshold [0.1, 0.2] : tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @gate_dynamic_channels(%x: tensor<4x?xf32>) -> tensor<4x?xf32> {
  // expected-error @+1 {{has 2 per-channel thresholds but the channel dimension is dynamic}}
  %0 = sparsity.gate %x threshold [0.1, 0.2] : tensor<4x?xf32>
  return %0 : tensor<4x?xf32>
}

// -----

func.func @gate_rank0_per_channel(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{has 2 per-channel thresholds but its input has no channel dimension}}
  %0 = "sparsity.gate"(%x) <{threshold = array<f32: 0.1, 0.2>}> : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @gate_integer(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %0 = "sparsity.gate"(%x) <{threshold = array<f32: 0.5>}> : (tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @gate_f64(%x: tensor<4xf64>) -> tensor<4xf64> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %0 = "sparsity.gate"(%x) <{threshold = array<f32: 0.5>}> : (tensor<4xf64>) -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

func.func @gate_unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{operand #0 must be ranked tensor}}
  %0 = "sparsity.gate"(%x) <{threshold = array<f32: 0.5>}> : (tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @gate_type_change(%x: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "sparsity.gate"(%x) <{threshold = array<f32: 0.5>}> : (tensor<4xf32>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

func.func @gated_matmul_input_rank(%x: tensor<8xf32>, %w: tensor<8x4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expects an input of rank 2 ([M, K]) or 3 ([B, M, K]), got rank 1}}
  %0 = sparsity.gated_matmul %x, %w threshold [0.1] layout input_major : (tensor<8xf32>, tensor<8x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @gated_matmul_weight_rank(%x: tensor<1x8xf32>, %w: tensor<2x8x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{expects a weight of rank 2, got rank 3}}
  %0 = sparsity.gated_matmul %x, %w threshold [0.1] layout input_major : (tensor<1x8xf32>, tensor<2x8x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @gated_matmul_result_rank(%x: tensor<1x8xf32>, %w: tensor<8x4xf32>) -> tensor<1x1x4xf32> {
  // expected-error @+1 {{expects a result of the input's rank (2), got rank 3}}
  %0 = sparsity.gated_matmul %x, %w threshold [0.1] layout input_major : (tensor<1x8xf32>, tensor<8x4xf32>) -> tensor<1x1x4xf32>
  return %0 : tensor<1x1x4xf32>
}

// -----

func.func @gated_matmul_result_element_type(%x: tensor<1x8xf32>, %w: tensor<8x4xf32>) -> tensor<1x4xf16> {
  // expected-error @+1 {{expects input and result to share one element type}}
  %0 = sparsity.gated_matmul %x, %w threshold [0.1] layout input_major : (tensor<1x8xf32>, tensor<8x4xf32>) -> tensor<1x4xf16>
  return %0 : tensor<1x4xf16>
}

// -----

func.func @gated_matmul_wider_weight(%x: tensor<1x8xf16>, %w: tensor<8x4xf32>) -> tensor<1x4xf16> {
  // expected-error @+1 {{expects a weight of the input's element type, or bf16 or f16 with an f32 input; got 'f32' with 'f16'}}
  %0 = sparsity.gated_matmul %x, %w threshold [0.1] layout input_major : (tensor<1x8xf16>, tensor<8x4xf32>) -> tensor<1x4xf16>
  return %0 : tensor<1x4xf16>
}

// -----

func.func @gated_matmul_input_major_k(%x: tensor<1x8xf32>, %w: tensor<4x8xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{has 8 input channels but its input_major weight has 4}}
  %0 = sparsity.gated_matmul %x, %w threshold [0.1] layout input_major : (tensor<1x8xf32>, tensor<4x8xf32>) -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

func.func @gated_matmul_output_major_k(%x: tensor<1x8xf32>, %w: tensor<8x4xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{has 8 input channels but its output_major weight has 4}}
  %0 = sparsity.gated_matmul %x, %w threshold [0.1] layout output_major : (tensor<1x8xf32>, tensor<8x4xf32>) -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

func.func @gated_matmul_rows(%x: tensor<3x8xf32>, %w: tensor<8x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{result dimension 0 (2) does not match input dimension 0 (3)}}
  %0 = sparsity.gated_matmul %x, %w threshold [0.1] layout input_major : (tensor<3x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @gated_matmul_batch(%x: tensor<2x3x8xf32>, %w: tensor<8x4xf32>) -> tensor<5x3x4xf32> {
  // expected-error @+1 {{result dimension 0 (5) does not match input dimension 0 (2)}}
  %0 = sparsity.gated_matmul %x, %w threshold [0.1] layout input_major : (tensor<2x3x8xf32>, tensor<8x4xf32>) -> tensor<5x3x4xf32>
  return %0 : tensor<5x3x4xf32>
}

// -----

func.func @gated_matmul_columns(%x: tensor<1x8xf32>, %w: tensor<8x4xf32>) -> tensor<1x5xf32> {
  // expected-error @+1 {{result has 5 output channels but the input_major weight has 4}}
  %0 = sparsity.gated_matmul %x, %w threshold [0.1] layout input_major : (tensor<1x8xf32>, tensor<8x4xf32>) -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}

// -----

func.func @gated_matmul_bias_rank(%x: tensor<1x8xf32>, %w: tensor<8x4xf32>, %b: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{expects a bias of rank 1, got rank 2}}
  %0 = sparsity.gated_matmul %x, %w, %b threshold [0.1] layout input_major : (tensor<1x8xf32>, tensor<8x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @gated_matmul_bias_type(%x: tensor<1x8xf32>, %w: tensor<8x4xf32>, %b: tensor<4xf16>) -> tensor<1x4xf32> {
  // expected-error @+1 {{expects the bias to share the input's element type}}
  %0 = sparsity.gated_matmul %x, %w, %b threshold [0.1] layout input_major : (tensor<1x8xf32>, tensor<8x4xf32>, tensor<4xf16>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @gated_matmul_bias_size(%x: tensor<1x8xf32>, %w: tensor<8x4xf32>, %b: tensor<3xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{bias has 3 elements but the weight has 4 output channels}}
  %0 = sparsity.gated_matmul %x, %w, %b threshold [0.1] layout input_major : (tensor<1x8xf32>, tensor<8x4xf32>, tensor<3xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @gated_matmul_threshold_channels(%x: tensor<1x3xf32>, %w: tensor<3x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{has 2 per-channel thresholds but the channel dimension has size 3}}
  %0 = sparsity.gated_matmul %x, %w threshold [0.1, 0.2] layout input_major : (tensor<1x3xf32>, tensor<3x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @gated_matmul_negative_threshold(%x: tensor<1x3xf32>, %w: tensor<3x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{threshold #2 is negative}}
  %0 = sparsity.gated_matmul %x, %w threshold [0.1, 0.2, -1.0] layout input_major : (tensor<1x3xf32>, tensor<3x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @gated_matmul_bad_layout(%x: tensor<1x3xf32>, %w: tensor<3x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+2 {{expected ::sift::sparsity::WeightLayout to be one of: input_major, output_major}}
  // expected-error @+1 {{failed to parse Sparsity_WeightLayoutAttr parameter 'value'}}
  %0 = sparsity.gated_matmul %x, %w threshold [0.1] layout row_major : (tensor<1x3xf32>, tensor<3x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
