//===- main.cpp - Command line of a compiled Sift model -------------------===//
//
//   ./model [--output-dir DIR] [--output-format pb|npy] [--repeat N]
//           [--warmup W] INPUT...
//
// Reads the inputs (ONNX TensorProto .pb or NumPy .npy, in graph-input
// order), checks them against the model's signature, runs the model and
// prints or writes the outputs. Bad input exits with status 2.
//
//===----------------------------------------------------------------------===//

#include "TensorFile.h"

#include "sift/runtime/sift_runtime.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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
};

long parseCount(const char *flag, const char *text, long minimum) {
  char *end = nullptr;
  long value = std::strtol(text, &end, 10);
  if (!*text || *end || value < minimum)
    fail(std::string(flag) + " expects an integer >= " +
         std::to_string(minimum) + ", got '" + text + "'");
  return value;
}

void printUsage(const char *program) {
  std::printf("usage: %s [--output-dir DIR] [--output-format pb|npy] "
              "[--repeat N] [--warmup W] INPUT...\n\ninputs:\n",
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
      options.repeat = parseCount("--repeat", value(), 1);
    } else if (arg == "--warmup") {
      options.warmup = parseCount("--warmup", value(), 0);
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

std::string describeShape(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t d = 0; d < shape.size(); ++d)
    text += (d ? ", " : "") + std::to_string(shape[d]);
  return text + "]";
}

/// Checks `tensor`, read from `path`, against input `index` of the model.
void checkInput(int index, const std::string &path, const HostTensor &tensor) {
  const sift_tensor_spec &spec = sift_model_inputs[index];
  std::string where = path + " (input " + std::to_string(index) + " '" +
                      spec.name + "')";
  if (tensor.dtype != spec.dtype)
    fail(where + ": has type " + dtypeName(tensor.dtype) +
         ", the model expects " + dtypeName(spec.dtype));
  if (static_cast<int>(tensor.shape.size()) != spec.rank)
    fail(where + ": has shape " + describeShape(tensor.shape) + " (rank " +
         std::to_string(tensor.shape.size()) + "), the model expects rank " +
         std::to_string(spec.rank));
  for (int d = 0; d < spec.rank; ++d)
    if (spec.shape[d] >= 0 && spec.shape[d] != tensor.shape[d])
      fail(where + ": has shape " + describeShape(tensor.shape) +
           ", the model expects dimension " + std::to_string(d) + " to be " +
           std::to_string(spec.shape[d]));
}

/// Lays out a memref descriptor for `tensor`: pointers, offset, sizes,
/// row-major strides.
std::vector<int64_t> descriptorFor(HostTensor &tensor) {
  size_t rank = tensor.shape.size();
  std::vector<int64_t> words(3 + 2 * rank);
  auto data = static_cast<int64_t>(
      reinterpret_cast<intptr_t>(tensor.data.data()));
  words[0] = data;
  words[1] = data;
  words[2] = 0;
  int64_t stride = 1;
  for (size_t d = rank; d-- > 0;) {
    words[3 + d] = tensor.shape[d];
    words[3 + rank + d] = stride;
    stride *= tensor.shape[d];
  }
  return words;
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
} // namespace

int main(int argc, char **argv) {
  Options options = parseOptions(argc, argv);

  std::vector<HostTensor> inputs(options.inputs.size());
  std::vector<std::vector<int64_t>> descriptors;
  std::vector<void *> inputPointers;
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string error;
    if (!readTensorFile(options.inputs[i], inputs[i], error))
      fail(error);
    checkInput(static_cast<int>(i), options.inputs[i], inputs[i]);
  }
  for (HostTensor &input : inputs)
    descriptors.push_back(descriptorFor(input));
  for (auto &descriptor : descriptors)
    inputPointers.push_back(descriptor.data());

  size_t resultWords = 0;
  for (int i = 0; i < sift_model_num_outputs; ++i)
    resultWords += 3 + 2 * sift_model_outputs[i].rank;
  std::vector<int64_t> results(resultWords);

  auto run = [&] { sift_model_run(results.data(), inputPointers.data()); };
  for (long i = 0; i < options.warmup; ++i)
    run();
  std::vector<double> milliseconds;
  for (long i = 0; i < options.repeat; ++i) {
    auto start = std::chrono::steady_clock::now();
    run();
    auto end = std::chrono::steady_clock::now();
    milliseconds.push_back(
        std::chrono::duration<double, std::milli>(end - start).count());
  }

  size_t offset = 0;
  for (int i = 0; i < sift_model_num_outputs; ++i) {
    HostTensor output = readOutput(i, results.data() + offset);
    offset += 3 + 2 * sift_model_outputs[i].rank;
    if (options.outputDir.empty()) {
      printSummary(i, output);
      continue;
    }
    std::string path = options.outputDir + "/output_" + std::to_string(i) +
                       "." + options.outputFormat;
    std::string error;
    bool written = options.outputFormat == "npy"
                       ? writeNpy(path, output, error)
                       : writeTensorProto(path, sift_model_outputs[i].name,
                                          output, error);
    if (!written)
      fail(error);
  }

  if (options.repeat > 1 || options.warmup > 0) {
    std::sort(milliseconds.begin(), milliseconds.end());
    double median = milliseconds.size() % 2
                        ? milliseconds[milliseconds.size() / 2]
                        : (milliseconds[milliseconds.size() / 2 - 1] +
                           milliseconds[milliseconds.size() / 2]) /
                              2;
    std::printf("latency over %zu runs: median %.3f ms, min %.3f ms, max "
                "%.3f ms\n",
                milliseconds.size(), median, milliseconds.front(),
                milliseconds.back());
  }
  return 0;
}
