//===- ImportONNX.h - ONNX to MLIR importer ---------------------*- C++ -*-===//

#ifndef SIFT_TARGET_ONNX_IMPORTONNX_H
#define SIFT_TARGET_ONNX_IMPORTONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace llvm {
class MemoryBuffer;
} // namespace llvm

namespace sift {

/// Dimensions to give one graph input at import, named by the input's name
/// or its position among the graph's inputs.
struct InputShape {
  std::string name;
  std::vector<int64_t> dims;
};

/// Parses "NAME=D0xD1x..." ("NAME=scalar" for rank 0); on failure returns
/// nothing and sets `error`.
std::optional<InputShape> parseInputShape(llvm::StringRef text,
                                          std::string &error);

/// Imports an ONNX ModelProto, binary or protobuf text, into a module holding
/// one `func.func @main_graph`. `modelPath` names the model in diagnostics and
/// anchors relative external-data paths. `inputShapes` fixes dimensions of
/// graph inputs first (and every dimension sharing a symbolic name with one
/// fixed). Returns null after reporting errors through the context's
/// diagnostic engine.
mlir::OwningOpRef<mlir::ModuleOp>
importONNXModel(const llvm::MemoryBuffer &buffer, llvm::StringRef modelPath,
                mlir::MLIRContext *context,
                llvm::ArrayRef<InputShape> inputShapes = {});

/// Registers `--import-onnx` with mlir-translate style tools.
void registerImportONNXTranslation();

} // namespace sift

#endif // SIFT_TARGET_ONNX_IMPORTONNX_H
