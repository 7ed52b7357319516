//===- ImportFuzzer.cpp - Feeding bytes to the ONNX importer --------------===//

#include "ImportFuzzer.h"

#include "sift/Target/ONNX/ImportONNX.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;

void sift::fuzz::importModel(const uint8_t *data, size_t size) {
  // One context for the whole run, as in sparse-translate; threading off so
  // that a run stays on the fuzzer's thread. Every diagnostic is dropped:
  // errors are the expected outcome for most inputs.
  static MLIRContext *context = [] {
    auto *context = new MLIRContext(MLIRContext::Threading::DISABLED);
    context->getDiagEngine().registerHandler([](Diagnostic &) {});
    return context;
  }();
  std::unique_ptr<llvm::MemoryBuffer> buffer = llvm::MemoryBuffer::getMemBuffer(
      llvm::StringRef(reinterpret_cast<const char *>(data), size),
      /*BufferName=*/"", /*RequiresNullTerminator=*/false);
  // External data resolves against the model's directory: one that does not
  // exist keeps the fuzzer off the machine's files.
  OwningOpRef<ModuleOp> module =
      importONNXModel(*buffer, "/nonexistent/model.onnx", context);
}
