//===- Calibration.cpp - Thresholds from running the model ----------------===//

#include "Calibration.h"

#include "sift/Dialect/Sparsity/IR/Sparsity.h"
#include "sift/Utils/NodeNames.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace sift;

std::vector<GateInfo> sift::collectGates(ModuleOp module) {
  std::vector<GateInfo> gates;
  module.walk([&](sparsity::GatedMatmulOp op) {
    auto weight = cast<RankedTensorType>(op.getWeight().getType());
    GateInfo gate;
    gate.node = getNodeName(op.getLoc()).str();
    gate.inputs = weight.getDimSize(op.getWeightInputDim());
    gate.outputs = weight.getDimSize(op.getWeightOutputDim());
    gate.weightBytes = weight.getNumElements() *
                       weight.getElementTypeBitWidth() / 8;
    gates.push_back(gate);
  });
  return gates;
}

int64_t sift::countParameters(ModuleOp module) {
  int64_t count = 0;
  module.walk([&](arith::ConstantOp op) {
    auto type = dyn_cast<RankedTensorType>(op.getType());
    if (type && isa<FloatType>(type.getElementType()))
      count += type.getNumElements();
  });
  return count;
}

void sift::setThresholds(ModuleOp module, ArrayRef<float> thresholds) {
  unsigned index = 0;
  module.walk([&](sparsity::GatedMatmulOp op) {
    Builder builder(op);
    op.setThresholdAttr(builder.getDenseF32ArrayAttr({thresholds[index++]}));
  });
}

namespace {
/// The input files of one run of the model, and whether they stack several
/// batches along dimension 0.
struct Run {
  std::vector<std::string> inputs;
  bool stacked = false;
};

llvm::Error dataError(const CalibrationOptions &options,
                      const llvm::Twine &message) {
  return llvm::createStringError("calibration data '" + options.data +
                                 "': " + message);
}

llvm::Expected<std::vector<Run>> findRuns(const CalibrationOptions &options) {
  std::vector<Run> runs;
  if (llvm::sys::fs::is_directory(options.data)) {
    // ONNX test-data layout: test_data_set_*/input_<i>.pb.
    std::vector<std::string> sets;
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(options.data, ec), end;
         it != end && !ec; it.increment(ec))
      if (llvm::sys::path::filename(it->path()).starts_with("test_data_set_"))
        sets.push_back(it->path());
    if (ec)
      return dataError(options, ec.message());
    llvm::sort(sets);
    for (const std::string &set : sets) {
      Run run;
      for (int i = 0; i < options.numInputs; ++i) {
        llvm::SmallString<256> path(set);
        llvm::sys::path::append(path, "input_" + llvm::Twine(i) + ".pb");
        if (!llvm::sys::fs::exists(path))
          return dataError(options, "'" + path + "' is missing (the model "
                                    "takes " +
                                    llvm::Twine(options.numInputs) +
                                    " inputs)");
        run.inputs.push_back(std::string(path));
      }
      runs.push_back(std::move(run));
    }
    if (runs.empty())
      return dataError(options, "holds no test_data_set_* directory");
    return runs;
  }
  Run run;
  run.stacked = true;
  llvm::SmallVector<llvm::StringRef> files;
  llvm::StringRef(options.data).split(files, ',');
  for (llvm::StringRef file : files) {
    if (!file.ends_with(".npy"))
      return dataError(options, "expected a directory of test_data_set_* or "
                                ".npy files, one per model input");
    if (!llvm::sys::fs::exists(file))
      return dataError(options, "'" + file + "' does not exist");
    run.inputs.push_back(file.str());
  }
  if (static_cast<int>(run.inputs.size()) != options.numInputs)
    return dataError(options, "the model takes " +
                                  llvm::Twine(options.numInputs) +
                                  " inputs, got " +
                                  llvm::Twine(run.inputs.size()) + " file(s)");
  runs.push_back(std::move(run));
  return runs;
}

