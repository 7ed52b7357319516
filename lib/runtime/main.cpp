//===- main.cpp - Command line of a compiled Sift model -------------------===//
//
//   ./model [--output-dir DIR] [--output-format pb|npy] [--repeat N]
//           [--warmup W] [--threads T] [--profile] [--split-batch] INPUT...
//
// Reads the inputs (ONNX TensorProto .pb or NumPy .npy, in graph-input
// order), checks them against the model's signature, runs the model and
// prints or writes the outputs. Bad input exits with status 2.
//
// Calibration (sparse-compile --calibration) drives two more options:
// --record-magnitudes FILE writes the magnitudes every gate saw, and
// --gate-thresholds FILE replaces the compiled thresholds.
//
//===----------------------------------------------------------------------===//

#include "GateStats.h"
#include "Profile.h"
#include "TensorFile.h"
#include "ThreadPool.h"

#include "sift/runtime/sift_runtime.h"

#include <algorithm>
#include <chrono>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <malloc.h>
#include <string>
#include <vector>

using namespace sift::runtime;

namespace {
constexpr int kUsageError = 2;

[[noreturn]] void fail(const std::string &message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  std::exit(kUsageError);
}

struct Options {
  std::vector<std::string> inputs;
  std::string outputDir;
  std::string outputFormat = "pb";
  long repeat = 1;
  long warmup = 0;
  long threads = 0;
  bool profile = false;
  bool splitBatch = false;
  std::string recordMagnitudes;
  std::string gateThresholds;
};

// More threads than any CPU has cores only slows the kernels down, each
// costs a stack and scratch buffers, and the bound keeps a typo from
// exhausting the system's threads.
constexpr long kMaxThreads = 1024;
// Every timed run keeps its latency in memory.
constexpr long kMaxRuns = 1000000;

/// Parses a decimal integer in [minimum, maximum]: digits only (no sign,
/// spaces or suffix), and no wrapping.
long parseCount(const char *flag, const char *text, long minimum,
                long maximum) {
  char *end = nullptr;
  errno = 0;
  long value = std::strtol(text, &end, 10);
  if (!std::isdigit(static_cast<unsigned char>(*text)) || *end ||
      errno == ERANGE || value < minimum || value > maximum)
    fail(std::string(flag) + " expects an integer from " +
         std::to_string(minimum) + " to " + std::to_string(maximum) +
         ", got '" + text + "'");
  return value;
}

void printUsage(const char *program) {
  std::printf(
      "usage: %s [options] INPUT...\n\n"
      "options:\n"
      "  --output-dir DIR         write output_<i>.pb (or .npy) into DIR\n"
      "  --output-format pb|npy   the format of written outputs (pb)\n"
      "  --repeat N               run N times, print median/min/max latency\n"
      "  --warmup W               untimed runs first\n"
      "  --threads T              threads for the kernels, 1 to 1024 "
      "(default:\n"
      "                           all cores)\n"
      "  --profile                print each gate's realised sparsity and the\n"
      "                           active parameters per token\n"
      "  --split-batch            inputs stack batches along dimension 0: run\n"
      "                           once per batch the model's signature fixes,\n"
      "                           and stack the outputs the same way\n"
      "  --record-magnitudes FILE write the magnitudes each gate saw\n"
      "  --gate-thresholds FILE   replace compiled thresholds (lines 'GATE "
      "T...')\n\ninputs:\n",
      program);
  for (int i = 0; i < sift_model_num_inputs; ++i) {
    const sift_tensor_spec &spec = sift_model_inputs[i];
    std::printf("  %d: %s %s [", i, spec.name, dtypeName(spec.dtype));
    for (int d = 0; d < spec.rank; ++d)
      std::printf(d ? ", %s" : "%s",
                  spec.shape[d] < 0 ? "?"
                                    : std::to_string(spec.shape[d]).c_str());
    std::printf("]\n");
  }
}

Options parseOptions(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> const char * {
      if (i + 1 >= argc)
        fail(arg + " expects a value");
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      printUsage(argv[0]);
      std::exit(0);
    } else if (arg == "--output-dir") {
      options.outputDir = value();
    } else if (arg == "--output-format") {
      options.outputFormat = value();
      if (options.outputFormat != "pb" && options.outputFormat != "npy")
        fail("--output-format expects pb or npy, got '" +
             options.outputFormat + "'");
    } else if (arg == "--repeat") {
      options.repeat = parseCount("--repeat", value(), 1, kMaxRuns);
    } else if (arg == "--warmup") {
      options.warmup = parseCount("--warmup", value(), 0, kMaxRuns);
    } else if (arg == "--threads") {
      options.threads = parseCount("--threads", value(), 1, kMaxThreads);
    } else if (arg == "--profile") {
      options.profile = true;
    } else if (arg == "--split-batch") {
      options.splitBatch = true;
    } else if (arg == "--record-magnitudes") {
      options.recordMagnitudes = value();
    } else if (arg == "--gate-thresholds") {
      options.gateThresholds = value();
    } else if (arg.size() > 1 && arg[0] == '-') {
      fail("unknown option '" + arg + "' (see --help)");
    } else {
      options.inputs.push_back(arg);
    }
  }
  if (static_cast<int>(options.inputs.size()) != sift_model_num_inputs)
    fail("the model takes " + std::to_string(sift_model_num_inputs) +
         " input(s), got " + std::to_string(options.inputs.size()) +
         " (see --help)");
  return options;
}

