//===- Sparsify.cpp - Gates, calibration and the report -------------------===//

#include "Sparsify.h"

#include "sift/Dialect/Sparsity/IR/Sparsity.h"
#include "sift/Pipelines/Pipelines.h"
#include "sift/Transforms/Passes.h"
#include "sift/Utils/NodeNames.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace sift;

static llvm::Error gateMatmuls(ModuleOp module,
                               const SparsifyOptions &options) {
  PassManager pm(module.getContext());
  GateMatmulsOptions gating;
  gating.gates = options.gates;
  gating.lossless = options.lossless;
  buildGateMatmulsPipeline(pm, gating);
  if (failed(pm.run(module)))
    return llvm::createStringError("gating the matmuls of '" +
                                   options.modelPath + "' failed");
  return llvm::Error::success();
}

namespace {
/// A matmul the gating policy selected but --sparsity-insert-gates left out.
struct LeftOut {
  std::string node;
  std::string reason;
};
} // namespace

static std::vector<LeftOut> collectLeftOut(ModuleOp module) {
  std::vector<LeftOut> leftOut;
  module.walk([&](Operation *op) {
    if (auto reason = op->getAttrOfType<StringAttr>(kNotGatedAttrName))
      leftOut.push_back({getNodeName(op->getLoc()).str(), reason.str()});
  });
  return leftOut;
}

/// Orders the input channels of gated matmuls in feed-forward blocks by how
/// often calibration saw them active.
static llvm::Error reorderNeurons(ModuleOp module,
                                  ArrayRef<std::vector<float>> frequency) {
  unsigned index = 0;
  module.walk([&](sparsity::GatedMatmulOp op) {
    op->setAttr("sparsity.activation_frequency",
                DenseF32ArrayAttr::get(module.getContext(),
                                       frequency[index++]));
  });
  PassManager pm(module.getContext());
  pm.addPass(createSparsityReorderNeurons());
  if (failed(pm.run(module)))
    return llvm::createStringError("reordering neurons failed");
  return llvm::Error::success();
}

/// A scratch directory removed when it goes out of scope.
namespace {
struct ScratchDir {
  std::string path;
  ~ScratchDir() {
    if (!path.empty())
      llvm::sys::fs::remove_directories(path);
  }
};
} // namespace

static llvm::Error writeReport(const SparsifyOptions &options,
                               ArrayRef<GateInfo> gates,
                               ArrayRef<LeftOut> leftOut,
                               const CalibrationResult &calibrated,
                               int64_t numParameters,
                               const std::optional<Verification> &verified) {
  llvm::json::Array gateArray;
  double skippedParams = 0;
  for (auto [index, gate] : llvm::enumerate(gates)) {
    double sparsity = calibrated.measured.sparsity[index];
    skippedParams += sparsity * gate.inputs * gate.outputs;
    llvm::json::Object entry{
        {"index", static_cast<int64_t>(index)},
        {"node", gate.node},
        {"threshold", calibrated.thresholds[index]},
        {"calibrated_sparsity", sparsity},
        {"inputs", gate.inputs},
        {"outputs", gate.outputs},
        {"weight_bytes", gate.weightBytes},
        {"weight_bytes_skipped_per_token",
         sparsity * static_cast<double>(gate.weightBytes)},
    };
    if (!calibrated.errorIncrease.empty())
      entry["error_increase"] = calibrated.errorIncrease[index];
    gateArray.push_back(std::move(entry));
  }
  llvm::json::Array notGated;
  for (const LeftOut &candidate : leftOut)
    notGated.push_back(llvm::json::Object{{"node", candidate.node},
                                          {"reason", candidate.reason}});
  llvm::json::Object report{
      {"model_path", options.modelPath},
      {"target_sparsity", options.lossless ? 0.0 : options.sparsity},
      {"mode", options.lossless ? "lossless" : "calibrated"},
      {"allocation",
       options.allocation == Allocation::Greedy ? "greedy" : "uniform"},
      {"gates", std::move(gateArray)},
      {"not_gated", std::move(notGated)},
      {"model",
       llvm::json::Object{
           {"total_params", numParameters},
           {"active_params_per_token",
            static_cast<double>(numParameters) - skippedParams},
           {"active_fraction",
            numParameters ? 1.0 - skippedParams / numParameters : 1.0},
       }},
  };
  if (options.maxError) {
    llvm::json::Object bound{
        {"metric", kErrorMetric},
        {"max_error", *options.maxError},
        {"calibration_error", calibrated.error},
    };
    if (verified)
      bound["held_out_error"] = modelError(verified->outputs);
    report["error_bound"] = std::move(bound);
  }
  if (verified) {
    llvm::json::Array heldOut;
    for (double value : verified->sparsity)
      heldOut.push_back(value);
    llvm::json::Array outputs, skipped;
    for (const OutputComparison &output : verified->outputs) {
      if (!output.compared) {
        skipped.push_back(static_cast<int64_t>(output.index));
        continue;
      }
      outputs.push_back(llvm::json::Object{
          {"output", static_cast<int64_t>(output.index)},
          {"rows", output.rows},
          {"max_relative_error", output.maxRelativeError},
          {"mean_relative_error", output.meanRelativeError},
          {"top1_agreement", output.top1Agreement},
      });
    }
    report["verification"] = llvm::json::Object{
        {"data", options.verification},
        {"outputs", std::move(outputs)},
        {"outputs_not_compared", std::move(skipped)},
        {"sparsity", std::move(heldOut)},
    };
  }
  std::error_code ec;
  llvm::raw_fd_ostream os(options.reportPath, ec);
  if (ec)
    return llvm::createStringError("cannot write report '" +
                                   options.reportPath + "': " + ec.message());
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(report))) << "\n";
  return llvm::Error::success();
}

