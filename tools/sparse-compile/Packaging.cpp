//===- Packaging.cpp - Objects to executables and libraries ---------------===//

#include "Packaging.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {
/// The ONNX data type number of a tensor element type.
std::optional<int> onnxDataType(Type type, bool isUnsigned) {
  if (type.isF32())
    return 1;
  if (type.isF64())
    return 11;
  if (type.isF16())
    return 10;
  if (type.isBF16())
    return 16;
  if (type.isInteger(1))
    return 9;
  if (type.isInteger(8))
    return isUnsigned ? 2 : 3;
  if (type.isInteger(16))
    return isUnsigned ? 4 : 5;
  if (type.isInteger(32))
    return isUnsigned ? 12 : 6;
  if (type.isInteger(64))
    return isUnsigned ? 13 : 7;
  return std::nullopt;
}

/// The C type of an element of ONNX data type `dtype` in memory; 16-bit
/// floats are their raw bits, booleans one byte each.
const char *cElementType(int dtype) {
  switch (dtype) {
  case 1:
    return "float";
  case 11:
    return "double";
  case 2:
  case 9:
    return "uint8_t";
  case 3:
    return "int8_t";
  case 4:
  case 10:
  case 16:
    return "uint16_t";
  case 5:
    return "int16_t";
  case 6:
    return "int32_t";
  case 12:
    return "uint32_t";
  case 7:
    return "int64_t";
  case 13:
    return "uint64_t";
  }
  return "void";
}

/// ONNX's name of a data type, for comments.
const char *dtypeName(int dtype) {
  switch (dtype) {
  case 1:
    return "FLOAT";
  case 2:
    return "UINT8";
  case 3:
    return "INT8";
  case 4:
    return "UINT16";
  case 5:
    return "INT16";
  case 6:
    return "INT32";
  case 7:
    return "INT64";
  case 9:
    return "BOOL";
  case 10:
    return "FLOAT16";
  case 11:
    return "DOUBLE";
  case 12:
    return "UINT32";
  case 13:
    return "UINT64";
  case 16:
    return "BFLOAT16";
  }
  return "?";
}

/// One graph input or output as the runtime carries it.
struct TensorSig {
  std::string name;
  int dtype;
  SmallVector<int64_t> shape; // -1: dynamic
};

struct Signature {
  std::string entryName;
  SmallVector<TensorSig> inputs, outputs;
};

/// `entry`'s signature; fails on types the runtime cannot carry.
llvm::Expected<Signature> collectSignature(func::FuncOp entry) {
  Signature sig;
  sig.entryName = entry.getSymName().str();
  FunctionType type = entry.getFunctionType();
  auto collect = [&](bool result, TypeRange types,
                     SmallVector<TensorSig> &into) -> llvm::Error {
    for (auto [i, t] : llvm::enumerate(types)) {
      DictionaryAttr dict =
          result ? entry.getResultAttrDict(i) : entry.getArgAttrDict(i);
      auto tensor = dyn_cast<RankedTensorType>(t);
      if (!tensor)
        return llvm::createStringError("model signature holds a non-tensor "
                                       "type");
      bool isUnsigned = dict && dict.get("onnx.unsigned");
      std::optional<int> dtype =
          onnxDataType(tensor.getElementType(), isUnsigned);
      if (!dtype)
        return llvm::createStringError(
            "model signature holds element type " +
            llvm::Twine(tensor.getElementType().getAbstractType().getName()) +
            ", which the runtime cannot carry");
      TensorSig sigOf;
      auto name = dict ? dict.getAs<StringAttr>("onnx.name") : nullptr;
      sigOf.name = name ? name.getValue().str() : "";
      sigOf.dtype = *dtype;
      for (int64_t dim : tensor.getShape())
        sigOf.shape.push_back(ShapedType::isDynamic(dim) ? -1 : dim);
      into.push_back(std::move(sigOf));
    }
    return llvm::Error::success();
  };
  if (llvm::Error error = collect(false, type.getInputs(), sig.inputs))
    return std::move(error);
  if (llvm::Error error = collect(true, type.getResults(), sig.outputs))
    return std::move(error);
  return sig;
}

