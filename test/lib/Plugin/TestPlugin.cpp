//===- TestPlugin.cpp - Pass plugin for testing --load-pass-plugin --------===//
//
// Registers `sift-test-count-gates`, which reports how many sparsity.gate ops
// a module holds. It knows the op only by name, as an out-of-tree plugin
// written against the textual IR would.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"

using namespace mlir;

namespace {
struct TestCountGatesPass
    : PassWrapper<TestCountGatesPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestCountGatesPass)

  StringRef getArgument() const final { return "sift-test-count-gates"; }
  StringRef getDescription() const final {
    return "Report the number of sparsity.gate ops (plugin test)";
  }

  void runOnOperation() override {
    unsigned gates = 0;
    getOperation().walk([&](Operation *op) {
      if (op->getName().getStringRef() == "sparsity.gate")
        ++gates;
    });
    getOperation().emitRemark() << "module holds " << gates << " gates";
  }
};
} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "SiftTestPlugin", LLVM_VERSION_STRING,
          []() { PassRegistration<TestCountGatesPass>(); }};
}
