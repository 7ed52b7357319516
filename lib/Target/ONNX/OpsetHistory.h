//===- OpsetHistory.h - When ONNX op definitions changed --------*- C++ -*-===//

#ifndef SIFT_LIB_TARGET_ONNX_OPSETHISTORY_H
#define SIFT_LIB_TARGET_ONNX_OPSETHISTORY_H

#include "llvm/ADT/StringRef.h"

#include <optional>

namespace sift::onnx_import {

/// The opset in which the definition of default-domain op `opType` that is
/// in force at `opset` was introduced, from ONNX's own schema registry; none
/// when the op did not exist yet.
std::optional<int> definitionSince(llvm::StringRef opType, int opset);

} // namespace sift::onnx_import

#endif // SIFT_LIB_TARGET_ONNX_OPSETHISTORY_H
