//===- ExportONNX.h - Gated models back to ONNX -----------------*- C++ -*-===//

#ifndef SIFT_TARGET_ONNX_EXPORTONNX_H
#define SIFT_TARGET_ONNX_EXPORTONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace sift {

/// Writes the ONNX model at `sourcePath` with one Shrink(lambd = threshold,
/// bias = 0) in front of the activation input of every node that `module`
/// gates (found through the node names in the gates' locations), as binary
/// protobuf. Shrink zeroes |x| <= lambd exactly as sparsity.gate does
/// (NaN aside: Shrink zeroes it, the gate keeps it).
mlir::LogicalResult exportGatedONNX(mlir::ModuleOp module,
                                    llvm::StringRef sourcePath,
                                    llvm::raw_ostream &os);

/// Registers `--export-onnx` (with `--onnx-source`) with mlir-translate
/// style tools.
void registerExportONNXTranslation();

} // namespace sift

#endif // SIFT_TARGET_ONNX_EXPORTONNX_H
