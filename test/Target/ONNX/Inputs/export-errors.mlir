// Inputs of export-onnx.test's error cases.
func.func @unknown_node(%x: tensor<1x16xf32>, %w: tensor<16x32xf32>) -> tensor<1x32xf32> {
  %y = sparsity.gated_matmul %x, %w threshold [0.5] layout input_major
      : (tensor<1x16xf32>, tensor<16x32xf32>) -> tensor<1x32xf32> loc("elsewhere"("MatMul"))
  return %y : tensor<1x32xf32>
}

// -----

func.func @per_channel(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %g = sparsity.gate %x threshold [0.5, 0.25] : tensor<1x2xf32> loc("fc0"("Gemm"))
  return %g : tensor<1x2xf32>
}