/// Emits one sift_tensor_spec table named `table`.
void emitSpecs(llvm::raw_ostream &os, llvm::StringRef table,
               ArrayRef<TensorSig> tensors) {
  for (auto [i, tensor] : llvm::enumerate(tensors)) {
    os << "static const int64_t " << table << "_shape_" << i << "[] = {";
    for (int64_t dim : tensor.shape)
      os << dim << ", ";
    os << "0};\n";
  }
  os << "const sift_tensor_spec " << table << "[] = {\n";
  for (auto [i, tensor] : llvm::enumerate(tensors)) {
    os << "  {\"";
    os.write_escaped(tensor.name);
    os << "\", " << tensor.dtype << ", " << tensor.shape.size() << ", " << table
       << "_shape_" << i << "},\n";
  }
  if (tensors.empty())
    os << "  {0, 0, 0, 0},\n";
  os << "};\n";
}

/// Emits `void <function>(void *results)`, which frees each distinct output
/// buffer once (two outputs may share one) and clears the descriptors'
/// pointers. A descriptor is 3 + 2 * rank 8-byte words, the allocated
/// pointer first.
void emitFreeOutputs(llvm::raw_ostream &os, llvm::StringRef signature,
                     ArrayRef<TensorSig> outputs) {
  os << signature << " {\n";
  if (outputs.empty()) {
    os << "  (void)results;\n}\n";
    return;
  }
  os << "  static const int offsets[] = {";
  size_t offset = 0;
  for (const TensorSig &output : outputs) {
    os << offset << ", ";
    offset += 3 + 2 * output.shape.size();
  }
  os << "};\n"
     << "  void **words = (void **)results;\n"
     << "  for (int i = 0; i < " << outputs.size() << "; ++i) {\n"
     << "    int shared = 0;\n"
     << "    for (int j = 0; j < i; ++j)\n"
     << "      shared |= words[offsets[j]] == words[offsets[i]];\n"
     << "    if (!shared)\n"
     << "      free(words[offsets[i]]);\n"
     << "  }\n"
     << "  for (int i = 0; i < " << outputs.size() << "; ++i)\n"
     << "    words[offsets[i]] = words[offsets[i] + 1] = 0;\n"
     << "}\n";
}

/// The declaration of the model's C interface: a pointer to the results
/// (one descriptor, or a struct of them) first when there are any, then one
/// descriptor pointer per input.
void emitEntryDeclaration(llvm::raw_ostream &os, const Signature &sig) {
  os << "extern void _mlir_ciface_" << sig.entryName << "(";
  llvm::ListSeparator comma;
  if (!sig.outputs.empty())
    os << comma << "void *";
  for (size_t i = 0; i < sig.inputs.size(); ++i)
    os << comma << "void *";
  if (sig.inputs.empty() && sig.outputs.empty())
    os << "void";
  os << ");\n";
}

/// The call of the C interface with `results` and the inputs `input(i)`.
template <typename InputFn>
void emitEntryCall(llvm::raw_ostream &os, const Signature &sig,
                   llvm::StringRef results, InputFn input) {
  os << "  _mlir_ciface_" << sig.entryName << "(";
  llvm::ListSeparator comma;
  if (!sig.outputs.empty())
    os << comma << results;
  for (size_t i = 0; i < sig.inputs.size(); ++i)
    os << comma << input(i);
  os << ");\n";
}

/// A descriptor struct type: { T *allocated; T *aligned; int64_t offset;
/// int64_t sizes[rank]; int64_t strides[rank]; }.
void emitDescriptorType(llvm::raw_ostream &os, llvm::StringRef typeName,
                        llvm::StringRef what, size_t index,
                        const TensorSig &tensor) {
  os << "/* " << what << " " << index << " '";
  // Keep the name from closing the comment.
  for (char c : tensor.name)
    os << (c == '*' || c == '\n' ? '_' : c);
  os << "': " << dtypeName(tensor.dtype) << " [";
  llvm::ListSeparator comma;
  for (int64_t dim : tensor.shape) {
    os << comma;
    if (dim < 0)
      os << "?";
    else
      os << dim;
  }
  os << "] */\n";
  const char *element = cElementType(tensor.dtype);
  os << "typedef struct " << typeName << " {\n"
     << "  " << element << " *allocated;\n"
     << "  " << element << " *aligned;\n"
     << "  int64_t offset;\n";
  if (!tensor.shape.empty())
    os << "  int64_t sizes[" << tensor.shape.size() << "];\n"
       << "  int64_t strides[" << tensor.shape.size() << "];\n";
  os << "} " << typeName << ";\n\n";
}

