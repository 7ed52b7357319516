//===- Reduction.cpp - Reductions and the softmax family ------------------===//
//
// A Reduce* op folds the reduced dims of its input in one linalg.generic with
// reduction iterators into a tensor of the kept dims; keepdims puts the
// reduced dims back as 1s with tensor.expand_shape. Softmax, LogSoftmax and
// Hardmax reduce the same way and broadcast the results back over the input.
//
//===----------------------------------------------------------------------===//

#include "../Builders.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/AffineMap.h"

#include <limits>

using namespace mlir;
using namespace sift::onnx_import;

namespace {

//===----------------------------------------------------------------------===//
// Scalar arithmetic on floats and integers
//===----------------------------------------------------------------------===//

Value divide(OpBuilder &b, Location loc, Value lhs, Value rhs,
             bool isUnsigned) {
  if (isa<FloatType>(lhs.getType()))
    return arith::DivFOp::create(b, loc, lhs, rhs);
  if (isUnsigned)
    return arith::DivUIOp::create(b, loc, lhs, rhs);
  return arith::DivSIOp::create(b, loc, lhs, rhs);
}

Value absolute(OpBuilder &b, Location loc, Value value, bool isUnsigned) {
  if (isa<FloatType>(value.getType()))
    return math::AbsFOp::create(b, loc, value);
  if (isUnsigned)
    return value;
  return math::AbsIOp::create(b, loc, value);
}

/// The lowest value of `type`, or with `highest` the highest: what max (or
/// min) starts from.
Value extremeValue(OpBuilder &b, Location loc, Type type, bool highest,
                   bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                                  /*Negative=*/!highest)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value = isUnsigned ? (highest ? APInt::getMaxValue(width)
                                      : APInt::getMinValue(width))
                           : (highest ? APInt::getSignedMaxValue(width)
                                      : APInt::getSignedMinValue(width));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
}

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// Size `dim` of `tensor` as an index.
Value dimSize(OpBuilder &b, Location loc, Value tensor, int64_t dim) {
  int64_t size = cast<RankedTensorType>(tensor.getType()).getDimSize(dim);
  if (ShapedType::isDynamic(size))
    return tensor::DimOp::create(b, loc, tensor, dim);
  return indexConstant(b, loc, size);
}

//===----------------------------------------------------------------------===//
// Reductions over a set of dims
//===----------------------------------------------------------------------===//

Type elementTypeOf(Value tensor) {
  return cast<RankedTensorType>(tensor.getType()).getElementType();
}

bool isReduced(ArrayRef<int64_t> axes, int64_t dim) {
  return llvm::is_contained(axes, dim);
}

/// The map from a rank-`rank` iteration space to the dims that a reduction
/// over `axes` keeps.
AffineMap keptDimsMap(int64_t rank, ArrayRef<int64_t> axes,
                      MLIRContext *context) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    if (!isReduced(axes, d))
      exprs.push_back(getAffineDimExpr(d, context));
  return AffineMap::get(rank, 0, exprs, context);
}

/// tensor.empty of the dims of `input` that a reduction over `axes` keeps.
Value createKeptEmpty(OpBuilder &b, Location loc, Value input,
                      ArrayRef<int64_t> axes, Type elementType) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  SmallVector<Value> dynamicSizes;
  for (auto [d, size] : llvm::enumerate(type.getShape())) {
    if (isReduced(axes, d))
      continue;
    shape.push_back(size);
    if (ShapedType::isDynamic(size))
      dynamicSizes.push_back(tensor::DimOp::create(b, loc, input, d));
  }
  return tensor::EmptyOp::create(b, loc, shape, elementType, dynamicSizes);
}

SmallVector<utils::IteratorType> reductionIterators(int64_t rank,
                                                    ArrayRef<int64_t> axes) {
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d)
    iterators.push_back(isReduced(axes, d) ? utils::IteratorType::reduction
                                           : utils::IteratorType::parallel);
  return iterators;
}

/// Folds one element into an accumulator; `kept` holds the values of the
/// kept-shaped operands at the element's reduced position.
using CombineFn = function_ref<Value(OpBuilder &, Location, Value element,
                                     ValueRange kept, Value accumulator)>;

