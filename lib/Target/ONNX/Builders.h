//===- Builders.h - IR building helpers for ONNX converters -----*- C++ -*-===//

#ifndef SIFT_LIB_TARGET_ONNX_BUILDERS_H
#define SIFT_LIB_TARGET_ONNX_BUILDERS_H

#include "NodeContext.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace sift::onnx_import {

/// Builds the scalar body of an elementwise op from its scalar operands.
using ScalarBodyBuilder = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// Applies `body` elementwise to `operands` under numpy broadcasting (the
/// rule of ONNX's multidirectional broadcasting), as one linalg.generic
/// whose result has element type `resultElementType`. A dynamic dimension is
/// assumed to match the other operands (never to be a broadcast 1). Reports
/// at the node and fails when static shapes cannot broadcast.
mlir::FailureOr<mlir::Value>
buildElementwise(NodeContext &ctx, mlir::ValueRange operands,
                 mlir::Type resultElementType, ScalarBodyBuilder body);

/// The broadcast result shape of `shapes`, or failure when two static sizes
/// other than 1 disagree.
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<llvm::ArrayRef<int64_t>> shapes);

/// tensor.empty of `shape`, taking each dynamic size from the same
/// dimension of `like` (which must have rank `shape.size()`).
mlir::Value createEmptyLike(mlir::OpBuilder &builder, mlir::Location loc,
                            llvm::ArrayRef<int64_t> shape,
                            mlir::Type elementType, mlir::Value like);

/// Converts a scalar between numeric types (float, signed or unsigned
/// integer, i1) with ONNX Cast semantics: float to integer truncates toward
/// zero, to bool is `!= 0`.
mlir::Value convertScalar(mlir::OpBuilder &builder, mlir::Location loc,
                          mlir::Value value, mlir::Type to,
                          bool sourceUnsigned, bool targetUnsigned);

/// Scalar arithmetic on floats or integers (signed or, with `isUnsigned`,
/// unsigned); max and min of floats propagate NaN, as numpy's do.
mlir::Value createAdd(mlir::OpBuilder &builder, mlir::Location loc,
                      mlir::Value lhs, mlir::Value rhs);
mlir::Value createMul(mlir::OpBuilder &builder, mlir::Location loc,
                      mlir::Value lhs, mlir::Value rhs);
mlir::Value createMax(mlir::OpBuilder &builder, mlir::Location loc,
                      mlir::Value lhs, mlir::Value rhs, bool isUnsigned);
mlir::Value createMin(mlir::OpBuilder &builder, mlir::Location loc,
                      mlir::Value lhs, mlir::Value rhs, bool isUnsigned);

/// log(1 + exp(x)) of a float scalar, without overflow:
/// max(x, 0) + log1p(exp(-|x|)).
mlir::Value buildSoftplus(mlir::OpBuilder &builder, mlir::Location loc,
                          mlir::Value x);

/// min(1, max(0, alpha * x + beta)) of a float scalar.
mlir::Value buildHardSigmoid(mlir::OpBuilder &builder, mlir::Location loc,
                             mlir::Value x, double alpha, double beta);

/// A scalar constant of `type` (float or integer) holding `value`.
mlir::Value scalarConstant(mlir::OpBuilder &builder, mlir::Location loc,
                           mlir::Type type, double value);

/// Normalises a possibly negative axis into [0, rank); reports and fails
/// when it is out of range.
mlir::FailureOr<int64_t> normalizeAxis(NodeContext &ctx, int64_t axis,
                                       int64_t rank);

} // namespace sift::onnx_import

#endif // SIFT_LIB_TARGET_ONNX_BUILDERS_H
