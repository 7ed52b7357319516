//===- sparse-compile.cpp - ONNX model to native code in one step ---------===//
//
//   sparse-compile model.onnx -o model [-O0..-O3]
//                  [--emit=exe|lib|obj|llvm|mlir] [--lib-prefix=NAME]
//                  [--target=cpu] [--mcpu=CPU] [--mtriple=TRIPLE]
//                  [--sparsity=S --calibration=DATA | --lossless]
//                  [--max-error=E --calibration=DATA]
//                  [--gates=all|mlp|REGEX] [--allocation=uniform|greedy]
//                  [--verify=HELD-OUT] [--report=report.json]
//
// Imports the model, lowers it through Sift's pipeline to LLVM IR, generates
// code with LLVM's TargetMachine and links it with the Sift runtime into an
// executable, or a shared library with a generated C header, that needs
// nothing beyond libc, libm and libpthread.
//
//===----------------------------------------------------------------------===//

#include "Calibration.h"
#include "Codegen.h"
#include "Packaging.h"
#include "Sparsify.h"
#include "SplitFunctions.h"

#include "sift/Dialect/Sparsity/IR/Sparsity.h"
#include "sift/Pipelines/Pipelines.h"
#include "sift/Target/ONNX/ImportONNX.h"
#include "sift/Transforms/Passes.h"

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

#include <cmath>

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class EmitKind { Executable, Library, Object, LLVMIR, MLIR };
enum class TargetKind { CPU };
enum class WeightsFile { Auto, Always, Never };
enum class WeightType { F32, BF16, F16 };

/// With --weights-file=auto, the total size of large constants from which
/// they go to a weights file: well under the 2 GiB that an x86-64 link
/// can address, and where writing them to the object and linking them
/// starts to cost seconds.
constexpr uint64_t kAutoWeightsFileBytes = 512ull << 20;

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
        clEnumValN(EmitKind::Library, "lib",
                   "a shared library and its C header (libNAME.so, "
                   "libNAME.h)"),
        clEnumValN(EmitKind::Object, "obj", "an object file"),
        clEnumValN(EmitKind::LLVMIR, "llvm", "LLVM IR, optimized"),
        clEnumValN(EmitKind::MLIR, "mlir",
                   "the imported model in MLIR, before lowering")),
    cl::cat(category));
cl::opt<std::string> libPrefix(
    "lib-prefix",
    cl::desc("With --emit=lib: the prefix of the library's C API "
             "(default: the output's name without 'lib' and extensions)"),
    cl::value_desc("name"), cl::cat(category));
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
cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Fix a graph input's dimensions at compile time: NAME=1x3x640x640 "
             "(NAME may be the input's position, 0 for the first); symbolic "
             "dimensions of the same name elsewhere take the same size. "
             "Repeatable"),
    cl::value_desc("NAME=DIMS"), cl::cat(category));
cl::opt<WeightsFile> weightsFile(
    "weights-file",
    cl::desc("Keep the model's large constants (64 KiB or more each) in "
             "<output>.weights beside the executable or library, mapped "
             "when it starts, instead of inside it"),
    cl::init(WeightsFile::Auto),
    cl::values(clEnumValN(WeightsFile::Auto, "auto",
                          "when they total 512 MiB or more, for an "
                          "executable or a library (default)"),
               clEnumValN(WeightsFile::Always, "always",
                          "whenever there is one (also for --emit=obj and "
                          "--emit=llvm)"),
               clEnumValN(WeightsFile::Never, "never",
                          "keep every constant inside (models over 2 GiB "
                          "then fail to link)")),
    cl::cat(category));
cl::opt<WeightType> weightType(
    "weight-type",
    cl::desc("The type the constant weights of f32 matmuls are stored in; "
             "kernels widen them to f32 and accumulate in f32"),
    cl::init(WeightType::F32),
    cl::values(clEnumValN(WeightType::F32, "f32", "as the model has them "
                                                  "(default)"),
               clEnumValN(WeightType::BF16, "bf16",
                          "rounded to bf16: half the bytes, f32's range"),
               clEnumValN(WeightType::F16, "f16",
                          "rounded to f16: half the bytes, more precision "
                          "than bf16 but weights must stay within 65504")),
    cl::cat(category));
