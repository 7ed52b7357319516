//===- SparsityAttrs.td - Sparsity dialect attributes ------*- tablegen -*-===//

#ifndef SIFT_DIALECT_SPARSITY_IR_SPARSITYATTRS_TD
#define SIFT_DIALECT_SPARSITY_IR_SPARSITYATTRS_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "sift/Dialect/Sparsity/IR/SparsityDialect.td"

def Sparsity_WeightLayout : I32EnumAttr<"WeightLayout",
    "how a gated matmul's weight matrix is stored", [
      I32EnumAttrCase<"InputMajor", 0, "input_major">,
      I32EnumAttrCase<"OutputMajor", 1, "output_major">
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::sift::sparsity";
  let description = [{
    `input_major`: the weight is `[K, N]`; row `k` holds every weight that
    multiplies input channel `k`, so a zeroed activation skips one contiguous
    row. `output_major`: the weight is `[N, K]`, as PyTorch's `Linear` and ONNX
    `Gemm` with `transB = 1` store it; a zeroed activation skips a strided
    column.
  }];
}

def Sparsity_WeightLayoutAttr
    : EnumAttr<Sparsity_Dialect, Sparsity_WeightLayout, "layout">;

#endif // SIFT_DIALECT_SPARSITY_IR_SPARSITYATTRS_TD