/// Folds the elements of `input` over `axes` into a tensor of its kept dims,
/// each accumulator starting at `init`. `keptOperands`, shaped like the
/// result, are read alongside each element (e.g. a max to subtract).
Value buildReduction(OpBuilder &b, Location loc, Value input,
                     ArrayRef<int64_t> axes, Value init,
                     ValueRange keptOperands, CombineFn combine) {
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  Value empty = createKeptEmpty(b, loc, input, axes, init.getType());
  Value filled = linalg::FillOp::create(b, loc, init, empty).getResult(0);
  AffineMap keptMap = keptDimsMap(rank, axes, b.getContext());
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank)};
  maps.append(keptOperands.size() + 1, keptMap);
  SmallVector<Value> inputs{input};
  llvm::append_range(inputs, keptOperands);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{filled.getType()}, inputs, ValueRange{filled}, maps,
      reductionIterators(rank, axes),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = combine(nb, nloc, args.front(),
                               args.drop_front().drop_back(), args.back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

/// Computes one element of a map from an input element and the values of
/// the kept-shaped operands at its reduced position.
using MapFn =
    function_ref<Value(OpBuilder &, Location, Value element, ValueRange kept)>;

/// Applies `map` to each element of `input`, reading `keptOperands` (shaped
/// like a reduction of `input` over `axes`) broadcast back over the reduced
/// dims. With no axes this is a plain elementwise map.
Value buildBroadcastMap(OpBuilder &b, Location loc, Value input,
                        ArrayRef<int64_t> axes, ValueRange keptOperands,
                        Type elementType, MapFn map) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  Value empty = createEmptyLike(b, loc, type.getShape(), elementType, input);
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  SmallVector<AffineMap> maps{identity};
  maps.append(keptOperands.size(), keptDimsMap(rank, axes, b.getContext()));
  maps.push_back(identity);
  SmallVector<Value> inputs{input};
  llvm::append_range(inputs, keptOperands);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{empty.getType()}, inputs, ValueRange{empty}, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result =
            map(nb, nloc, args.front(), args.drop_front().drop_back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

/// Puts the dims that a reduction over `axes` removed back into `kept`, as
/// 1s, to give a tensor of `inputShape`'s rank.
Value restoreReducedDims(OpBuilder &b, Location loc, Value kept,
                         ArrayRef<int64_t> inputShape, ArrayRef<int64_t> axes) {
  if (axes.empty())
    return kept;
  auto keptType = cast<RankedTensorType>(kept.getType());
  SmallVector<int64_t> shape(inputShape);
  for (int64_t axis : axes)
    shape[axis] = 1;
  // Each reduced dim joins the group of the kept dim before it; leading ones
  // join the first kept dim's group. A rank-0 `kept` takes no groups.
  SmallVector<ReassociationIndices> groups(keptType.getRank());
  int64_t group = 0;
  bool seenKept = false;
  for (int64_t d = 0, rank = shape.size(); d < rank && !groups.empty(); ++d) {
    if (!isReduced(axes, d)) {
      group += seenKept;
      seenKept = true;
    }
    groups[group].push_back(d);
  }
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, keptType.getElementType()), kept,
      groups);
}

/// Normalises `axes` into sorted dims of a rank-`rank` tensor; reports an
/// axis out of range or named twice.
FailureOr<SmallVector<int64_t>>
normalizeAxes(NodeContext &ctx, ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> dims;
  for (int64_t axis : axes) {
    FailureOr<int64_t> dim = normalizeAxis(ctx, axis, rank);
    if (failed(dim))
      return failure();
    if (isReduced(dims, *dim))
      return ctx.emitError() << "axes name dimension " << *dim << " twice";
    dims.push_back(*dim);
  }
  llvm::sort(dims);
  return dims;
}

//===----------------------------------------------------------------------===//
// Reduce* ops
//===----------------------------------------------------------------------===//

enum class ReduceKind {
  Sum,
  Mean,
  Max,
  Min,
  Prod,
  L1,
  L2,
  SumSquare,
  LogSum,
  LogSumExp
};

/// The number of elements that a reduction of `input` over `axes` folds
/// into each result, as a scalar of `type`.
Value reducedCount(OpBuilder &b, Location loc, Value input,
                   ArrayRef<int64_t> axes, Type type, bool isUnsigned) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(input.getType()).getShape();
  int64_t staticCount = 1;
  Value dynamicCount;
  for (int64_t axis : axes) {
    if (!ShapedType::isDynamic(shape[axis])) {
      staticCount *= shape[axis];
      continue;
    }
    Value size = tensor::DimOp::create(b, loc, input, axis);
    dynamicCount =
        dynamicCount ? arith::MulIOp::create(b, loc, dynamicCount, size) : size;
  }
  if (!dynamicCount)
    return scalarConstant(b, loc, type, staticCount);
  Value count = arith::MulIOp::create(b, loc, dynamicCount,
                                      indexConstant(b, loc, staticCount));
  count = arith::IndexCastOp::create(b, loc, b.getI64Type(), count);
  return convertScalar(b, loc, count, type, /*sourceUnsigned=*/false,
                       isUnsigned);
}

