//===- Passes.td - Sift conversion passes ------------------*- tablegen -*-===//

#ifndef SIFT_CONVERSION_PASSES_TD
#define SIFT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSparsityToLinalg : Pass<"convert-sparsity-to-linalg"> {
  let summary = "Lower sparsity ops to dense linalg ops on tensors";
  let description = [{
    Rewrites `sparsity.gate` into an elementwise `linalg.generic` and
    `sparsity.gated_matmul` into that gate followed by `linalg.matmul` (a bias
    initialises the accumulator). The result computes exactly what the ops
    specify, dense: it is the reference lowering, and the point where sparsity
    ops leave the pipeline before `one-shot-bufferize`.

    ```mlir
    %y = sparsity.gate %x threshold [5.000000e-01] : tensor<4xf32>
    ```

    becomes

    ```mlir
    %y = linalg.generic {...} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %abs = math.absf %in : f32
      %keep = arith.cmpf ugt, %abs, %cst : f32   // true for NaN
      %v = arith.select %keep, %in, %zero : f32
      linalg.yield %v : f32
    } -> tensor<4xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // SIFT_CONVERSION_PASSES_TD
