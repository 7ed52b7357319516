//===- NeuralNetwork.cpp - Neural-network ONNX ops ------------------------===//
//
// Matrix products, convolutions, pooling and normalizations. Products and
// sliding windows use an upstream named linalg op where one fits (so later
// passes can vectorize them) and a linalg.generic otherwise; accumulators
// start from a linalg.fill. Layouts are ONNX's: NCHW data, FCHW filters.
//
//===----------------------------------------------------------------------===//

#include "../Builders.h"
#include "sift/Utils/ConstantWeights.h"

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/Support/InterleavedRange.h"

#include <cmath>
#include <limits>
#include <map>

using namespace mlir;
using namespace sift::onnx_import;
using sift::getConstantElements;
using sift::getF32Values;
using sift::getWeightsName;
using sift::makeF32Weights;

namespace {

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

/// Builds a scalar from the block arguments of a linalg.generic (its inputs,
/// then its accumulators).
using BodyBuilder =
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// The identity of max over `type`: -inf, or the least integer.
Value lowestValue(OpBuilder &b, Location loc, Type type, bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType, -std::numeric_limits<double>::infinity()));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value = isUnsigned ? APInt::getZero(width)
                           : APInt::getSignedMinValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
}

/// An index value converted to the float type `type`.
Value indexToFloat(OpBuilder &b, Location loc, Value index, Type type) {
  Value wide = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  return arith::SIToFPOp::create(b, loc, type, wide);
}

/// A tensor of `sizes` holding `value` everywhere.
Value createFilled(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                   Value value) {
  Value empty = tensor::EmptyOp::create(b, loc, sizes, value.getType());
  return linalg::FillOp::create(b, loc, ValueRange{value}, ValueRange{empty})
      .getResult(0);
}

SmallVector<utils::IteratorType> iteratorTypes(int64_t parallel,
                                               int64_t reduction) {
  SmallVector<utils::IteratorType> types(parallel,
                                         utils::IteratorType::parallel);
  types.append(reduction, utils::IteratorType::reduction);
  return types;
}

/// A linalg.generic with one result that accumulates into `init`; `maps`
/// holds one map per input and then init's.
Value buildGeneric(OpBuilder &b, Location loc, ValueRange inputs, Value init,
                   ArrayRef<AffineMap> maps,
                   ArrayRef<utils::IteratorType> iterators, BodyBuilder body) {
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args));
      });
  return generic.getResult(0);
}

/// The map from `numLoops` loops to their leading `count` ones.
AffineMap leadingDimsMap(int64_t numLoops, int64_t count, MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < count; ++d)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(numLoops, 0, exprs, ctx);
}

/// Computes `body` for each element of `like`'s shape (the result has it,
/// in `elementType`) from `inputs` read through `inputMaps`.
Value buildMapped(NodeContext &ctx, Value like, Type elementType,
                  ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                  BodyBuilder body) {
  OpBuilder &b = ctx.builder;
  int64_t rank = cast<RankedTensorType>(like.getType()).getRank();
  Value init = tensor::EmptyOp::create(
      b, ctx.loc, tensor::getMixedSizes(b, ctx.loc, like), elementType);
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  return buildGeneric(b, ctx.loc, inputs, init, maps, iteratorTypes(rank, 0),
                      body);
}

/// Reduces `inputs[0]` over its dimensions from `keep` on into a tensor of
/// its leading `keep` dimensions, starting from `initial`. Inputs of rank
/// `keep` (per-row statistics) are read at the leading indices; `body` gets
/// the input scalars and the accumulator.
Value reduceTrailing(NodeContext &ctx, ValueRange inputs, int64_t keep,
                     Value initial, BodyBuilder body) {
  OpBuilder &b = ctx.builder;
  Value source = inputs[0];
  int64_t rank = cast<RankedTensorType>(source.getType()).getRank();
  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(b, ctx.loc, source);
  sizes.resize(keep);
  Value init = createFilled(b, ctx.loc, sizes, initial);
  SmallVector<AffineMap> maps;
  for (Value input : inputs) {
    int64_t inputRank = cast<RankedTensorType>(input.getType()).getRank();
    maps.push_back(inputRank == rank
                       ? b.getMultiDimIdentityMap(rank)
                       : leadingDimsMap(rank, keep, b.getContext()));
  }
  maps.push_back(leadingDimsMap(rank, keep, b.getContext()));
  return buildGeneric(b, ctx.loc, inputs, init, maps,
                      iteratorTypes(keep, rank - keep), body);
}

/// The number of elements in dimensions `from`.. of `value`, as a scalar of
/// the float type `type`.
Value countElements(OpBuilder &b, Location loc, Value value, int64_t from,
                    Type type) {
  auto tensorType = cast<RankedTensorType>(value.getType());
  int64_t staticCount = 1;
  Value dynamicCount;
  for (int64_t d = from; d < tensorType.getRank(); ++d) {
    if (!tensorType.isDynamicDim(d)) {
      staticCount *= tensorType.getDimSize(d);
      continue;
    }
    Value size = tensor::DimOp::create(b, loc, value, d);
    dynamicCount = dynamicCount
                       ? arith::MulIOp::create(b, loc, dynamicCount, size)
                       : size;
  }
  Value count = scalarConstant(b, loc, type, staticCount);
  if (!dynamicCount)
    return count;
  return arith::MulFOp::create(b, loc, count,
                               indexToFloat(b, loc, dynamicCount, type));
}

/// The map reading an operand of `shape` broadcast (numpy style, aligned
/// right) to `target`; fails when the shapes do not broadcast that way.
FailureOr<AffineMap> broadcastMapTo(NodeContext &ctx, StringRef what,
                                    ArrayRef<int64_t> shape,
                                    ArrayRef<int64_t> target) {
  int64_t offset = target.size() - shape.size();
  if (offset < 0)
    return ctx.emitError() << what << " has rank " << shape.size()
                           << ", more than the " << target.size()
                           << " dimensions it applies to";
  SmallVector<AffineExpr> exprs;
  for (auto [j, size] : llvm::enumerate(shape)) {
    int64_t targetSize = target[offset + j];
    if (size == 1 && targetSize != 1) {
      exprs.push_back(getAffineConstantExpr(0, ctx.getContext()));
      continue;
    }
    if (!ShapedType::isDynamic(size) && !ShapedType::isDynamic(targetSize) &&
        size != targetSize)
      return ctx.emitError() << what << " of shape "
                             << llvm::interleaved_array(shape)
                             << " does not broadcast to "
                             << llvm::interleaved_array(target);
    exprs.push_back(getAffineDimExpr(offset + j, ctx.getContext()));
  }
  return AffineMap::get(target.size(), 0, exprs, ctx.getContext());
}

/// Reshapes `value` by inserting a dimension: dimension `dim` (static) splits
/// into [`outer`, size / `outer`].
Value splitDim(OpBuilder &b, Location loc, Value value, int64_t dim,
               int64_t outer) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[dim] /= outer;
  shape.insert(shape.begin() + dim, outer);
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (d < dim)
      groups.push_back({d});
    else if (d == dim)
      groups.push_back({d, d + 1});
    else
      groups.push_back({d + 1});
  }
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), value,
      groups);
}

/// Merges dimensions `dim` and `dim + 1` of `value`.
Value mergeDims(OpBuilder &b, Location loc, Value value, int64_t dim) {
  int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d < rank; ++d) {
    if (d == dim + 1)
      groups.back().push_back(d);
    else
      groups.push_back({d});
  }
  return tensor::CollapseShapeOp::create(b, loc, value, groups);
}

/// Removes the unit dimensions `dropped` of `value`.
Value dropUnitDims(OpBuilder &b, Location loc, Value value,
                   ArrayRef<int64_t> dropped) {
  int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices leading;
  for (int64_t d = 0; d < rank; ++d) {
    if (!llvm::is_contained(dropped, d)) {
      ReassociationIndices group = leading;
      leading.clear();
      group.push_back(d);
      groups.push_back(group);
    } else if (groups.empty()) {
      leading.push_back(d);
    } else {
      groups.back().push_back(d);
    }
  }
  return tensor::CollapseShapeOp::create(b, loc, value, groups);
}

/// Appends unit dimensions to `value` up to rank `rank`.
Value appendUnitDims(OpBuilder &b, Location loc, Value value, int64_t rank) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() == rank)
    return value;
  SmallVector<int64_t> shape(type.getShape());
  shape.resize(rank, 1);
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d < type.getRank(); ++d)
    groups.push_back({d});
  for (int64_t d = type.getRank(); d < rank && !groups.empty(); ++d)
    groups.back().push_back(d);
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), value,
      groups);
}

/// Pads the spatial dimensions (2..) of `input` with `value`.
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> low, ArrayRef<int64_t> high, Value value) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  SmallVector<OpFoldResult> lows(2, b.getIndexAttr(0));
  SmallVector<OpFoldResult> highs(2, b.getIndexAttr(0));
  for (auto [l, h] : llvm::zip(low, high)) {
    lows.push_back(b.getIndexAttr(l));
    highs.push_back(b.getIndexAttr(h));
  }
  return tensor::PadOp::create(b, loc, Type(), input, lows, highs, value);
}

LogicalResult requireFloat(NodeContext &ctx, unsigned input) {
  Type type = ctx.inputType(input).getElementType();
  if (isa<FloatType>(type))
    return success();
  return ctx.emitError() << "input #" << input << " has element type "
                         << type << "; expected a float type";
}

LogicalResult requireRank(NodeContext &ctx, unsigned input, int64_t minRank,
                          StringRef layout) {
  int64_t rank = ctx.inputType(input).getRank();
  if (rank >= minRank)
    return success();
  return ctx.emitError() << "input #" << input << " has rank " << rank
                         << "; expected rank " << minRank << " or more ("
                         << layout << ")";
}

/// Fails unless dimensions `from`.. of input `input` are static.
LogicalResult requireStaticFrom(NodeContext &ctx, unsigned input,
                                int64_t from, StringRef what) {
  RankedTensorType type = ctx.inputType(input);
  for (int64_t d = from; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      return ctx.emitError() << "input #" << input << " of type " << type
                             << " has a dynamic " << what << " dimension ("
                             << d
                             << "), which is not supported yet: fix the "
                                "model's input sizes with sparse-compile "
                                "--input-shape NAME=DIMS";
  return success();
}

//===----------------------------------------------------------------------===//
// Window geometry shared by convolutions and pooling
//===----------------------------------------------------------------------===//

/// Where a sliding window goes over each spatial axis.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, padBegin, padEnd, output;

  /// The input span that the kernel covers on axis `i`.
  int64_t extent(size_t i) const { return (kernel[i] - 1) * dilations[i] + 1; }
};