/// Sums the elements of `input` over `axes`, each mapped by `term` if given.
Value buildSum(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
               function_ref<Value(OpBuilder &, Location, Value)> term = {}) {
  Value zero = scalarConstant(b, loc, elementTypeOf(input), 0);
  return buildReduction(
      b, loc, input, axes, zero, {},
      [&](OpBuilder &nb, Location nloc, Value x, ValueRange, Value acc) {
        return createAdd(nb, nloc, acc, term ? term(nb, nloc, x) : x);
      });
}

Value buildMax(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
               bool isUnsigned = false) {
  Value lowest =
      extremeValue(b, loc, elementTypeOf(input), /*highest=*/false, isUnsigned);
  return buildReduction(
      b, loc, input, axes, lowest, {},
      [&](OpBuilder &nb, Location nloc, Value x, ValueRange, Value acc) {
        return createMax(nb, nloc, acc, x, isUnsigned);
      });
}

/// log(sum(exp(x))) over `axes`, shifted by the max so that exp cannot
/// overflow; an infinite max shifts by 0 (the result is then that infinity).
Value buildLogSumExp(OpBuilder &b, Location loc, Value input,
                     ArrayRef<int64_t> axes) {
  Type type = elementTypeOf(input);
  Value max = buildMax(b, loc, input, axes);
  Value shift = buildBroadcastMap(
      b, loc, max, {}, {}, type,
      [&](OpBuilder &nb, Location nloc, Value m, ValueRange) -> Value {
        Value magnitude = math::AbsFOp::create(nb, nloc, m);
        Value inf = extremeValue(nb, nloc, type, /*highest=*/true, false);
        Value isInf = arith::CmpFOp::create(nb, nloc, arith::CmpFPredicate::OEQ,
                                            magnitude, inf);
        return arith::SelectOp::create(nb, nloc, isInf,
                                       scalarConstant(nb, nloc, type, 0), m);
      });
  Value zero = scalarConstant(b, loc, type, 0);
  Value sum = buildReduction(
      b, loc, input, axes, zero, {shift},
      [](OpBuilder &nb, Location nloc, Value x, ValueRange kept, Value acc) {
        Value shifted = arith::SubFOp::create(nb, nloc, x, kept[0]);
        return createAdd(nb, nloc, acc, math::ExpOp::create(nb, nloc, shifted));
      });
  return buildBroadcastMap(
      b, loc, sum, {}, {shift}, type,
      [](OpBuilder &nb, Location nloc, Value s, ValueRange kept) -> Value {
        return arith::AddFOp::create(nb, nloc, math::LogOp::create(nb, nloc, s),
                                     kept[0]);
      });
}

