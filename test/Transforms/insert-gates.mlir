// The convolutions below process 9 pixels per call: ALL and LOSSLESS raise
// max-tokens to 9 to gate them; TOKENS checks the default bound of 8.
// RUN: sparse-opt %s --split-input-file --sparsity-insert-gates="max-tokens=9" | FileCheck %s --check-prefix=ALL
// RUN: sparse-opt %s --split-input-file --sparsity-insert-gates="gates=mlp" | FileCheck %s --check-prefix=MLP
// RUN: sparse-opt %s --split-input-file --sparsity-insert-gates="gates=^fc[01]$ threshold=0.25" | FileCheck %s --check-prefix=REGEX
// RUN: sparse-opt %s --split-input-file --sparsity-insert-gates="lossless=true max-tokens=9" | FileCheck %s --check-prefix=LOSSLESS
// RUN: sparse-opt %s --split-input-file --sparsity-insert-gates | FileCheck %s --check-prefix=TOKENS
// RUN: sparse-opt %s --split-input-file --sparsity-insert-gates="gates=^prefill$" | FileCheck %s --check-prefix=FORCED

#in = affine_map<(m, n, k) -> (m, k)>
#w_nk = affine_map<(m, n, k) -> (n, k)>
#out = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>

// A two-layer ReLU MLP as imported from Gemm (transB=1): both layers have
// constant weights; the second layer's input is a Relu.

// ALL-LABEL: func.func @relu_mlp
//       ALL:   %[[G0:.*]] = sparsity.gate %arg0 threshold [0.000000e+00] : tensor<1x4xf32>
//       ALL:   linalg.matmul {{.*}} ins(%[[G0]], %{{.*}} : tensor<1x4xf32>, tensor<8x4xf32>)
//       ALL:   %[[G1:.*]] = sparsity.gate %{{.*}} threshold [0.000000e+00] : tensor<1x8xf32>
//       ALL:   linalg.matmul {{.*}} ins(%[[G1]], %{{.*}} : tensor<1x8xf32>, tensor<2x8xf32>)

// Both matmuls form one feed-forward block (up, Relu, down).
// MLP-LABEL: func.func @relu_mlp
//  MLP-COUNT-2: sparsity.gate

// The regex selects by ONNX node name; only fc0 matches here.
// REGEX-LABEL: func.func @relu_mlp
//       REGEX:   sparsity.gate %arg0 threshold [2.500000e-01]
//   REGEX-NOT:   sparsity.gate

// Lossless gates only the Relu output, the network input may be negative.
// LOSSLESS-LABEL: func.func @relu_mlp
//   LOSSLESS-NOT:   sparsity.gate %arg0
//       LOSSLESS:   %[[R:.*]] = linalg.generic
//       LOSSLESS:   sparsity.gate %[[R]] threshold [0.000000e+00] : tensor<1x8xf32>
//   LOSSLESS-NOT:   sparsity.gate
func.func @relu_mlp(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %w0 = arith.constant dense<1.0> : tensor<8x4xf32>
  %w1 = arith.constant dense<2.0> : tensor<2x8xf32>
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<1x8xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<1x8xf32>) -> tensor<1x8xf32>
  %h = linalg.matmul indexing_maps = [#in, #w_nk, #out]
      ins(%x, %w0 : tensor<1x4xf32>, tensor<8x4xf32>) outs(%f0 : tensor<1x8xf32>) -> tensor<1x8xf32> loc("fc0"("Gemm"))
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<1x8xf32>) outs(%e0 : tensor<1x8xf32>) {
  ^bb0(%in: f32, %o: f32):
    %c0 = arith.constant 0.0 : f32
    %m = arith.maximumf %in, %c0 : f32
    linalg.yield %m : f32
  } -> tensor<1x8xf32>
  %e1 = tensor.empty() : tensor<1x2xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul indexing_maps = [#in, #w_nk, #out]
      ins(%r, %w1 : tensor<1x8xf32>, tensor<2x8xf32>) outs(%f1 : tensor<1x2xf32>) -> tensor<1x2xf32> loc("fc2"("Gemm"))
  return %y : tensor<1x2xf32>
}

// -----

#id = affine_map<(m, n) -> (m, n)>

// Weights that are not constants (attention's Q·Kᵀ, say) get no gate, nor
// does an input that is already gated.

