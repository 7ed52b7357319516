//===- TensorFileFuzzer.h - Feeding bytes to the tensor readers -*- C++ -*-===//
//
// The body of the tensor readers' fuzz targets. The executable's reader
// (lib/runtime/TensorFile.cpp) takes a path and picks the format by its
// suffix, so the bytes go through a file.
//
//===----------------------------------------------------------------------===//

#ifndef SIFT_TOOLS_FUZZ_TENSORFILEFUZZER_H
#define SIFT_TOOLS_FUZZ_TENSORFILEFUZZER_H

#include <cstddef>
#include <cstdint>

namespace sift::fuzz {

/// Writes `data` to a file of this process whose name ends in `suffix`
/// (".npy" or ".pb") and reads it with sift::runtime::readTensorFile.
void readTensor(const char *suffix, const uint8_t *data, size_t size);

} // namespace sift::fuzz

#endif // SIFT_TOOLS_FUZZ_TENSORFILEFUZZER_H