/// Reduces `input` over `axes` as `kind` does, into a tensor of its kept
/// dims.
Value buildReduce(OpBuilder &b, Location loc, Value input,
                  ArrayRef<int64_t> axes, ReduceKind kind, bool isUnsigned) {
  Type type = elementTypeOf(input);
  auto square = [](OpBuilder &nb, Location nloc, Value x) {
    return createMul(nb, nloc, x, x);
  };
  auto mapKept = [&](Value kept,
                     function_ref<Value(OpBuilder &, Location, Value)> fn) {
    return buildBroadcastMap(b, loc, kept, {}, {}, type,
                             [&](OpBuilder &nb, Location nloc, Value x,
                                 ValueRange) { return fn(nb, nloc, x); });
  };
  auto fold = [&](Value init,
                  function_ref<Value(OpBuilder &, Location, Value, Value)> fn) {
    return buildReduction(b, loc, input, axes, init, {},
                          [&](OpBuilder &nb, Location nloc, Value x, ValueRange,
                              Value acc) { return fn(nb, nloc, acc, x); });
  };

  switch (kind) {
  case ReduceKind::Sum:
    return buildSum(b, loc, input, axes);
  case ReduceKind::Mean: {
    Value count = reducedCount(b, loc, input, axes, type, isUnsigned);
    return mapKept(buildSum(b, loc, input, axes),
                   [&](OpBuilder &nb, Location nloc, Value sum) {
                     return divide(nb, nloc, sum, count, isUnsigned);
                   });
  }
  case ReduceKind::Max:
    return buildMax(b, loc, input, axes, isUnsigned);
  case ReduceKind::Min:
    return fold(extremeValue(b, loc, type, /*highest=*/true, isUnsigned),
                [&](OpBuilder &nb, Location nloc, Value acc, Value x) {
                  return createMin(nb, nloc, acc, x, isUnsigned);
                });
  case ReduceKind::Prod:
    return fold(scalarConstant(b, loc, type, 1), createMul);
  case ReduceKind::L1:
    return buildSum(b, loc, input, axes,
                    [&](OpBuilder &nb, Location nloc, Value x) {
                      return absolute(nb, nloc, x, isUnsigned);
                    });
  case ReduceKind::L2:
    return mapKept(buildSum(b, loc, input, axes, square),
                   [](OpBuilder &nb, Location nloc, Value x) -> Value {
                     return math::SqrtOp::create(nb, nloc, x);
                   });
  case ReduceKind::SumSquare:
    return buildSum(b, loc, input, axes, square);
  case ReduceKind::LogSum:
    return mapKept(buildSum(b, loc, input, axes),
                   [](OpBuilder &nb, Location nloc, Value x) -> Value {
                     return math::LogOp::create(nb, nloc, x);
                   });
  case ReduceKind::LogSumExp:
    return buildLogSumExp(b, loc, input, axes);
  }
  llvm_unreachable("unknown reduction");
}

/// Whether the run-time axes `axisValues` name dim `dim` of a rank-`rank`
/// tensor, as an i1.
Value isNamedByAxes(OpBuilder &b, Location loc, ValueRange axisValues,
                    int64_t dim, int64_t rank) {
  Value named;
  for (Value axis : axisValues) {
    for (int64_t alias : {dim, dim - rank}) {
      Value match =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, axis,
                                scalarConstant(b, loc, axis.getType(), alias));
      named = named ? arith::OrIOp::create(b, loc, named, match) : match;
    }
  }
  return named;
}

/// Sums `x` over dim `dim` (keeping it as 1) where `named` holds, else
/// passes `x` through; the result has `dim` dynamic.
Value sumDimIf(OpBuilder &b, Location loc, Value named, Value x, int64_t dim) {
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[dim] = ShapedType::kDynamic;
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  auto ifOp = scf::IfOp::create(b, loc, TypeRange{resultType}, named,
                                /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  Value sum = buildSum(b, loc, x, {dim});
  sum = restoreReducedDims(b, loc, sum, type.getShape(), {dim});
  scf::YieldOp::create(
      b, loc, tensor::CastOp::create(b, loc, resultType, sum).getResult());
  b.setInsertionPointToStart(ifOp.elseBlock());
  scf::YieldOp::create(
      b, loc, tensor::CastOp::create(b, loc, resultType, x).getResult());
  return ifOp.getResult(0);
}

/// Reshapes `x` (reduced with its dims kept as 1s) to drop the dims that
/// `named` marks; the j-th result dim is the size in `input` of the j-th
/// dim that is not named.
Value dropNamedDims(OpBuilder &b, Location loc, Value x, Value input,
                    ArrayRef<Value> named, int64_t resultRank) {
  Value zero = indexConstant(b, loc, 0);
  Value one = indexConstant(b, loc, 1);
  SmallVector<Value> sizes(resultRank, zero);
  Value position = zero;
  for (auto [d, isNamed] : llvm::enumerate(named)) {
    Value kept = arith::XOrIOp::create(
        b, loc, isNamed, arith::ConstantIntOp::create(b, loc, 1, 1));
    Value size = dimSize(b, loc, input, d);
    for (int64_t j = 0; j < resultRank; ++j) {
      Value here = arith::AndIOp::create(
          b, loc, kept,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, position,
                                indexConstant(b, loc, j)));
      sizes[j] = arith::SelectOp::create(b, loc, here, size, sizes[j]);
    }
    position = arith::AddIOp::create(
        b, loc, position, arith::SelectOp::create(b, loc, kept, one, zero));
  }
  Value shape = tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({resultRank}, b.getIndexType()), sizes);
  auto resultType = RankedTensorType::get(
      SmallVector<int64_t>(resultRank, ShapedType::kDynamic), elementTypeOf(x));
  return tensor::ReshapeOp::create(b, loc, resultType, x, shape);
}

