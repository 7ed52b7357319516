//===- Calibration.h - Thresholds from running the model --------*- C++ -*-===//
//
// Calibration runs the compiled model itself (the executable users get, with
// its gates at threshold 0) on the user's calibration data. The executable
// records the magnitudes each gate sees and accepts thresholds that replace
// the compiled ones, so every candidate threshold is tried by the very
// kernels that will run it.
//
//===----------------------------------------------------------------------===//

#ifndef SIFT_TOOLS_SPARSE_COMPILE_CALIBRATION_H
#define SIFT_TOOLS_SPARSE_COMPILE_CALIBRATION_H

#include "Packaging.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace sift {

/// The gated matmuls of `module` in walk order, and its parameter count
/// (elements of its floating-point constants).
std::vector<GateInfo> collectGates(mlir::ModuleOp module);
int64_t countParameters(mlir::ModuleOp module);

/// Sets each gated matmul's threshold (walk order) to `thresholds[i]`.
void setThresholds(mlir::ModuleOp module, llvm::ArrayRef<float> thresholds);

enum class Allocation { Uniform, Greedy };

/// What --max-error bounds and greedy allocation weighs against the bytes it
/// skips (see modelError).
constexpr llvm::StringLiteral kErrorMetric =
    "max over f32 outputs of the mean relative L2 error per row, "
    "||sparse - dense|| / ||dense||";

struct CalibrationOptions {
  /// A directory in ONNX test-data layout or .npy files (comma-separated,
  /// one per graph input) whose dimension 0 stacks batches.
  std::string data;
  double sparsity = 0;
  /// A bound on the model's output error (kErrorMetric) for greedy
  /// allocation: its steps stop before they exceed it, on the calibration
  /// data and on `heldOutData` when that is given. With `sparsity` too, the
  /// share of gated weight bytes skipped stops at `sparsity`.
  std::optional<double> maxError;
  std::string heldOutData;
  Allocation allocation = Allocation::Uniform;
  int numInputs = 0;
  std::string scratchDir;
};

/// What the gates do on the calibration data with all thresholds in place.
struct GateMeasurement {
  /// Per gate, the share of its activations it zeroes.
  std::vector<double> sparsity;
  /// Per gate and input channel, the share of tokens in which the channel
  /// survives the gate.
  std::vector<std::vector<float>> frequency;
};

struct CalibrationResult {
  std::vector<float> thresholds;
  GateMeasurement measured;
  /// Greedy allocation, per gate: the increase in the model's output error
  /// on the calibration data that each of its steps caused when it was
  /// taken, summed. With maxError these add up to `error`.
  std::vector<double> errorIncrease;
  /// With maxError: the model's output error on the calibration data with
  /// `thresholds`.
  double error = 0;
};

/// Chooses thresholds for `gates` by running `executable` (compiled with the
/// gates at threshold 0) on the calibration data.
llvm::Expected<CalibrationResult>
calibrate(llvm::StringRef executable, llvm::ArrayRef<GateInfo> gates,
          const CalibrationOptions &options);

/// Measures what each gate does with `thresholds` (empty: the compiled ones)
/// on the calibration data.
llvm::Expected<GateMeasurement>
measureGates(llvm::StringRef executable, llvm::ArrayRef<GateInfo> gates,
                llvm::ArrayRef<float> thresholds,
                const CalibrationOptions &options);

/// How one f32 output of the gated model differs from the dense model's, row
/// by row (a row is one vector along the last dimension, e.g. one token's
/// logits), on held-out data.
struct OutputComparison {
  unsigned index = 0;
  /// False for outputs of other types or rank 0, which are not compared.
  bool compared = false;
  int64_t rows = 0;
  /// ||sparse - dense|| / ||dense|| per row: the largest and the mean.
  double maxRelativeError = 0;
  double meanRelativeError = 0;
  /// Rows whose largest entry (top-1 class) is the same.
  double top1Agreement = 0;
};

struct Verification {
  /// Every output, in order.
  std::vector<OutputComparison> outputs;
  /// Per gate, the sparsity realised on the held-out data.
  std::vector<double> sparsity;
};

/// The model's output error that --max-error bounds (kErrorMetric): the
/// largest mean relative error per row over the compared outputs.
double modelError(llvm::ArrayRef<OutputComparison> outputs);

/// Runs `executable` (compiled with the gates at 0, i.e. dense) on the data
/// of `options` without and with `thresholds`, and compares.
llvm::Expected<Verification>
verifyAgainstDense(llvm::StringRef executable, llvm::ArrayRef<GateInfo> gates,
                   llvm::ArrayRef<float> thresholds,
                   const CalibrationOptions &options);

} // namespace sift

#endif // SIFT_TOOLS_SPARSE_COMPILE_CALIBRATION_H