/// Reads per-axis integer attribute `name` of `count` values, each at least
/// `minValue`, or `defaultValue` everywhere when absent.
FailureOr<SmallVector<int64_t>> getAxisInts(NodeContext &ctx, StringRef name,
                                            size_t count, int64_t defaultValue,
                                            int64_t minValue) {
  if (!ctx.hasAttr(name))
    return SmallVector<int64_t>(count, defaultValue);
  SmallVector<int64_t> values = ctx.getInts(name);
  if (values.size() != count)
    return ctx.emitError() << "attribute '" << name << "' has "
                           << values.size() << " values; expected " << count;
  for (int64_t value : values)
    if (value < minValue)
      return ctx.emitError() << "attribute '" << name << "' holds " << value
                             << "; values must be at least " << minValue;
  return values;
}

/// The kernel size of a window op: attribute 'kernel_shape' when present
/// (checked against `fromFilter` when that is non-empty), else `fromFilter`.
FailureOr<SmallVector<int64_t>> getKernelShape(NodeContext &ctx,
                                               size_t count,
                                               ArrayRef<int64_t> fromFilter) {
  if (!ctx.hasAttr("kernel_shape")) {
    if (fromFilter.empty())
      return ctx.emitError() << "attribute 'kernel_shape' is required";
    return SmallVector<int64_t>(fromFilter);
  }
  FailureOr<SmallVector<int64_t>> kernel =
      getAxisInts(ctx, "kernel_shape", count, 1, 1);
  if (failed(kernel))
    return failure();
  if (!fromFilter.empty() && ArrayRef<int64_t>(*kernel) != fromFilter)
    return ctx.emitError() << "attribute 'kernel_shape' "
                           << llvm::interleaved_array(*kernel)
                           << " does not match the filter's spatial shape "
                           << llvm::interleaved_array(fromFilter);
  return kernel;
}

/// Reads strides, dilations (when `useDilations`), pads and auto_pad, and
/// computes the output size of a window of `kernel` sliding over `input`.
FailureOr<Window> getWindow(NodeContext &ctx, ArrayRef<int64_t> input,
                            ArrayRef<int64_t> kernel, bool useDilations,
                            bool ceilMode) {
  size_t n = input.size();
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  FailureOr<SmallVector<int64_t>> strides =
      getAxisInts(ctx, "strides", n, 1, 1);
  if (failed(strides))
    return failure();
  w.strides = *strides;
  w.dilations.assign(n, 1);
  if (useDilations) {
    FailureOr<SmallVector<int64_t>> dilations =
        getAxisInts(ctx, "dilations", n, 1, 1);
    if (failed(dilations))
      return failure();
    w.dilations = *dilations;
  }

  std::string autoPad = ctx.getString("auto_pad", "NOTSET");
  w.padBegin.assign(n, 0);
  w.padEnd.assign(n, 0);
  if (autoPad == "NOTSET") {
    FailureOr<SmallVector<int64_t>> pads = getAxisInts(ctx, "pads", 2 * n, 0, 0);
    if (failed(pads))
      return failure();
    w.padBegin.assign(pads->begin(), pads->begin() + n);
    w.padEnd.assign(pads->begin() + n, pads->end());
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    // Pad so that the output has ceil(input / stride) elements; an odd
    // padding puts the extra element at the end for SAME_UPPER.
    for (size_t i = 0; i < n; ++i) {
      int64_t output = llvm::divideCeil(input[i], w.strides[i]);
      int64_t total = std::max<int64_t>(
          0, (output - 1) * w.strides[i] + w.extent(i) - input[i]);
      int64_t small = total / 2;
      w.padBegin[i] = autoPad == "SAME_UPPER" ? small : total - small;
      w.padEnd[i] = total - w.padBegin[i];
    }
  } else if (autoPad != "VALID") {
    return ctx.emitError() << "unsupported auto_pad '" << autoPad
                           << "'; expected NOTSET, SAME_UPPER, SAME_LOWER "
                              "or VALID";
  }

  for (size_t i = 0; i < n; ++i) {
    int64_t span = input[i] + w.padBegin[i] + w.padEnd[i] - w.extent(i);
    if (span < 0)
      return ctx.emitError() << "the kernel spans " << w.extent(i)
                             << " elements on spatial axis " << i
                             << ", more than the padded input's "
                             << span + w.extent(i);
    int64_t steps = ceilMode ? llvm::divideCeil(span, w.strides[i])
                             : span / w.strides[i];
    w.output.push_back(steps + 1);
  }
  return w;
}

//===----------------------------------------------------------------------===//
// MatMul, Gemm
//===----------------------------------------------------------------------===//

/// [batch..., M, K] x [batch..., K, N] -> [batch..., M, N] with the batch
/// dimensions broadcast, as one linalg.generic.
Value buildBroadcastMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                           ArrayRef<int64_t> batch, Value init) {
  int64_t batchRank = batch.size();
  int64_t numLoops = batchRank + 3;
  MLIRContext *context = b.getContext();
  auto operandMap = [&](Value operand, int64_t row, int64_t col) {
    ArrayRef<int64_t> shape =
        cast<RankedTensorType>(operand.getType()).getShape();
    int64_t offset = batchRank - (shape.size() - 2);
    SmallVector<AffineExpr> exprs;
    for (int64_t j = 0; j + 2 < static_cast<int64_t>(shape.size()); ++j) {
      bool broadcast = shape[j] == 1 && batch[offset + j] != 1;
      exprs.push_back(broadcast ? getAffineConstantExpr(0, context)
                                : getAffineDimExpr(offset + j, context));
    }
    exprs.push_back(getAffineDimExpr(row, context));
    exprs.push_back(getAffineDimExpr(col, context));
    return AffineMap::get(numLoops, 0, exprs, context);
  };
  int64_t m = batchRank, n = batchRank + 1, k = batchRank + 2;
  SmallVector<AffineMap> maps = {operandMap(lhs, m, k), operandMap(rhs, k, n),
                                 leadingDimsMap(numLoops, k, context)};
  return buildGeneric(b, loc, {lhs, rhs}, init, maps,
                      iteratorTypes(numLoops - 1, 1),
                      [](OpBuilder &nb, Location nloc, ValueRange args) {
                        return createAdd(nb, nloc, args[2],
                                         createMul(nb, nloc, args[0], args[1]));
                      });
}

/// Whether at most one dimension of `shape` is dynamic (so a collapsed
/// dimension can be expanded back).
bool atMostOneDynamic(ArrayRef<int64_t> shape) {
  return llvm::count_if(shape, ShapedType::isDynamic) <= 1;
}

/// The product of `lhs` ([batch..., M, K]) and `rhs` ([batch..., K, N]),
/// ranks at least 2, batch dimensions broadcast (numpy matmul).
FailureOr<Value> buildMatrixProduct(NodeContext &ctx, Value lhs, Value rhs) {
  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  ArrayRef<int64_t> lhsShape = lhsType.getShape();
  ArrayRef<int64_t> rhsShape = rhsType.getShape();
  int64_t lhsRank = lhsShape.size(), rhsRank = rhsShape.size();
  int64_t lhsK = lhsShape.back(), rhsK = rhsShape[rhsRank - 2];
  if (!ShapedType::isDynamic(lhsK) && !ShapedType::isDynamic(rhsK) &&
      lhsK != rhsK)
    return ctx.emitError() << "contracted dimensions differ: " << lhsType
                           << " and " << rhsType;
  ArrayRef<int64_t> lhsBatch = lhsShape.drop_back(2);
  ArrayRef<int64_t> rhsBatch = rhsShape.drop_back(2);
  FailureOr<SmallVector<int64_t>> batch =
      broadcastShapes({lhsBatch, rhsBatch});
  if (failed(batch))
    return ctx.emitError() << "batch dimensions do not broadcast: " << lhsType
                           << " and " << rhsType;

  // Each result size comes from the operand that has it.
  SmallVector<OpFoldResult> sizes;
  int64_t batchRank = batch->size();
  for (int64_t d = 0; d < batchRank; ++d) {
    if (!ShapedType::isDynamic((*batch)[d])) {
      sizes.push_back(b.getIndexAttr((*batch)[d]));
      continue;
    }
    int64_t lhsDim = d - (batchRank - lhsBatch.size());
    bool fromLhs = lhsDim >= 0 && ShapedType::isDynamic(lhsBatch[lhsDim]);
    sizes.push_back(fromLhs ? tensor::getMixedSize(b, loc, lhs, lhsDim)
                            : tensor::getMixedSize(
                                  b, loc, rhs,
                                  d - (batchRank - rhsBatch.size())));
  }
  sizes.push_back(tensor::getMixedSize(b, loc, lhs, lhsRank - 2));
  sizes.push_back(tensor::getMixedSize(b, loc, rhs, rhsRank - 1));
  Type elementType = lhsType.getElementType();
  Value zero = scalarConstant(b, loc, elementType, 0);
  auto zeros = [&](ArrayRef<OpFoldResult> shape) {
    return createFilled(b, loc, shape, zero);
  };

  if (lhsRank == 2 && rhsRank == 2)
    return linalg::MatmulOp::create(b, loc, ValueRange{lhs, rhs},
                                    ValueRange{zeros(sizes)})
        .getResult(0);

  // A stack of matrices times one matrix: one matmul over all their rows.
  if (rhsRank == 2 && atMostOneDynamic(lhsShape.drop_back())) {
    SmallVector<ReassociationIndices> groups(2);
    for (int64_t d = 0; d < lhsRank - 1; ++d)
      groups[0].push_back(d);
    groups[1].push_back(lhsRank - 1);
    Value rows = tensor::CollapseShapeOp::create(b, loc, lhs, groups);
    SmallVector<OpFoldResult> flatSizes = {
        tensor::getMixedSize(b, loc, rows, 0), sizes.back()};
    Value product = linalg::MatmulOp::create(b, loc, ValueRange{rows, rhs},
                                             ValueRange{zeros(flatSizes)})
                        .getResult(0);
    SmallVector<int64_t> shape(lhsShape.drop_back());
    shape.push_back(rhsShape.back());
    return tensor::ExpandShapeOp::create(
               b, loc, RankedTensorType::get(shape, elementType), product,
               groups)
        .getResult();
  }

  // Equal batch dimensions: one batch_matmul over their product.
  if (lhsBatch == rhsBatch && atMostOneDynamic(lhsBatch)) {
    if (batchRank == 1)
      return linalg::BatchMatmulOp::create(b, loc, ValueRange{lhs, rhs},
                                           ValueRange{zeros(sizes)})
          .getResult(0);
    SmallVector<ReassociationIndices> groups(3);
    for (int64_t d = 0; d < batchRank; ++d)
      groups[0].push_back(d);
    groups[1].push_back(batchRank);
    groups[2].push_back(batchRank + 1);
    Value flatLhs = tensor::CollapseShapeOp::create(b, loc, lhs, groups);
    Value flatRhs = tensor::CollapseShapeOp::create(b, loc, rhs, groups);
    SmallVector<OpFoldResult> flatSizes = {
        tensor::getMixedSize(b, loc, flatLhs, 0), sizes[batchRank],
        sizes[batchRank + 1]};
    Value product =
        linalg::BatchMatmulOp::create(b, loc, ValueRange{flatLhs, flatRhs},
                                      ValueRange{zeros(flatSizes)})
            .getResult(0);
    SmallVector<int64_t> shape(*batch);
    shape.push_back(lhsShape[lhsRank - 2]);
    shape.push_back(rhsShape.back());
    return tensor::ExpandShapeOp::create(
               b, loc, RankedTensorType::get(shape, elementType), product,
               groups)
        .getResult();
  }

  return buildBroadcastMatmul(b, loc, lhs, rhs, *batch, zeros(sizes));
}