/// Runs the model on one calibration run with `flags`; its output goes to
/// a log whose end is quoted if the run fails.
llvm::Error runModel(llvm::StringRef executable, const Run &run,
                     llvm::ArrayRef<std::string> flags,
                     const CalibrationOptions &options) {
  std::vector<llvm::StringRef> args = {executable};
  for (const std::string &flag : flags)
    args.push_back(flag);
  if (run.stacked)
    args.push_back("--split-batch");
  for (const std::string &input : run.inputs)
    args.push_back(input);
  std::string log = options.scratchDir + "/run.log";
  std::optional<llvm::StringRef> redirects[] = {llvm::StringRef(""),
                                                llvm::StringRef(log),
                                                llvm::StringRef(log)};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(executable, args, std::nullopt,
                                         redirects, 0, 0, &message);
  if (status == 0)
    return llvm::Error::success();
  std::string output;
  if (auto buffer = llvm::MemoryBuffer::getFile(log))
    output = (*buffer)->getBuffer().take_back(2000).trim().str();
  return dataError(options, "running the model on it failed" +
                                (message.empty() ? "" : ": " + message) +
                                (output.empty() ? "" : ":\n" + output));
}

std::string writeThresholds(ArrayRef<float> thresholds,
                            const CalibrationOptions &options) {
  std::string path = options.scratchDir + "/thresholds.txt";
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  for (auto [index, threshold] : llvm::enumerate(thresholds))
    os << index << " " << llvm::format("%.9g", threshold) << "\n";
  return path;
}

/// Reads what the model recorded (see GateStats.h) into `magnitudes`.
llvm::Error readMagnitudes(llvm::StringRef path,
                           std::vector<std::vector<float>> &magnitudes) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return llvm::createStringError("cannot read '" + path + "'");
  llvm::StringRef data = (*buffer)->getBuffer();
  while (data.size() >= 16) {
    int64_t header[2];
    std::memcpy(header, data.data(), 16);
    data = data.drop_front(16);
    uint64_t bytes = static_cast<uint64_t>(header[1]) * sizeof(float);
    if (header[0] < 0 || header[0] >= static_cast<int64_t>(magnitudes.size()) ||
        data.size() < bytes)
      return llvm::createStringError("'" + path + "' is malformed");
    std::vector<float> &values = magnitudes[header[0]];
    size_t old = values.size();
    values.resize(old + header[1]);
    std::memcpy(values.data() + old, data.data(), bytes);
    data = data.drop_front(bytes);
  }
  return llvm::Error::success();
}

/// Runs the model over all calibration runs with `thresholds` (empty: the
/// compiled ones), writing each run's outputs under `outputDir/<run>` when
/// it is given and adding the magnitudes each gate saw to `magnitudes` when
/// that is given.
llvm::Error runOverData(llvm::StringRef executable, ArrayRef<float> thresholds,
                        const std::vector<Run> &runs,
                        const CalibrationOptions &options,
                        llvm::StringRef outputDir,
                        std::vector<std::vector<float>> *magnitudes) {
  std::string recordPath = options.scratchDir + "/magnitudes.bin";
  std::vector<std::string> common;
  if (magnitudes)
    common.insert(common.end(), {"--record-magnitudes", recordPath});
  if (!thresholds.empty())
    common.insert(common.end(), {"--gate-thresholds",
                                 writeThresholds(thresholds, options)});
  for (auto [index, run] : llvm::enumerate(runs)) {
    std::vector<std::string> flags = common;
    if (!outputDir.empty()) {
      std::string dir = (outputDir + "/" + llvm::Twine(index)).str();
      llvm::sys::fs::create_directories(dir);
      flags.insert(flags.end(),
                   {"--output-dir", dir, "--output-format", "npy"});
    }
    if (llvm::Error error = runModel(executable, run, flags, options))
      return error;
    if (magnitudes)
      if (llvm::Error error = readMagnitudes(recordPath, *magnitudes))
        return error;
  }
  return llvm::Error::success();
}

