//===- ImportONNX.h - ONNX to MLIR importer ---------------------*- C++ -*-===//

#ifndef SIFT_TARGET_ONNX_IMPORTONNX_H
#define SIFT_TARGET_ONNX_IMPORTONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

namespace llvm {
class MemoryBuffer;
} // namespace llvm

namespace sift {

/// Imports an ONNX ModelProto, binary or protobuf text, into a module holding
/// one `func.func @main_graph`. `modelPath` names the model in diagnostics and
/// anchors relative external-data paths. Returns null after reporting errors
/// through the context's diagnostic engine.
mlir::OwningOpRef<mlir::ModuleOp>
importONNXModel(const llvm::MemoryBuffer &buffer, llvm::StringRef modelPath,
                mlir::MLIRContext *context);

/// Registers `--import-onnx` with mlir-translate style tools.
void registerImportONNXTranslation();

} // namespace sift

#endif // SIFT_TARGET_ONNX_IMPORTONNX_H