// ALL-LABEL: func.func @not_gated
//       ALL:   sparsity.gate %arg0 threshold [5.000000e-01]
//   ALL-NOT:   sparsity.gate
// REGEX-LABEL: func.func @not_gated
// LOSSLESS-LABEL: func.func @not_gated
//   LOSSLESS-NOT:   sparsity.gate %arg1
func.func @not_gated(%x: tensor<2x4xf32>, %y: tensor<4x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %w = arith.constant dense<1.0> : tensor<4x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %a = linalg.matmul ins(%x, %y : tensor<2x4xf32>, tensor<4x3xf32>) outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32>
  %g = sparsity.gate %x threshold [0.5] : tensor<2x4xf32>
  %b = linalg.matmul ins(%g, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %a, %b : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

#id = affine_map<(m, n) -> (m, n)>

// A gated feed-forward block (LLaMA's): down(silu(x·Wg) * (x·Wu)). The
// attention-like projection q (its output is not consumed by another
// constant-weight matmul) is not part of it; `mlp` gates the three FFN
// projections only.

// MLP-LABEL: func.func @gated_ffn_and_projection
//       MLP:   linalg.matmul ins(%arg1, %{{.*}} : tensor<1x4xf32>, tensor<4x4xf32>)
//  MLP-COUNT-3:   sparsity.gate
//   MLP-NOT:   sparsity.gate
// ALL-LABEL: func.func @gated_ffn_and_projection
//  ALL-COUNT-4: sparsity.gate
func.func @gated_ffn_and_projection(%x: tensor<1x4xf32>, %h: tensor<1x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>) {
  %wq = arith.constant dense<0.5> : tensor<4x4xf32>
  %wg = arith.constant dense<1.0> : tensor<4x8xf32>
  %wu = arith.constant dense<2.0> : tensor<4x8xf32>
  %wd = arith.constant dense<3.0> : tensor<8x4xf32>
  %zero = arith.constant 0.0 : f32
  %e4 = tensor.empty() : tensor<1x4xf32>
  %f4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<1x4xf32>) -> tensor<1x4xf32>
  %q = linalg.matmul ins(%h, %wq : tensor<1x4xf32>, tensor<4x4xf32>) outs(%f4 : tensor<1x4xf32>) -> tensor<1x4xf32> loc("q"("MatMul"))
  %e8 = tensor.empty() : tensor<1x8xf32>
  %f8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<1x8xf32>) -> tensor<1x8xf32>
  %g = linalg.matmul ins(%x, %wg : tensor<1x4xf32>, tensor<4x8xf32>) outs(%f8 : tensor<1x8xf32>) -> tensor<1x8xf32>
  %u = linalg.matmul ins(%x, %wu : tensor<1x4xf32>, tensor<4x8xf32>) outs(%f8 : tensor<1x8xf32>) -> tensor<1x8xf32>
  %act = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g, %u : tensor<1x8xf32>, tensor<1x8xf32>) outs(%e8 : tensor<1x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %n = arith.negf %a : f32
    %ex = math.exp %n : f32
    %one = arith.constant 1.0 : f32
    %den = arith.addf %one, %ex : f32
    %s = arith.divf %a, %den : f32
    %p = arith.mulf %s, %b : f32
    linalg.yield %p : f32
  } -> tensor<1x8xf32>
  %d = linalg.matmul ins(%act, %wd : tensor<1x8xf32>, tensor<8x4xf32>) outs(%f4 : tensor<1x4xf32>) -> tensor<1x4xf32>
  return %q, %d : tensor<1x4xf32>, tensor<1x4xf32>
}

// -----

#nchw = affine_map<(n, c, h, w) -> (n, c, h, w)>

// 1x1 convolutions with a constant filter are matmuls over the pixels and
// are gated, with a static or a dynamic batch; a 3x3 or strided convolution
// is not. `mlp` gates matmuls only.

// ALL-LABEL: func.func @convs
//  ALL-SAME:   (%[[X:.*]]: tensor<1x4x3x3xf32>, %[[X5:.*]]: tensor<1x4x5x5xf32>, %[[XD:.*]]: tensor<?x4x3x3xf32>)
//       ALL:   %[[G0:.*]] = sparsity.gate %[[X]] threshold [0.000000e+00] : tensor<1x4x3x3xf32>
//       ALL:   linalg.conv_2d_nchw_fchw {{.*}} ins(%[[G0]], %{{.*}} : tensor<1x4x3x3xf32>, tensor<2x4x1x1xf32>)
//   ALL-NOT:   sparsity.gate
//       ALL:   linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x4x5x5xf32>, tensor<2x4x3x3xf32>)
//   ALL-NOT:   sparsity.gate
//       ALL:   linalg.conv_2d_nchw_fchw {{.*}} strides = dense<2> {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x4x5x5xf32>, tensor<2x4x1x1xf32>)
//       ALL:   %[[R:.*]] = linalg.generic
//       ALL:   %[[G1:.*]] = sparsity.gate %[[R]] threshold [0.000000e+00] : tensor<1x4x3x3xf32>
//       ALL:   linalg.conv_2d_nchw_fchw {{.*}} ins(%[[G1]], %{{.*}} : tensor<1x4x3x3xf32>, tensor<2x4x1x1xf32>)
//       ALL:   %[[GD:.*]] = sparsity.gate %[[XD]] threshold [0.000000e+00] : tensor<?x4x3x3xf32>
//       ALL:   linalg.conv_2d_nchw_fchw {{.*}} ins(%[[GD]], %{{.*}} : tensor<?x4x3x3xf32>, tensor<2x4x1x1xf32>)