/// runOverData that returns the magnitudes each gate saw.
llvm::Expected<std::vector<std::vector<float>>>
record(llvm::StringRef executable, size_t numGates,
       ArrayRef<float> thresholds, const std::vector<Run> &runs,
       const CalibrationOptions &options, llvm::StringRef outputDir = "") {
  std::vector<std::vector<float>> magnitudes(numGates);
  if (llvm::Error error = runOverData(executable, thresholds, runs, options,
                                      outputDir, &magnitudes))
    return std::move(error);
  for (auto [gate, values] : llvm::enumerate(magnitudes))
    if (values.empty())
      return dataError(options,
                       "gate " + llvm::Twine(gate) + " saw no activations "
                       "(calibration observes f32 gated matmuls; other "
                       "element types run the reference lowering)");
  return magnitudes;
}

/// The threshold whose share of `values` at or below it is nearest to
/// `sparsity`. Ties (a Relu's zeros, quantised inputs) can make the exact
/// share unreachable; then the nearer of the two neighbouring shares wins.
float thresholdFor(std::vector<float> values, double sparsity) {
  if (sparsity <= 0 || values.empty())
    return 0.0f;
  size_t n = values.size();
  size_t rank = static_cast<size_t>(std::ceil(sparsity * n));
  rank = std::clamp<size_t>(rank, 1, n) - 1;
  std::nth_element(values.begin(), values.begin() + rank, values.end());
  float upper = values[rank];
  size_t atMostUpper = 0, belowUpper = 0;
  float below = 0.0f;
  for (float v : values) {
    atMostUpper += v <= upper;
    if (v < upper) {
      below = belowUpper++ ? std::max(below, v) : v;
    }
  }
  double upperShare = static_cast<double>(atMostUpper) / n;
  double belowShare = static_cast<double>(belowUpper) / n;
  if (belowUpper && sparsity - belowShare < upperShare - sparsity)
    return below;
  return upper;
}

double fractionAtMost(const std::vector<float> &values, float threshold) {
  size_t count = llvm::count_if(values, [&](float v) { return v <= threshold; });
  return static_cast<double>(count) / values.size();
}

/// An f32 array read from an .npy file the runtime wrote.
struct FloatArray {
  std::vector<int64_t> shape;
  std::vector<float> values;
};

/// The contents of an .npy file the runtime wrote (little-endian, C order),
/// or nothing for other element types.
std::optional<FloatArray> readNpyFloats(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return std::nullopt;
  llvm::StringRef data = (*buffer)->getBuffer();
  if (data.size() < 10 || !data.starts_with("\x93NUMPY"))
    return std::nullopt;
  bool wideHeader = data[6] >= 2;
  size_t lengthBytes = wideHeader ? 4 : 2;
  uint32_t headerLength = 0;
  std::memcpy(&headerLength, data.data() + 8, lengthBytes);
  size_t start = 8 + lengthBytes + headerLength;
  llvm::StringRef header = data.substr(8 + lengthBytes, headerLength);
  if (!header.contains("'<f4'") || start > data.size())
    return std::nullopt;
  FloatArray array;
  llvm::StringRef dims = header.split("'shape': (").second.split(')').first;
  llvm::SmallVector<llvm::StringRef> parts;
  dims.split(parts, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef part : parts) {
    int64_t dim;
    if (!part.trim().getAsInteger(10, dim))
      array.shape.push_back(dim);
  }
  array.values.resize((data.size() - start) / sizeof(float));
  std::memcpy(array.values.data(), data.data() + start,
              array.values.size() * sizeof(float));
  return array;
}

std::string outputFile(unsigned output) {
  return "output_" + std::to_string(output) + ".npy";
}

