//===- fuzz-import-binary.cpp - Fuzz the importer on binary models --------===//
//
// Seeded with binary ModelProto files (scripts/fuzz.sh).
//
//===----------------------------------------------------------------------===//

#include "ImportFuzzer.h"

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  sift::fuzz::warmUpImporter();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sift::fuzz::importModel(data, size);
  return 0;
}
