// RUN: sparse-opt %s --split-input-file --sparsity-fuse-gated-matmul | FileCheck %s
// RUN: sparse-opt %s --split-input-file --sparsity-fuse-gated-matmul --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s --check-prefix=LOC

// Input-major weights ([K, N], ONNX MatMul) fuse as they are.
// CHECK-LABEL: func.func @input_major
//  CHECK-SAME:   (%[[X:.*]]: tensor<2x4xf32>)
//       CHECK:   %[[W:.*]] = arith.constant dense<1.000000e+00> : tensor<4x3xf32>
//       CHECK:   %[[Y:.*]] = sparsity.gated_matmul %[[X]], %[[W]] threshold [5.000000e-01] layout input_major : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
//       CHECK:   return %[[Y]]
//   CHECK-NOT:   linalg.matmul
func.func @input_major(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<1.0> : tensor<4x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %g = sparsity.gate %x threshold [0.5] : tensor<2x4xf32>
  %y = linalg.matmul ins(%g, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Output-major weights ([N, K], Gemm with transB=1) are transposed at compile
// time, and a broadcast bias add folds in, though the product's shape is
// queried (the query now reads the input; unused, it goes away). W = [[1, 2], [3, 4], [5, 6]] becomes
// [[1, 3, 5], [2, 4, 6]]: the blob holds 1, 3, 5, 2, 4, 6 as f32.
// CHECK-LABEL: func.func @output_major_with_bias
//  CHECK-SAME:   (%[[X:.*]]: tensor<?x2xf32>)
//   CHECK-DAG:   %[[B:.*]] = arith.constant dense<[1.000000e-01, 2.000000e-01, 3.000000e-01]> : tensor<3xf32>
//   CHECK-DAG:   %[[WT:.*]] = arith.constant dense_resource<weights_input_major> : tensor<2x3xf32>
//       CHECK:   %[[Y:.*]] = sparsity.gated_matmul %[[X]], %[[WT]], %[[B]] threshold [2.500000e-01, 0.000000e+00] layout input_major : (tensor<?x2xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
//       CHECK:   return %[[Y]]
//       CHECK: weights_input_major: "0x040000000000803F000040400000A04000000040000080400000C040"
#in = affine_map<(m, n, k) -> (m, k)>
#w_nk = affine_map<(m, n, k) -> (n, k)>
#out = affine_map<(m, n, k) -> (m, n)>
#rows = affine_map<(m, n) -> (m, n)>
#cols = affine_map<(m, n) -> (n)>
func.func @output_major_with_bias(%x: tensor<?x2xf32>) -> tensor<?x3xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %b = arith.constant dense<[0.1, 0.2, 0.3]> : tensor<3xf32>
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x2xf32>
  %e = tensor.empty(%m) : tensor<?x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x3xf32>) -> tensor<?x3xf32>
  %g = sparsity.gate %x threshold [0.25, 0.0] : tensor<?x2xf32>
  %p = linalg.matmul indexing_maps = [#in, #w_nk, #out]
      ins(%g, %w : tensor<?x2xf32>, tensor<3x2xf32>) outs(%f : tensor<?x3xf32>) -> tensor<?x3xf32>
  %pm = tensor.dim %p, %c0 : tensor<?x3xf32>
  %e2 = tensor.empty(%pm) : tensor<?x3xf32>
  %y = linalg.generic {indexing_maps = [#rows, #cols, #rows], iterator_types = ["parallel", "parallel"]}
      ins(%p, %b : tensor<?x3xf32>, tensor<3xf32>) outs(%e2 : tensor<?x3xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// Not fused: an ungated matmul, weights that are not constants, a product
// that does not start from zero, and (bias aside) an add of a full tensor.
// CHECK-LABEL: func.func @not_fused
//   CHECK-NOT:   sparsity.gated_matmul
//       CHECK:   linalg.matmul
//       CHECK:   linalg.matmul
//       CHECK:   linalg.matmul
//       CHECK:   %[[P:.*]] = sparsity.gated_matmul
//       CHECK:   linalg.generic {{.*}} ins(%[[P]], %arg2
func.func @not_fused(%x: tensor<2x4xf32>, %v: tensor<4x3xf32>, %r: tensor<2x3xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %w = arith.constant dense<1.0> : tensor<4x3xf32>
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %f1 = linalg.fill ins(%one : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %g = sparsity.gate %x threshold [0.5] : tensor<2x4xf32>
  %a = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32>
  %b = linalg.matmul ins(%g, %v : tensor<2x4xf32>, tensor<4x3xf32>) outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32>
  %c = linalg.matmul ins(%g, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%f1 : tensor<2x3xf32>) -> tensor<2x3xf32>
  %p = linalg.matmul ins(%g, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32>
  %d = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%p, %r : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%s0: f32, %s1: f32, %o: f32):
    %s = arith.addf %s0, %s1 : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  return %a, %b, %c, %d : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// A gated 1x1 convolution is a gated matmul of its pixels: NCHW goes to
// [N*H*W, C] channels last and back, the [F, C, 1, 1] filter becomes an
// input-major [C, F] blob, and the result is added to the convolution's
// init (the bias broadcast). W = [[1, 2], [3, 4], [5, 6]] becomes
// [[1, 3, 5], [2, 4, 6]]: the blob holds 1, 3, 5, 2, 4, 6 as f32. Every new
// op keeps the node's location.
// CHECK-LABEL: func.func @pointwise_conv_with_bias
//  CHECK-SAME:   (%[[X:.*]]: tensor<1x2x2x3xf32>)
//   CHECK-DAG:   %[[W:.*]] = arith.constant dense_resource<weights_input_major> : tensor<2x3xf32>
//   CHECK-DAG:   %[[BIAS:.*]] = linalg.broadcast
//       CHECK:   %[[NHWC:.*]] = linalg.transpose ins(%[[X]] : tensor<1x2x2x3xf32>) outs(%{{.*}} : tensor<1x2x3x2xf32>) permutation = [0, 2, 3, 1]
//       CHECK:   %[[PIXELS:.*]] = tensor.collapse_shape %[[NHWC]] {{\[}}[0, 1, 2], [3]] : tensor<1x2x3x2xf32> into tensor<6x2xf32>
//       CHECK:   %[[P:.*]] = sparsity.gated_matmul %[[PIXELS]], %[[W]] threshold [5.000000e-01] layout input_major : (tensor<6x2xf32>, tensor<2x3xf32>) -> tensor<6x3xf32>
//       CHECK:   %[[EXPANDED:.*]] = tensor.expand_shape %[[P]] {{\[}}[0, 1, 2], [3]] output_shape [1, 2, 3, 3] : tensor<6x3xf32> into tensor<1x2x3x3xf32>
//       CHECK:   %[[NCHW:.*]] = linalg.transpose ins(%[[EXPANDED]] : tensor<1x2x3x3xf32>) outs(%{{.*}} : tensor<1x3x2x3xf32>) permutation = [0, 3, 1, 2]
//       CHECK:   %[[Y:.*]] = linalg.generic {{.*}} ins(%[[NCHW]] : tensor<1x3x2x3xf32>) outs(%[[BIAS]] : tensor<1x3x2x3xf32>)
//       CHECK:     arith.addf
//       CHECK:   return %[[Y]]
//       CHECK: weights_input_major: "0x040000000000803F000040400000A04000000040000080400000C040"
// LOC-LABEL: func.func @pointwise_conv_with_bias
//       LOC:   linalg.transpose {{.*}} loc("proj"("Conv"))
//       LOC:   sparsity.gated_matmul {{.*}} loc("proj"("Conv"))
//       LOC:   } -> tensor<1x3x2x3xf32> loc("proj"("Conv"))
func.func @pointwise_conv_with_bias(%x: tensor<1x2x2x3xf32>) -> tensor<1x3x2x3xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]], [[[5.0]], [[6.0]]]]> : tensor<3x2x1x1xf32>
  %b = arith.constant dense<[0.1, 0.2, 0.3]> : tensor<3xf32>
  %e = tensor.empty() : tensor<1x3x2x3xf32>
  %init = linalg.broadcast ins(%b : tensor<3xf32>) outs(%e : tensor<1x3x2x3xf32>) dimensions = [0, 2, 3]
  %g = sparsity.gate %x threshold [0.5] : tensor<1x2x2x3xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%g, %w : tensor<1x2x2x3xf32>, tensor<3x2x1x1xf32>) outs(%init : tensor<1x3x2x3xf32>) -> tensor<1x3x2x3xf32> loc("proj"("Conv"))
  return %y : tensor<1x3x2x3xf32>
}

// -----

// From a zero fill there is nothing to add. An f16 filter (which is not
// rewritten at compile time) is read as it is: its [F, C] view is
// output-major.
// CHECK-LABEL: func.func @pointwise_conv_from_zero
//  CHECK-SAME:   (%[[X:.*]]: tensor<2x4x3x3xf16>)
//       CHECK:   %[[W:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3]] : tensor<2x4x1x1xf16> into tensor<2x4xf16>
//       CHECK:   %[[NHWC:.*]] = linalg.transpose ins(%[[X]] : tensor<2x4x3x3xf16>) outs(%{{.*}} : tensor<2x3x3x4xf16>) permutation = [0, 2, 3, 1]
//       CHECK:   %[[PIXELS:.*]] = tensor.collapse_shape %[[NHWC]] {{\[}}[0, 1, 2], [3]] : tensor<2x3x3x4xf16> into tensor<18x4xf16>
//       CHECK:   %[[P:.*]] = sparsity.gated_matmul %[[PIXELS]], %[[W]] threshold [2.500000e-01] layout output_major : (tensor<18x4xf16>, tensor<2x4xf16>) -> tensor<18x2xf16>
//       CHECK:   %[[EXPANDED:.*]] = tensor.expand_shape %[[P]] {{\[}}[0, 1, 2], [3]] output_shape [2, 3, 3, 2] : tensor<18x2xf16> into tensor<2x3x3x2xf16>
//       CHECK:   %[[NCHW:.*]] = linalg.transpose ins(%[[EXPANDED]] : tensor<2x3x3x2xf16>) outs(%{{.*}} : tensor<2x2x3x3xf16>) permutation = [0, 3, 1, 2]
//       CHECK:   return %[[NCHW]]
func.func @pointwise_conv_from_zero(%x: tensor<2x4x3x3xf16>) -> tensor<2x2x3x3xf16> {
  %w = arith.constant dense<1.0> : tensor<2x4x1x1xf16>
  %zero = arith.constant 0.0 : f16
  %e = tensor.empty() : tensor<2x2x3x3xf16>
  %init = linalg.fill ins(%zero : f16) outs(%e : tensor<2x2x3x3xf16>) -> tensor<2x2x3x3xf16>
  %g = sparsity.gate %x threshold [0.25] : tensor<2x4x3x3xf16>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%g, %w : tensor<2x4x3x3xf16>, tensor<2x4x1x1xf16>) outs(%init : tensor<2x2x3x3xf16>) -> tensor<2x2x3x3xf16>
  return %y : tensor<2x2x3x3xf16>
}

// -----

// A dynamic batch (PyTorch exports with a batch axis) stays dynamic: the
// transposes and the expansion take it from the input.
// CHECK-LABEL: func.func @pointwise_conv_dynamic_batch
//  CHECK-SAME:   (%[[X:.*]]: tensor<?x4x3x3xf32>)
//       CHECK:   %[[N:.*]] = tensor.dim %[[X]], %c0
//       CHECK:   %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x3x3x4xf32>
//       CHECK:   %[[NHWC:.*]] = linalg.transpose ins(%[[X]] : tensor<?x4x3x3xf32>) outs(%[[E]] : tensor<?x3x3x4xf32>) permutation = [0, 2, 3, 1]
//       CHECK:   %[[PIXELS:.*]] = tensor.collapse_shape %[[NHWC]] {{\[}}[0, 1, 2], [3]] : tensor<?x3x3x4xf32> into tensor<?x4xf32>
//       CHECK:   %[[P:.*]] = sparsity.gated_matmul %[[PIXELS]], %{{.*}} threshold [2.500000e-01] layout input_major : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
//       CHECK:   %[[EXPANDED:.*]] = tensor.expand_shape %[[P]] {{\[}}[0, 1, 2], [3]] output_shape [%{{.*}}, 3, 3, 2] : tensor<?x2xf32> into tensor<?x3x3x2xf32>
//       CHECK:   %[[NCHW:.*]] = linalg.transpose ins(%[[EXPANDED]] : tensor<?x3x3x2xf32>) outs(%{{.*}} : tensor<?x2x3x3xf32>) permutation = [0, 3, 1, 2]
//       CHECK:   return %[[NCHW]]
func.func @pointwise_conv_dynamic_batch(%x: tensor<?x4x3x3xf32>) -> tensor<?x2x3x3xf32> {
  %c0 = arith.constant 0 : index
  %w = arith.constant dense<1.0> : tensor<2x4x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x4x3x3xf32>
  %e = tensor.empty(%n) : tensor<?x2x3x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<?x2x3x3xf32>) -> tensor<?x2x3x3xf32>
  %g = sparsity.gate %x threshold [0.25] : tensor<?x4x3x3xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%g, %w : tensor<?x4x3x3xf32>, tensor<2x4x1x1xf32>) outs(%init : tensor<?x2x3x3xf32>) -> tensor<?x2x3x3xf32>
  return %y : tensor<?x2x3x3xf32>
}

