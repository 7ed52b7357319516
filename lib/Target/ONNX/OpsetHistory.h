//===- OpsetHistory.h - When ONNX op definitions changed --------*- C++ -*-===//

#ifndef SIFT_LIB_TARGET_ONNX_OPSETHISTORY_H
#define SIFT_LIB_TARGET_ONNX_OPSETHISTORY_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace sift::onnx_import {

/// The opset in which the definition of default-domain op `opType` that is
/// in force at `opset` was introduced, from ONNX's own schema registry; none
/// when the op did not exist yet.
std::optional<int> definitionSince(llvm::StringRef opType, int opset);

/// One input that an op's ONNX schema declares.
struct FormalInput {
  enum class Kind { Required, Optional, Variadic };
  std::string name;
  Kind kind;
  /// How many values a Variadic input needs at least.
  int minArity;
};

/// The inputs that ONNX's schema of default-domain op `opType` at `opset`
/// declares, in order; none when the op is not defined at that opset.
std::optional<std::vector<FormalInput>> formalInputs(llvm::StringRef opType,
                                                     int opset);

} // namespace sift::onnx_import

#endif // SIFT_LIB_TARGET_ONNX_OPSETHISTORY_H
