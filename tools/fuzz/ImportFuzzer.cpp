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

void sift::fuzz::warmUpImporter() {
  static const char model[] = R"(
    ir_version: 8
    opset_import { version: 17 }
    graph {
      name: "warm_up"
      node { op_type: "Relu" input: "x" output: "y" }
      input { name: "x" type { tensor_type { elem_type: 1
        shape { dim { dim_value: 2 } } } } }
      output { name: "y" type { tensor_type { elem_type: 1
        shape { dim { dim_value: 2 } } } } }
    })";
  importModel(reinterpret_cast<const uint8_t *>(model), sizeof(model) - 1);
}
