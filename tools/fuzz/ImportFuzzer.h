//===- ImportFuzzer.h - Feeding bytes to the ONNX importer ------*- C++ -*-===//
//
// The body of the importer's fuzz targets: they differ only in the inputs
// they start from (binary or text-format models).
//
//===----------------------------------------------------------------------===//

#ifndef SIFT_TOOLS_FUZZ_IMPORTFUZZER_H
#define SIFT_TOOLS_FUZZ_IMPORTFUZZER_H

#include <cstddef>
#include <cstdint>

namespace sift::fuzz {

/// Imports `data` as an ONNX model through sift::importONNXModel, the entry
/// point of `sparse-translate --import-onnx`, and discards the result and
/// every diagnostic.
void importModel(const uint8_t *data, size_t size);

} // namespace sift::fuzz

#endif // SIFT_TOOLS_FUZZ_IMPORTFUZZER_H