/// Output `output` of the sparse runs under `sparseDir` against the dense
/// ones under `denseDir` (one folder per run), row by row.
OutputComparison compareOutput(unsigned output, size_t runs,
                               llvm::StringRef denseDir,
                               llvm::StringRef sparseDir) {
  OutputComparison compared;
  compared.index = output;
  double errorSum = 0;
  int64_t agreeing = 0;
  for (size_t run = 0; run < runs; ++run) {
    std::string name = "/" + std::to_string(run) + "/" + outputFile(output);
    auto reference = readNpyFloats((denseDir + name).str());
    auto actual = readNpyFloats((sparseDir + name).str());
    if (!reference || !actual || reference->shape.empty() ||
        reference->values.size() != actual->values.size())
      return compared;
    size_t width = reference->shape.back();
    for (size_t row = 0; width && row < reference->values.size() / width;
         ++row) {
      const float *a = &reference->values[row * width];
      const float *b = &actual->values[row * width];
      double error = 0, norm = 0;
      for (size_t i = 0; i < width; ++i) {
        error += (b[i] - a[i]) * static_cast<double>(b[i] - a[i]);
        norm += a[i] * static_cast<double>(a[i]);
      }
      double relative = norm > 0 ? std::sqrt(error / norm) : std::sqrt(error);
      compared.maxRelativeError = std::max(compared.maxRelativeError, relative);
      errorSum += relative;
      agreeing += std::max_element(a, a + width) - a ==
                  std::max_element(b, b + width) - b;
      ++compared.rows;
    }
  }
  compared.compared = true;
  if (compared.rows) {
    compared.meanRelativeError = errorSum / compared.rows;
    compared.top1Agreement = static_cast<double>(agreeing) / compared.rows;
  }
  return compared;
}

/// Every output of the sparse runs under `sparseDir` against the dense ones
/// under `denseDir`.
std::vector<OutputComparison> compareOutputs(size_t runs,
                                             llvm::StringRef denseDir,
                                             llvm::StringRef sparseDir) {
  std::vector<OutputComparison> outputs;
  for (unsigned output = 0;
       llvm::sys::fs::exists(denseDir + "/0/" + outputFile(output)); ++output)
    outputs.push_back(compareOutput(output, runs, denseDir, sparseDir));
  return outputs;
}

/// Runs the model over `runs` with `thresholds` into `outputDir` and returns
/// its output error against the outputs under `referenceDir`.
llvm::Expected<double> errorWith(llvm::StringRef executable,
                                 ArrayRef<float> thresholds,
                                 const std::vector<Run> &runs,
                                 const CalibrationOptions &options,
                                 llvm::StringRef referenceDir,
                                 llvm::StringRef outputDir) {
  if (llvm::Error error = runOverData(executable, thresholds, runs, options,
                                      outputDir, /*magnitudes=*/nullptr))
    return std::move(error);
  return modelError(compareOutputs(runs.size(), referenceDir, outputDir));
}

constexpr double kGreedyStep = 0.05, kGreedyMaxSparsity = 0.95;

/// One step of greedy allocation: the gate raised by kGreedyStep, and the
/// model's output error on the calibration data after it.
struct GreedyStep {
  size_t gate;
  double error;
};

std::vector<double> sparsitiesAfter(ArrayRef<GreedyStep> steps,
                                    size_t numGates) {
  std::vector<double> sparsity(numGates, 0.0);
  for (const GreedyStep &step : steps)
    sparsity[step.gate] += kGreedyStep;
  return sparsity;
}

/// The thresholds that zero `sparsity` of the magnitudes in `dense`.
std::vector<float> thresholdsAt(const std::vector<std::vector<float>> &dense,
                                ArrayRef<double> sparsity) {
  std::vector<float> thresholds;
  for (auto [values, share] : llvm::zip_equal(dense, sparsity))
    thresholds.push_back(thresholdFor(values, share));
  return thresholds;
}

