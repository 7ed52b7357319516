//===- MatmulMatchers.h - Recognising the matmuls Sift rewrites -*- C++ -*-===//

#ifndef SIFT_UTILS_MATMULMATCHERS_H
#define SIFT_UTILS_MATMULMATCHERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>

namespace sift {

/// How a linalg.matmul reads its right operand.
enum class RhsLayout {
  /// [K, N]: the default maps.
  InputMajor,
  /// [N, K]: maps that transpose B, as imported from Gemm with transB=1.
  OutputMajor,
};

/// The layout in which `op` reads B, or nullopt for any other maps.
std::optional<RhsLayout> getRhsLayout(mlir::linalg::MatmulOp op);

/// Whether `op` has two inputs and accumulates into a linalg.fill of +0.0.
bool startsFromZero(mlir::linalg::MatmulOp op);

/// Whether `op` computes a plain product: it starts from zero and has no
/// casts between element types.
bool isPlainProduct(mlir::linalg::MatmulOp op);


/// Whether `op` is a matmul over its pixels: a 1x1 filter, unit strides and
/// dilations, static shapes but for the batch, and one float element type
/// throughout.
bool isPointwiseConv(mlir::linalg::Conv2DNchwFchwOp op);

} // namespace sift

#endif // SIFT_UTILS_MATMULMATCHERS_H