// MLP-LABEL: func.func @convs
//   MLP-NOT:   sparsity.gate
// MLP-LABEL: func.func @conv_already_gated

// The two fc0 and fc1 match the regex; fc1 is a 3x3 convolution.
// REGEX-LABEL: func.func @convs
//       REGEX:   sparsity.gate %arg0 threshold [2.500000e-01]
//       REGEX:   sparsity.gate %arg2 threshold [2.500000e-01]
//   REGEX-NOT:   sparsity.gate
// REGEX-LABEL: func.func @conv_already_gated

// Lossless gates only the 1x1 convolution of the Relu of %arg0.
// LOSSLESS-LABEL: func.func @convs
//   LOSSLESS-NOT:   sparsity.gate
//       LOSSLESS:   %[[R:.*]] = linalg.generic {{.*}} ins(%arg0 :
//       LOSSLESS:   %[[G:.*]] = sparsity.gate %[[R]] threshold [0.000000e+00] : tensor<1x4x3x3xf32>
//       LOSSLESS:   linalg.conv_2d_nchw_fchw {{.*}} ins(%[[G]],
//   LOSSLESS-NOT:   sparsity.gate
// LOSSLESS-LABEL: func.func @conv_already_gated
func.func @convs(%x: tensor<1x4x3x3xf32>, %x5: tensor<1x4x5x5xf32>, %xd: tensor<?x4x3x3xf32>)
    -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<?x2x3x3xf32>) {
  %f1 = arith.constant dense<1.0> : tensor<2x4x1x1xf32>
  %f3 = arith.constant dense<1.0> : tensor<2x4x3x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x3x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %a = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %f1 : tensor<1x4x3x3xf32>, tensor<2x4x1x1xf32>) outs(%init : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> loc("fc0"("Conv"))
  %e5 = tensor.empty() : tensor<1x4x5x5xf32>
  %r5 = linalg.generic {indexing_maps = [#nchw, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x5 : tensor<1x4x5x5xf32>) outs(%e5 : tensor<1x4x5x5xf32>) {
  ^bb0(%in: f32, %o: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x5x5xf32>
  %k3 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%r5, %f3 : tensor<1x4x5x5xf32>, tensor<2x4x3x3xf32>) outs(%init : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> loc("fc1"("Conv"))
  %strided = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%r5, %f1 : tensor<1x4x5x5xf32>, tensor<2x4x1x1xf32>) outs(%init : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> loc("fc1_strided"("Conv"))
  %e3 = tensor.empty() : tensor<1x4x3x3xf32>
  %r3 = linalg.generic {indexing_maps = [#nchw, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x4x3x3xf32>) outs(%e3 : tensor<1x4x3x3xf32>) {
  ^bb0(%in: f32, %o: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x3x3xf32>
  %b = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%r3, %f1 : tensor<1x4x3x3xf32>, tensor<2x4x1x1xf32>) outs(%init : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> loc("proj"("Conv"))
  %c0 = arith.constant 0 : index
  %n = tensor.dim %xd, %c0 : tensor<?x4x3x3xf32>
  %ed = tensor.empty(%n) : tensor<?x2x3x3xf32>
  %initd = linalg.fill ins(%zero : f32) outs(%ed : tensor<?x2x3x3xf32>) -> tensor<?x2x3x3xf32>
  %d = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%xd, %f1 : tensor<?x4x3x3xf32>, tensor<2x4x1x1xf32>) outs(%initd : tensor<?x2x3x3xf32>) -> tensor<?x2x3x3xf32> loc("fc0"("Conv"))
  return %a, %k3, %strided, %b, %d : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<?x2x3x3xf32>
}

// An input that is already gated keeps its one gate.
// ALL-LABEL: func.func @conv_already_gated
//       ALL:   sparsity.gate %arg0 threshold [5.000000e-01]
//   ALL-NOT:   sparsity.gate
func.func @conv_already_gated(%x: tensor<1x4x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %f1 = arith.constant dense<1.0> : tensor<2x4x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x3x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %g = sparsity.gate %x threshold [0.5] : tensor<1x4x3x3xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%g, %f1 : tensor<1x4x3x3xf32>, tensor<2x4x1x1xf32>) outs(%init : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> loc("fc0"("Conv"))
  return %y : tensor<1x2x3x3xf32>
}

// -----

#nchw = affine_map<(n, c, h, w) -> (n, c, h, w)>

// The kernel reads a weight row when any token of the call keeps its
// activation, so over many tokens a gate costs its scan and skips nothing:
// `all` leaves out the matmul of 16 static rows and the convolution of 25
// pixels (its dynamic batch counts as 1) and says why, and gates the matmul
// whose rows are dynamic (decode runs it at one token). A regex naming a
// node gates it whatever its token count.

// TOKENS-LABEL: func.func @many_tokens
//  TOKENS-SAME:   (%[[P:.*]]: tensor<16x4xf32>, %[[D:.*]]: tensor<?x4xf32>, %[[C:.*]]: tensor<?x4x5x5xf32>)
//       TOKENS:   linalg.matmul {sparsity.not_gated = "tokens per call 16 > 8: a row is read when any token keeps it"} ins(%[[P]], %{{.*}} : tensor<16x4xf32>, tensor<4x8xf32>)
//       TOKENS:   %[[G:.*]] = sparsity.gate %[[D]]
//       TOKENS:   linalg.matmul ins(%[[G]], %{{.*}} : tensor<?x4xf32>, tensor<4x8xf32>)
//   TOKENS-NOT:   sparsity.gate
//       TOKENS:   linalg.conv_2d_nchw_fchw {{.*}}sparsity.not_gated = "tokens per call 25 > 8: a row is read when any token keeps it"

// ALL-LABEL: func.func @many_tokens
// FORCED-LABEL: func.func @many_tokens
//       FORCED:   %[[G:.*]] = sparsity.gate %arg0
//       FORCED:   linalg.matmul ins(%[[G]], %{{.*}} : tensor<16x4xf32>, tensor<4x8xf32>)
//   FORCED-NOT:   sparsity.gate
//   FORCED-NOT:   sparsity.not_gated
func.func @many_tokens(%p: tensor<16x4xf32>, %d: tensor<?x4xf32>, %c: tensor<?x4x5x5xf32>)
    -> (tensor<16x8xf32>, tensor<?x8xf32>, tensor<?x2x5x5xf32>) {
  %w = arith.constant dense<1.0> : tensor<4x8xf32>
  %f1 = arith.constant dense<1.0> : tensor<2x4x1x1xf32>
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %ep = tensor.empty() : tensor<16x8xf32>
  %fp = linalg.fill ins(%zero : f32) outs(%ep : tensor<16x8xf32>) -> tensor<16x8xf32>
  %yp = linalg.matmul ins(%p, %w : tensor<16x4xf32>, tensor<4x8xf32>) outs(%fp : tensor<16x8xf32>) -> tensor<16x8xf32> loc("prefill"("MatMul"))
  %m = tensor.dim %d, %c0 : tensor<?x4xf32>
  %ed = tensor.empty(%m) : tensor<?x8xf32>
  %fd = linalg.fill ins(%zero : f32) outs(%ed : tensor<?x8xf32>) -> tensor<?x8xf32>
  %yd = linalg.matmul ins(%d, %w : tensor<?x4xf32>, tensor<4x8xf32>) outs(%fd : tensor<?x8xf32>) -> tensor<?x8xf32> loc("decode"("MatMul"))
  %n = tensor.dim %c, %c0 : tensor<?x4x5x5xf32>
  %ec = tensor.empty(%n) : tensor<?x2x5x5xf32>
  %fc = linalg.fill ins(%zero : f32) outs(%ec : tensor<?x2x5x5xf32>) -> tensor<?x2x5x5xf32>
  %yc = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%c, %f1 : tensor<?x4x5x5xf32>, tensor<2x4x1x1xf32>) outs(%fc : tensor<?x2x5x5xf32>) -> tensor<?x2x5x5xf32> loc("pixels"("Conv"))
  return %yp, %yd, %yc : tensor<16x8xf32>, tensor<?x8xf32>, tensor<?x2x5x5xf32>
}
