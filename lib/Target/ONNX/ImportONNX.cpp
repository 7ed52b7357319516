//===- ImportONNX.cpp - ONNX to MLIR importer entry points ----------------===//

#include "sift/Target/ONNX/ImportONNX.h"

#include "GraphImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
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

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>

using namespace mlir;

/// Protobuf text starts with a field name or a comment; binary protobuf
/// starts with a field tag byte, which is never printable in a ModelProto.
static bool looksLikeText(StringRef bytes) {
  StringRef head = bytes.take_front(256).ltrim();
  return !head.empty() &&
         llvm::all_of(head, [](char c) {
           return llvm::isPrint(c) || llvm::isSpace(c);
         });
}

namespace {
/// Collects protobuf's text-format parse errors instead of printing them.
class TextErrorCollector : public google::protobuf::io::ErrorCollector {
public:
  void AddError(int line, int column, const std::string &message) override {
    if (first.empty())
      first = "line " + std::to_string(line + 1) + ":" +
              std::to_string(column + 1) + ": " + message;
  }
  std::string first;
};
} // namespace

OwningOpRef<ModuleOp>
sift::importONNXModel(const llvm::MemoryBuffer &buffer, StringRef modelPath,
                      MLIRContext *context) {
  context->loadDialect<arith::ArithDialect, func::FuncDialect,
                       linalg::LinalgDialect, math::MathDialect,
                       scf::SCFDialect, tensor::TensorDialect>();
  Location fileLoc = FileLineColLoc::get(context, modelPath, 0, 0);
  StringRef bytes = buffer.getBuffer();
  onnx::ModelProto model;
  if (looksLikeText(bytes)) {
    google::protobuf::TextFormat::Parser parser;
    TextErrorCollector errors;
    parser.RecordErrorsTo(&errors);
    if (!parser.ParseFromString(bytes.str(), &model)) {
      emitError(fileLoc) << modelPath
                         << ": not a valid ONNX model in protobuf text "
                            "format: "
                         << errors.first;
      return nullptr;
    }
  } else {
    google::protobuf::io::ArrayInputStream stream(
        bytes.data(), static_cast<int>(std::min<size_t>(bytes.size(),
                                                        INT32_MAX)));
    if (bytes.size() > INT32_MAX ||
        !model.ParseFromZeroCopyStream(&stream)) {
      emitError(fileLoc)
          << modelPath
          << ": not a valid binary ONNX model (truncated or corrupt "
             "protobuf"
          << (bytes.size() > INT32_MAX
                  ? "; a model over 2 GB must keep its weights as "
                    "external data"
                  : "")
          << ")";
      return nullptr;
    }
  }
  if (!model.has_graph()) {
    emitError(fileLoc) << modelPath << ": ONNX model has no graph";
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
        registry.insert<arith::ArithDialect, func::FuncDialect,
                        linalg::LinalgDialect, math::MathDialect,
                        scf::SCFDialect, tensor::TensorDialect>();
      });
}