cl::opt<unsigned> splitFunctions(
    "split-functions",
    cl::desc("Split the model's code into functions of about this many LLVM "
             "instructions before optimising it, so that compile time grows "
             "linearly with the model (0: do not split)"),
    cl::init(2000), cl::cat(category));

cl::OptionCategory sparsityCategory("activation sparsity");
cl::opt<double> sparsity(
    "sparsity",
    cl::desc("Gate the activations of constant-weight matmuls, with "
             "thresholds calibrated to zero this fraction of them, in [0, 1)"),
    cl::init(0.0), cl::cat(sparsityCategory));
cl::opt<double> maxError(
    "max-error",
    cl::desc("Choose per-gate sparsities greedily that skip the most weight "
             "bytes per token while the output error stays within this "
             "bound on the calibration data and on the --verify data: the "
             "max over f32 outputs of the mean relative L2 error per row, "
             "||sparse - dense|| / ||dense||. With --sparsity, S caps the "
             "share of gated weight bytes skipped"),
    cl::value_desc("E"), cl::cat(sparsityCategory));
cl::opt<std::string> calibrationData(
    "calibration",
    cl::desc("Calibration inputs: a directory of test_data_set_*/input_*.pb, "
             "or .npy files (comma-separated, one per input) whose dimension "
             "0 stacks batches"),
    cl::value_desc("path"), cl::cat(sparsityCategory));
cl::opt<std::string> gatePolicy(
    "gates",
    cl::desc("Which matmuls to gate: all, mlp (both only matmuls of at "
             "most 8 tokens per call, where the kernel can skip rows), or a "
             "regex on ONNX node names (gated whatever their token count)"),
    cl::init("all"), cl::cat(sparsityCategory));
cl::opt<sift::Allocation> allocation(
    "allocation", cl::desc("How the target sparsity is spread over gates"),
    cl::init(sift::Allocation::Uniform),
    cl::values(clEnumValN(sift::Allocation::Uniform, "uniform",
                          "every gate at the target (default)"),
               clEnumValN(sift::Allocation::Greedy, "greedy",
                          "per-gate sparsities that minimise the output "
                          "error for the same weight bytes skipped "
                          "(implied by --max-error)")),
    cl::cat(sparsityCategory));
cl::opt<bool> lossless(
    "lossless",
    cl::desc("Gate only provably non-negative activations (after Relu) at "
             "threshold 0: skip exact zeros, results unchanged"),
    cl::cat(sparsityCategory));
cl::opt<std::string> verificationData(
    "verify",
    cl::desc("Held-out inputs (same forms as --calibration) on which to "
             "compare the gated model with the dense one: relative error "
             "and top-1 agreement of every f32 output, realised sparsity"),
    cl::value_desc("path"), cl::cat(sparsityCategory));
cl::opt<bool> reorderNeurons(
    "reorder-neurons",
    cl::desc("Order feed-forward neurons by calibrated activation frequency "
             "so that the rows read most often are adjacent (default on; "
             "results are unchanged)"),
    cl::init(true), cl::cat(sparsityCategory));
cl::opt<std::string> reportPath(
    "report",
    cl::desc("Write a JSON report of the gates and active parameters"),
    cl::value_desc("path"), cl::cat(sparsityCategory));

bool sparsityRequested() {
  return sparsity.getNumOccurrences() || maxError.getNumOccurrences() ||
         lossless ||
         gatePolicy.getNumOccurrences() || !calibrationData.empty() ||
         !verificationData.empty();
}

