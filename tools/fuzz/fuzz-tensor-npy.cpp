//===- fuzz-tensor-npy.cpp - Fuzz the executable's .npy reader ------------===//
//
// Reads NumPy .npy files as a compiled executable reads its inputs; seeded
// with files made by scripts/fuzz/make-npy-seeds.py (scripts/fuzz.sh).
//
//===----------------------------------------------------------------------===//

#include "TensorFileFuzzer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sift::fuzz::readTensor(".npy", data, size);
  return 0;
}