LogicalResult convertMatMul(NodeContext &ctx) {
  OpBuilder &b = ctx.builder;
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  RankedTensorType lhsType = ctx.inputType(0), rhsType = ctx.inputType(1);
  if (lhsType.getRank() == 0 || rhsType.getRank() == 0)
    return ctx.emitError() << "operands must have rank 1 or more; got "
                           << lhsType << " and " << rhsType;
  if (lhsType.getElementType() != rhsType.getElementType())
    return ctx.emitError() << "operand element types differ: " << lhsType
                           << " and " << rhsType;
  // A vector operand is a matrix with a unit dimension, dropped afterwards.
  bool lhsVector = lhsType.getRank() == 1, rhsVector = rhsType.getRank() == 1;
  if (lhsVector)
    lhs = tensor::ExpandShapeOp::create(
        b, ctx.loc,
        RankedTensorType::get({1, lhsType.getDimSize(0)},
                              lhsType.getElementType()),
        lhs, SmallVector<ReassociationIndices>{{0, 1}});
  if (rhsVector)
    rhs = appendUnitDims(b, ctx.loc, rhs, 2);
  FailureOr<Value> product = buildMatrixProduct(ctx, lhs, rhs);
  if (failed(product))
    return failure();
  Value result = *product;
  int64_t rank = cast<RankedTensorType>(result.getType()).getRank();
  SmallVector<int64_t> dropped;
  if (lhsVector)
    dropped.push_back(rank - 2);
  if (rhsVector)
    dropped.push_back(rank - 1);
  if (!dropped.empty())
    result = dropUnitDims(b, ctx.loc, result, dropped);
  ctx.setOutput(0, result, ctx.isUnsigned(0));
  return success();
}

