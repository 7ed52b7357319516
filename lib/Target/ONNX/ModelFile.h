//===- ModelFile.h - Reading ONNX model files -------------------*- C++ -*-===//

#ifndef SIFT_LIB_TARGET_ONNX_MODELFILE_H
#define SIFT_LIB_TARGET_ONNX_MODELFILE_H

#include "llvm/ADT/StringRef.h"

#include "onnx/onnx_pb.h"

#include <optional>
#include <string>

namespace sift::onnx_import {

/// Parses `bytes`, a ModelProto in binary or protobuf text format, into
/// `model`; on failure returns a message naming `modelPath`.
std::optional<std::string> parseModel(llvm::StringRef bytes,
                                      llvm::StringRef modelPath,
                                      onnx::ModelProto &model);

/// The name diagnostics and locations give node `index` of a graph: its own,
/// or "<OpType>_<index>" when it has none.
std::string nodeNameAt(const onnx::NodeProto &node, size_t index);

} // namespace sift::onnx_import

#endif // SIFT_LIB_TARGET_ONNX_MODELFILE_H
