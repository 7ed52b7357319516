//===- SparsityDialect.td - Activation sparsity dialect ----*- tablegen -*-===//

#ifndef SIFT_DIALECT_SPARSITY_IR_SPARSITYDIALECT_TD
#define SIFT_DIALECT_SPARSITY_IR_SPARSITYDIALECT_TD

include "mlir/IR/OpBase.td"

def Sparsity_Dialect : Dialect {
  let name = "sparsity";
  let cppNamespace = "::sift::sparsity";
  let summary = "Activation gates and the matmuls that consume them";
  let description = [{
    The `sparsity` dialect models *activation sparsity*: at inference time,
    most activations entering a linear layer are close to zero, and the
    products they take part in barely change the result. A gate zeroes every
    activation whose magnitude is at or below a calibrated threshold; a gated
    matmul fuses that gate into the matmul that consumes it so that the
    weight rows belonging to zeroed activations need never be read.

    Both ops live at tensor level. `--convert-sparsity-to-linalg` lowers them
    to dense `linalg` before bufferization; that lowering is the reference
    that every sparse kernel must reproduce.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
}

#endif // SIFT_DIALECT_SPARSITY_IR_SPARSITYDIALECT_TD
