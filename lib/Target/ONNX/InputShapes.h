//===- InputShapes.h - Fixing a graph's input dimensions --------*- C++ -*-===//

#ifndef SIFT_LIB_TARGET_ONNX_INPUTSHAPES_H
#define SIFT_LIB_TARGET_ONNX_INPUTSHAPES_H

#include "sift/Target/ONNX/ImportONNX.h"

#include "onnx/onnx_pb.h"

#include <optional>
#include <string>

namespace sift::onnx_import {

/// Gives the graph inputs that `shapes` names (by name, or by position among
/// the inputs that are not initializers) those dimensions, and every other
/// input or output dimension that shares a symbolic name with one fixed
/// here the same size. Returns why it cannot: an unknown input, another
/// rank, a conflict with a static dimension or between two fixings of one
/// symbol.
std::optional<std::string>
applyInputShapes(onnx::GraphProto &graph, llvm::ArrayRef<InputShape> shapes);

} // namespace sift::onnx_import

#endif // SIFT_LIB_TARGET_ONNX_INPUTSHAPES_H