// -----

// Not fused: a filter that is not a constant, per-channel thresholds (they
// would run along W, not the channels), a 3x3 and a strided convolution.
// CHECK-LABEL: func.func @convs_not_fused
//   CHECK-NOT:   sparsity.gated_matmul
//   CHECK-COUNT-4:   linalg.conv_2d_nchw_fchw
//   CHECK-NOT:   sparsity.gated_matmul
func.func @convs_not_fused(%x: tensor<1x4x3x3xf32>, %f: tensor<2x4x1x1xf32>, %x5: tensor<1x4x5x5xf32>)
    -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %f1 = arith.constant dense<1.0> : tensor<2x4x1x1xf32>
  %f3 = arith.constant dense<1.0> : tensor<2x4x3x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x3x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %g = sparsity.gate %x threshold [0.5] : tensor<1x4x3x3xf32>
  %a = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%g, %f : tensor<1x4x3x3xf32>, tensor<2x4x1x1xf32>) outs(%init : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %gw = sparsity.gate %x threshold [0.5, 0.0, 0.25] : tensor<1x4x3x3xf32>
  %b = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%gw, %f1 : tensor<1x4x3x3xf32>, tensor<2x4x1x1xf32>) outs(%init : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %g5 = sparsity.gate %x5 threshold [0.5] : tensor<1x4x5x5xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%g5, %f3 : tensor<1x4x5x5xf32>, tensor<2x4x3x3xf32>) outs(%init : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %d = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%g5, %f1 : tensor<1x4x5x5xf32>, tensor<2x4x1x1xf32>) outs(%init : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a, %b, %c, %d : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}
