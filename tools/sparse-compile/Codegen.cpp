//===- Codegen.cpp - LLVM IR to native code -------------------------------===//

#include "Codegen.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace llvm;

Expected<std::unique_ptr<TargetMachine>>
sift::createTargetMachine(StringRef tripleName, StringRef cpu,
                          unsigned optLevel) {
  InitializeAllTargets();
  InitializeAllTargetMCs();
  InitializeAllAsmPrinters();

  bool host = tripleName.empty();
  Triple triple(host ? sys::getProcessTriple() : tripleName.str());
  std::string error;
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return createStringError("unknown target triple '" + triple.str() +
                             "': " + error);
  std::string cpuName = cpu.str();
  SubtargetFeatures features;
  if (cpu.empty() || cpu == "native") {
    if (!host && cpu == "native")
      return createStringError("--mcpu=native needs the host triple");
    if (host) {
      cpuName = sys::getHostCPUName().str();
      for (const auto &feature : sys::getHostCPUFeatures())
        features.AddFeature(feature.first(), feature.second);
    } else {
      cpuName = "generic";
    }
  }
  CodeGenOptLevel level = optLevel == 0   ? CodeGenOptLevel::None
                          : optLevel == 1 ? CodeGenOptLevel::Less
                          : optLevel == 2 ? CodeGenOptLevel::Default
                                          : CodeGenOptLevel::Aggressive;
  std::unique_ptr<TargetMachine> machine(target->createTargetMachine(
      triple, cpuName, features.getString(), TargetOptions(), Reloc::PIC_,
      std::nullopt, level));
  if (!machine)
    return createStringError("cannot create a target machine for '" +
                             triple.str() + "'");
  return machine;
}

Error sift::optimizeModule(Module &module, TargetMachine &machine,
                           unsigned optLevel) {
  module.setDataLayout(machine.createDataLayout());
  module.setTargetTriple(machine.getTargetTriple());
  auto optimize = mlir::makeOptimizingTransformer(optLevel, /*sizeLevel=*/0,
                                                  &machine);
  return optimize(&module);
}

Error sift::emitObject(Module &module, TargetMachine &machine,
                       raw_pwrite_stream &output) {
  legacy::PassManager passes;
  if (machine.addPassesToEmitFile(passes, output, nullptr,
                                  CodeGenFileType::ObjectFile))
    return createStringError("the target cannot emit object files");
  passes.run(module);
  return Error::success();
}
