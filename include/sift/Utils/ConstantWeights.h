//===- ConstantWeights.h - Reading and rewriting f32 weights ----*- C++ -*-===//

#ifndef SIFT_UTILS_CONSTANTWEIGHTS_H
#define SIFT_UTILS_CONSTANTWEIGHTS_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace sift {

/// The elements of `value` when an arith.constant defines it (weights known
/// at compile time), else null.
mlir::ElementsAttr getConstantElements(mlir::Value value);

/// The values of an f32 constant, from a resource blob or inline; nothing
/// for other element types or a blob that is not loaded.
std::optional<llvm::SmallVector<float>> getF32Values(mlir::ElementsAttr weights);

/// A new f32 constant of `type` holding `values`, as a resource blob named
/// after `name` (made unique if taken).
mlir::TypedAttr makeF32Weights(mlir::RankedTensorType type,
                               llvm::ArrayRef<float> values,
                               llvm::StringRef name);

/// An input-major [K, N] copy of f32 output-major `weights` of shape
/// [N, ...] (K the product of the other dimensions: a matrix [N, K] or a
/// filter [F, C, KH, KW]), as a new resource blob named after the original;
/// null for other element types.
mlir::TypedAttr transposeToInputMajor(mlir::ElementsAttr weights);

/// A copy of f32 `weights` in `type` (bf16 or f16), rounded to nearest
/// even, as a new resource blob named after the original; null for other
/// element types. `overflowed` counts the finite weights beyond `type`'s
/// range (f16's 65504), which become infinities.
mlir::TypedAttr narrowWeights(mlir::ElementsAttr weights, mlir::FloatType type,
                              int64_t &overflowed);

/// The blob name of `weights` when it is a resource, else `fallback`.
std::string getWeightsName(mlir::ElementsAttr weights,
                           llvm::StringRef fallback);

} // namespace sift

#endif // SIFT_UTILS_CONSTANTWEIGHTS_H