/// Checks the sparsity options against each other.
std::optional<std::string> checkSparsityOptions() {
  if (!(sparsity >= 0.0 && sparsity < 1.0))
    return "--sparsity expects a value in [0, 1), got " +
           std::to_string(sparsity);
  if (lossless && sparsity > 0)
    return std::string("--lossless keeps results unchanged and takes no "
                       "--sparsity");
  if (sparsity > 0 && calibrationData.empty())
    return std::string("--sparsity needs --calibration data to choose "
                       "thresholds");
  if (maxError.getNumOccurrences()) {
    if (!(maxError > 0.0 && std::isfinite(maxError)))
      return "--max-error expects a finite bound above 0 on the relative "
             "output error, got " +
             std::to_string(maxError) +
             " (--lossless gates without changing results)";
    if (calibrationData.empty())
      return std::string("--max-error needs --calibration data to measure "
                         "the error on");
    if (lossless)
      return std::string("--lossless keeps results unchanged and takes no "
                         "--max-error");
    if (allocation == sift::Allocation::Uniform &&
        allocation.getNumOccurrences())
      return std::string("--max-error chooses per-gate sparsities greedily "
                         "and takes no --allocation=uniform");
    return std::nullopt;
  }
  if (allocation == sift::Allocation::Greedy && sparsity == 0)
    return std::string("--allocation=greedy needs a --sparsity target or "
                       "--max-error");
  return std::nullopt;
}

int report(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "sparse-compile") << message << "\n";
  return 1;
}