/// The files that executables and libraries link with, and the directory
/// that holds sift/runtime/sift_runtime.h for the executable's glue.
struct RuntimeFiles {
  std::string includeDir;
  std::string runtime;     // libsift_runtime.a
  std::string runtimeMain; // libsift_runtime_main.a
  std::string protobuf;    // libprotobuf.a
};

/// Where the runtime is: the build tree's paths when sparse-compile runs from
/// the build tree it was built in; otherwise, as installed, relative to the
/// directory of its own executable (<prefix>/bin/../lib/sift and
/// <prefix>/bin/../include), so an installed tree works wherever it is copied
/// and without the build tree. An installed tree carries its own copy of
/// libprotobuf.a (the one the runtime's TensorProto code was generated for);
/// without it, the system's from the build machine.
const RuntimeFiles &runtimeFiles() {
  static const RuntimeFiles files = [] {
    RuntimeFiles build{SIFT_INCLUDE_DIR, SIFT_RUNTIME_LIBRARY,
                       SIFT_RUNTIME_MAIN_LIBRARY, SIFT_PROTOBUF_STATIC_LIBRARY};
    static int anchor;
    std::string self = llvm::sys::fs::getMainExecutable(
        nullptr, reinterpret_cast<void *>(&anchor));
    if (self.empty())
      return build;
    llvm::StringRef binDir = llvm::sys::path::parent_path(self);
    if (llvm::sys::fs::equivalent(binDir, SIFT_BUILD_TOOLS_DIR))
      return build;
    auto besideSelf = [&](llvm::StringRef relative, llvm::StringRef file) {
      llvm::SmallString<256> path(binDir);
      llvm::sys::path::append(path, relative, file);
      llvm::sys::path::remove_dots(path, /*remove_dot_dot=*/true);
      return std::string(path);
    };
    RuntimeFiles installed{
        besideSelf(SIFT_INSTALLED_INCLUDE_DIR, ""),
        besideSelf(SIFT_INSTALLED_RUNTIME_DIR, "libsift_runtime.a"),
        besideSelf(SIFT_INSTALLED_RUNTIME_DIR, "libsift_runtime_main.a"),
        besideSelf(SIFT_INSTALLED_RUNTIME_DIR, "libprotobuf.a")};
    if (!llvm::sys::fs::exists(installed.protobuf))
      installed.protobuf = build.protobuf;
    return installed;
  }();
  return files;
}

/// An error naming the first of `paths` that does not exist.
llvm::Error checkRuntimeFiles(ArrayRef<llvm::StringRef> paths) {
  for (llvm::StringRef path : paths)
    if (!llvm::sys::fs::exists(path))
      return llvm::createStringError(
          "cannot find the Sift runtime file '" + path +
          "' (an installed sparse-compile looks for it relative to its own "
          "directory, in " SIFT_INSTALLED_RUNTIME_DIR
          " and " SIFT_INSTALLED_INCLUDE_DIR ")");
  return llvm::Error::success();
}

llvm::Error runLinker(ArrayRef<llvm::StringRef> tail, llvm::StringRef output) {
  llvm::ErrorOr<std::string> compiler = llvm::sys::findProgramByName("c++");
  if (!compiler)
    return llvm::createStringError(
        "cannot find a C++ compiler driver ('c++') to link with");
  SmallVector<llvm::StringRef> args = {*compiler};
#ifdef SIFT_SANITIZE
  // A sanitizer build's runtime libraries call into the sanitizers.
  args.push_back("-fsanitize=" SIFT_SANITIZE);
#endif
  args.append(tail.begin(), tail.end());
  std::string message;
  int status = llvm::sys::ExecuteAndWait(*compiler, args, std::nullopt, {}, 0,
                                         0, &message);
  if (status != 0)
    return llvm::createStringError("linking '" + output + "' failed" +
                                   (message.empty() ? "" : ": " + message) +
                                   " (status " + llvm::Twine(status) + ")");
  return llvm::Error::success();
}
} // namespace

/// The gate table that --profile reads.
static void emitGates(llvm::raw_ostream &os, ArrayRef<sift::GateInfo> gates,
                      int64_t numParameters) {
  os << "const int32_t sift_model_num_gates = " << gates.size() << ";\n"
     << "const sift_gate_spec sift_model_gates[] = {\n";
  for (const sift::GateInfo &gate : gates) {
    os << "  {\"";
    os.write_escaped(gate.node);
    os << "\", " << gate.inputs << ", " << gate.outputs << "},\n";
  }
  if (gates.empty())
    os << "  {0, 0, 0},\n";
  os << "};\nconst int64_t sift_model_num_parameters = " << numParameters
     << ";\n";
}