/// TEAL's greedy allocation: starting from no sparsity, repeatedly raise by
/// one step the sparsity of the gate whose step adds the least output error
/// per weight byte it skips, until the gates skip `options.sparsity` of the
/// gated weight bytes or, with a bound, no step keeps the error within it.
/// `dense` holds the magnitudes and `referenceDir` the outputs of the run
/// with every gate at 0.
llvm::Expected<std::vector<GreedyStep>>
greedySteps(llvm::StringRef executable, ArrayRef<GateInfo> gates,
            const std::vector<std::vector<float>> &dense,
            llvm::StringRef referenceDir, const std::vector<Run> &runs,
            const CalibrationOptions &options) {
  std::string candidateDir = options.scratchDir + "/candidate";
  double totalBytes = 0;
  for (const GateInfo &gate : gates)
    totalBytes += gate.weightBytes;
  // Under a bound alone, the bound stops the search.
  double budget = options.maxError && options.sparsity == 0
                      ? std::numeric_limits<double>::infinity()
                      : options.sparsity * totalBytes;
  std::vector<double> sparsity(gates.size(), 0.0);
  // Gates whose next step would break the bound. Steps of other gates mostly
  // add to the error, so they are not tried again: late rounds stay short.
  std::vector<bool> bounded(gates.size(), false);
  std::vector<GreedyStep> steps;
  double error = 0, skipped = 0;
  while (skipped < budget) {
    std::optional<GreedyStep> best;
    double bestCost = 0;
    for (size_t g = 0; g < gates.size(); ++g) {
      if (bounded[g] || sparsity[g] + kGreedyStep > kGreedyMaxSparsity + 1e-9)
        continue;
      std::vector<double> candidate = sparsity;
      candidate[g] += kGreedyStep;
      auto candidateError =
          errorWith(executable, thresholdsAt(dense, candidate), runs, options,
                    referenceDir, candidateDir);
      if (!candidateError)
        return candidateError.takeError();
      if (options.maxError && *candidateError > *options.maxError) {
        bounded[g] = true;
        continue;
      }
      double cost =
          (*candidateError - error) / (kGreedyStep * gates[g].weightBytes);
      if (!best || cost < bestCost) {
        best = GreedyStep{g, *candidateError};
        bestCost = cost;
      }
    }
    if (!best)
      break;
    sparsity[best->gate] += kGreedyStep;
    skipped += kGreedyStep * gates[best->gate].weightBytes;
    error = best->error;
    steps.push_back(*best);
  }
  return steps;
}

/// Takes back greedy `steps`, the last first, until the model's output error
/// on the held-out data is within the bound too.
llvm::Error keepBoundOnHeldOut(llvm::StringRef executable,
                               const std::vector<std::vector<float>> &dense,
                               std::vector<GreedyStep> &steps,
                               const CalibrationOptions &options) {
  CalibrationOptions heldOut = options;
  heldOut.data = options.heldOutData;
  auto runs = findRuns(heldOut);
  if (!runs)
    return runs.takeError();
  std::string referenceDir = options.scratchDir + "/held-out-reference";
  if (llvm::Error error = runOverData(executable, {}, *runs, heldOut,
                                      referenceDir, /*magnitudes=*/nullptr))
    return error;
  for (; !steps.empty(); steps.pop_back()) {
    auto error = errorWith(
        executable, thresholdsAt(dense, sparsitiesAfter(steps, dense.size())),
        *runs, heldOut, referenceDir, options.scratchDir + "/held-out");
    if (!error)
      return error.takeError();
    if (*error <= *options.maxError)
      break;
  }
  return llvm::Error::success();
}
} // namespace

double sift::modelError(ArrayRef<OutputComparison> outputs) {
  double error = 0;
  for (const OutputComparison &output : outputs)
    if (output.compared)
      error = std::max(error, output.meanRelativeError);
  return error;
}

llvm::Expected<GateMeasurement>
sift::measureGates(llvm::StringRef executable, ArrayRef<GateInfo> gates,
                   ArrayRef<float> thresholds,
                   const CalibrationOptions &options) {
  auto runs = findRuns(options);
  if (!runs)
    return runs.takeError();
  auto magnitudes = record(executable, gates.size(), thresholds, *runs,
                           options);
  if (!magnitudes)
    return magnitudes.takeError();
  GateMeasurement measured;
  for (size_t g = 0; g < gates.size(); ++g) {
    const std::vector<float> &values = (*magnitudes)[g];
    float threshold = thresholds.empty() ? 0.0f : thresholds[g];
    measured.sparsity.push_back(fractionAtMost(values, threshold));
    // Recorded row by row: value i belongs to channel i % K.
    int64_t channels = gates[g].inputs;
    std::vector<float> survived(channels, 0.0f);
    for (size_t i = 0; i < values.size(); ++i)
      survived[i % channels] += values[i] > threshold;
    float tokens = static_cast<float>(values.size() / channels);
    for (float &count : survived)
      count /= std::max(tokens, 1.0f);
    measured.frequency.push_back(std::move(survived));
  }
  return measured;
}