/// Checks `tensor`, read from `path`, against input `index` of the model.
/// With `stacked`, dimension 0 may hold several of the model's batches.
void checkInput(int index, const std::string &path, const HostTensor &tensor,
                bool stacked) {
  const sift_tensor_spec &spec = sift_model_inputs[index];
  std::string where = path + " (input " + std::to_string(index) + " '" +
                      spec.name + "')";
  if (stacked && spec.rank == 0)
    fail(where + ": --split-batch needs inputs with a dimension 0");
  if (tensor.dtype != spec.dtype)
    fail(where + ": has type " + dtypeName(tensor.dtype) +
         ", the model expects " + dtypeName(spec.dtype));
  if (static_cast<int>(tensor.shape.size()) != spec.rank)
    fail(where + ": has shape " + describeShape(tensor.shape) + " (rank " +
         std::to_string(tensor.shape.size()) + "), the model expects rank " +
         std::to_string(spec.rank));
  for (int d = 0; d < spec.rank; ++d)
    if (spec.shape[d] >= 0 && spec.shape[d] != tensor.shape[d] &&
        !(stacked && d == 0 && tensor.shape[0] % spec.shape[0] == 0))
      fail(where + ": has shape " + describeShape(tensor.shape) +
           ", the model expects dimension " + std::to_string(d) + " to be " +
           std::to_string(spec.shape[d]));
}

/// Lays out a memref descriptor for rows [first, first + rows) of `tensor`
/// along dimension 0 (all of a rank-0 tensor): pointers, offset, sizes,
/// row-major strides.
std::vector<int64_t> descriptorFor(HostTensor &tensor, int64_t first,
                                   int64_t rows) {
  size_t rank = tensor.shape.size();
  std::vector<int64_t> words(3 + 2 * rank);
  int64_t rowElements = 1;
  for (size_t d = 1; d < rank; ++d)
    rowElements *= tensor.shape[d];
  char *base = tensor.data.data() +
               first * rowElements * elementBytes(tensor.dtype);
  auto data = static_cast<int64_t>(reinterpret_cast<intptr_t>(base));
  words[0] = data;
  words[1] = data;
  words[2] = 0;
  int64_t stride = 1;
  for (size_t d = rank; d-- > 0;) {
    words[3 + d] = d == 0 ? rows : tensor.shape[d];
    words[3 + rank + d] = stride;
    stride *= words[3 + d];
  }
  return words;
}