/// ReduceSum over axes known only at run time (a non-constant input of
/// static length): reduces one dim at a time under an scf.if on whether the
/// axes name it, so each dim that may become 1 is dynamic in the result.
/// The axes are assumed in range and distinct, as ONNX requires.
FailureOr<Value> buildSumOverRuntimeAxes(NodeContext &ctx, Value input,
                                         Value axes, bool keepDims) {
  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  int64_t numAxes = cast<RankedTensorType>(axes.getType()).getDimSize(0);
  if (numAxes > rank)
    return ctx.emitError() << "axes list " << numAxes << " dims of a rank-"
                           << rank << " input";

  SmallVector<Value> axisValues;
  for (int64_t k = 0; k < numAxes; ++k)
    axisValues.push_back(tensor::ExtractOp::create(
        b, loc, axes, ValueRange{indexConstant(b, loc, k)}));
  Value x = input;
  SmallVector<Value> named;
  for (int64_t d = 0; d < rank; ++d) {
    // Reducing a dim of size 1 changes nothing, unless it is dropped.
    bool isOne = inputType.getDimSize(d) == 1;
    if (isOne && keepDims)
      continue;
    named.push_back(isNamedByAxes(b, loc, axisValues, d, rank));
    if (!isOne)
      x = sumDimIf(b, loc, named.back(), x, d);
  }
  if (keepDims)
    return x;
  return dropNamedDims(b, loc, x, input, named, rank - numAxes);
}

StringRef reduceOpName(ReduceKind kind) {
  switch (kind) {
  case ReduceKind::Sum:
    return "ReduceSum";
  case ReduceKind::Mean:
    return "ReduceMean";
  case ReduceKind::Max:
    return "ReduceMax";
  case ReduceKind::Min:
    return "ReduceMin";
  case ReduceKind::Prod:
    return "ReduceProd";
  case ReduceKind::L1:
    return "ReduceL1";
  case ReduceKind::L2:
    return "ReduceL2";
  case ReduceKind::SumSquare:
    return "ReduceSumSquare";
  case ReduceKind::LogSum:
    return "ReduceLogSum";
  case ReduceKind::LogSumExp:
    return "ReduceLogSumExp";
  }
  llvm_unreachable("unknown reduction");
}

/// Whether `kind` computes on `type`: any float; integers (not bool) except
/// for the reductions whose results are not integers (L2, LogSum(Exp)).
bool supportsElementType(ReduceKind kind, Type type) {
  if (isa<FloatType>(type))
    return true;
  bool floatOnly = kind == ReduceKind::L2 || kind == ReduceKind::LogSum ||
                   kind == ReduceKind::LogSumExp;
  return !floatOnly && isa<IntegerType>(type) && !type.isInteger(1);
}

LogicalResult convertReduce(NodeContext &ctx, ReduceKind kind) {
  RankedTensorType type = ctx.inputType(0);
  if (!supportsElementType(kind, type.getElementType()))
    return ctx.emitError() << "element type " << type.getElementType()
                           << " is not supported";
  bool keepDims = ctx.getInt("keepdims", 1) != 0;
  bool isUnsigned = ctx.isUnsigned(0);

  // ReduceSum takes its axes as an optional input from opset 13, the others
  // as an attribute (until opset 18).
  bool axesFromInput = kind == ReduceKind::Sum && ctx.opset() >= 13;
  SmallVector<int64_t> axes;
  if (!axesFromInput) {
    axes = ctx.getInts("axes");
  } else if (ctx.hasInput(1)) {
    std::optional<SmallVector<int64_t>> constant = ctx.constantInts(1);
    RankedTensorType axesType = ctx.inputType(1);
    if (constant) {
      axes = *constant;
    } else if (axesType.getRank() != 1 || axesType.isDynamicDim(0) ||
               !isa<IntegerType>(axesType.getElementType())) {
      return ctx.emitError() << "axes must be a constant or a 1-D integer "
                                "tensor of static length, not "
                             << axesType;
    } else if (axesType.getDimSize(0) != 0) {
      FailureOr<Value> result =
          buildSumOverRuntimeAxes(ctx, ctx.input(0), ctx.input(1), keepDims);
      if (failed(result))
        return failure();
      ctx.setOutput(0, *result, isUnsigned);
      return success();
    }
  }

  if (axes.empty()) {
    if (axesFromInput && ctx.getInt("noop_with_empty_axes", 0)) {
      ctx.setOutput(0, ctx.input(0), isUnsigned);
      return success();
    }
    axes = llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  }
  FailureOr<SmallVector<int64_t>> dims =
      normalizeAxes(ctx, axes, type.getRank());
  if (failed(dims))
    return failure();

  Value result =
      buildReduce(ctx.builder, ctx.loc, ctx.input(0), *dims, kind, isUnsigned);
  if (keepDims)
    result = restoreReducedDims(ctx.builder, ctx.loc, result, type.getShape(),
                                *dims);
  ctx.setOutput(0, result, isUnsigned);
  return success();
}

