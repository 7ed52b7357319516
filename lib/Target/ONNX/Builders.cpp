//===- Builders.cpp - IR building helpers for ONNX converters -------------===//

#include "Builders.h"

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace sift::onnx_import;

FailureOr<SmallVector<int64_t>>
sift::onnx_import::broadcastShapes(ArrayRef<ArrayRef<int64_t>> shapes) {
  size_t rank = 0;
  for (ArrayRef<int64_t> shape : shapes)
    rank = std::max(rank, shape.size());
  SmallVector<int64_t> result(rank, 1);
  for (size_t d = 0; d < rank; ++d) {
    bool dynamic = false;
    int64_t size = 1;
    for (ArrayRef<int64_t> shape : shapes) {
      if (d + shape.size() < rank)
        continue;
      int64_t dim = shape[d + shape.size() - rank];
      if (ShapedType::isDynamic(dim)) {
        dynamic = true;
      } else if (dim != 1) {
        if (size != 1 && size != dim)
          return failure();
        size = dim;
      }
    }
    result[d] = size != 1 ? size : (dynamic ? ShapedType::kDynamic : 1);
  }
  return result;
}

Value sift::onnx_import::createEmptyLike(OpBuilder &builder, Location loc,
                                         ArrayRef<int64_t> shape,
                                         Type elementType, Value like) {
  SmallVector<Value> dynamicSizes;
  for (auto [d, size] : llvm::enumerate(shape))
    if (ShapedType::isDynamic(size))
      dynamicSizes.push_back(tensor::DimOp::create(builder, loc, like, d));
  return tensor::EmptyOp::create(builder, loc, shape, elementType,
                                 dynamicSizes);
}

FailureOr<Value> sift::onnx_import::buildElementwise(NodeContext &ctx,
                                                     ValueRange operands,
                                                     Type resultElementType,
                                                     ScalarBodyBuilder body) {
  OpBuilder &b = ctx.builder;
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value operand : operands)
    shapes.push_back(cast<RankedTensorType>(operand.getType()).getShape());
  FailureOr<SmallVector<int64_t>> shape = broadcastShapes(shapes);
  if (failed(shape)) {
    InFlightDiagnostic diag = ctx.emitError();
    diag << "operand shapes do not broadcast:";
    for (Value operand : operands)
      diag << " " << operand.getType();
    return diag;
  }
  int64_t rank = shape->size();

  // Each operand reads its own dimensions, aligned right; broadcast (size 1)
  // dimensions read index 0.
  SmallVector<AffineMap> maps;
  SmallVector<Value> dynamicSizes;
  for (Value operand : operands) {
    ArrayRef<int64_t> operandShape =
        cast<RankedTensorType>(operand.getType()).getShape();
    int64_t offset = rank - operandShape.size();
    SmallVector<AffineExpr> exprs;
    for (auto [j, dim] : llvm::enumerate(operandShape)) {
      bool broadcast = dim == 1 && (*shape)[offset + j] != 1;
      exprs.push_back(broadcast ? b.getAffineConstantExpr(0)
                                : b.getAffineDimExpr(offset + j));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, b.getContext()));
  }
  for (int64_t d = 0; d < rank; ++d) {
    if (!ShapedType::isDynamic((*shape)[d]))
      continue;
    for (Value operand : operands) {
      ArrayRef<int64_t> operandShape =
          cast<RankedTensorType>(operand.getType()).getShape();
      int64_t j = d - (rank - static_cast<int64_t>(operandShape.size()));
      if (j >= 0 && ShapedType::isDynamic(operandShape[j])) {
        dynamicSizes.push_back(tensor::DimOp::create(b, ctx.loc, operand, j));
        break;
      }
    }
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = tensor::EmptyOp::create(b, ctx.loc, *shape, resultElementType,
                                       dynamicSizes);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, ctx.loc, TypeRange{init.getType()}, operands, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location loc, ValueRange args) {
        Value result = body(nb, loc, args.drop_back());
        linalg::YieldOp::create(nb, loc, result);
      });
  return generic.getResult(0);
}

