//===- fuzz-import-text.cpp - Fuzz the importer on text-format models -----===//
//
// Seeded with ModelProto files in protobuf text format and run with a
// dictionary of onnx.proto's field names (scripts/fuzz.sh).
//
//===----------------------------------------------------------------------===//

#include "ImportFuzzer.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  sift::fuzz::warmUpImporter();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // Keep the corpus to text: a byte that text never holds sends the input to
  // the binary parser, which the other target covers.
  if (!llvm::all_of(llvm::ArrayRef(data, size), [](uint8_t c) {
        return llvm::isPrint(c) || llvm::isSpace(c);
      }))
    return -1;
  sift::fuzz::importModel(data, size);
  return 0;
}
