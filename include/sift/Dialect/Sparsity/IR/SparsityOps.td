//===- SparsityOps.td - Sparsity dialect operations --------*- tablegen -*-===//

#ifndef SIFT_DIALECT_SPARSITY_IR_SPARSITYOPS_TD
#define SIFT_DIALECT_SPARSITY_IR_SPARSITYOPS_TD

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "sift/Dialect/Sparsity/IR/SparsityDialect.td"
include "sift/Dialect/Sparsity/IR/SparsityAttrs.td"

class Sparsity_Op<string mnemonic, list<Trait> traits = []>
    : Op<Sparsity_Dialect, mnemonic, traits>;

def Sparsity_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;

def Sparsity_GateOp : Sparsity_Op<"gate",
    [Pure, SameOperandsAndResultType]> {
  let summary = "zero every activation whose magnitude is at most a threshold";
  let description = [{
    Computes, element by element,

    ```
    result = (|input| > threshold or isnan(input)) ? input : 0
    ```

    `threshold` holds either a single value, applied to every element, or one
    value per channel of the last dimension (whose size must then be static
    and equal to the number of values). Thresholds are non-negative finite
    f32 values. The comparison is exact: the element is widened to f32 (which
    is exact for f16 and bf16) before it is compared, so a threshold means
    the same thing whatever the element type.

    NaN passes through the gate unchanged: a NaN activation is a fault that a
    user must be able to see, and zeroing it would hide it. A zeroed element
    may be `+0.0` even where the input was `-0.0`.

    A gate whose thresholds are all zero only changes the sign of zeros and
    folds away; two gates in a row become one gate with the larger threshold.

    Example:

    ```mlir
    %0 = sparsity.gate %x threshold [5.000000e-01] : tensor<4x8xf32>
    %1 = sparsity.gate %h threshold [1.0e-01, 2.0e-01] : tensor<?x2xf16>
    ```
  }];

  let arguments = (ins Sparsity_FloatTensor:$input,
                       DenseF32ArrayAttr:$threshold);
  let results = (outs Sparsity_FloatTensor:$result);

  let assemblyFormat = [{
    $input `threshold` $threshold attr-dict `:` type($input)
  }];

  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "float":$threshold), [{
      build($_builder, $_state, input,
            $_builder.getDenseF32ArrayAttr({threshold}));
    }]>
  ];

  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Sparsity_GatedMatmulOp : Sparsity_Op<"gated_matmul", [Pure]> {
  let summary = "matmul whose activation input passes through a gate";
  let description = [{
    Computes `result = gate(input, threshold) · W (+ bias)`.

    `input` is `[M, K]` or `[B, M, K]`; the weight is shared by every batch and
    stored as `layout` says: `input_major` is `[K, N]` (row `k` multiplies
    channel `k`, so a zeroed activation skips one contiguous row of weights),
    `output_major` is `[N, K]`. The optional `bias` is `[N]` and is added after
    the product. `result` is `[M, N]` or `[B, M, N]`. Input, bias and result
    share one float element type; the weight has it too, or is bf16 or f16
    with f32 activations (weights stored narrow, widened exactly and
    accumulated in f32). `threshold` follows the rules of
    `sparsity.gate`, with channels counted along `K`.

    The gate's semantics are exactly those of `sparsity.gate`: the result
    equals a gate followed by a dense matmul; a kernel is free to skip the
    weight rows of zeroed activations because their products are zero.

    Example:

    ```mlir
    %y = sparsity.gated_matmul %x, %w, %b threshold [2.5e-01]
           layout input_major
           : (tensor<1x2048xf32>, tensor<2048x5632xf32>, tensor<5632xf32>)
             -> tensor<1x5632xf32>
    ```
  }];

  let arguments = (ins Sparsity_FloatTensor:$input,
                       Sparsity_FloatTensor:$weight,
                       Optional<Sparsity_FloatTensor>:$bias,
                       DenseF32ArrayAttr:$threshold,
                       Sparsity_WeightLayoutAttr:$layout);
  let results = (outs Sparsity_FloatTensor:$result);

  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? `threshold` $threshold `layout` `` $layout
    attr-dict `:` functional-type(operands, results)
  }];

  let extraClassDeclaration = [{
    /// The dimension of the weight that runs along the input channels (K).
    unsigned getWeightInputDim() {
      return getLayout() == WeightLayout::InputMajor ? 0 : 1;
    }
    /// The dimension of the weight that runs along the output channels (N).
    unsigned getWeightOutputDim() { return 1 - getWeightInputDim(); }
  }];

  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

#endif // SIFT_DIALECT_SPARSITY_IR_SPARSITYOPS_TD