Value sift::onnx_import::convertScalar(OpBuilder &b, Location loc,
                                       Value value, Type to,
                                       bool sourceUnsigned,
                                       bool targetUnsigned) {
  Type from = value.getType();
  if (from == to)
    return value;
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  if (fromFloat && toFloat) {
    // f16 and bf16 have the same width: convert through f32, which holds both
    // exactly.
    if (fromFloat.getWidth() == toFloat.getWidth()) {
      Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
      return arith::TruncFOp::create(b, loc, to, wide);
    }
    if (fromFloat.getWidth() < toFloat.getWidth())
      return arith::ExtFOp::create(b, loc, to, value);
    return arith::TruncFOp::create(b, loc, to, value);
  }
  if (to.isInteger(1)) {
    // Bool is "not zero" from any type.
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value,
                                   scalarConstant(b, loc, from, 0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value,
                                 scalarConstant(b, loc, from, 0));
  }
  if (fromFloat) {
    if (targetUnsigned)
      return arith::FPToUIOp::create(b, loc, to, value);
    return arith::FPToSIOp::create(b, loc, to, value);
  }
  bool fromUnsigned = sourceUnsigned || from.isInteger(1);
  if (toFloat) {
    if (fromUnsigned)
      return arith::UIToFPOp::create(b, loc, to, value);
    return arith::SIToFPOp::create(b, loc, to, value);
  }
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, to, value);
  if (fromUnsigned)
    return arith::ExtUIOp::create(b, loc, to, value);
  return arith::ExtSIOp::create(b, loc, to, value);
}

Value sift::onnx_import::createAdd(OpBuilder &b, Location loc, Value lhs,
                                   Value rhs) {
  if (isa<FloatType>(lhs.getType()))
    return arith::AddFOp::create(b, loc, lhs, rhs);
  return arith::AddIOp::create(b, loc, lhs, rhs);
}

Value sift::onnx_import::createMul(OpBuilder &b, Location loc, Value lhs,
                                   Value rhs) {
  if (isa<FloatType>(lhs.getType()))
    return arith::MulFOp::create(b, loc, lhs, rhs);
  return arith::MulIOp::create(b, loc, lhs, rhs);
}

Value sift::onnx_import::createMax(OpBuilder &b, Location loc, Value lhs,
                                   Value rhs, bool isUnsigned) {
  if (isa<FloatType>(lhs.getType()))
    return arith::MaximumFOp::create(b, loc, lhs, rhs);
  if (isUnsigned)
    return arith::MaxUIOp::create(b, loc, lhs, rhs);
  return arith::MaxSIOp::create(b, loc, lhs, rhs);
}

Value sift::onnx_import::createMin(OpBuilder &b, Location loc, Value lhs,
                                   Value rhs, bool isUnsigned) {
  if (isa<FloatType>(lhs.getType()))
    return arith::MinimumFOp::create(b, loc, lhs, rhs);
  if (isUnsigned)
    return arith::MinUIOp::create(b, loc, lhs, rhs);
  return arith::MinSIOp::create(b, loc, lhs, rhs);
}

Value sift::onnx_import::scalarConstant(OpBuilder &b, Location loc, Type type,
                                        double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

FailureOr<int64_t> sift::onnx_import::normalizeAxis(NodeContext &ctx,
                                                    int64_t axis,
                                                    int64_t rank) {
  int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= rank)
    return ctx.emitError() << "axis " << axis << " is out of range for rank "
                           << rank;
  return normalized;
}

Value sift::onnx_import::buildSoftplus(OpBuilder &b, Location loc, Value x) {
  Value positive = arith::MaximumFOp::create(
      b, loc, x, scalarConstant(b, loc, x.getType(), 0));
  Value negAbs = arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x));
  Value tail = math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, negAbs));
  return arith::AddFOp::create(b, loc, positive, tail);
}

Value sift::onnx_import::buildHardSigmoid(OpBuilder &b, Location loc, Value x,
                                          double alpha, double beta) {
  Type type = x.getType();
  Value linear = arith::AddFOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, scalarConstant(b, loc, type, alpha), x),
      scalarConstant(b, loc, type, beta));
  Value low = arith::MaximumFOp::create(b, loc, linear,
                                        scalarConstant(b, loc, type, 0));
  return arith::MinimumFOp::create(b, loc, low,
                                   scalarConstant(b, loc, type, 1));
}