//===----------------------------------------------------------------------===//
// Softmax, LogSoftmax, Hardmax
//===----------------------------------------------------------------------===//

/// The dims a softmax-family node normalises over: before opset 13 the input
/// is coerced to 2-D at `axis` (default 1), so every dim from `axis` on;
/// from opset 13 `axis` (default -1) alone.
FailureOr<SmallVector<int64_t>> softmaxAxes(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  bool coercedTo2D = ctx.opset() < 13;
  FailureOr<int64_t> axis =
      normalizeAxis(ctx, ctx.getInt("axis", coercedTo2D ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  if (!coercedTo2D)
    return SmallVector<int64_t>{*axis};
  return llvm::to_vector(llvm::seq<int64_t>(*axis, rank));
}

/// exp(x - max) / sum(exp(x - max)).
Value buildSoftmax(OpBuilder &b, Location loc, Value input,
                   ArrayRef<int64_t> axes) {
  Type type = elementTypeOf(input);
  Value max = buildMax(b, loc, input, axes);
  Value exp = buildBroadcastMap(
      b, loc, input, axes, {max}, type,
      [](OpBuilder &nb, Location nloc, Value x, ValueRange kept) -> Value {
        Value shifted = arith::SubFOp::create(nb, nloc, x, kept[0]);
        return math::ExpOp::create(nb, nloc, shifted);
      });
  Value sum = buildSum(b, loc, exp, axes);
  return buildBroadcastMap(
      b, loc, exp, axes, {sum}, type,
      [](OpBuilder &nb, Location nloc, Value e, ValueRange kept) -> Value {
        return arith::DivFOp::create(nb, nloc, e, kept[0]);
      });
}

/// (x - max) - log(sum(exp(x - max))).
Value buildLogSoftmax(OpBuilder &b, Location loc, Value input,
                      ArrayRef<int64_t> axes) {
  Type type = elementTypeOf(input);
  Value max = buildMax(b, loc, input, axes);
  Value zero = scalarConstant(b, loc, type, 0);
  Value sum = buildReduction(
      b, loc, input, axes, zero, {max},
      [](OpBuilder &nb, Location nloc, Value x, ValueRange kept, Value acc) {
        Value shifted = arith::SubFOp::create(nb, nloc, x, kept[0]);
        return createAdd(nb, nloc, acc, math::ExpOp::create(nb, nloc, shifted));
      });
  Value logSum = buildBroadcastMap(
      b, loc, sum, {}, {}, type,
      [](OpBuilder &nb, Location nloc, Value s, ValueRange) -> Value {
        return math::LogOp::create(nb, nloc, s);
      });
  return buildBroadcastMap(
      b, loc, input, axes, {max, logSum}, type,
      [](OpBuilder &nb, Location nloc, Value x, ValueRange kept) -> Value {
        Value shifted = arith::SubFOp::create(nb, nloc, x, kept[0]);
        return arith::SubFOp::create(nb, nloc, shifted, kept[1]);
      });
}

/// 1 at the first maximum (in row-major order over `axes`) of each row and 0
/// elsewhere.
Value buildHardmax(OpBuilder &b, Location loc, Value input,
                   ArrayRef<int64_t> axes) {
  Type type = elementTypeOf(input);
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();

  // An element's row-major position among the reduced dims, from the
  // iteration indices of a generic over `input`.
  SmallVector<Value> strides(axes.size());
  for (int64_t k = axes.size() - 1; k >= 0; --k)
    strides[k] =
        k + 1 == static_cast<int64_t>(axes.size())
            ? indexConstant(b, loc, 1)
            : arith::MulIOp::create(b, loc, strides[k + 1],
                                    dimSize(b, loc, input, axes[k + 1]));
  auto positionInRow = [&](OpBuilder &nb, Location nloc) {
    Value position = indexConstant(nb, nloc, 0);
    for (auto [axis, stride] : llvm::zip(axes, strides)) {
      Value index = linalg::IndexOp::create(nb, nloc, axis);
      position = arith::AddIOp::create(
          nb, nloc, position, arith::MulIOp::create(nb, nloc, index, stride));
    }
    return position;
  };

  // Track each row's max and the least position holding it; ties compare
  // positions so the result does not depend on iteration order.
  Value lowest = extremeValue(b, loc, type, /*highest=*/false, false);
  Value noPosition = indexConstant(b, loc, std::numeric_limits<int64_t>::max());
  Value maxInit =
      linalg::FillOp::create(b, loc, lowest,
                             createKeptEmpty(b, loc, input, axes, type))
          .getResult(0);
  Value positionInit =
      linalg::FillOp::create(
          b, loc, noPosition,
          createKeptEmpty(b, loc, input, axes, b.getIndexType()))
          .getResult(0);
  AffineMap keptMap = keptDimsMap(rank, axes, b.getContext());
  auto argmax = linalg::GenericOp::create(
      b, loc, TypeRange{maxInit.getType(), positionInit.getType()},
      ValueRange{input}, ValueRange{maxInit, positionInit},
      {b.getMultiDimIdentityMap(rank), keptMap, keptMap},
      reductionIterators(rank, axes),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value x = args[0], max = args[1], first = args[2];
        Value position = positionInRow(nb, nloc);
        Value greater =
            arith::CmpFOp::create(nb, nloc, arith::CmpFPredicate::OGT, x, max);
        Value tie = arith::AndIOp::create(
            nb, nloc,
            arith::CmpFOp::create(nb, nloc, arith::CmpFPredicate::OEQ, x, max),
            arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::ult, position,
                                  first));
        Value take = arith::OrIOp::create(nb, nloc, greater, tie);
        linalg::YieldOp::create(
            nb, nloc,
            ValueRange{
                arith::SelectOp::create(nb, nloc, take, x, max),
                arith::SelectOp::create(nb, nloc, take, position, first)});
      });
  return buildBroadcastMap(
      b, loc, input, axes, {argmax.getResult(1)}, type,
      [&](OpBuilder &nb, Location nloc, Value, ValueRange kept) -> Value {
        Value isFirst =
            arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::eq,
                                  positionInRow(nb, nloc), kept[0]);
        return arith::SelectOp::create(nb, nloc, isFirst,
                                       scalarConstant(nb, nloc, type, 1),
                                       scalarConstant(nb, nloc, type, 0));
      });
}