LogicalResult convertGemm(NodeContext &ctx) {
  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  RankedTensorType lhsType = ctx.inputType(0), rhsType = ctx.inputType(1);
  if (lhsType.getRank() != 2 || rhsType.getRank() != 2)
    return ctx.emitError() << "A and B must be matrices; got " << lhsType
                           << " and " << rhsType;
  Type elementType = lhsType.getElementType();
  if (rhsType.getElementType() != elementType)
    return ctx.emitError() << "operand element types differ: " << lhsType
                           << " and " << rhsType;
  bool transA = ctx.getInt("transA", 0) != 0;
  bool transB = ctx.getInt("transB", 0) != 0;
  int64_t lhsK = lhsType.getDimSize(transA ? 0 : 1);
  int64_t rhsK = rhsType.getDimSize(transB ? 1 : 0);
  if (!ShapedType::isDynamic(lhsK) && !ShapedType::isDynamic(rhsK) &&
      lhsK != rhsK)
    return ctx.emitError() << "contracted dimensions differ: " << lhsType
                           << (transA ? " (transposed)" : "") << " and "
                           << rhsType << (transB ? " (transposed)" : "");

  SmallVector<OpFoldResult> sizes = {
      tensor::getMixedSize(b, loc, lhs, transA ? 1 : 0),
      tensor::getMixedSize(b, loc, rhs, transB ? 0 : 1)};
  Value init = createFilled(b, loc, sizes, scalarConstant(b, loc, elementType, 0));
  auto matmul = linalg::MatmulOp::create(b, loc, ValueRange{lhs, rhs},
                                         ValueRange{init});
  if (transA || transB) {
    // Transposes are read through the operand maps, not materialized.
    AffineExpr m, n, k;
    bindDims(b.getContext(), m, n, k);
    auto map = [&](AffineExpr row, AffineExpr col) {
      return AffineMap::get(3, 0, {row, col}, b.getContext());
    };
    matmul.setIndexingMapsAttr(b.getAffineMapArrayAttr(
        {transA ? map(k, m) : map(m, k), transB ? map(n, k) : map(k, n),
         map(m, n)}));
  }
  Value product = matmul.getResult(0);

  double alpha = ctx.getFloat("alpha", 1.0f);
  double beta = ctx.getFloat("beta", 1.0f);
  bool addC = ctx.hasInput(2) && beta != 0;
  if (alpha == 1 && !addC) {
    ctx.setOutput(0, product, ctx.isUnsigned(0));
    return success();
  }
  SmallVector<Value> operands = {product};
  if (addC)
    operands.push_back(ctx.input(2));
  FailureOr<Value> result = buildElementwise(
      ctx, operands, elementType,
      [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        Value value = args[0];
        if (alpha != 1)
          value = createMul(nb, nloc, value,
                            scalarConstant(nb, nloc, elementType, alpha));
        if (args.size() == 1)
          return value;
        Value c = args[1];
        if (beta != 1)
          c = createMul(nb, nloc, c, scalarConstant(nb, nloc, elementType, beta));
        return createAdd(nb, nloc, value, c);
      });
  if (failed(result))
    return failure();
  if (failed(verifyCompatibleShape(result->getType(), product.getType())))
    return ctx.emitError() << "C of type " << ctx.inputType(2)
                           << " does not broadcast to the product's "
                           << product.getType();
  ctx.setOutput(0, *result, ctx.isUnsigned(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Conv, ConvTranspose
//===----------------------------------------------------------------------===//

/// Grouped convolution of any spatial rank: input [N, G, C, spatial...],
/// filter [G, F, C, kernel...], init [N, G, F, output...].
Value buildGroupedConvGeneric(OpBuilder &b, Location loc, Value input,
                              Value filter, Value init,
                              ArrayRef<int64_t> strides,
                              ArrayRef<int64_t> dilations) {
  int64_t spatial = strides.size();
  int64_t numLoops = 4 + 2 * spatial;
  MLIRContext *context = b.getContext();
  auto dim = [&](int64_t d) { return getAffineDimExpr(d, context); };
  // Loops: n, g, f, output..., c, kernel...
  AffineExpr n = dim(0), g = dim(1), f = dim(2), c = dim(3 + spatial);
  SmallVector<AffineExpr> inputExprs = {n, g, c};
  SmallVector<AffineExpr> filterExprs = {g, f, c};
  SmallVector<AffineExpr> outputExprs = {n, g, f};
  for (int64_t i = 0; i < spatial; ++i) {
    AffineExpr out = dim(3 + i), k = dim(4 + spatial + i);
    inputExprs.push_back(out * strides[i] + k * dilations[i]);
    filterExprs.push_back(k);
    outputExprs.push_back(out);
  }
  SmallVector<AffineMap> maps = {
      AffineMap::get(numLoops, 0, inputExprs, context),
      AffineMap::get(numLoops, 0, filterExprs, context),
      AffineMap::get(numLoops, 0, outputExprs, context)};
  return buildGeneric(b, loc, {input, filter}, init, maps,
                      iteratorTypes(3 + spatial, 1 + spatial),
                      [](OpBuilder &nb, Location nloc, ValueRange args) {
                        return createAdd(nb, nloc, args[2],
                                         createMul(nb, nloc, args[0], args[1]));
                      });
}

/// Accumulates into `init` ([N, M, output...]) the convolution of `input`
/// ([N, C, spatial...], padded already) with `filter` ([M, C/group,
/// kernel...]).
Value buildConvolution(NodeContext &ctx, Value input, Value filter,
                       Value init, ArrayRef<int64_t> strides,
                       ArrayRef<int64_t> dilations, int64_t group) {
  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  Attribute stridesAttr = b.getI64TensorAttr(strides);
  Attribute dilationsAttr = b.getI64TensorAttr(dilations);
  Type resultType = init.getType();
  SmallVector<Value> inputs = {input, filter};
  if (group == 1) {
    switch (strides.size()) {
    case 1:
      return linalg::Conv1DNcwFcwOp::create(b, loc, resultType, inputs, init,
                                            stridesAttr, dilationsAttr)
          .getResult(0);
    case 2:
      return linalg::Conv2DNchwFchwOp::create(b, loc, resultType, inputs,
                                              init, stridesAttr, dilationsAttr)
          .getResult(0);
    case 3:
      return linalg::Conv3DNcdhwFcdhwOp::create(
                 b, loc, resultType, inputs, init, stridesAttr, dilationsAttr)
          .getResult(0);
    default:
      break;
    }
  }
  // Split the channels into [group, channels / group].
  Value groupedInput = splitDim(b, loc, input, 1, group);
  Value groupedFilter = splitDim(b, loc, filter, 0, group);
  Value groupedInit = splitDim(b, loc, init, 1, group);
  Value result;
  if (strides.size() == 2)
    result = linalg::Conv2DNgchwGfchwOp::create(
                 b, loc, TypeRange{groupedInit.getType()},
                 ValueRange{groupedInput, groupedFilter},
                 ValueRange{groupedInit}, stridesAttr, dilationsAttr)
                 .getResult(0);
  else
    result = buildGroupedConvGeneric(b, loc, groupedInput, groupedFilter,
                                     groupedInit, strides, dilations);
  return mergeDims(b, loc, result, 1);
}

/// The accumulator of a convolution with result [N, shape[1:]...]: the bias
/// broadcast along the channels (dimension 1), or zeros.
Value buildConvInit(NodeContext &ctx, Value input, Value bias,
                    ArrayRef<int64_t> shape, Type elementType) {
  OpBuilder &b = ctx.builder;
  SmallVector<OpFoldResult> sizes = {
      tensor::getMixedSize(b, ctx.loc, input, 0)};
  for (int64_t size : shape.drop_front())
    sizes.push_back(b.getIndexAttr(size));
  if (!bias)
    return createFilled(b, ctx.loc, sizes,
                        scalarConstant(b, ctx.loc, elementType, 0));
  Value empty = tensor::EmptyOp::create(b, ctx.loc, sizes, elementType);
  SmallVector<int64_t> dims = {0};
  for (size_t d = 2; d < shape.size(); ++d)
    dims.push_back(d);
  return linalg::BroadcastOp::create(b, ctx.loc, bias, empty, dims)
      ->getResult(0);
}

/// Checks the data and filter of Conv/ConvTranspose: float data of rank 3+
/// with static channels and spatial dimensions, a static filter of the same
/// rank and element type, and a positive group.
LogicalResult checkConvOperands(NodeContext &ctx) {
  if (failed(requireFloat(ctx, 0)) ||
      failed(requireRank(ctx, 0, 3, "N x C x D1 x ... x Dn")) ||
      failed(requireStaticFrom(ctx, 0, 1, "channel or spatial")) ||
      failed(requireStaticFrom(ctx, 1, 0, "filter")))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  RankedTensorType filterType = ctx.inputType(1);
  if (filterType.getRank() != type.getRank() ||
      filterType.getElementType() != type.getElementType())
    return ctx.emitError() << "filter " << filterType
                           << " does not match input " << type;
  if (ctx.getInt("group", 1) < 1)
    return ctx.emitError() << "attribute 'group' must be positive";
  return success();
}

/// Checks that the bias, when given, is a vector of `outChannels`.
LogicalResult checkBias(NodeContext &ctx, int64_t outChannels) {
  if (!ctx.hasInput(2))
    return success();
  RankedTensorType biasType = ctx.inputType(2);
  if (biasType.getRank() == 1 &&
      biasType.getElementType() == ctx.inputType(0).getElementType() &&
      (biasType.isDynamicDim(0) || biasType.getDimSize(0) == outChannels))
    return success();
  return ctx.emitError() << "bias " << biasType << " is not a vector of "
                         << outChannels << " "
                         << ctx.inputType(0).getElementType();
}

LogicalResult convertConv(NodeContext &ctx) {
  if (failed(checkConvOperands(ctx)))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  ArrayRef<int64_t> filterShape = ctx.inputType(1).getShape();
  int64_t channels = type.getDimSize(1);
  int64_t outChannels = filterShape[0];
  int64_t group = ctx.getInt("group", 1);
  if (channels % group || outChannels % group ||
      filterShape[1] * group != channels)
    return ctx.emitError() << "group " << group << " does not fit "
                           << channels << " input channels, filter "
                           << ctx.inputType(1);
  if (failed(checkBias(ctx, outChannels)))
    return failure();
  size_t spatial = type.getRank() - 2;
  FailureOr<SmallVector<int64_t>> kernel =
      getKernelShape(ctx, spatial, filterShape.drop_front(2));
  if (failed(kernel))
    return failure();
  FailureOr<Window> w = getWindow(ctx, type.getShape().drop_front(2), *kernel,
                                  /*useDilations=*/true, /*ceilMode=*/false);
  if (failed(w))
    return failure();

  OpBuilder &b = ctx.builder;
  Type elementType = type.getElementType();
  Value zero = scalarConstant(b, ctx.loc, elementType, 0);
  Value input =
      padSpatial(b, ctx.loc, ctx.input(0), w->padBegin, w->padEnd, zero);
  SmallVector<int64_t> shape = {type.getDimSize(0), outChannels};
  shape.append(w->output);
  Value init = buildConvInit(ctx, ctx.input(0), ctx.input(2), shape,
                             elementType);
  ctx.setOutput(0, buildConvolution(ctx, input, ctx.input(1), init,
                                    w->strides, w->dilations, group));
  return success();
}

/// Spreads the spatial elements of `input` `strides` apart with zeros
/// between them, then pads each spatial axis with `low`/`high` zeros (a
/// negative amount crops).
Value spreadAndPad(NodeContext &ctx, Value input, ArrayRef<int64_t> strides,
                   ArrayRef<int64_t> low, ArrayRef<int64_t> high) {
  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  auto type = cast<RankedTensorType>(input.getType());
  Value zero = scalarConstant(b, loc, type.getElementType(), 0);
  size_t spatial = strides.size();
  SmallVector<int64_t> padLow, padHigh;
  for (size_t i = 0; i < spatial; ++i) {
    padLow.push_back(std::max<int64_t>(low[i], 0));
    padHigh.push_back(std::max<int64_t>(high[i], 0));
  }
  Value padded;
  if (llvm::all_of(strides, [](int64_t s) { return s == 1; })) {
    padded = padSpatial(b, loc, input, padLow, padHigh, zero);
  } else {
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, input);
    SmallVector<OpFoldResult> destSizes(sizes.begin(), sizes.begin() + 2);
    SmallVector<OpFoldResult> offsets(2, b.getIndexAttr(0));
    SmallVector<OpFoldResult> steps(2, b.getIndexAttr(1));
    for (size_t i = 0; i < spatial; ++i) {
      int64_t size = type.getDimSize(2 + i);
      destSizes.push_back(b.getIndexAttr((size - 1) * strides[i] + 1 +
                                         padLow[i] + padHigh[i]));
      offsets.push_back(b.getIndexAttr(padLow[i]));
      steps.push_back(b.getIndexAttr(strides[i]));
    }
    Value dest = createFilled(b, loc, destSizes, zero);
    padded = tensor::InsertSliceOp::create(b, loc, input, dest, offsets, sizes,
                                           steps);
  }
  if (llvm::all_of(low, [](int64_t p) { return p >= 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p >= 0; }))
    return padded;
  auto paddedType = cast<RankedTensorType>(padded.getType());
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, padded);
  SmallVector<OpFoldResult> offsets(2, b.getIndexAttr(0));
  SmallVector<OpFoldResult> steps(2 + spatial, b.getIndexAttr(1));
  for (size_t i = 0; i < spatial; ++i) {
    int64_t cropLow = -std::min<int64_t>(low[i], 0);
    int64_t cropHigh = -std::min<int64_t>(high[i], 0);
    offsets.push_back(b.getIndexAttr(cropLow));
    sizes[2 + i] =
        b.getIndexAttr(paddedType.getDimSize(2 + i) - cropLow - cropHigh);
  }
  return tensor::ExtractSliceOp::create(b, loc, padded, offsets, sizes, steps);
}

/// The filter of the convolution equivalent to a transposed one: [C, M/g,
/// kernel...] becomes [M, C/g, kernel...], each kernel mirrored.
Value transposeFilter(OpBuilder &b, Location loc, Value filter,
                      int64_t group) {
  auto type = cast<RankedTensorType>(filter.getType());
  Value grouped = splitDim(b, loc, filter, 0, group); // [G, C/g, M/g, k...]
  ArrayRef<int64_t> groupedShape =
      cast<RankedTensorType>(grouped.getType()).getShape();
  int64_t rank = groupedShape.size();
  SmallVector<int64_t> shape(groupedShape);
  std::swap(shape[1], shape[2]);
  MLIRContext *context = b.getContext();
  // Loops run over the result [G, M/g, C/g, k...].
  SmallVector<AffineExpr> exprs = {getAffineDimExpr(0, context),
                                   getAffineDimExpr(2, context),
                                   getAffineDimExpr(1, context)};
  for (int64_t d = 3; d < rank; ++d)
    exprs.push_back(getAffineConstantExpr(shape[d] - 1, context) -
                    getAffineDimExpr(d, context));
  Value init = tensor::EmptyOp::create(b, loc, shape, type.getElementType());
  Value flipped = buildGeneric(
      b, loc, grouped, init,
      {AffineMap::get(rank, 0, exprs, context), b.getMultiDimIdentityMap(rank)},
      iteratorTypes(rank, 0),
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
  return mergeDims(b, loc, flipped, 0);
}

LogicalResult convertConvTranspose(NodeContext &ctx) {
  if (failed(checkConvOperands(ctx)))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  ArrayRef<int64_t> filterShape = ctx.inputType(1).getShape();
  int64_t channels = type.getDimSize(1);
  int64_t group = ctx.getInt("group", 1);
  int64_t outChannels = filterShape[1] * group;
  if (filterShape[0] != channels || channels % group)
    return ctx.emitError() << "group " << group << " does not fit "
                           << channels << " input channels, filter "
                           << ctx.inputType(1);
  if (failed(checkBias(ctx, outChannels)))
    return failure();
  size_t spatial = type.getRank() - 2;
  ArrayRef<int64_t> inputSizes = type.getShape().drop_front(2);
  FailureOr<SmallVector<int64_t>> kernel =
      getKernelShape(ctx, spatial, filterShape.drop_front(2));
  FailureOr<SmallVector<int64_t>> strides =
      getAxisInts(ctx, "strides", spatial, 1, 1);
  FailureOr<SmallVector<int64_t>> dilations =
      getAxisInts(ctx, "dilations", spatial, 1, 1);
  FailureOr<SmallVector<int64_t>> outputPadding =
      getAxisInts(ctx, "output_padding", spatial, 0, 0);
  if (failed(kernel) || failed(strides) || failed(dilations) ||
      failed(outputPadding))
    return failure();

  // The full transposed convolution has `full` elements per axis; the pads
  // crop it.
  SmallVector<int64_t> full, padBegin(spatial, 0), padEnd(spatial, 0);
  for (size_t i = 0; i < spatial; ++i)
    full.push_back((*strides)[i] * (inputSizes[i] - 1) + (*outputPadding)[i] +
                   ((*kernel)[i] - 1) * (*dilations)[i] + 1);
  std::string autoPad = ctx.getString("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return ctx.emitError() << "unsupported auto_pad '" << autoPad
                           << "'; expected NOTSET, SAME_UPPER, SAME_LOWER "
                              "or VALID";
  SmallVector<int64_t> outputShape = ctx.getInts("output_shape");
  if (!outputShape.empty() || autoPad == "SAME_UPPER" ||
      autoPad == "SAME_LOWER") {
    // The pads come from the requested output size; SAME_UPPER puts the
    // larger half at the end.
    if (outputShape.size() == spatial + 2)
      outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
    if (outputShape.empty())
      for (size_t i = 0; i < spatial; ++i)
        outputShape.push_back(inputSizes[i] * (*strides)[i]);
    if (outputShape.size() != spatial)
      return ctx.emitError() << "attribute 'output_shape' has "
                             << outputShape.size() << " values; expected "
                             << spatial;
    for (size_t i = 0; i < spatial; ++i) {
      int64_t total = full[i] - outputShape[i];
      int64_t half = llvm::divideFloorSigned(total, 2);
      padBegin[i] = autoPad == "SAME_UPPER" ? half : total - half;
      padEnd[i] = total - padBegin[i];
    }
  } else if (autoPad == "NOTSET") {
    FailureOr<SmallVector<int64_t>> pads =
        getAxisInts(ctx, "pads", 2 * spatial, 0, 0);
    if (failed(pads))
      return failure();
    padBegin.assign(pads->begin(), pads->begin() + spatial);
    padEnd.assign(pads->begin() + spatial, pads->end());
  }

  // Equivalent to a stride-1 convolution of the input spread `strides`
  // apart and padded by the kernel extent less the pads, with the filter
  // mirrored and its channel dimensions swapped.
  SmallVector<int64_t> low, high, shape = {type.getDimSize(0), outChannels};
  for (size_t i = 0; i < spatial; ++i) {
    int64_t size = full[i] - padBegin[i] - padEnd[i];
    if (size < 1)
      return ctx.emitError() << "the output would have " << size
                             << " elements on spatial axis " << i;
    shape.push_back(size);
    int64_t extent = ((*kernel)[i] - 1) * (*dilations)[i];
    low.push_back(extent - padBegin[i]);
    high.push_back(extent - padEnd[i] + (*outputPadding)[i]);
  }
  OpBuilder &b = ctx.builder;
  Value input = spreadAndPad(ctx, ctx.input(0), *strides, low, high);
  Value filter = transposeFilter(b, ctx.loc, ctx.input(1), group);
  Value init = buildConvInit(ctx, ctx.input(0), ctx.input(2), shape,
                             type.getElementType());
  SmallVector<int64_t> unitStrides(spatial, 1);
  ctx.setOutput(0, buildConvolution(ctx, input, filter, init, unitStrides,
                                    *dilations, group));
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// The affine maps of a pooling window over `spatial` axes: loops n, c,
/// output..., kernel...; the input, the window and the output.
SmallVector<AffineMap> poolingMaps(MLIRContext *context, const Window &w) {
  int64_t spatial = w.kernel.size();
  int64_t numLoops = 2 + 2 * spatial;
  auto dim = [&](int64_t d) { return getAffineDimExpr(d, context); };
  SmallVector<AffineExpr> inputExprs = {dim(0), dim(1)};
  SmallVector<AffineExpr> windowExprs;
  SmallVector<AffineExpr> outputExprs = {dim(0), dim(1)};
  for (int64_t i = 0; i < spatial; ++i) {
    AffineExpr out = dim(2 + i), k = dim(2 + spatial + i);
    inputExprs.push_back(out * w.strides[i] + k * w.dilations[i]);
    windowExprs.push_back(k);
    outputExprs.push_back(out);
  }
  return {AffineMap::get(numLoops, 0, inputExprs, context),
          AffineMap::get(numLoops, 0, windowExprs, context),
          AffineMap::get(numLoops, 0, outputExprs, context)};
}

/// Max (`isMax`) or sum of each window of `input` (padded already) into
/// `init` ([N, C, output...]).
Value buildPooling(NodeContext &ctx, Value input, Value init, const Window &w,
                   bool isMax, bool isUnsigned) {
  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  Type elementType = cast<RankedTensorType>(init.getType()).getElementType();
  Value window = tensor::EmptyOp::create(b, loc, w.kernel, elementType);
  Type resultType = init.getType();
  SmallVector<Value> inputs = {input, window};
  Attribute strides = b.getI64TensorAttr(w.strides);
  Attribute dilations = b.getI64TensorAttr(w.dilations);
  if (isa<FloatType>(elementType) && w.kernel.size() == 2)
    return isMax ? linalg::PoolingNchwMaxOp::create(b, loc, resultType, inputs,
                                                    init, strides, dilations)
                       .getResult(0)
                 : linalg::PoolingNchwSumOp::create(b, loc, resultType, inputs,
                                                    init, strides, dilations)
                       .getResult(0);
  if (isa<FloatType>(elementType) && w.kernel.size() == 1)
    return isMax ? linalg::PoolingNcwMaxOp::create(b, loc, resultType, inputs,
                                                   init, strides, dilations)
                       .getResult(0)
                 : linalg::PoolingNcwSumOp::create(b, loc, resultType, inputs,
                                                   init, strides, dilations)
                       .getResult(0);
  int64_t spatial = w.kernel.size();
  return buildGeneric(
      b, loc, inputs, init, poolingMaps(b.getContext(), w),
      iteratorTypes(2 + spatial, spatial),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        return isMax ? createMax(nb, nloc, args[0], args[2], isUnsigned)
                     : createAdd(nb, nloc, args[0], args[2]);
      });
}

/// MaxPool's values and their flat indices in the unpadded input (row-major
/// over all dimensions, or column-major over the spatial ones when
/// `columnMajor`); the first maximum of a window wins.
std::pair<Value, Value> buildMaxPoolWithIndices(
    NodeContext &ctx, Value source, Value input, Value init, const Window &w,
    bool isUnsigned, bool columnMajor) {
  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  auto sourceType = cast<RankedTensorType>(source.getType());
  int64_t spatial = w.kernel.size();
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, init);
  Value indexInit = createFilled(
      b, loc, sizes, scalarConstant(b, loc, b.getI64Type(), 0));
  Value channels = tensor::DimOp::create(b, loc, source, 1);
  Value window =
      tensor::EmptyOp::create(b, loc, w.kernel, sourceType.getElementType());
  SmallVector<AffineMap> maps = poolingMaps(b.getContext(), w);
  maps.push_back(maps.back());
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType(), indexInit.getType()},
      ValueRange{input, window}, ValueRange{init, indexInit}, maps,
      iteratorTypes(2 + spatial, spatial),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        auto index = [&](int64_t d) -> Value {
          return linalg::IndexOp::create(nb, nloc, d);
        };
        auto constant = [&](int64_t v) -> Value {
          return arith::ConstantIndexOp::create(nb, nloc, v);
        };
        // Flat index: (n * C + c) * plane + offset within the plane.
        Value plane = constant(1), offset = constant(0);
        for (int64_t j = 0; j < spatial; ++j) {
          int64_t i = columnMajor ? j : spatial - 1 - j;
          Value position = arith::AddIOp::create(
              nb, nloc,
              arith::MulIOp::create(nb, nloc, index(2 + i),
                                    constant(w.strides[i])),
              arith::MulIOp::create(nb, nloc, index(2 + spatial + i),
                                    constant(w.dilations[i])));
          position = arith::SubIOp::create(nb, nloc, position,
                                           constant(w.padBegin[i]));
          offset = arith::AddIOp::create(
              nb, nloc, offset, arith::MulIOp::create(nb, nloc, position, plane));
          plane = arith::MulIOp::create(
              nb, nloc, plane, constant(sourceType.getDimSize(2 + i)));
        }
        Value image = arith::AddIOp::create(
            nb, nloc, arith::MulIOp::create(nb, nloc, index(0), channels),
            index(1));
        Value flat = arith::AddIOp::create(
            nb, nloc, arith::MulIOp::create(nb, nloc, image, plane), offset);
        flat = arith::IndexCastOp::create(nb, nloc, nb.getI64Type(), flat);
        Value greater;
        if (isa<FloatType>(args[0].getType()))
          greater = arith::CmpFOp::create(nb, nloc, arith::CmpFPredicate::OGT,
                                          args[0], args[2]);
        else
          greater = arith::CmpIOp::create(
              nb, nloc,
              isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt,
              args[0], args[2]);
        Value value =
            arith::SelectOp::create(nb, nloc, greater, args[0], args[2]);
        Value position =
            arith::SelectOp::create(nb, nloc, greater, flat, args[3]);
        linalg::YieldOp::create(nb, nloc, ValueRange{value, position});
      });
  return {generic.getResult(0), generic.getResult(1)};
}