llvm::Expected<std::vector<GateInfo>>
sift::sparsify(ModuleOp module, int64_t numParameters,
               const SparsifyOptions &options, BuildExecutable build) {
  if (llvm::Error error = gateMatmuls(module, options))
    return std::move(error);
  std::vector<GateInfo> gates = collectGates(module);
  // Weights are narrowed when the model is built, after gating.
  if (options.storedWeightBytes)
    for (GateInfo &gate : gates)
      gate.weightBytes = gate.inputs * gate.outputs * options.storedWeightBytes;
  std::vector<LeftOut> leftOut = collectLeftOut(module);
  if (gates.empty()) {
    llvm::raw_ostream &warning =
        llvm::WithColor::warning(llvm::errs(), "sparse-compile");
    if (leftOut.empty())
      warning << "no matmul with constant weights matched --gates="
              << options.gates << ": the model stays dense\n";
    else
      warning << "every matmul that --gates=" << options.gates
              << " selects was left out: the model stays dense\n";
    for (const LeftOut &candidate : leftOut)
      llvm::errs() << "  " << candidate.node << ": " << candidate.reason
                   << "\n";
  }
  CalibrationResult calibrated;
  calibrated.thresholds.assign(gates.size(), 0.0f);
  calibrated.measured.sparsity.assign(gates.size(), 0.0);
  bool needsModel = (!options.calibration.empty() ||
                     !options.verification.empty()) &&
                    !gates.empty();
  std::optional<Verification> verified;
  auto finish = [&]() -> llvm::Expected<std::vector<GateInfo>> {
    if (!options.reportPath.empty())
      if (llvm::Error error = writeReport(options, gates, leftOut, calibrated,
                                          numParameters, verified))
        return std::move(error);
    return gates;
  };
  if (!needsModel)
    return finish();

  ScratchDir scratch;
  llvm::SmallString<128> dir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("sift-calibration", dir))
    return llvm::createStringError("cannot create a scratch directory: " +
                                   ec.message());
  scratch.path = std::string(dir);
  std::string executable = scratch.path + "/model";
  OwningOpRef<ModuleOp> copy = module.clone();
  if (llvm::Error error = build(*copy, gates, executable))
    return std::move(error);

  CalibrationOptions calibration;
  calibration.data = options.calibration;
  calibration.sparsity = options.lossless ? 0.0 : options.sparsity;
  calibration.maxError = options.maxError;
  calibration.heldOutData = options.verification;
  calibration.allocation = options.allocation;
  calibration.numInputs = options.numInputs;
  calibration.scratchDir = scratch.path;
  if (!options.calibration.empty()) {
    if (options.lossless) {
      auto measured = measureGates(executable, gates, {}, calibration);
      if (!measured)
        return measured.takeError();
      calibrated.measured = std::move(*measured);
    } else {
      auto result = calibrate(executable, gates, calibration);
      if (!result)
        return result.takeError();
      calibrated = std::move(*result);
      setThresholds(module, calibrated.thresholds);
    }
    if (options.maxError)
      llvm::outs() << llvm::formatv(
          "output error on the calibration data {0:e2}, bound {1:e2} ({2})\n",
          calibrated.error, *options.maxError, kErrorMetric);
    if (options.reorderNeurons)
      if (llvm::Error error =
              reorderNeurons(module, calibrated.measured.frequency))
        return std::move(error);
  }
  if (!options.verification.empty()) {
    CalibrationOptions heldOut = calibration;
    heldOut.data = options.verification;
    auto result = verifyAgainstDense(executable, gates, calibrated.thresholds,
                                     heldOut);
    if (!result)
      return result.takeError();
    verified = std::move(*result);
    llvm::outs() << "verification against the dense model on '"
                 << options.verification << "':\n";
    for (const OutputComparison &output : verified->outputs)
      llvm::outs() << llvm::formatv(
          output.compared
              ? "  output {0}: {1} row(s), relative error max {2:e2}, mean "
                "{3:e2}; top-1 agreement {4:p2}\n"
              : "  output {0}: not compared (only f32 outputs of rank >= 1 "
                "are)\n",
          output.index, output.rows, output.maxRelativeError,
          output.meanRelativeError, output.top1Agreement);
    if (options.maxError)
      llvm::outs() << llvm::formatv("  output error {0:e2}, bound {1:e2}\n",
                                    modelError(verified->outputs),
                                    *options.maxError);
    for (auto [index, gate] : llvm::enumerate(gates))
      llvm::outs() << llvm::formatv("  gate {0} ({1}): sparsity {2:p2}\n",
                                    index, gate.node,
                                    verified->sparsity[index]);
  }
  return finish();
}
