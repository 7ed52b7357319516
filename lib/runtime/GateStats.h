//===- GateStats.h - What the gated kernels observe at run time -*- C++ -*-===//
//
// Each gated matmul of a compiled model has an index (its position in the
// model's gate table). The kernels report here how many activations each
// gate zeroed and how many weight rows they read, for `--profile`; record
// the magnitudes the gate saw, for calibration; and take thresholds that
// replace the compiled ones, so that calibration runs the very code users
// get with thresholds it is trying out.
//
//===----------------------------------------------------------------------===//

#ifndef SIFT_RUNTIME_GATESTATS_H
#define SIFT_RUNTIME_GATESTATS_H

#include <cstdint>
#include <string>
#include <vector>

namespace sift::runtime {

struct GateCounters {
  uint64_t calls = 0;
  /// Rows of the input (tokens) seen, and their activations.
  uint64_t tokens = 0;
  uint64_t activations = 0;
  /// Activations that were zero after the gate.
  uint64_t zeroed = 0;
  /// Weight rows the kernel read (the rows active in any token of a call).
  uint64_t rowsRead = 0;
};

struct GateObserver {
  bool counting = false;
  bool recording = false;
  std::vector<GateCounters> counters;
  /// Per gate, the magnitudes of its input activations, before gating.
  std::vector<std::vector<float>> magnitudes;
  /// Per gate, thresholds that replace the compiled ones (empty: none).
  std::vector<std::vector<float>> overrides;
};

/// The process-wide observer the kernels consult.
GateObserver &gateObserver();

/// Reads threshold overrides: one line per gate, "INDEX T0 [T1 ...]".
bool readThresholdOverrides(const std::string &path, std::string &error);

/// Writes the recorded magnitudes: per gate, a little-endian int64 index,
/// an int64 count, then that many float32 values.
bool writeRecordedMagnitudes(const std::string &path, std::string &error);

} // namespace sift::runtime

#endif // SIFT_RUNTIME_GATESTATS_H