/// Divides each window sum of AveragePool by the number of elements it
/// covers: every element when pads count (`countPads`), except those that
/// ceil_mode adds past the end padding; otherwise input elements only.
Value divideByWindowSize(NodeContext &ctx, Value sums, const Window &w,
                         ArrayRef<int64_t> inputSizes, bool countPads) {
  size_t spatial = w.kernel.size();
  SmallVector<int64_t> lowest, highest;
  bool uniform = true;
  int64_t kernelSize = 1;
  for (size_t i = 0; i < spatial; ++i) {
    lowest.push_back(countPads ? -w.padBegin[i] : 0);
    highest.push_back(countPads ? inputSizes[i] + w.padEnd[i] : inputSizes[i]);
    int64_t lastEnd =
        (w.output[i] - 1) * w.strides[i] - w.padBegin[i] + w.kernel[i];
    uniform &= -w.padBegin[i] >= lowest[i] && lastEnd <= highest[i];
    kernelSize *= w.kernel[i];
  }
  Type elementType = cast<RankedTensorType>(sums.getType()).getElementType();
  int64_t rank = 2 + spatial;
  return buildMapped(
      ctx, sums, elementType, sums, ctx.builder.getMultiDimIdentityMap(rank),
      [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        if (uniform)
          return arith::DivFOp::create(
              nb, nloc, args[0],
              scalarConstant(nb, nloc, elementType, kernelSize));
        // The window on axis i starts at out * stride - padBegin; count the
        // part of it within [lowest, highest).
        auto constant = [&](int64_t v) -> Value {
          return arith::ConstantIndexOp::create(nb, nloc, v);
        };
        Value count = constant(1);
        for (size_t i = 0; i < spatial; ++i) {
          Value out = linalg::IndexOp::create(nb, nloc, 2 + i);
          Value start = arith::SubIOp::create(
              nb, nloc,
              arith::MulIOp::create(nb, nloc, out, constant(w.strides[i])),
              constant(w.padBegin[i]));
          Value end =
              arith::AddIOp::create(nb, nloc, start, constant(w.kernel[i]));
          start = arith::MaxSIOp::create(nb, nloc, start, constant(lowest[i]));
          end = arith::MinSIOp::create(nb, nloc, end, constant(highest[i]));
          count = arith::MulIOp::create(
              nb, nloc, count, arith::SubIOp::create(nb, nloc, end, start));
        }
        return arith::DivFOp::create(
            nb, nloc, args[0], indexToFloat(nb, nloc, count, elementType));
      });
}

LogicalResult convertPool(NodeContext &ctx, bool isMax) {
  if (failed(requireRank(ctx, 0, 3, "N x C x D1 x ... x Dn")) ||
      failed(requireStaticFrom(ctx, 0, 2, "spatial")))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  Type elementType = type.getElementType();
  bool isUnsigned = ctx.isUnsigned(0);
  if (!isa<FloatType>(elementType) && !(isMax && elementType.isInteger(8)))
    return ctx.emitError() << "unsupported element type " << elementType;
  size_t spatial = type.getRank() - 2;
  ArrayRef<int64_t> inputSizes = type.getShape().drop_front(2);
  FailureOr<SmallVector<int64_t>> kernel = getKernelShape(ctx, spatial, {});
  if (failed(kernel))
    return failure();
  FailureOr<Window> w = getWindow(ctx, inputSizes, *kernel, isMax,
                                  ctx.getInt("ceil_mode", 0) != 0);
  if (failed(w))
    return failure();

  // ceil_mode may let the last windows run past the end padding; they read
  // padding there too.
  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  SmallVector<int64_t> padEnd = w->padEnd;
  for (size_t i = 0; i < spatial; ++i)
    padEnd[i] += std::max<int64_t>(
        0, (w->output[i] - 1) * w->strides[i] + w->extent(i) -
               (inputSizes[i] + w->padBegin[i] + w->padEnd[i]));
  Value initial = isMax ? lowestValue(b, loc, elementType, isUnsigned)
                        : scalarConstant(b, loc, elementType, 0);
  Value input = padSpatial(b, loc, ctx.input(0), w->padBegin, padEnd, initial);
  SmallVector<OpFoldResult> sizes = {
      tensor::getMixedSize(b, loc, ctx.input(0), 0),
      tensor::getMixedSize(b, loc, ctx.input(0), 1)};
  for (int64_t size : w->output)
    sizes.push_back(b.getIndexAttr(size));
  Value init = createFilled(b, loc, sizes, initial);

  if (isMax && ctx.hasOutput(1)) {
    auto [values, indices] = buildMaxPoolWithIndices(
        ctx, ctx.input(0), input, init, *w, isUnsigned,
        ctx.getInt("storage_order", 0) != 0);
    ctx.setOutput(0, values, isUnsigned);
    ctx.setOutput(1, indices);
    return success();
  }
  Value pooled = buildPooling(ctx, input, init, *w, isMax, isUnsigned);
  if (!isMax)
    pooled = divideByWindowSize(ctx, pooled, *w, inputSizes,
                                ctx.getInt("count_include_pad", 0) != 0);
  ctx.setOutput(0, pooled, isUnsigned);
  return success();
}

