//===- Sparsify.h - Gates, calibration and the report -----------*- C++ -*-===//

#ifndef SIFT_TOOLS_SPARSE_COMPILE_SPARSIFY_H
#define SIFT_TOOLS_SPARSE_COMPILE_SPARSIFY_H

#include "Calibration.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace sift {

struct SparsifyOptions {
  double sparsity = 0;
  /// A bound on the output error (kErrorMetric) for greedy allocation.
  std::optional<double> maxError;
  bool lossless = false;
  std::string gates = "all";
  Allocation allocation = Allocation::Uniform;
  std::string calibration;
  /// Held-out data to compare the gated model with the dense one on.
  std::string verification;
  std::string reportPath;
  /// Order feed-forward neurons by calibrated activation frequency.
  bool reorderNeurons = true;
  std::string modelPath;
  int numInputs = 0;
  /// Bytes per weight in the compiled model when they are stored narrower
  /// than the IR's f32 (--weight-type); 0 when they are not.
  int storedWeightBytes = 0;
};

/// Builds an executable of `module` (which it lowers) at `path`.
using BuildExecutable =
    llvm::function_ref<llvm::Error(mlir::ModuleOp module,
                                   llvm::ArrayRef<GateInfo> gates,
                                   llvm::StringRef path)>;

/// Gates `module`'s matmuls, calibrates their thresholds on the user's data
/// (by building and running the model) and writes the report. Returns the
/// gate table of the result.
llvm::Expected<std::vector<GateInfo>>
sparsify(mlir::ModuleOp module, int64_t numParameters,
         const SparsifyOptions &options, BuildExecutable build);

} // namespace sift

#endif // SIFT_TOOLS_SPARSE_COMPILE_SPARSIFY_H
