//===- ImportONNX.cpp - ONNX to MLIR importer entry points ----------------===//

#include "sift/Target/ONNX/ImportONNX.h"

#include "GraphImporter.h"
#include "InputShapes.h"
#include "ModelFile.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

OwningOpRef<ModuleOp>
sift::importONNXModel(const llvm::MemoryBuffer &buffer, StringRef modelPath,
                      MLIRContext *context, ArrayRef<InputShape> inputShapes) {
  context->loadDialect<arith::ArithDialect, cf::ControlFlowDialect,
                       func::FuncDialect, linalg::LinalgDialect,
                       math::MathDialect, scf::SCFDialect,
                       tensor::TensorDialect>();
  Location fileLoc = FileLineColLoc::get(context, modelPath, 0, 0);
  onnx::ModelProto model;
  if (std::optional<std::string> error =
          onnx_import::parseModel(buffer.getBuffer(), modelPath, model)) {
    emitError(fileLoc) << *error;
    return nullptr;
  }
  if (!model.has_graph()) {
    emitError(fileLoc) << modelPath << ": ONNX model has no graph";
    return nullptr;
  }
  if (std::optional<std::string> error =
          onnx_import::applyInputShapes(*model.mutable_graph(), inputShapes)) {
    emitError(fileLoc) << modelPath << ": " << *error;
    return nullptr;
  }
  OwningOpRef<ModuleOp> module =
      onnx_import::GraphImporter(context, model, modelPath).import();
  // A converter that builds invalid IR is a Sift bug; say so rather than
  // hand invalid IR on.
  if (module && failed(verify(*module))) {
    emitError(fileLoc) << modelPath
                       << ": internal error: the imported IR does not verify";
    return nullptr;
  }
  return module;
}

/// The model file a buffer came from. Under --split-input-file each chunk is
/// named "within split at FILE:LINE offset ", and external data is still
/// relative to FILE.
static std::string modelPathOf(const llvm::MemoryBuffer &buffer) {
  StringRef path = buffer.getBufferIdentifier();
  if (path.consume_front("within split at "))
    path = path.rsplit(':').first;
  return path.str();
}

void sift::registerImportONNXTranslation() {
  TranslateToMLIRRegistration registration(
      "import-onnx", "Import an ONNX model (binary or protobuf text)",
      [](llvm::SourceMgr &sourceMgr,
         MLIRContext *context) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buffer =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        return importONNXModel(*buffer, modelPathOf(*buffer), context);
      },
      [](DialectRegistry &registry) {
        registry.insert<arith::ArithDialect, cf::ControlFlowDialect,
                        func::FuncDialect, linalg::LinalgDialect,
                        math::MathDialect, scf::SCFDialect,
                        tensor::TensorDialect>();
      });
}
