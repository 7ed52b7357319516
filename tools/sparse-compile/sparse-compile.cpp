//===- sparse-compile.cpp - ONNX model to native code in one step ---------===//
//
//   sparse-compile model.onnx -o model [-O0..-O3] [--emit=exe|obj|llvm|mlir]
//                  [--target=cpu] [--mcpu=CPU] [--mtriple=TRIPLE]
//
// Imports the model, lowers it through Sift's pipeline to LLVM IR, generates
// code with LLVM's TargetMachine and links it with the Sift runtime into an
// executable that needs nothing beyond libc, libm and libpthread.
//
//===----------------------------------------------------------------------===//

#include "Codegen.h"
#include "Packaging.h"

#include "sift/Dialect/Sparsity/IR/Sparsity.h"
#include "sift/Pipelines/Pipelines.h"
#include "sift/Target/ONNX/ImportONNX.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class EmitKind { Executable, Object, LLVMIR, MLIR };
enum class TargetKind { CPU };

cl::OptionCategory category("sparse-compile options");

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.onnx>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                cl::value_desc("path"), cl::cat(category));
cl::opt<char> optLevel("O", cl::desc("Optimization level: -O0, -O1, -O2, -O3"),
                       cl::Prefix, cl::init('2'), cl::cat(category));
cl::opt<EmitKind> emit(
    "emit", cl::desc("What to produce"), cl::init(EmitKind::Executable),
    cl::values(
        clEnumValN(EmitKind::Executable, "exe",
                   "a standalone executable (default)"),
        clEnumValN(EmitKind::Object, "obj", "an object file"),
        clEnumValN(EmitKind::LLVMIR, "llvm", "LLVM IR, optimized"),
        clEnumValN(EmitKind::MLIR, "mlir",
                   "the imported model in MLIR, before lowering")),
    cl::cat(category));
cl::opt<TargetKind> target("target", cl::desc("Device to compile for"),
                           cl::init(TargetKind::CPU),
                           cl::values(clEnumValN(TargetKind::CPU, "cpu",
                                                 "the host CPU (default)")),
                           cl::cat(category));
cl::opt<std::string> mcpu("mcpu",
                          cl::desc("CPU to generate code for (default: the "
                                   "host's)"),
                          cl::init("native"), cl::cat(category));
cl::opt<std::string> mtriple("mtriple",
                             cl::desc("Target triple (default: the host's)"),
                             cl::cat(category));

int report(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "sparse-compile") << message << "\n";
  return 1;
}

std::string defaultOutput() {
  llvm::SmallString<128> path(llvm::sys::path::stem(inputPath));
  switch (emit) {
  case EmitKind::Executable:
    break;
  case EmitKind::Object:
    path += ".o";
    break;
  case EmitKind::LLVMIR:
    path += ".ll";
    break;
  case EmitKind::MLIR:
    path += ".mlir";
    break;
  }
  return std::string(path);
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "Sift: compile an ONNX model to native code\n\n"
      "MLIR's options (--mlir-timing, --mlir-print-ir-after-all, ...) apply "
      "too; --help-hidden lists them.\n");
  if (optLevel < '0' || optLevel > '3')
    return report("-O expects 0, 1, 2 or 3");
  unsigned level = optLevel - '0';
  std::string output = outputPath.empty() ? defaultOutput() : outputPath;

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<sift::sparsity::SparsityDialect>();
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  MLIRContext context(registry);

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> buffer =
      openInputFile(inputPath, &error);
  if (!buffer)
    return report(error);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      sift::importONNXModel(*buffer, inputPath, &context);
  if (!module)
    return 1;

  auto writeText = [&](auto print) {
    std::unique_ptr<llvm::ToolOutputFile> file =
        openOutputFile(output, &error);
    if (!file)
      return report(error);
    print(file->os());
    file->keep();
    return 0;
  };
  if (emit == EmitKind::MLIR)
    return writeText([&](llvm::raw_ostream &os) { module->print(os); });

  auto entry = module->lookupSymbol<func::FuncOp>("main_graph");
  llvm::Expected<std::string> glue = sift::generateModelGlue(entry);
  if (!glue)
    return report(llvm::toString(glue.takeError()));
  // The runtime calls the model through its C interface.
  entry->setAttr("llvm.emit_c_interface", UnitAttr::get(&context));

  DefaultTimingManager timing;
  applyDefaultTimingManagerCLOptions(timing);
  PassManager pm(&context);
  if (failed(applyPassManagerCLOptions(pm)))
    return 1;
  TimingScope timingScope = timing.getRootScope();
  pm.enableTiming(timingScope);
  sift::buildLowerToLLVMPipeline(pm);
  if (failed(pm.run(*module)))
    return report("lowering '" + inputPath + "' failed");

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*module, llvmContext, "model");
  if (!llvmModule)
    return report("translating '" + inputPath + "' to LLVM IR failed");

  auto machine = sift::createTargetMachine(mtriple, mcpu, level);
  if (!machine)
    return report(llvm::toString(machine.takeError()));
  if (llvm::Error err = sift::optimizeModule(*llvmModule, **machine, level))
    return report(llvm::toString(std::move(err)));
  if (emit == EmitKind::LLVMIR)
    return writeText([&](llvm::raw_ostream &os) { llvmModule->print(os, nullptr); });

  // Object code goes to the output itself, or next to it for an executable.
  std::string objectPath =
      emit == EmitKind::Object ? output : output + ".o";
  {
    std::unique_ptr<llvm::ToolOutputFile> object =
        openOutputFile(objectPath, &error);
    if (!object)
      return report(error);
    if (llvm::Error err = sift::emitObject(*llvmModule, **machine, object->os()))
      return report(llvm::toString(std::move(err)));
    object->keep();
  }
  if (emit == EmitKind::Object)
    return 0;

  std::string gluePath = output + ".glue.c";
  {
    std::unique_ptr<llvm::ToolOutputFile> file =
        openOutputFile(gluePath, &error);
    if (!file)
      return report(error);
    file->os() << *glue;
    file->keep();
  }
  llvm::Error linked = sift::linkExecutable(objectPath, gluePath, output);
  llvm::sys::fs::remove(objectPath);
  llvm::sys::fs::remove(gluePath);
  if (linked)
    return report(llvm::toString(std::move(linked)));
  return 0;
}