/// The batches one invocation runs: the whole inputs, or with
/// --split-batch, slices of the batch size that the model fixes.
std::vector<std::vector<std::vector<int64_t>>>
splitIntoBatches(std::vector<HostTensor> &inputs, bool split) {
  int64_t count = 1;
  std::vector<int64_t> rows(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    rows[i] = inputs[i].shape.empty() ? 1 : inputs[i].shape[0];
    int64_t fixed = sift_model_inputs[i].rank ? sift_model_inputs[i].shape[0]
                                              : -1;
    if (!split || fixed < 0)
      continue;
    int64_t batches = fixed ? rows[i] / fixed : 1;
    if (i > 0 && batches != count)
      fail("--split-batch: the inputs hold different numbers of batches (" +
           std::to_string(count) + " and " + std::to_string(batches) + ")");
    count = batches;
    rows[i] = fixed;
  }
  // No run means no outputs and no latencies to report.
  if (count == 0)
    fail("--split-batch: the inputs hold no rows (dimension 0 is 0), so "
         "there is no batch to run");
  std::vector<std::vector<std::vector<int64_t>>> result(count);
  for (int64_t b = 0; b < count; ++b)
    for (size_t i = 0; i < inputs.size(); ++i) {
      bool sliced = split && sift_model_inputs[i].rank &&
                    sift_model_inputs[i].shape[0] >= 0;
      result[b].push_back(descriptorFor(inputs[i], sliced ? b * rows[i] : 0,
                                        rows[i]));
    }
  return result;
}

/// Appends `next` to `stack` along dimension 0.
void appendRows(HostTensor &stack, const HostTensor &next) {
  if (stack.shape.empty()) {
    stack = next;
    return;
  }
  if (next.shape.empty())
    fail("--split-batch: a rank-0 output cannot be stacked");
  stack.shape[0] += next.shape[0];
  stack.data.insert(stack.data.end(), next.data.begin(), next.data.end());
}

/// Copies output `index`, whose descriptor starts at `words`, out of the
/// buffer the model returned.
HostTensor readOutput(int index, const int64_t *words) {
  const sift_tensor_spec &spec = sift_model_outputs[index];
  HostTensor tensor;
  tensor.dtype = spec.dtype;
  tensor.shape.assign(words + 3, words + 3 + spec.rank);
  int64_t width = elementBytes(spec.dtype);
  const char *base = reinterpret_cast<const char *>(words[1]) +
                     words[2] * width;
  tensor.data.resize(tensor.numElements() * width);
  // Outputs have identity layouts: one contiguous block.
  if (!tensor.data.empty())
    std::memcpy(tensor.data.data(), base, tensor.data.size());
  return tensor;
}

double elementAsDouble(const HostTensor &tensor, int64_t i) {
  const char *p = tensor.data.data() + i * elementBytes(tensor.dtype);
  auto load = [&](auto value) {
    std::memcpy(&value, p, sizeof(value));
    return static_cast<double>(value);
  };
  switch (tensor.dtype) {
  case SIFT_FLOAT:
    return load(float());
  case SIFT_DOUBLE:
    return load(double());
  case SIFT_INT8:
    return load(int8_t());
  case SIFT_UINT8:
  case SIFT_BOOL:
    return load(uint8_t());
  case SIFT_INT16:
    return load(int16_t());
  case SIFT_UINT16:
    return load(uint16_t());
  case SIFT_INT32:
    return load(int32_t());
  case SIFT_UINT32:
    return load(uint32_t());
  case SIFT_INT64:
    return load(int64_t());
  case SIFT_UINT64:
    return load(uint64_t());
  default:
    return std::nan("");
  }
}

void printSummary(int index, const HostTensor &tensor) {
  std::printf("output %d '%s': %s %s", index, sift_model_outputs[index].name,
              dtypeName(tensor.dtype), describeShape(tensor.shape).c_str());
  int64_t count = tensor.numElements();
  int64_t shown = std::min<int64_t>(count, 8);
  std::printf(" = [");
  for (int64_t i = 0; i < shown; ++i)
    std::printf(i ? ", %g" : "%g", elementAsDouble(tensor, i));
  std::printf("%s]\n", count > shown ? ", ..." : "");
}


double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}
} // namespace