using SoftmaxBuilder = Value (*)(OpBuilder &, Location, Value,
                                 ArrayRef<int64_t>);

LogicalResult convertSoftmaxFamily(NodeContext &ctx, SoftmaxBuilder build) {
  Type elementType = ctx.inputType(0).getElementType();
  if (!isa<FloatType>(elementType))
    return ctx.emitError() << "element type " << elementType
                           << " is not supported (float types only)";
  FailureOr<SmallVector<int64_t>> axes = softmaxAxes(ctx);
  if (failed(axes))
    return failure();
  ctx.setOutput(0, build(ctx.builder, ctx.loc, ctx.input(0), *axes));
  return success();
}

} // namespace

void sift::onnx_import::registerReductionConverters(
    OpConverterRegistry &registry) {
  for (ReduceKind kind :
       {ReduceKind::Sum, ReduceKind::Mean, ReduceKind::Max, ReduceKind::Min,
        ReduceKind::Prod, ReduceKind::L1, ReduceKind::L2, ReduceKind::SumSquare,
        ReduceKind::LogSum, ReduceKind::LogSumExp})
    registry.add(reduceOpName(kind),
                 [kind](NodeContext &ctx) { return convertReduce(ctx, kind); });
  registry.add("Softmax", [](NodeContext &ctx) {
    return convertSoftmaxFamily(ctx, buildSoftmax);
  });
  registry.add("LogSoftmax", [](NodeContext &ctx) {
    return convertSoftmaxFamily(ctx, buildLogSoftmax);
  });
  registry.add("Hardmax", [](NodeContext &ctx) {
    return convertSoftmaxFamily(ctx, buildHardmax);
  });
}
