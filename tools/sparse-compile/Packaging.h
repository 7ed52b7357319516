//===- Packaging.h - Objects to executables and libraries -------*- C++ -*-===//

#ifndef SIFT_TOOLS_SPARSE_COMPILE_PACKAGING_H
#define SIFT_TOOLS_SPARSE_COMPILE_PACKAGING_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace sift {

/// One gated matmul of a model, in walk order (its gate index).
struct GateInfo {
  std::string node;
  int64_t inputs = 0;  // K: activations the gate sees per token
  int64_t outputs = 0; // N: weights per activation
  int64_t weightBytes = 0;
};

/// C source that describes `entry`'s signature (sift_model_inputs/outputs),
/// its gates and parameter count, and defines sift_model_run over its C
/// interface, as sift_runtime.h declares.
llvm::Expected<std::string> generateModelGlue(mlir::func::FuncOp entry,
                                              llvm::ArrayRef<GateInfo> gates,
                                              int64_t numParameters);

/// The weights file of a model (see sift/runtime/WeightsFile.h): its size
/// and checksum, or a size of 0 when every constant is in the object.
struct WeightsFileInfo {
  uint64_t size = 0;
  uint64_t checksum = 0;
};

/// C source completing generateModelGlue's: the weights file's size and
/// checksum, which the executable checks the file against at start.
std::string generateModelWeightsGlue(WeightsFileInfo weights);

/// What a shared library of one model needs besides its object: the public
/// C header, and the C source of its API, every exported symbol starting
/// with `prefix` and "_".
struct LibraryGlue {
  std::string header;
  std::string source;
  /// The symbols the library exports.
  std::vector<std::string> exports;
};

/// The C header and glue of a shared library whose API is `<prefix>_run`
/// (which returns non-zero on a run-time error instead of ending the
/// process), `<prefix>_last_error`, `<prefix>_free_outputs`, and the
/// signature tables `<prefix>_num_inputs`,
/// `<prefix>_input_specs`, ...; `headerName` names the header in its own
/// comments and include guard. `modelName` is the model's file, for the
/// header's comment.
llvm::Expected<LibraryGlue> generateLibraryGlue(mlir::func::FuncOp entry,
                                                llvm::StringRef prefix,
                                                llvm::StringRef headerName,
                                                llvm::StringRef modelName);

/// C source completing generateLibraryGlue's: `prepare_weights()`, which
/// the run functions call first, maps the weights file beside the library
/// on the first call and reports a missing or mismatched file.
std::string generateLibraryWeightsGlue(WeightsFileInfo weights);

/// The C identifier a shared library at `output` prefixes its API with:
/// its file name without directories, extensions and a leading "lib", with
/// characters outside [A-Za-z0-9_] replaced by '_' ("libdigits.so" gives
/// "digits").
std::string libraryPrefixFor(llvm::StringRef output);

/// Whether `prefix` is a C identifier that can prefix a library's API.
bool isValidLibraryPrefix(llvm::StringRef prefix);

/// Links the model object and its glue with the runtime into a standalone
/// executable at `output`.
llvm::Error linkExecutable(llvm::StringRef object, llvm::StringRef glue,
                           llvm::StringRef output);

/// Links the model object and its library glue with the runtime into a
/// shared library at `output` that exports only `exports` and needs nothing
/// beyond libc, libm and libpthread.
llvm::Error linkSharedLibrary(llvm::StringRef object, llvm::StringRef glue,
                              llvm::ArrayRef<std::string> exports,
                              llvm::StringRef output);

} // namespace sift

#endif // SIFT_TOOLS_SPARSE_COMPILE_PACKAGING_H