llvm::Expected<CalibrationResult>
sift::calibrate(llvm::StringRef executable, ArrayRef<GateInfo> gates,
                const CalibrationOptions &options) {
  auto runs = findRuns(options);
  if (!runs)
    return runs.takeError();
  // Greedy allocation compares candidates with these dense outputs.
  bool greedy = options.allocation == Allocation::Greedy;
  std::string referenceDir = options.scratchDir + "/reference";
  auto dense = record(executable, gates.size(), {}, *runs, options,
                      greedy ? llvm::StringRef(referenceDir) : "");
  if (!dense)
    return dense.takeError();

  CalibrationResult result;
  std::vector<double> targets(gates.size(), options.sparsity);
  if (greedy) {
    auto steps = greedySteps(executable, gates, *dense, referenceDir, *runs,
                             options);
    if (!steps)
      return steps.takeError();
    if (options.maxError && !options.heldOutData.empty())
      if (llvm::Error error =
              keepBoundOnHeldOut(executable, *dense, *steps, options))
        return std::move(error);
    targets = sparsitiesAfter(*steps, gates.size());
    result.errorIncrease.assign(gates.size(), 0.0);
    double before = 0;
    for (const GreedyStep &step : *steps) {
      result.errorIncrease[step.gate] += step.error - before;
      before = step.error;
    }
    result.error = before;
  }

  result.thresholds = thresholdsAt(*dense, targets);
  // A gate sees what the gates before it let through: re-derive every
  // threshold from magnitudes recorded with the previous round's in place.
  // Round r settles the first r gates of a chain, so a few rounds suffice.
  // Under a bound the thresholds stay those whose error greedy measured.
  size_t rounds = options.maxError ? 0 : std::min<size_t>(gates.size(), 4);
  rounds = rounds ? rounds - 1 : 0;
  for (size_t round = 0; round < rounds; ++round) {
    auto magnitudes = record(executable, gates.size(), result.thresholds,
                             *runs, options);
    if (!magnitudes)
      return magnitudes.takeError();
    for (size_t g = 0; g < gates.size(); ++g)
      result.thresholds[g] = thresholdFor((*magnitudes)[g], targets[g]);
  }
  auto measured = measureGates(executable, gates, result.thresholds, options);
  if (!measured)
    return measured.takeError();
  result.measured = std::move(*measured);
  return result;
}

llvm::Expected<Verification>
sift::verifyAgainstDense(llvm::StringRef executable, ArrayRef<GateInfo> gates,
                         ArrayRef<float> thresholds,
                         const CalibrationOptions &options) {
  auto runs = findRuns(options);
  if (!runs)
    return runs.takeError();
  std::string denseDir = options.scratchDir + "/verify-dense";
  std::string sparseDir = options.scratchDir + "/verify-sparse";
  std::vector<float> zeros(gates.size(), 0.0f);
  if (llvm::Error error = runOverData(executable, zeros, *runs, options,
                                      denseDir, /*magnitudes=*/nullptr))
    return std::move(error);
  auto magnitudes = record(executable, gates.size(), thresholds, *runs,
                           options, sparseDir);
  if (!magnitudes)
    return magnitudes.takeError();

  Verification result;
  for (size_t g = 0; g < gates.size(); ++g)
    result.sparsity.push_back(fractionAtMost((*magnitudes)[g], thresholds[g]));
  result.outputs = compareOutputs(runs->size(), denseDir, sparseDir);
  return result;
}