llvm::Expected<std::string>
sift::generateModelGlue(func::FuncOp entry, ArrayRef<GateInfo> gates,
                        int64_t numParameters) {
  llvm::Expected<Signature> sig = collectSignature(entry);
  if (!sig)
    return sig.takeError();

  std::string source;
  llvm::raw_string_ostream os(source);
  os << "/* Generated by sparse-compile: the signature and entry point of "
        "one model. */\n"
     << "#include \"sift/runtime/sift_runtime.h\"\n\n"
     << "#include <stdlib.h>\n\n"
     << "const int32_t sift_model_num_inputs = " << sig->inputs.size() << ";\n"
     << "const int32_t sift_model_num_outputs = " << sig->outputs.size()
     << ";\n";
  emitSpecs(os, "sift_model_inputs", sig->inputs);
  emitSpecs(os, "sift_model_outputs", sig->outputs);
  emitGates(os, gates, numParameters);
  os << "\n";
  emitEntryDeclaration(os, *sig);
  os << "\nvoid sift_model_run(void *results, void *const *inputs) {\n";
  emitEntryCall(os, *sig, "results",
                [](size_t i) { return "inputs[" + std::to_string(i) + "]"; });
  os << "}\n\n";
  emitFreeOutputs(os, "void sift_model_free_outputs(void *results)",
                  sig->outputs);
  return source;
}

std::string sift::generateModelWeightsGlue(WeightsFileInfo weights) {
  return "const uint64_t sift_model_weights_size = " +
         std::to_string(weights.size) +
         "u;\nconst uint64_t sift_model_weights_checksum = " +
         std::to_string(weights.checksum) + "u;\n";
}

std::string sift::generateLibraryWeightsGlue(WeightsFileInfo weights) {
  if (!weights.size)
    return "\nstatic void prepare_weights(void) {}\n";
  std::string source;
  llvm::raw_string_ostream os(source);
  os << "\n#include <pthread.h>\n\n"
     << "const char *sift_load_weights(const void *anchor, uint64_t size,\n"
     << "                              uint64_t checksum);\n\n"
     << "static pthread_once_t weights_once = PTHREAD_ONCE_INIT;\n"
     << "static const char *weights_problem;\n\n"
     << "/* The file beside this library: `anchor` is any address in it. */\n"
     << "static void load_weights(void) {\n"
     << "  weights_problem = sift_load_weights((const void *)&load_weights, "
     << weights.size << "u,\n                                      "
     << weights.checksum << "u);\n}\n\n"
     << "static void prepare_weights(void) {\n"
     << "  pthread_once(&weights_once, load_weights);\n"
     << "  if (weights_problem)\n"
     << "    sift_runtime_error(weights_problem);\n}\n";
  return source;
}

std::string sift::libraryPrefixFor(llvm::StringRef output) {
  llvm::StringRef name = llvm::sys::path::filename(output);
  name = name.take_front(name.find('.'));
  name.consume_front("lib");
  std::string prefix;
  for (char c : name)
    prefix += llvm::isAlnum(c) || c == '_' ? c : '_';
  if (prefix.empty() || llvm::isDigit(prefix[0]))
    prefix = "model_" + prefix;
  return prefix;
}