LogicalResult convertGlobalPool(NodeContext &ctx, bool isMax) {
  if (failed(requireFloat(ctx, 0)) ||
      failed(requireRank(ctx, 0, 2, "N x C x D1 x ... x Dn")))
    return failure();
  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  Value input = ctx.input(0);
  RankedTensorType type = ctx.inputType(0);
  Type elementType = type.getElementType();
  Value initial = isMax ? lowestValue(b, loc, elementType, false)
                        : scalarConstant(b, loc, elementType, 0);
  Value result = reduceTrailing(
      ctx, input, 2, initial,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        return isMax ? createMax(nb, nloc, args[0], args[1], false)
                     : createAdd(nb, nloc, args[0], args[1]);
      });
  if (!isMax) {
    Value count = countElements(b, loc, input, 2, elementType);
    result = buildMapped(ctx, result, elementType, result,
                         b.getMultiDimIdentityMap(2),
                         [&](OpBuilder &nb, Location nloc, ValueRange args) {
                           return arith::DivFOp::create(nb, nloc, args[0],
                                                        count);
                         });
  }
  ctx.setOutput(0, appendUnitDims(b, loc, result, type.getRank()));
  return success();
}

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

/// The BatchNormalization of `ctx` folded into the convolution that
/// produces its input, or null: y = (conv(x, W) + bias - mean) * factor + B
/// with factor = scale / sqrt(var + epsilon) per output channel is
/// conv(x, W * factor) + (bias - mean) * factor + B. Needs an f32 1-D or
/// 2-D ungrouped convolution with a constant filter, a zero or constant
/// bias, and constant statistics. The folded convolution is a new op: the
/// original stays for any other user of its result and is erased as dead
/// code otherwise.
Value foldIntoConvolution(NodeContext &ctx, double epsilon) {
  auto conv = ctx.input(0).getDefiningOp<linalg::LinalgOp>();
  if (!conv || !isa<linalg::Conv2DNchwFchwOp, linalg::Conv1DNcwFcwOp>(*conv))
    return nullptr;
  auto resultType = cast<RankedTensorType>(conv->getResult(0).getType());
  if (!resultType.getElementType().isF32() || resultType.isDynamicDim(1))
    return nullptr;
  size_t filters = resultType.getDimSize(1);
  // scale, B, mean, var.
  SmallVector<SmallVector<float>> params;
  for (unsigned i = 1; i < 5; ++i) {
    ElementsAttr attr = getConstantElements(ctx.input(i));
    std::optional<SmallVector<float>> values =
        attr ? getF32Values(attr) : std::nullopt;
    if (!values || values->size() != filters)
      return nullptr;
    params.push_back(std::move(*values));
  }
  Value filter = conv.getDpsInputs()[1];
  ElementsAttr filterAttr = getConstantElements(filter);
  std::optional<SmallVector<float>> weights =
      filterAttr ? getF32Values(filterAttr) : std::nullopt;
  if (!weights || weights->empty() || weights->size() % filters)
    return nullptr;
  SmallVector<float> bias(filters, 0.0f);
  Value init = conv.getDpsInits()[0];
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    if (!matchPattern(fill.value(), m_AnyZeroFloat()))
      return nullptr;
  } else if (auto broadcast = init.getDefiningOp<linalg::BroadcastOp>()) {
    ElementsAttr attr = getConstantElements(broadcast.getInput());
    std::optional<SmallVector<float>> values =
        attr ? getF32Values(attr) : std::nullopt;
    if (!values || values->size() != filters)
      return nullptr;
    bias = std::move(*values);
  } else {
    return nullptr;
  }

  size_t perFilter = weights->size() / filters;
  SmallVector<float> foldedWeights(weights->size()), foldedBias(filters);
  for (size_t f = 0; f < filters; ++f) {
    double factor = static_cast<double>(params[0][f]) /
                    std::sqrt(static_cast<double>(params[3][f]) + epsilon);
    for (size_t k = 0; k < perFilter; ++k)
      foldedWeights[f * perFilter + k] =
          static_cast<float>((*weights)[f * perFilter + k] * factor);
    foldedBias[f] = static_cast<float>(
        (static_cast<double>(bias[f]) - params[2][f]) * factor +
        params[1][f]);
  }

  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  // Weights that came as a blob stay one; small inline ones stay inline.
  std::string name = getWeightsName(filterAttr, "conv") + "_batchnorm";
  bool blob = isa<DenseResourceElementsAttr>(filterAttr);
  auto weightsAttr = [&](RankedTensorType type, ArrayRef<float> values,
                         StringRef suffix) -> TypedAttr {
    if (blob)
      return makeF32Weights(type, values, name + suffix.str());
    return DenseElementsAttr::get(type, values);
  };
  Value foldedFilter = arith::ConstantOp::create(
      b, loc,
      weightsAttr(cast<RankedTensorType>(filter.getType()), foldedWeights,
                  ""));
  Value biasValue = arith::ConstantOp::create(
      b, loc,
      weightsAttr(RankedTensorType::get({static_cast<int64_t>(filters)},
                                        b.getF32Type()),
                  foldedBias, "_bias"));
  Value input = conv.getDpsInputs()[0];
  Value foldedInit = buildConvInit(ctx, input, biasValue,
                                   resultType.getShape(), b.getF32Type());
  SmallVector<Value> inputs = {input, foldedFilter};
  if (auto conv2d = dyn_cast<linalg::Conv2DNchwFchwOp>(*conv))
    return linalg::Conv2DNchwFchwOp::create(b, loc, resultType, inputs,
                                            foldedInit, conv2d.getStrides(),
                                            conv2d.getDilations())
        .getResult(0);
  auto conv1d = cast<linalg::Conv1DNcwFcwOp>(*conv);
  return linalg::Conv1DNcwFcwOp::create(b, loc, resultType, inputs,
                                        foldedInit, conv1d.getStrides(),
                                        conv1d.getDilations())
      .getResult(0);
}

LogicalResult convertBatchNormalization(NodeContext &ctx) {
  if (ctx.opset() >= 14 && ctx.getInt("training_mode", 0) != 0)
    return ctx.emitError() << "training_mode=1 is not supported; Sift "
                              "imports inference graphs";
  for (unsigned i = 1; i < ctx.numOutputs(); ++i)
    if (ctx.hasOutput(i))
      return ctx.emitError() << "output #" << i
                             << " (a training statistic) is not supported; "
                                "Sift imports inference graphs";
  if (failed(requireFloat(ctx, 0)) ||
      failed(requireRank(ctx, 0, 2, "N x C x D1 x ... x Dn")))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  // Before opset 9, spatial=0 gives each element of a sample its own
  // statistics.
  bool spatial = ctx.opset() >= 9 || ctx.getInt("spatial", 1) != 0;
  ArrayRef<int64_t> paramShape =
      type.getShape().slice(1, spatial ? 1 : rank - 1);
  for (unsigned i = 1; i < 5; ++i) {
    RankedTensorType paramType = ctx.inputType(i);
    bool matches = paramType.getRank() == static_cast<int64_t>(paramShape.size());
    for (int64_t d = 0; matches && d < paramType.getRank(); ++d)
      matches = paramType.isDynamicDim(d) ||
                ShapedType::isDynamic(paramShape[d]) ||
                paramType.getDimSize(d) == paramShape[d];
    if (!matches || !isa<FloatType>(paramType.getElementType()))
      return ctx.emitError() << "input #" << i << " of type " << paramType
                             << " does not match the input's channels "
                             << llvm::interleaved_array(paramShape);
  }

  // y = (x - mean) * factor + bias, with factor = scale / sqrt(var + eps).
  OpBuilder &b = ctx.builder;
  Type elementType = type.getElementType();
  double epsilon = ctx.getFloat("epsilon", 1e-5f);
  // After a convolution with constant weights, folded into them.
  if (Value folded = foldIntoConvolution(ctx, epsilon)) {
    ctx.setOutput(0, folded);
    return success();
  }
  auto convert = [&](OpBuilder &nb, Location nloc, Value v) {
    return convertScalar(nb, nloc, v, elementType, false, false);
  };
  FailureOr<Value> factor = buildElementwise(
      ctx, {ctx.input(1), ctx.input(4)}, elementType,
      [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        Value variance = arith::AddFOp::create(
            nb, nloc, convert(nb, nloc, args[1]),
            scalarConstant(nb, nloc, elementType, epsilon));
        return arith::DivFOp::create(nb, nloc, convert(nb, nloc, args[0]),
                                     math::SqrtOp::create(nb, nloc, variance));
      });
  if (failed(factor))
    return failure();
  SmallVector<AffineExpr> paramExprs;
  for (size_t d = 0; d < paramShape.size(); ++d)
    paramExprs.push_back(b.getAffineDimExpr(1 + d));
  AffineMap paramMap = AffineMap::get(rank, 0, paramExprs, b.getContext());
  Value result = buildMapped(
      ctx, ctx.input(0), elementType,
      {ctx.input(0), ctx.input(3), *factor, ctx.input(2)},
      {b.getMultiDimIdentityMap(rank), paramMap, paramMap, paramMap},
      [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        Value centered = arith::SubFOp::create(nb, nloc, args[0],
                                               convert(nb, nloc, args[1]));
        Value scaled = arith::MulFOp::create(nb, nloc, centered, args[2]);
        return arith::AddFOp::create(nb, nloc, scaled,
                                     convert(nb, nloc, args[3]));
      });
  ctx.setOutput(0, result);
  return success();
}