std::string defaultOutput() {
  llvm::SmallString<128> path(llvm::sys::path::stem(inputPath));
  switch (emit) {
  case EmitKind::Executable:
    break;
  case EmitKind::Library:
    path = ("lib" + path + ".so").str();
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

/// The header of a shared library at `output`: its name up to the first
/// '.', with ".h" ("out/libm.so" gives "out/libm.h").
std::string headerFor(llvm::StringRef output) {
  llvm::StringRef name = llvm::sys::path::filename(output);
  llvm::StringRef stem = name.take_front(name.find('.'));
  llvm::SmallString<128> path(output.drop_back(name.size()));
  path += stem.empty() ? name : stem;
  path += ".h";
  return std::string(path);
}
/// Writes `contents` to `path`.
llvm::Error writeFile(llvm::StringRef path, llvm::StringRef contents) {
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(path, &error);
  if (!file)
    return llvm::createStringError(error);
  file->os() << contents;
  file->keep();
  return llvm::Error::success();
}

/// Puts `module`'s matmuls with constant weights on f32-accumulating
/// products over weights of --weight-type (16-bit models keep theirs).
llvm::Error prepareMatmulWeights(ModuleOp module) {
  PassManager pm(module.getContext());
  pm.addNestedPass<func::FuncOp>(sift::createAccumulateMatmulsInF32());
  sift::NarrowMatmulWeightsOptions narrow;
  narrow.elementType = weightType == WeightType::F16 ? "f16" : "bf16";
  if (weightType != WeightType::F32)
    pm.addPass(sift::createNarrowMatmulWeights(narrow));
  if (failed(pm.run(module)))
    return llvm::createStringError(
        "preparing the matmul weights of '" + inputPath + "'" +
        (weightType == WeightType::F32 ? ""
                                       : " in " + narrow.elementType) +
        " failed");
  return llvm::Error::success();
}

/// Lowers `module` and produces `kind` at `output`: LLVM IR, an object, an
/// executable or a shared library.
llvm::Error buildArtifact(ModuleOp module, EmitKind kind,
                          llvm::StringRef output,
                          ArrayRef<sift::GateInfo> gates,
                          int64_t numParameters, unsigned level) {
  MLIRContext *context = module.getContext();
  // Calibration builds go through here too: they measure the weights the
  // user gets.
  if (llvm::Error err = prepareMatmulWeights(module))
    return err;
  auto entry = module.lookupSymbol<func::FuncOp>("main_graph");
  std::string glue, headerPath;
  sift::LibraryGlue library;
  if (kind == EmitKind::Library) {
    std::string prefix = libPrefix.empty() ? sift::libraryPrefixFor(output)
                                           : std::string(libPrefix);
    if (!sift::isValidLibraryPrefix(prefix))
      return llvm::createStringError(
          "--lib-prefix expects a C identifier, got '" + prefix + "'");
    headerPath = headerFor(output);
    llvm::Expected<sift::LibraryGlue> generated = sift::generateLibraryGlue(
        entry, prefix, llvm::sys::path::filename(headerPath), inputPath);
    if (!generated)
      return generated.takeError();
    library = std::move(*generated);
    glue = library.source;
  } else {
    llvm::Expected<std::string> generated =
        sift::generateModelGlue(entry, gates, numParameters);
    if (!generated)
      return generated.takeError();
    glue = std::move(*generated);
  }
  // The runtime calls the model through its C interface.
  entry->setAttr("llvm.emit_c_interface", UnitAttr::get(context));
  // Inputs belong to the caller, who may run the model on them again: the
  // model must not write them (bufferization copies instead).
  for (unsigned i = 0; i < entry.getNumArguments(); ++i)
    entry.setArgAttr(i, "bufferization.writable",
                     BoolAttr::get(context, false));

  DefaultTimingManager timing;
  applyDefaultTimingManagerCLOptions(timing);
  PassManager pm(context);
  if (failed(applyPassManagerCLOptions(pm)))
    return llvm::createStringError("invalid pass manager options");
  TimingScope timingScope = timing.getRootScope();
  pm.enableTiming(timingScope);
  sift::LowerToLLVMOptions lowering;
  lowering.kernels = true;
  lowering.runtimeChecks = true;
  sift::buildLowerToLLVMPipeline(pm, lowering);
  if (failed(pm.run(module)))
    return llvm::createStringError("lowering '" + inputPath + "' failed");

  sift::WeightsFileInfo weights;
  std::string weightsPath = (output + ".weights").str();
  bool packaged = kind == EmitKind::Executable || kind == EmitKind::Library;
  if (weightsFile == WeightsFile::Always ||
      (weightsFile == WeightsFile::Auto && packaged)) {
    PassManager weightsPm(context);
    weightsPm.enableTiming(timingScope);
    sift::ExternalizeWeightsOptions externalize;
    externalize.file = weightsPath;
    if (weightsFile == WeightsFile::Auto)
      externalize.minTotalBytes = kAutoWeightsFileBytes;
    weightsPm.addPass(sift::createExternalizeWeights(externalize));
    if (failed(weightsPm.run(module)))
      return llvm::createStringError("writing the weights of '" + inputPath +
                                     "' failed");
    if (auto size = module->getAttrOfType<IntegerAttr>("sift.weights_size")) {
      weights.size = size.getValue().getZExtValue();
      weights.checksum = module->getAttrOfType<IntegerAttr>(
                                   "sift.weights_checksum")
                             .getValue()
                             .getZExtValue();
    }
  }
  // A weights file left by an earlier compilation to the same output would
  // only mislead.
  if (!weights.size)
    llvm::sys::fs::remove(weightsPath);
  glue += kind == EmitKind::Library ? sift::generateLibraryWeightsGlue(weights)
                                    : sift::generateModelWeightsGlue(weights);

  llvm::LLVMContext llvmContext;
  TimingScope translateTiming = timingScope.nest("Translate to LLVM IR");
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "model");
  if (!llvmModule)
    return llvm::createStringError("translating '" + inputPath +
                                   "' to LLVM IR failed");
  translateTiming.stop();
  auto machine = sift::createTargetMachine(mtriple, mcpu, level);
  if (!machine)
    return machine.takeError();
  if (splitFunctions) {
    TimingScope splitTiming = timingScope.nest("Split functions");
    sift::splitLargeFunctions(*llvmModule, splitFunctions);
  }
  TimingScope optimizeTiming = timingScope.nest("LLVM optimisation");
  if (llvm::Error err = sift::optimizeModule(*llvmModule, **machine, level))
    return err;
  optimizeTiming.stop();
  if (kind == EmitKind::LLVMIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    llvmModule->print(os, nullptr);
    return writeFile(output, text);
  }

  // Object code goes to the output itself, or next to it for an executable
  // or a library.
  std::string objectPath =
      kind == EmitKind::Object ? output.str() : (output + ".o").str();
  {
    std::string error;
    std::unique_ptr<llvm::ToolOutputFile> object =
        openOutputFile(objectPath, &error);
    if (!object)
      return llvm::createStringError(error);
    TimingScope codegenTiming = timingScope.nest("LLVM code generation");
    if (llvm::Error err =
            sift::emitObject(*llvmModule, **machine, object->os()))
      return err;
    object->keep();
  }
  if (kind == EmitKind::Object)
    return llvm::Error::success();

  std::string gluePath = (output + ".glue.c").str();
  if (llvm::Error err = writeFile(gluePath, glue))
    return err;
  if (kind == EmitKind::Library)
    if (llvm::Error err = writeFile(headerPath, library.header))
      return err;
  TimingScope linkTiming = timingScope.nest("Link");
  llvm::Error linked =
      kind == EmitKind::Library
          ? sift::linkSharedLibrary(objectPath, gluePath, library.exports,
                                    output)
          : sift::linkExecutable(objectPath, gluePath, output);
  llvm::sys::fs::remove(objectPath);
  llvm::sys::fs::remove(gluePath);
  return linked;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  cl::HideUnrelatedOptions({&category, &sparsityCategory});
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
  // Errors name the ONNX node in their location; a dump of the IR op under
  // it tells a model's user nothing more.
  context.printOpOnDiagnostic(false);

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> buffer =
      openInputFile(inputPath, &error);
  if (!buffer)
    return report(error);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  std::vector<sift::InputShape> shapes;
  for (const std::string &text : inputShapes) {
    std::optional<sift::InputShape> shape =
        sift::parseInputShape(text, error);
    if (!shape)
      return report(error);
    shapes.push_back(std::move(*shape));
  }
  OwningOpRef<ModuleOp> module =
      sift::importONNXModel(*buffer, inputPath, &context, shapes);
  if (!module)
    return 1;

  int64_t numParameters = sift::countParameters(*module);
  auto entry = module->lookupSymbol<func::FuncOp>("main_graph");
  std::vector<sift::GateInfo> gates;
  if (sparsityRequested()) {
    if (std::optional<std::string> problem = checkSparsityOptions())
      return report(*problem);
    sift::SparsifyOptions options;
    options.sparsity = sparsity;
    if (maxError.getNumOccurrences())
      options.maxError = maxError;
    options.lossless = lossless;
    options.gates = gatePolicy;
    options.allocation =
        options.maxError ? sift::Allocation::Greedy : allocation.getValue();
    options.calibration = calibrationData;
    options.verification = verificationData;
    options.reportPath = reportPath;
    options.reorderNeurons = reorderNeurons;
    options.modelPath = inputPath;
    if (weightType != WeightType::F32)
      options.storedWeightBytes = 2;
    options.numInputs = static_cast<int>(entry.getNumArguments());
    auto buildCalibrationModel = [&](ModuleOp copy,
                                     ArrayRef<sift::GateInfo> copyGates,
                                     StringRef path) {
      return buildArtifact(copy, EmitKind::Executable, path, copyGates,
                           numParameters, level);
    };
    auto gated = sift::sparsify(*module, numParameters, options,
                                buildCalibrationModel);
    if (!gated)
      return report(llvm::toString(gated.takeError()));
    gates = std::move(*gated);
  } else if (!reportPath.empty()) {
    return report("--report describes gates: it needs --sparsity, "
                  "--lossless or --gates");
  }

  if (emit == EmitKind::MLIR) {
    if (llvm::Error err = prepareMatmulWeights(*module))
      return report(llvm::toString(std::move(err)));
    std::unique_ptr<llvm::ToolOutputFile> file =
        openOutputFile(output, &error);
    if (!file)
      return report(error);
    // Locations carry the ONNX node names that later tools (and
    // sparse-translate --export-onnx) rely on.
    module->print(file->os(), OpPrintingFlags().enableDebugInfo());
    file->keep();
    return 0;
  }
  if (llvm::Error err =
          buildArtifact(*module, emit, output, gates, numParameters, level))
    return report(llvm::toString(std::move(err)));
  return 0;
}