int main(int argc, char **argv) {
  // A model allocates the same large buffers on every run (a convolution's
  // window rows take megabytes). Left to glibc, those come from fresh
  // mmaps that the kernel zeroes page by page and unmaps on free; keeping
  // freed memory in the heap for the next run avoids both.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  Options options = parseOptions(argc, argv);
  if (sift_model_weights_size)
    if (const char *problem = sift_load_weights(
            nullptr, sift_model_weights_size, sift_model_weights_checksum))
      fail(problem);
  setNumThreads(static_cast<int>(options.threads));
  GateObserver &observer = gateObserver();
  observer.counting = options.profile;
  observer.recording = !options.recordMagnitudes.empty();
  if (!options.gateThresholds.empty()) {
    std::string error;
    if (!readThresholdOverrides(options.gateThresholds, error))
      fail(error);
  }

  std::vector<HostTensor> inputs(options.inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string error;
    if (!readTensorFile(options.inputs[i], inputs[i], error))
      fail(error);
    checkInput(static_cast<int>(i), options.inputs[i], inputs[i],
               options.splitBatch);
  }
  std::vector<std::vector<std::vector<int64_t>>> batches =
      splitIntoBatches(inputs, options.splitBatch);

  size_t resultWords = 0;
  for (int i = 0; i < sift_model_num_outputs; ++i)
    resultWords += 3 + 2 * sift_model_outputs[i].rank;
  std::vector<int64_t> results(resultWords);

  // Each run allocates new output buffers, freed once timed (or read).
  auto run = [&](std::vector<std::vector<int64_t>> &batch) {
    std::vector<void *> pointers;
    for (std::vector<int64_t> &descriptor : batch)
      pointers.push_back(descriptor.data());
    sift_model_run(results.data(), pointers.data());
  };
  auto freeOutputs = [&] { sift_model_free_outputs(results.data()); };

  // Profiles and recordings cover the timed runs only.
  observer.counting = false;
  observer.recording = false;
  for (long i = 0; i < options.warmup; ++i)
    for (auto &batch : batches) {
      run(batch);
      freeOutputs();
    }
  observer.counting = options.profile;
  observer.recording = !options.recordMagnitudes.empty();
  std::vector<double> milliseconds;
  std::vector<HostTensor> outputs(sift_model_num_outputs);
  for (long i = 0; i < options.repeat; ++i) {
    for (auto &batch : batches) {
      auto start = std::chrono::steady_clock::now();
      run(batch);
      auto end = std::chrono::steady_clock::now();
      milliseconds.push_back(
          std::chrono::duration<double, std::milli>(end - start).count());
      if (i + 1 == options.repeat) {
        size_t offset = 0;
        for (int o = 0; o < sift_model_num_outputs; ++o) {
          appendRows(outputs[o], readOutput(o, results.data() + offset));
          offset += 3 + 2 * sift_model_outputs[o].rank;
        }
      }
      freeOutputs();
    }
    // Recordings describe one pass over the data.
    observer.recording = false;
  }

  if (!options.outputDir.empty()) {
    std::error_code error;
    std::filesystem::create_directories(options.outputDir, error);
    if (error)
      fail("cannot create the output directory '" + options.outputDir +
           "': " + error.message());
  }
  for (int i = 0; i < sift_model_num_outputs; ++i) {
    if (options.outputDir.empty()) {
      printSummary(i, outputs[i]);
      continue;
    }
    std::string path = options.outputDir + "/output_" + std::to_string(i) +
                       "." + options.outputFormat;
    std::string error;
    bool written = options.outputFormat == "npy"
                       ? writeNpy(path, outputs[i], error)
                       : writeTensorProto(path, sift_model_outputs[i].name,
                                          outputs[i], error);
    if (!written)
      fail(error);
  }
  if (!options.recordMagnitudes.empty()) {
    std::string error;
    if (!writeRecordedMagnitudes(options.recordMagnitudes, error))
      fail(error);
  }

  if (options.repeat > 1 || options.warmup > 0) {
    auto [lowest, highest] =
        std::minmax_element(milliseconds.begin(), milliseconds.end());
    // Small models run in microseconds: keep the digits that show them.
    std::printf("latency over %zu runs: median %.6f ms, min %.6f ms, max "
                "%.6f ms\n",
                milliseconds.size(), median(milliseconds), *lowest, *highest);
  }
  if (options.profile)
    printProfile();
  return 0;
}