bool sift::isValidLibraryPrefix(llvm::StringRef prefix) {
  return !prefix.empty() && !llvm::isDigit(prefix[0]) &&
         llvm::all_of(prefix,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

/// Emits `static int run_checked(void *outputs, void *const *inputs)`, which
/// the library's run functions share: it checks the inputs against the
/// signature and runs the model, and when the runtime reports an error it
/// returns 1 instead of ending the process. The runtime longjmps back to the
/// setjmp here (lib/runtime/LibraryRun.h explains why that is safe).
static void emitCheckedRun(llvm::raw_ostream &os, const Signature &sig,
                           llvm::StringRef prefix) {
  size_t outputBytes = 0;
  for (const TensorSig &output : sig.outputs)
    outputBytes += 8 * (3 + 2 * output.shape.size());
  os << "\n#include <setjmp.h>\n#include <string.h>\n\n"
     << "_Static_assert(sizeof(" << prefix << "_outputs) == " << outputBytes
     << ", \"the outputs are descriptors\");\n\n"
     << "/* The runtime's side of a run (lib/runtime/LibraryRun.h). */\n"
     << "extern void sift_runtime_enter(jmp_buf *target);\n"
     << "extern void sift_runtime_leave(int failed);\n"
     << "extern const char *sift_runtime_last_error(void);\n"
     << "extern void sift_runtime_error(const char *message);\n"
     << "extern void sift_check_input(int32_t index, const sift_tensor_spec "
        "*spec,\n"
     << "                             const void *descriptor);\n\n"
     << "static void prepare_weights(void);\n\n"
     << "static int run_checked(void *outputs, void *const *inputs) {\n"
     << "  jmp_buf target;\n"
     << "  if (setjmp(target)) {\n"
     << "    sift_runtime_leave(1);\n"
     << "    if (outputs)\n"
     << "      memset(outputs, 0, " << outputBytes << ");\n"
     << "    return 1;\n"
     << "  }\n"
     << "  sift_runtime_enter(&target);\n"
     << "  prepare_weights();\n"
     << "  if (!outputs)\n"
     << "    sift_runtime_error(\"the outputs pointer is null\");\n";
  if (!sig.inputs.empty())
    os << "  if (!inputs)\n"
       << "    sift_runtime_error(\"the inputs pointer is null\");\n"
       << "  for (int32_t i = 0; i < " << sig.inputs.size() << "; ++i)\n"
       << "    sift_check_input(i, &" << prefix
       << "_input_specs[i], inputs[i]);\n";
  emitEntryCall(os, sig, "outputs",
                [](size_t i) { return "inputs[" + std::to_string(i) + "]"; });
  os << "  sift_runtime_leave(0);\n"
     << "  return 0;\n"
     << "}\n";
}

llvm::Expected<sift::LibraryGlue>
sift::generateLibraryGlue(func::FuncOp entry, llvm::StringRef prefix,
                          llvm::StringRef headerName,
                          llvm::StringRef modelName) {
  llvm::Expected<Signature> sig = collectSignature(entry);
  if (!sig)
    return sig.takeError();
  if (sig->outputs.empty())
    return llvm::createStringError("the model has no outputs");
  std::string p = prefix.str();
  std::string guard;
  for (char c : headerName)
    guard += llvm::isAlnum(c) ? llvm::toUpper(c) : '_';
  guard = "SIFT_MODEL_" + guard;

  LibraryGlue glue;
  llvm::raw_string_ostream os(glue.header);
  os << "/* " << headerName
     << ": the C interface of a model compiled by Sift.\n"
     << " *\n"
     << " * Generated by `sparse-compile --emit=lib` from ";
  for (char c : llvm::sys::path::filename(modelName))
    os << (c == '*' ? '_' : c);
  os << ". A program includes\n"
     << " * this header and links the shared library next to it; the library "
        "needs\n"
     << " * nothing beyond libc, libm and libpthread.\n"
     << " *\n"
     << " * Tensors cross the boundary as MLIR memref descriptors, one struct "
        "type per\n"
     << " * input and output below:\n"
     << " *   allocated  the pointer the buffer was allocated with (what "
        "free() takes)\n"
     << " *   aligned    the pointer the elements are addressed from\n"
     << " *   offset     element offset of the first element from `aligned`\n"
     << " *   sizes      the dimensions\n"
     << " *   strides    elements between neighbours along each dimension\n"
     << " * Element (i, j, ...) is aligned[offset + i * strides[0] + j * "
        "strides[1] ...].\n"
     << " * Rank-0 tensors have no sizes or strides.\n"
     << " *\n"
     << " * Inputs belong to the caller. Describe your own buffer: allocated "
        "= aligned =\n"
     << " * the data, offset 0, sizes the shape, strides row-major (the last "
        "1, each\n"
     << " * other the product of the sizes after it). Dimensions shown as ? "
        "may take\n"
     << " * any size; the others must match. The model reads the inputs, "
        "never writes\n"
     << " * or frees them, and keeps no pointer to them after " << p
     << "_run returns.\n"
     << " *\n"
     << " * Outputs belong to the caller: " << p
     << "_run fills each output's descriptor\n"
     << " * with a buffer it malloc'ed, row-major, with the output's sizes. "
        "An output\n"
     << " * never shares memory with an input or with the model's constants, "
        "but two\n"
     << " * outputs can share one buffer (a graph that returns one tensor "
        "twice), so\n"
     << " * release them with " << p
     << "_free_outputs, which frees each buffer once, rather\n"
     << " * than calling free() on each. Every " << p
     << "_run allocates new outputs.\n"
     << " */\n\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "#ifndef SIFT_TENSOR_SPEC_DEFINED\n"
     << "#define SIFT_TENSOR_SPEC_DEFINED\n"
     << "/* Element types, numbered as ONNX's TensorProto.DataType. */\n"
     << "enum sift_dtype {\n"
     << "  SIFT_FLOAT = 1,\n  SIFT_UINT8 = 2,\n  SIFT_INT8 = 3,\n"
     << "  SIFT_UINT16 = 4,\n  SIFT_INT16 = 5,\n  SIFT_INT32 = 6,\n"
     << "  SIFT_INT64 = 7,\n  SIFT_BOOL = 9,\n  SIFT_FLOAT16 = 10,\n"
     << "  SIFT_DOUBLE = 11,\n  SIFT_UINT32 = 12,\n  SIFT_UINT64 = 13,\n"
     << "  SIFT_BFLOAT16 = 16\n};\n\n"
     << "/* One graph input or output; a dimension of -1 is dynamic. */\n"
     << "typedef struct sift_tensor_spec {\n"
     << "  const char *name;\n  int32_t dtype;\n  int32_t rank;\n"
     << "  const int64_t *shape;\n} sift_tensor_spec;\n"
     << "#endif /* SIFT_TENSOR_SPEC_DEFINED */\n\n";
  for (auto [i, tensor] : llvm::enumerate(sig->inputs))
    emitDescriptorType(os, p + "_input_" + std::to_string(i), "Input", i,
                       tensor);
  for (auto [i, tensor] : llvm::enumerate(sig->outputs))
    emitDescriptorType(os, p + "_output_" + std::to_string(i), "Output", i,
                       tensor);
  os << "/* All outputs, in graph-output order. */\n"
     << "typedef struct " << p << "_outputs {\n";
  for (size_t i = 0; i < sig->outputs.size(); ++i)
    os << "  " << p << "_output_" << i << " output_" << i << ";\n";
  os << "} " << p << "_outputs;\n\n"
     << "/* The signature, for generic callers: element types, ranks and "
        "shapes\n"
     << " * (-1 for a dynamic dimension) in graph order. */\n"
     << "extern const int32_t " << p << "_num_inputs;\n"
     << "extern const int32_t " << p << "_num_outputs;\n"
     << "extern const sift_tensor_spec " << p << "_input_specs[];\n"
     << "extern const sift_tensor_spec " << p << "_output_specs[];\n\n"
     << "/* Runs the model on the inputs and fills *outputs with new "
        "buffers;\n"
     << " * returns 0. On an error that only the inputs reveal (a size that "
        "does not\n"
     << " * match the model, a run-time check that fails: an integer "
        "division by\n"
     << " * zero, a negative or overflowing run-time dimension; memory "
        "running out)\n"
     << " * it returns non-zero instead, with the reason in " << p
     << "_last_error() and\n"
     << " * *outputs zeroed (" << p
     << "_free_outputs on them does nothing). A failed run\n"
     << " * frees what it allocated and leaves the library usable: run it "
        "again. */\n"
     << "int " << p << "_run(" << p << "_outputs *outputs";
  for (size_t i = 0; i < sig->inputs.size(); ++i)
    os << ", const " << p << "_input_" << i << " *input_" << i;
  os << ");\n\n"
     << "/* The same, untyped: `inputs[i]` points at input i's descriptor; "
        "`outputs`\n"
     << " * receives the output descriptors one after another (3 + 2 * rank "
        "8-byte\n"
     << " * words each). Returns as " << p << "_run. */\n"
     << "int " << p << "_run_packed(void *outputs, void *const *inputs);\n\n"
     << "/* Why this thread's last " << p << "_run or " << p
     << "_run_packed failed, as\n"
     << " * \"node 'q' (Div): integer division by zero\"; \"\" after one "
        "that succeeded.\n"
     << " * The string belongs to the library and changes with the "
        "thread's next run. */\n"
     << "const char *" << p << "_last_error(void);\n\n"
     << "/* Frees the buffers of one " << p
     << "_run's outputs, each once, and clears their\n"
     << " * pointers. */\n"
     << "void " << p << "_free_outputs(" << p << "_outputs *outputs);\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n"
     << "#endif /* " << guard << " */\n";

  llvm::raw_string_ostream src(glue.source);
  src << "/* Generated by sparse-compile: the API of one model's shared "
         "library. */\n"
      << glue.header << "\n#include <stdlib.h>\n\n"
      << "_Static_assert(sizeof(void *) == 8, \"descriptors are 8-byte "
         "words\");\n\n"
      << "const int32_t " << p << "_num_inputs = " << sig->inputs.size()
      << ";\n"
      << "const int32_t " << p << "_num_outputs = " << sig->outputs.size()
      << ";\n";
  emitSpecs(src, p + "_input_specs", sig->inputs);
  emitSpecs(src, p + "_output_specs", sig->outputs);
  src << "\n";
  emitEntryDeclaration(src, *sig);
  emitCheckedRun(src, *sig, p);
  src << "\nint " << p << "_run_packed(void *outputs, void *const *inputs) "
      << "{\n  return run_checked(outputs, inputs);\n}\n\nint " << p
      << "_run(" << p << "_outputs *outputs";
  for (size_t i = 0; i < sig->inputs.size(); ++i)
    src << ", const " << p << "_input_" << i << " *input_" << i;
  src << ") {\n";
  // The model does not write its inputs (sparse-compile marks them
  // read-only for bufferization), so dropping const is safe.
  if (sig->inputs.empty()) {
    src << "  return run_checked(outputs, 0);\n";
  } else {
    src << "  void *const inputs[] = {";
    llvm::ListSeparator comma;
    for (size_t i = 0; i < sig->inputs.size(); ++i)
      src << comma << "(void *)input_" << i;
    src << "};\n  return run_checked(outputs, inputs);\n";
  }
  src << "}\n\nconst char *" << p << "_last_error(void) {\n"
      << "  return sift_runtime_last_error();\n}\n\n";
  emitFreeOutputs(src, "static void free_output_words(void *results)",
                  sig->outputs);
  src << "\nvoid " << p << "_free_outputs(" << p << "_outputs *outputs) {\n"
      << "  free_output_words(outputs);\n}\n";

  for (const char *suffix :
       {"_num_inputs", "_num_outputs", "_input_specs", "_output_specs", "_run",
        "_run_packed", "_free_outputs", "_last_error"})
    glue.exports.push_back(p + suffix);
  return glue;
}

llvm::Error sift::linkExecutable(llvm::StringRef object, llvm::StringRef glue,
                                 llvm::StringRef output) {
  const RuntimeFiles &files = runtimeFiles();
  std::string header = files.includeDir + "/sift/runtime/sift_runtime.h";
  if (llvm::Error error = checkRuntimeFiles(
          {files.runtimeMain, files.runtime, files.protobuf, header}))
    return error;
  return runLinker({"-O2", "-I", files.includeDir, "-x", "c", glue, "-x",
                    "none", object, files.runtimeMain, files.runtime,
                    files.protobuf, "-static-libstdc++", "-static-libgcc",
                    "-lm", "-lpthread", "-o", output},
                   output);
}

llvm::Error sift::linkSharedLibrary(llvm::StringRef object,
                                    llvm::StringRef glue,
                                    ArrayRef<std::string> exports,
                                    llvm::StringRef output) {
  const RuntimeFiles &files = runtimeFiles();
  if (llvm::Error error = checkRuntimeFiles({files.runtime}))
    return error;
  // A version script exports the API and hides the rest: the model's own
  // functions, the runtime, and the static C++ library.
  std::string scriptPath = (output + ".exports.map").str();
  {
    std::error_code ec;
    llvm::raw_fd_ostream script(scriptPath, ec, llvm::sys::fs::OF_Text);
    if (ec)
      return llvm::createStringError("cannot write '" + scriptPath +
                                     "': " + ec.message());
    script << "{\n  global:\n";
    for (const std::string &name : exports)
      script << "    " << name << ";\n";
    script << "  local: *;\n};\n";
  }
  std::string versionScript = "-Wl,--version-script=" + scriptPath;
  llvm::Error error =
      runLinker({"-shared", "-fPIC", "-O2", "-x", "c", glue, "-x", "none",
                 object, files.runtime, "-static-libstdc++", "-static-libgcc",
                 versionScript, "-Wl,--no-undefined", "-Wl,--as-needed", "-lm",
                 "-lpthread", "-o", output},
                output);
  llvm::sys::fs::remove(scriptPath);
  return error;
}