/// Per-row mean and variance of `input` over its dimensions from `keep` on,
/// in `type`: two passes, the second over the deviations.
std::pair<Value, Value> buildMoments(NodeContext &ctx, Value input,
                                     int64_t keep, Type type) {
  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  Value zero = scalarConstant(b, loc, type, 0);
  Value count = countElements(b, loc, input, keep, type);
  auto convert = [&](OpBuilder &nb, Location nloc, Value v) {
    return convertScalar(nb, nloc, v, type, false, false);
  };
  auto divideByCount = [&](Value sums) {
    int64_t rank = cast<RankedTensorType>(sums.getType()).getRank();
    return buildMapped(ctx, sums, type, sums, b.getMultiDimIdentityMap(rank),
                       [&](OpBuilder &nb, Location nloc, ValueRange args) {
                         return arith::DivFOp::create(nb, nloc, args[0],
                                                      count);
                       });
  };
  Value mean = divideByCount(reduceTrailing(
      ctx, input, keep, zero,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        return arith::AddFOp::create(nb, nloc, convert(nb, nloc, args[0]),
                                     args[1]);
      }));
  Value variance = divideByCount(reduceTrailing(
      ctx, {input, mean}, keep, zero,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value deviation = arith::SubFOp::create(
            nb, nloc, convert(nb, nloc, args[0]), args[1]);
        return arith::AddFOp::create(
            nb, nloc, arith::MulFOp::create(nb, nloc, deviation, deviation),
            args[2]);
      }));
  return {mean, variance};
}

/// 1 / sqrt(variance + epsilon).
Value inverseStdDev(OpBuilder &b, Location loc, Value variance,
                    double epsilon) {
  Type type = variance.getType();
  Value sum = arith::AddFOp::create(b, loc, variance,
                                    scalarConstant(b, loc, type, epsilon));
  return arith::DivFOp::create(b, loc, scalarConstant(b, loc, type, 1),
                               math::SqrtOp::create(b, loc, sum));
}

LogicalResult convertInstanceNormalization(NodeContext &ctx) {
  if (failed(requireFloat(ctx, 0)) ||
      failed(requireRank(ctx, 0, 3, "N x C x D1 x ... x Dn")))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  for (unsigned i = 1; i < 3; ++i) {
    RankedTensorType paramType = ctx.inputType(i);
    if (paramType.getRank() != 1 ||
        paramType.getElementType() != type.getElementType() ||
        (!paramType.isDynamicDim(0) && !type.isDynamicDim(1) &&
         paramType.getDimSize(0) != type.getDimSize(1)))
      return ctx.emitError() << "input #" << i << " of type " << paramType
                             << " is not a vector of the channels of "
                             << type;
  }
  OpBuilder &b = ctx.builder;
  Type elementType = type.getElementType();
  int64_t rank = type.getRank();
  double epsilon = ctx.getFloat("epsilon", 1e-5f);
  auto [mean, variance] = buildMoments(ctx, ctx.input(0), 2, elementType);
  AffineMap rowMap = leadingDimsMap(rank, 2, b.getContext());
  AffineMap channelMap = AffineMap::get(rank, 0, b.getAffineDimExpr(1));
  Value result = buildMapped(
      ctx, ctx.input(0), elementType,
      {ctx.input(0), mean, variance, ctx.input(1), ctx.input(2)},
      {b.getMultiDimIdentityMap(rank), rowMap, rowMap, channelMap, channelMap},
      [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        Value centered = arith::SubFOp::create(nb, nloc, args[0], args[1]);
        Value normalized = arith::MulFOp::create(
            nb, nloc, centered, inverseStdDev(nb, nloc, args[2], epsilon));
        return arith::AddFOp::create(
            nb, nloc, arith::MulFOp::create(nb, nloc, normalized, args[3]),
            args[4]);
      });
  ctx.setOutput(0, result);
  return success();
}

/// MeanVarianceNormalization: (x - mean) / (sqrt(variance) + 1e-9) over
/// `axes` (default N, H, W), ONNX's function body. The kept dims move to the
/// front so that the moments reduce trailing dims.
LogicalResult convertMeanVarianceNormalization(NodeContext &ctx) {
  if (failed(requireFloat(ctx, 0)))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  SmallVector<int64_t> axes = ctx.hasAttr("axes")
                                  ? ctx.getInts("axes")
                                  : SmallVector<int64_t>{0, 2, 3};
  llvm::SmallBitVector reduced(rank);
  for (int64_t axis : axes) {
    FailureOr<int64_t> normalized = normalizeAxis(ctx, axis, rank);
    if (failed(normalized))
      return failure();
    if (reduced.test(*normalized))
      return ctx.emitError() << "axis " << axis << " is listed twice";
    reduced.set(*normalized);
  }
  SmallVector<int64_t> order;
  for (int64_t d = 0; d < rank; ++d)
    if (!reduced.test(d))
      order.push_back(d);
  int64_t kept = order.size();
  for (int64_t d = 0; d < rank; ++d)
    if (reduced.test(d))
      order.push_back(d);

  OpBuilder &b = ctx.builder;
  Type elementType = type.getElementType();
  Value moved = ctx.input(0);
  if (!llvm::equal(order, llvm::seq<int64_t>(0, rank))) {
    SmallVector<OpFoldResult> sizes;
    for (int64_t d : order)
      sizes.push_back(tensor::getMixedSize(b, ctx.loc, moved, d));
    Value init = tensor::EmptyOp::create(b, ctx.loc, sizes, elementType);
    moved = linalg::TransposeOp::create(b, ctx.loc, moved, init, order)
                .getResult()
                .front();
  }
  auto [mean, variance] = buildMoments(ctx, moved, kept, elementType);
  SmallVector<AffineExpr> keptExprs;
  for (int64_t i = 0; i < kept; ++i)
    keptExprs.push_back(b.getAffineDimExpr(order[i]));
  AffineMap keptMap = AffineMap::get(rank, 0, keptExprs, b.getContext());
  Value result = buildMapped(
      ctx, ctx.input(0), elementType, {ctx.input(0), mean, variance},
      {b.getMultiDimIdentityMap(rank), keptMap, keptMap},
      [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        Value centered = arith::SubFOp::create(nb, nloc, args[0], args[1]);
        Value deviation = arith::AddFOp::create(
            nb, nloc, math::SqrtOp::create(nb, nloc, args[2]),
            scalarConstant(nb, nloc, elementType, 1e-9));
        return arith::DivFOp::create(nb, nloc, centered, deviation);
      });
  ctx.setOutput(0, result);
  return success();
}

LogicalResult convertLayerNormalization(NodeContext &ctx) {
  if (failed(requireFloat(ctx, 0)) || failed(requireRank(ctx, 0, 1, "X")))
    return failure();
  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  FailureOr<int64_t> axis = normalizeAxis(ctx, ctx.getInt("axis", -1), rank);
  if (failed(axis))
    return failure();
  // stash_type is the precision of the statistics.
  int64_t stashType = ctx.getInt("stash_type", 1);
  Type statType;
  if (stashType == onnx::TensorProto::FLOAT)
    statType = b.getF32Type();
  else if (stashType == onnx::TensorProto::BFLOAT16)
    statType = b.getBF16Type();
  else
    return ctx.emitError() << "unsupported stash_type " << stashType
                           << "; expected 1 (float) or 16 (bfloat16)";
  Type elementType = type.getElementType();
  SmallVector<Value> inputs = {ctx.input(0)};
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
  for (unsigned i = 1; i < 3; ++i) {
    if (!ctx.hasInput(i))
      continue;
    RankedTensorType paramType = ctx.inputType(i);
    if (paramType.getElementType() != elementType)
      return ctx.emitError() << "input #" << i << " of type " << paramType
                             << " does not match the input's element type";
    FailureOr<AffineMap> map =
        broadcastMapTo(ctx, i == 1 ? "Scale" : "B", paramType.getShape(),
                       type.getShape());
    if (failed(map))
      return failure();
    inputs.push_back(ctx.input(i));
    maps.push_back(*map);
  }

  double epsilon = ctx.getFloat("epsilon", 1e-5f);
  auto [mean, variance] = buildMoments(ctx, ctx.input(0), *axis, statType);
  AffineMap statsMap = b.getMultiDimIdentityMap(*axis);
  Value invStdDev = buildMapped(ctx, variance, statType, variance, statsMap,
                                [&](OpBuilder &nb, Location nloc,
                                    ValueRange args) {
                                  return inverseStdDev(nb, nloc, args[0],
                                                       epsilon);
                                });
  AffineMap rowMap = leadingDimsMap(rank, *axis, b.getContext());
  inputs.append({mean, invStdDev});
  maps.append({rowMap, rowMap});
  bool hasBias = ctx.hasInput(2);
  Value result = buildMapped(
      ctx, ctx.input(0), elementType, inputs, maps,
      [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        Value x = convertScalar(nb, nloc, args[0], statType, false, false);
        Value rowMean = args[hasBias ? 3 : 2];
        Value rowInvStdDev = args[hasBias ? 4 : 3];
        Value normalized = arith::MulFOp::create(
            nb, nloc, arith::SubFOp::create(nb, nloc, x, rowMean),
            rowInvStdDev);
        normalized =
            convertScalar(nb, nloc, normalized, elementType, false, false);
        Value scaled = arith::MulFOp::create(nb, nloc, normalized, args[1]);
        if (!hasBias)
          return scaled;
        return arith::AddFOp::create(nb, nloc, scaled, args[2]);
      });
  ctx.setOutput(0, result);
  if (ctx.hasOutput(1))
    ctx.setOutput(1, appendUnitDims(b, loc, mean, rank));
  if (ctx.hasOutput(2))
    ctx.setOutput(2, appendUnitDims(b, loc, invStdDev, rank));
  return success();
}

