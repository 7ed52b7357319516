//===- NodeNames.h - The ONNX node an op came from --------------*- C++ -*-===//

#ifndef SIFT_UTILS_NODENAMES_H
#define SIFT_UTILS_NODENAMES_H

#include "mlir/IR/Location.h"

namespace sift {

/// The ONNX node name that the importer put in `loc` (the outermost name of
/// a NameLoc chain, looking through fused locations); empty when none.
llvm::StringRef getNodeName(mlir::Location loc);

/// The ONNX op type that the importer put in `loc` (the location inside the
/// node's name), looking through fused locations; empty when none.
llvm::StringRef getNodeOpType(mlir::Location loc);

} // namespace sift

#endif // SIFT_UTILS_NODENAMES_H
