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

/// Imports one small valid model, so that the one-time set-up of the first
/// import (ONNX's schema registry, MLIR's dialects: seconds) is not charged
/// to the first input's time limit.
void warmUpImporter();

} // namespace sift::fuzz

#endif // SIFT_TOOLS_FUZZ_IMPORTFUZZER_H
