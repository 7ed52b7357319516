// RUN: sparse-opt %s --split-input-file --sparsity-reorder-neurons --verify-diagnostics | FileCheck %s

// Channels sorted by frequency [0.1, 0.9, 0.5] give the order 1, 2, 0: the
// up projection's columns and bias and the down projection's rows follow.
// W_up = [[1, 2, 3], [4, 5, 6]] -> [[2, 3, 1], [5, 6, 4]]
// b_up = [0.1, 0.2, 0.3]        -> [0.2, 0.3, 0.1]
// W_down = [[1, 2], [3, 4], [5, 6]] -> [[3, 4], [5, 6], [1, 2]]
// CHECK-LABEL: func.func @feed_forward
//   CHECK-DAG:   %[[UP:.*]] = arith.constant dense_resource<weights_reordered> : tensor<2x3xf32>
//   CHECK-DAG:   %[[BIAS:.*]] = arith.constant dense_resource<weights_reordered_1> : tensor<3xf32>
//       CHECK:   %[[H:.*]] = sparsity.gated_matmul %arg0, %[[UP]], %[[BIAS]] threshold [0.000000e+00]
//       CHECK:   %[[R:.*]] = linalg.generic
//       CHECK:   %[[DOWN:.*]] = arith.constant dense_resource<weights_reordered_2> : tensor<3x2xf32>
//       CHECK:   %[[Y:.*]] = sparsity.gated_matmul %[[R]], %[[DOWN]] threshold [0.000000e+00] layout input_major :
//   CHECK-NOT:   activation_frequency
//   CHECK-NOT:   dense<
//       CHECK: weights_reordered: "0x0400000000000040000040400000803F0000A0400000C04000008040"
//       CHECK: weights_reordered_1: "0x04000000CDCC4C3E9A99993ECDCCCC3D"
//       CHECK: weights_reordered_2: "0x0400000000004040000080400000A0400000C0400000803F00000040"
#id = affine_map<(m, n) -> (m, n)>
func.func @feed_forward(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %up = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = arith.constant dense<[0.1, 0.2, 0.3]> : tensor<3xf32>
  %down = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %h = sparsity.gated_matmul %x, %up, %b threshold [0.0] layout input_major
      : (tensor<1x2xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  %e = tensor.empty() : tensor<1x3xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<1x3xf32>) outs(%e : tensor<1x3xf32>) {
  ^bb0(%in: f32, %o: f32):
    %z = arith.constant 0.0 : f32
    %m = arith.maximumf %in, %z : f32
    linalg.yield %m : f32
  } -> tensor<1x3xf32>
  %y = sparsity.gated_matmul %r, %down threshold [0.0] layout input_major
      {sparsity.activation_frequency = array<f32: 0.1, 0.9, 0.5>}
      : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// The hidden activations are also returned: permuting them would change a
// result, so nothing moves (the attribute is still consumed).
// CHECK-LABEL: func.func @hidden_escapes
//   CHECK-NOT:   dense_resource
//   CHECK-NOT:   activation_frequency
func.func @hidden_escapes(%x: tensor<1x2xf32>) -> (tensor<1x2xf32>, tensor<1x3xf32>) {
  %up = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %down = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %h = sparsity.gated_matmul %x, %up threshold [0.0] layout input_major
      : (tensor<1x2xf32>, tensor<2x3xf32>) -> tensor<1x3xf32>
  %y = sparsity.gated_matmul %h, %down threshold [0.0] layout input_major
      {sparsity.activation_frequency = array<f32: 0.1, 0.9, 0.5>}
      : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  return %y, %h : tensor<1x2xf32>, tensor<1x3xf32>
}

// -----

func.func @wrong_length(%h: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %down = arith.constant dense<1.0> : tensor<3x2xf32>
  // expected-error @below {{sparsity.activation_frequency must hold one f32 per input channel (3)}}
  %y = sparsity.gated_matmul %h, %down threshold [0.0] layout input_major
      {sparsity.activation_frequency = array<f32: 0.1, 0.9>}
      : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// An ungated, output-major producer whose bias is added by a broadcast: its
// rows and the bias vector permute with the channels.
// CHECK-LABEL: func.func @output_major_producer_and_bias_add
//       CHECK:   arith.constant dense_resource<weights_reordered> : tensor<3x2xf32>
//       CHECK:   linalg.matmul
//       CHECK:   arith.constant dense_resource<weights_reordered_1> : tensor<3xf32>
//       CHECK:   linalg.generic
//       CHECK: weights_reordered: "0x040000000000404000008040{{.*}}"
//       CHECK: weights_reordered_1: "0x04000000CDCC4C3E9A99993ECDCCCC3D"
#in = affine_map<(m, n, k) -> (m, k)>
#w_nk = affine_map<(m, n, k) -> (n, k)>
#out = affine_map<(m, n, k) -> (m, n)>
#rows = affine_map<(m, n) -> (m, n)>
#cols = affine_map<(m, n) -> (n)>
func.func @output_major_producer_and_bias_add(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %b = arith.constant dense<[0.1, 0.2, 0.3]> : tensor<3xf32>
  %down = arith.constant dense<1.0> : tensor<3x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3xf32>) -> tensor<1x3xf32>
  %p = linalg.matmul indexing_maps = [#in, #w_nk, #out]
      ins(%x, %w : tensor<1x2xf32>, tensor<3x2xf32>) outs(%f : tensor<1x3xf32>) -> tensor<1x3xf32>
  %h = linalg.generic {indexing_maps = [#rows, #cols, #rows], iterator_types = ["parallel", "parallel"]}
      ins(%p, %b : tensor<1x3xf32>, tensor<3xf32>) outs(%e : tensor<1x3xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<1x3xf32>
  %y = sparsity.gated_matmul %h, %down threshold [0.0] layout input_major
      {sparsity.activation_frequency = array<f32: 0.1, 0.9, 0.5>}
      : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
