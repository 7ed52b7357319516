//===- fuzz-tensor-pb.cpp - Fuzz the executable's .pb reader --------------===//
//
// Reads ONNX TensorProto (.pb) files as a compiled executable reads its
// inputs; seeded with the ONNX backend test data's input_*.pb files
// (scripts/fuzz.sh).
//
//===----------------------------------------------------------------------===//

#include "TensorFileFuzzer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sift::fuzz::readTensor(".pb", data, size);
  return 0;
}