LogicalResult convertLRN(NodeContext &ctx) {
  if (failed(requireFloat(ctx, 0)) ||
      failed(requireRank(ctx, 0, 2, "N x C x D1 x ... x Dn")))
    return failure();
  if (!ctx.hasAttr("size"))
    return ctx.emitError() << "attribute 'size' is required";
  int64_t size = ctx.getInt("size", 0);
  if (size < 1)
    return ctx.emitError() << "attribute 'size' must be positive; got "
                           << size;
  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  Value input = ctx.input(0);
  RankedTensorType type = ctx.inputType(0);
  Type elementType = type.getElementType();
  int64_t rank = type.getRank();

  // Sum the squares over channels [c - floor((size-1)/2), c +
  // ceil((size-1)/2)]: pad the channels with zeros and slide a window.
  Value zero = scalarConstant(b, loc, elementType, 0);
  int64_t before = (size - 1) / 2;
  SmallVector<OpFoldResult> low(rank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> high(rank, b.getIndexAttr(0));
  low[1] = b.getIndexAttr(before);
  high[1] = b.getIndexAttr(size - 1 - before);
  Value padded = tensor::PadOp::create(b, loc, Type(), input, low, high, zero);
  Value window = tensor::EmptyOp::create(b, loc, {size}, elementType);
  Value init =
      createFilled(b, loc, tensor::getMixedSizes(b, loc, input), zero);
  MLIRContext *context = b.getContext();
  SmallVector<AffineExpr> paddedExprs;
  for (int64_t d = 0; d < rank; ++d)
    paddedExprs.push_back(d == 1 ? getAffineDimExpr(1, context) +
                                       getAffineDimExpr(rank, context)
                                 : getAffineDimExpr(d, context));
  SmallVector<AffineMap> maps = {
      AffineMap::get(rank + 1, 0, paddedExprs, context),
      AffineMap::get(rank + 1, 0, getAffineDimExpr(rank, context)),
      leadingDimsMap(rank + 1, rank, context)};
  Value sums = buildGeneric(
      b, loc, {padded, window}, init, maps, iteratorTypes(rank, 1),
      [](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        return arith::AddFOp::create(
            nb, nloc, arith::MulFOp::create(nb, nloc, args[0], args[0]),
            args[2]);
      });

  // y = x / (bias + alpha / size * sum) ^ beta
  double alpha = ctx.getFloat("alpha", 1e-4f);
  double beta = ctx.getFloat("beta", 0.75f);
  double bias = ctx.getFloat("bias", 1.0f);
  Value result = buildMapped(
      ctx, input, elementType, {input, sums},
      {b.getMultiDimIdentityMap(rank), b.getMultiDimIdentityMap(rank)},
      [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
        Value scaled = arith::MulFOp::create(
            nb, nloc, args[1],
            scalarConstant(nb, nloc, elementType, alpha / size));
        Value base = arith::AddFOp::create(
            nb, nloc, scaled, scalarConstant(nb, nloc, elementType, bias));
        Value power = math::PowFOp::create(
            nb, nloc, base, scalarConstant(nb, nloc, elementType, beta));
        return arith::DivFOp::create(nb, nloc, args[0], power);
      });
  ctx.setOutput(0, result);
  return success();
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

/// Loop labels: a letter stands for itself; ellipsis dimension j (counted
/// over the broadcast ellipsis) is kEllipsisLabel + j.
constexpr int kEllipsisLabel = 256;

/// Splits an einsum term into its letters, with '.' standing for an
/// ellipsis; fails on other characters or a second ellipsis.
FailureOr<std::string> parseEinsumTerm(NodeContext &ctx, StringRef term) {
  std::string result;
  bool ellipsis = false;
  for (size_t i = 0; i < term.size(); ++i) {
    char c = term[i];
    if (llvm::isAlpha(c)) {
      result.push_back(c);
      continue;
    }
    if (term.substr(i).starts_with("...") && !ellipsis) {
      ellipsis = true;
      result.push_back('.');
      i += 2;
      continue;
    }
    return ctx.emitError() << "invalid einsum term '" << term << "'";
  }
  return result;
}

/// Expands a parsed term into labels, with `ellipsisRank` ellipsis
/// dimensions aligned to the right of `totalEllipsis`.
SmallVector<int> einsumLabels(StringRef term, int64_t ellipsisRank,
                              int64_t totalEllipsis) {
  SmallVector<int> labels;
  for (char c : term) {
    if (c != '.') {
      labels.push_back(static_cast<unsigned char>(c));
      continue;
    }
    for (int64_t j = 0; j < ellipsisRank; ++j)
      labels.push_back(kEllipsisLabel + totalEllipsis - ellipsisRank + j);
  }
  return labels;
}

LogicalResult convertEinsum(NodeContext &ctx) {
  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  std::string equation = ctx.getString("equation", "");
  llvm::erase(equation, ' ');
  auto [lhs, rhs] = StringRef(equation).split("->");
  bool explicitOutput = StringRef(equation).contains("->");
  SmallVector<StringRef> termStrings;
  lhs.split(termStrings, ',');
  if (termStrings.size() != ctx.numInputs())
    return ctx.emitError() << "equation '" << equation << "' has "
                           << termStrings.size() << " terms for "
                           << ctx.numInputs() << " inputs";
  for (unsigned i = 0; i < ctx.numInputs(); ++i)
    if (!ctx.hasInput(i))
      return ctx.emitError() << "input #" << i << " is required";
  Type elementType = ctx.inputType(0).getElementType();
  if (elementType.isInteger(1))
    return ctx.emitError() << "boolean operands are not supported";

  // Operand labels, with ellipses broadcast against each other.
  SmallVector<std::string> terms;
  SmallVector<int64_t> ellipsisRanks;
  int64_t totalEllipsis = 0;
  for (auto [i, termString] : llvm::enumerate(termStrings)) {
    FailureOr<std::string> term = parseEinsumTerm(ctx, termString);
    if (failed(term))
      return failure();
    RankedTensorType type = ctx.inputType(i);
    if (type.getElementType() != elementType)
      return ctx.emitError() << "operand element types differ";
    bool hasEllipsis = StringRef(*term).contains('.');
    int64_t letters = term->size() - hasEllipsis;
    int64_t ellipsisRank = type.getRank() - letters;
    if (ellipsisRank < 0 || (!hasEllipsis && ellipsisRank != 0))
      return ctx.emitError() << "term '" << termString << "' does not fit "
                             << "input #" << i << " of type " << type;
    terms.push_back(*term);
    ellipsisRanks.push_back(ellipsisRank);
    totalEllipsis = std::max(totalEllipsis, ellipsisRank);
  }
  SmallVector<SmallVector<int>> operandLabels;
  for (auto [term, ellipsisRank] : llvm::zip(terms, ellipsisRanks))
    operandLabels.push_back(einsumLabels(term, ellipsisRank, totalEllipsis));

  // The size of each label: letters must agree, ellipsis dimensions
  // broadcast.
  std::map<int, int64_t> sizes;
  std::map<int, int> occurrences;
  for (auto [i, labels] : llvm::enumerate(operandLabels)) {
    ArrayRef<int64_t> shape = ctx.inputType(i).getShape();
    for (auto [d, label] : llvm::enumerate(labels)) {
      ++occurrences[label];
      auto [it, inserted] = sizes.try_emplace(label, shape[d]);
      int64_t &known = it->second;
      if (inserted || shape[d] == known || ShapedType::isDynamic(shape[d]))
        continue;
      bool ellipsis = label >= kEllipsisLabel;
      if (ShapedType::isDynamic(known) || (ellipsis && known == 1)) {
        known = shape[d];
        continue;
      }
      if (ellipsis && shape[d] == 1)
        continue;
      return ctx.emitError() << "dimension sizes " << known << " and "
                             << shape[d] << " disagree in equation '"
                             << equation << "'";
    }
  }

  // Output labels: given, or the ellipsis then the letters that occur once,
  // in alphabetical order.
  SmallVector<int> outputLabels;
  if (explicitOutput) {
    FailureOr<std::string> term = parseEinsumTerm(ctx, rhs);
    if (failed(term))
      return failure();
    outputLabels = einsumLabels(*term, totalEllipsis, totalEllipsis);
  } else {
    for (int64_t j = 0; j < totalEllipsis; ++j)
      outputLabels.push_back(kEllipsisLabel + j);
    for (auto [label, count] : occurrences)
      if (label < kEllipsisLabel && count == 1)
        outputLabels.push_back(label);
  }
  for (auto [i, label] : llvm::enumerate(outputLabels)) {
    if (!sizes.count(label))
      return ctx.emitError() << "output label '" << static_cast<char>(label)
                             << "' does not occur in the inputs";
    if (llvm::is_contained(ArrayRef(outputLabels).take_front(i), label))
      return ctx.emitError() << "output label '" << static_cast<char>(label)
                             << "' occurs twice";
  }

  // Loops: the output labels, then the summed ones.
  SmallVector<int> loops(outputLabels);
  for (const SmallVector<int> &labels : operandLabels)
    for (int label : labels)
      if (!llvm::is_contained(loops, label))
        loops.push_back(label);
  auto loopOf = [&](int label) {
    return std::distance(loops.begin(), llvm::find(loops, label));
  };
  int64_t numLoops = loops.size();
  SmallVector<AffineMap> maps;
  SmallVector<Value> inputs;
  for (auto [i, labels] : llvm::enumerate(operandLabels)) {
    ArrayRef<int64_t> shape = ctx.inputType(i).getShape();
    SmallVector<AffineExpr> exprs;
    for (auto [d, label] : llvm::enumerate(labels)) {
      bool broadcast = shape[d] == 1 && sizes[label] != 1;
      exprs.push_back(broadcast ? b.getAffineConstantExpr(0)
                                : b.getAffineDimExpr(loopOf(label)));
    }
    maps.push_back(AffineMap::get(numLoops, 0, exprs, b.getContext()));
    inputs.push_back(ctx.input(i));
  }
  int64_t outputRank = outputLabels.size();
  maps.push_back(leadingDimsMap(numLoops, outputRank, b.getContext()));

  SmallVector<OpFoldResult> outputSizes;
  for (int label : outputLabels) {
    if (!ShapedType::isDynamic(sizes[label])) {
      outputSizes.push_back(b.getIndexAttr(sizes[label]));
      continue;
    }
    for (auto [i, labels] : llvm::enumerate(operandLabels)) {
      auto it = llvm::find(labels, label);
      if (it == labels.end())
        continue;
      outputSizes.push_back(tensor::getMixedSize(
          b, loc, ctx.input(i), std::distance(labels.begin(), it)));
      break;
    }
  }
  Value init = createFilled(b, loc, outputSizes,
                            scalarConstant(b, loc, elementType, 0));
  Value result = buildGeneric(
      b, loc, inputs, init, maps,
      iteratorTypes(outputRank, numLoops - outputRank),
      [](OpBuilder &nb, Location nloc, ValueRange args) {
        Value product = args[0];
        for (Value factor : args.drop_front().drop_back())
          product = createMul(nb, nloc, product, factor);
        return createAdd(nb, nloc, args.back(), product);
      });
  ctx.setOutput(0, result, ctx.isUnsigned(0));
  return success();
}

} // namespace

void sift::onnx_import::registerNeuralNetworkConverters(
    OpConverterRegistry &registry) {
  registry.add("MatMul", convertMatMul);
  registry.add("Gemm", convertGemm);
  registry.add("Conv", convertConv);
  registry.add("ConvTranspose", convertConvTranspose);
  registry.add("MaxPool", [](NodeContext &ctx) {
    return convertPool(ctx, /*isMax=*/true);
  });
  registry.add("AveragePool", [](NodeContext &ctx) {
    return convertPool(ctx, /*isMax=*/false);
  });
  registry.add("GlobalMaxPool", [](NodeContext &ctx) {
    return convertGlobalPool(ctx, /*isMax=*/true);
  });
  registry.add("GlobalAveragePool", [](NodeContext &ctx) {
    return convertGlobalPool(ctx, /*isMax=*/false);
  });
  registry.add("BatchNormalization", convertBatchNormalization);
  registry.add("InstanceNormalization", convertInstanceNormalization);
  registry.add("LayerNormalization", convertLayerNormalization);
  registry.add("MeanVarianceNormalization",
               convertMeanVarianceNormalization);
  registry.add("LRN", convertLRN);
  registry.add("Einsum", convertEinsum);
}
