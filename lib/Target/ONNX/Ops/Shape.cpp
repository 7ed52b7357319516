//===- Shape.cpp - Shape and data-movement ONNX ops -----------------------===//
//
// Shape computations fold at import time: when every input of a node is a
// small constant, its result becomes a constant too, so that the
// Shape -> Gather -> Unsqueeze -> Concat -> Reshape chains that exporters
// emit leave static types behind. Otherwise data moves through tensor ops
// (reshapes, slices, pads, concat), linalg.transpose and linalg.generic
// (gathers, broadcasts, resizes, selections); scans loop with scf.for.
//
//===----------------------------------------------------------------------===//

#include "../Builders.h"
#include "../TensorData.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/SmallVectorExtras.h"

#include <cmath>
#include <limits>
#include <numeric>

using namespace mlir;
using namespace sift::onnx_import;

namespace {

/// Results with at most this many elements fold to constants when all the
/// inputs that decide them are constant.
constexpr int64_t kMaxFoldedElements = 4096;

/// A shape-like input read at run time (a shape, pads, repeats, axes) yields
/// one value, and usually one result dimension, per element; a computed one
/// may have any static length (ConstantOfShape makes 2^40 from a scalar), so
/// its length is bounded.
constexpr int64_t kMaxRuntimeIndices = 4096;

using ScalarsBuilder =
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>;

//===----------------------------------------------------------------------===//
// Shapes, sizes and constant folding
//===----------------------------------------------------------------------===//

RankedTensorType typeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// Whether the static sizes of `shape` are valid and the product of the
/// nonzero ones fits in int64_t.
bool isRepresentable(ArrayRef<int64_t> shape) {
  int64_t product = 1;
  for (int64_t size : shape)
    if (!ShapedType::isDynamic(size) && size != 0 &&
        (size < 0 || llvm::MulOverflow(product, size, product)))
      return false;
  return true;
}

/// Reports a result shape whose element count overflows.
LogicalResult checkResultShape(NodeContext &ctx, ArrayRef<int64_t> shape) {
  if (isRepresentable(shape))
    return success();
  InFlightDiagnostic diag = ctx.emitError();
  diag << "result shape [";
  llvm::interleaveComma(shape, diag, [&](int64_t size) {
    if (ShapedType::isDynamic(size))
      diag << "?";
    else
      diag << size;
  });
  return diag << "] is too large";
}

bool hasZeroDim(ArrayRef<int64_t> shape) {
  return llvm::is_contained(shape, 0);
}

bool isFoldable(ArrayRef<int64_t> shape) {
  return ShapedType::isStaticShape(shape) && isRepresentable(shape) &&
         ShapedType::getNumElements(shape) <= kMaxFoldedElements;
}

SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

int64_t linearize(ArrayRef<int64_t> index, ArrayRef<int64_t> strides) {
  int64_t flat = 0;
  for (auto [i, stride] : llvm::zip_equal(index, strides))
    flat += i * stride;
  return flat;
}

/// The flat index into the source of the element at a result position, or
/// -1 for a fill value.
using SourceIndexFn = function_ref<int64_t(ArrayRef<int64_t>)>;

/// A constant of `type` that takes each element from `source` at the flat
/// index `sourceOf` gives (or `fill` where it gives -1).
DenseElementsAttr foldBySourceIndex(DenseElementsAttr source,
                                    RankedTensorType type,
                                    SourceIndexFn sourceOf,
                                    Attribute fill = {}) {
  SmallVector<Attribute> values(source.getValues<Attribute>());
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<int64_t> index(shape.size(), 0);
  SmallVector<Attribute> result;
  int64_t count = type.getNumElements();
  result.reserve(count);
  for (int64_t n = 0; n < count; ++n) {
    int64_t from = sourceOf(index);
    result.push_back(from < 0 ? fill : values[from]);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return DenseElementsAttr::get(type, result);
}

SmallVector<int64_t> staticShapeOf(ArrayRef<OpFoldResult> sizes) {
  SmallVector<int64_t> shape;
  for (OpFoldResult size : sizes)
    shape.push_back(getConstantIntValue(size).value_or(ShapedType::kDynamic));
  return shape;
}

/// Size `d` of `value`: an attribute when static, else a tensor.dim.
OpFoldResult dimOf(NodeContext &ctx, Value value, int64_t d) {
  int64_t size = typeOf(value).getDimSize(d);
  if (!ShapedType::isDynamic(size))
    return ctx.builder.getIndexAttr(size);
  return tensor::DimOp::create(ctx.builder, ctx.loc, value, d).getResult();
}

SmallVector<OpFoldResult> sizesOf(NodeContext &ctx, Value value) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < typeOf(value).getRank(); ++d)
    sizes.push_back(dimOf(ctx, value, d));
  return sizes;
}

Value toIndexValue(NodeContext &ctx, OpFoldResult size) {
  return getValueOrCreateConstantIndexOp(ctx.builder, ctx.loc, size);
}

Value indexConstant(NodeContext &ctx, int64_t value) {
  return arith::ConstantIndexOp::create(ctx.builder, ctx.loc, value);
}

OpFoldResult multiplySizes(NodeContext &ctx, ArrayRef<OpFoldResult> sizes) {
  int64_t product = 1;
  SmallVector<Value> dynamic;
  for (OpFoldResult size : sizes) {
    if (std::optional<int64_t> known = getConstantIntValue(size))
      product *= *known;
    else
      dynamic.push_back(cast<Value>(size));
  }
  if (dynamic.empty() || product == 0)
    return ctx.builder.getIndexAttr(product);
  Value result = dynamic.front();
  for (Value size : ArrayRef(dynamic).drop_front())
    result = arith::MulIOp::create(ctx.builder, ctx.loc, result, size);
  if (product != 1)
    result = arith::MulIOp::create(ctx.builder, ctx.loc, result,
                                   indexConstant(ctx, product));
  return result;
}

OpFoldResult addSizes(NodeContext &ctx, OpFoldResult lhs, OpFoldResult rhs) {
  std::optional<int64_t> left = getConstantIntValue(lhs);
  std::optional<int64_t> right = getConstantIntValue(rhs);
  if (left && right)
    return ctx.builder.getIndexAttr(*left + *right);
  if (left == 0)
    return rhs;
  if (right == 0)
    return lhs;
  return arith::AddIOp::create(ctx.builder, ctx.loc, toIndexValue(ctx, lhs),
                               toIndexValue(ctx, rhs))
      .getResult();
}

//===----------------------------------------------------------------------===//
// Operands and attributes
//===----------------------------------------------------------------------===//

/// The integers of shape-like input `i`, which must be a constant because it
/// decides the result type.
FailureOr<SmallVector<int64_t>>
requireConstantInts(NodeContext &ctx, unsigned i, StringRef name) {
  if (std::optional<SmallVector<int64_t>> ints = ctx.constantInts(i))
    return *ints;
  return ctx.emitError() << "requires a constant '" << name
                         << "' input (its value decides the result shape)";
}

/// An integer list that is attribute `name` before opset `sinceOpset` and
/// the optional input `i` from then on; nullopt when absent.
FailureOr<std::optional<SmallVector<int64_t>>>
intsFromAttrOrInput(NodeContext &ctx, StringRef name, unsigned i,
                    int64_t sinceOpset) {
  using Result = std::optional<SmallVector<int64_t>>;
  if (ctx.opset() < sinceOpset)
    return ctx.hasAttr(name) ? Result(ctx.getInts(name)) : Result();
  if (!ctx.hasInput(i))
    return Result();
  FailureOr<SmallVector<int64_t>> ints = requireConstantInts(ctx, i, name);
  if (failed(ints))
    return failure();
  return Result(*ints);
}

/// Normalises `axes` against `rank`, rejecting repeats.
FailureOr<SmallVector<int64_t>>
normalizeAxes(NodeContext &ctx, ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> result;
  llvm::SmallBitVector seen(rank);
  for (int64_t axis : axes) {
    FailureOr<int64_t> normalized = normalizeAxis(ctx, axis, rank);
    if (failed(normalized))
      return failure();
    if (seen.test(*normalized))
      return ctx.emitError() << "axis " << axis << " is repeated";
    seen.set(*normalized);
    result.push_back(*normalized);
  }
  return result;
}

/// The one value of a constant input, as a double.
FailureOr<double> requireConstantScalar(NodeContext &ctx, unsigned i,
                                        StringRef name) {
  std::optional<SmallVector<double>> values = ctx.constantFloats(i);
  if (!values)
    return ctx.emitError() << "requires a constant '" << name << "' input";
  if (values->size() != 1)
    return ctx.emitError() << "'" << name << "' must hold one value, not "
                           << values->size();
  return values->front();
}

//===----------------------------------------------------------------------===//
// IR building
//===----------------------------------------------------------------------===//

Value emptyTensor(NodeContext &ctx, ArrayRef<OpFoldResult> sizes,
                  Type elementType) {
  return tensor::EmptyOp::create(ctx.builder, ctx.loc, sizes, elementType);
}

Value filledTensor(NodeContext &ctx, ArrayRef<OpFoldResult> sizes,
                   Type elementType, double value) {
  Value scalar = scalarConstant(ctx.builder, ctx.loc, elementType, value);
  return linalg::FillOp::create(
             ctx.builder, ctx.loc, ValueRange{scalar},
             ValueRange{emptyTensor(ctx, sizes, elementType)})
      .getResult(0);
}

SmallVector<Value> loopIndices(OpBuilder &b, Location loc, int64_t rank) {
  SmallVector<Value> indices;
  for (int64_t d = 0; d < rank; ++d)
    indices.push_back(linalg::IndexOp::create(b, loc, d));
  return indices;
}

/// A linalg.generic over all of `inits` (identity output maps) that reads
/// `inputs` through `inputMaps`; `body` maps the scalars of inputs and
/// inits to the yielded values. Loops are parallel except `reductions`.
SmallVector<Value> buildGeneric(NodeContext &ctx, ValueRange inputs,
                                ArrayRef<AffineMap> inputMaps, ValueRange inits,
                                ArrayRef<AffineMap> initMaps, int64_t loops,
                                ArrayRef<int64_t> reductions,
                                ScalarsBuilder body) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.append(initMaps.begin(), initMaps.end());
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  for (int64_t d : reductions)
    iterators[d] = utils::IteratorType::reduction;
  auto generic = linalg::GenericOp::create(
      ctx.builder, ctx.loc, ValueRange(inits).getTypes(), inputs, inits, maps,
      iterators, [&](OpBuilder &b, Location loc, ValueRange args) {
        linalg::YieldOp::create(b, loc, body(b, loc, args));
      });
  return SmallVector<Value>(generic.getResults());
}

/// An all-parallel linalg.generic that fills `init` with `body`'s value;
/// `body` sees the scalars of `inputs` (not of `init`).
Value buildParallelGeneric(NodeContext &ctx, Value init, ValueRange inputs,
                           ArrayRef<AffineMap> inputMaps,
                           ScalarBodyBuilder body) {
  int64_t rank = typeOf(init).getRank();
  AffineMap identity = ctx.builder.getMultiDimIdentityMap(rank);
  return buildGeneric(ctx, inputs, inputMaps, init, identity, rank, {},
                      [&](OpBuilder &b, Location loc, ValueRange args) {
                        return SmallVector<Value>{
                            body(b, loc, args.drop_back())};
                      })
      .front();
}

/// Groups the dims of the larger shape of a reshape that only adds or drops
/// the dims marked `unit`: each group holds one kept dim and the unit dims
/// before it; trailing unit dims join the last group.
SmallVector<ReassociationIndices> groupUnitDims(ArrayRef<bool> unit) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (auto [d, isUnit] : llvm::enumerate(unit)) {
    pending.push_back(d);
    if (!isUnit) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  if (!groups.empty())
    groups.back().append(pending.begin(), pending.end());
  return groups;
}

Value castTo(NodeContext &ctx, Value value, RankedTensorType type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(ctx.builder, ctx.loc, type, value);
}

/// Reshapes `source` to `type` (same element count). `sizes` are the
/// result's sizes, dynamic ones included. Where one side knows a size that
/// the other leaves dynamic, a tensor.cast carries it over.
Value reshapeTo(NodeContext &ctx, Value source, RankedTensorType type,
                ArrayRef<OpFoldResult> sizes) {
  OpBuilder &b = ctx.builder;
  RankedTensorType sourceType = typeOf(source);
  if (sourceType == type)
    return source;
  // Nothing to move; zero sizes next to dynamic ones trip reshape lowering.
  if (hasZeroDim(sourceType.getShape()))
    return emptyTensor(ctx, sizes, type.getElementType());
  if (type.getRank() == 0) {
    // Every source dim is 1; say so for the collapse.
    SmallVector<int64_t> ones(sourceType.getRank(), 1);
    return tensor::CollapseShapeOp::create(
        b, ctx.loc, type, castTo(ctx, source, sourceType.clone(ones)),
        ArrayRef<ReassociationIndices>{});
  }
  std::optional<SmallVector<ReassociationIndices>> groups =
      getReassociationIndicesForReshape(sourceType, type);
  if (groups && type.getRank() < sourceType.getRank())
    return castTo(ctx,
                  tensor::CollapseShapeOp::create(b, ctx.loc, source, *groups),
                  type);
  // MLIR 22's expand-strided-metadata crashes on an expand_shape with two
  // dynamic sizes in a group; tensor.reshape takes those.
  if (type.getNumDynamicDims() > 1) {
    SmallVector<Value> dims;
    for (OpFoldResult size : sizes)
      dims.push_back(toIndexValue(ctx, size));
    Value shape = tensor::FromElementsOp::create(b, ctx.loc, dims);
    return tensor::ReshapeOp::create(b, ctx.loc, type, source, shape);
  }
  if (groups) {
    // A group of static sizes needs a static source size.
    SmallVector<int64_t> refined(sourceType.getShape());
    for (auto [d, group] : llvm::enumerate(*groups)) {
      SmallVector<int64_t> dims;
      for (int64_t i : group)
        dims.push_back(type.getDimSize(i));
      if (ShapedType::isStaticShape(dims))
        refined[d] = ShapedType::getNumElements(dims);
    }
    Value cast = castTo(ctx, source, sourceType.clone(refined));
    return tensor::ExpandShapeOp::create(b, ctx.loc, type, cast, *groups,
                                         sizes);
  }
  // Otherwise through one dimension.
  auto allDims = [](int64_t rank) {
    ReassociationIndices group(rank);
    std::iota(group.begin(), group.end(), 0);
    return SmallVector<ReassociationIndices>{group};
  };
  SmallVector<OpFoldResult> flatSize = {multiplySizes(ctx, sizes)};
  auto flatType =
      RankedTensorType::get(staticShapeOf(flatSize), type.getElementType());
  Value flat = source;
  if (sourceType.getRank() == 0)
    flat = tensor::ExpandShapeOp::create(b, ctx.loc, flatType, source,
                                         ArrayRef<ReassociationIndices>{},
                                         flatSize);
  else if (sourceType.getRank() > 1)
    flat = tensor::CollapseShapeOp::create(b, ctx.loc, source,
                                           allDims(sourceType.getRank()));
  flat = castTo(ctx, flat, flatType);
  if (type.getRank() == 1)
    return castTo(ctx, flat, type);
  return tensor::ExpandShapeOp::create(b, ctx.loc, type, flat,
                                       allDims(type.getRank()), sizes);
}

/// Inserts a unit dim at `axis` of `value`.
Value insertUnitDim(NodeContext &ctx, Value value, int64_t axis) {
  SmallVector<OpFoldResult> sizes = sizesOf(ctx, value);
  sizes.insert(sizes.begin() + axis, ctx.builder.getIndexAttr(1));
  SmallVector<bool> unit(sizes.size(), false);
  unit[axis] = true;
  auto type = RankedTensorType::get(staticShapeOf(sizes),
                                    typeOf(value).getElementType());
  return tensor::ExpandShapeOp::create(ctx.builder, ctx.loc, type, value,
                                       groupUnitDims(unit), sizes);
}

/// The map of an operand that reads `rank` loops without loop `axis`.
AffineMap dropDimMap(OpBuilder &b, int64_t rank, int64_t axis) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      exprs.push_back(b.getAffineDimExpr(d));
  return AffineMap::get(rank, 0, exprs, b.getContext());
}

Value toI64(OpBuilder &b, Location loc, Value value, bool isUnsigned) {
  return convertScalar(b, loc, value, b.getI64Type(), isUnsigned,
                       /*targetUnsigned=*/false);
}

/// Maps an index that may count from the end (negative) into [0, size) and
/// clamps it there, so that a bad index cannot read out of bounds.
Value normalizeIndex(OpBuilder &b, Location loc, Value index, Value size) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, index, zero);
  Value wrapped = arith::AddIOp::create(b, loc, index, size);
  index = arith::SelectOp::create(b, loc, negative, wrapped, index);
  Value last = arith::SubIOp::create(b, loc, size, one);
  index = arith::MinSIOp::create(b, loc, index, last);
  return arith::MaxSIOp::create(b, loc, index, zero);
}

Value indexFromScalar(OpBuilder &b, Location loc, Value value,
                      bool isUnsigned) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                    toI64(b, loc, value, isUnsigned));
}

//===----------------------------------------------------------------------===//
// Shape-like inputs known only at run time
//===----------------------------------------------------------------------===//

/// Signed index arithmetic for sizes computed at run time.
struct IndexMath {
  OpBuilder &b;
  Location loc;

  Value constant(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  Value add(Value lhs, Value rhs) {
    return arith::AddIOp::create(b, loc, lhs, rhs);
  }
  Value sub(Value lhs, Value rhs) {
    return arith::SubIOp::create(b, loc, lhs, rhs);
  }
  Value mul(Value lhs, Value rhs) {
    return arith::MulIOp::create(b, loc, lhs, rhs);
  }
  Value ceilDiv(Value lhs, Value rhs) {
    return arith::CeilDivSIOp::create(b, loc, lhs, rhs);
  }
  Value min(Value lhs, Value rhs) {
    return arith::MinSIOp::create(b, loc, lhs, rhs);
  }
  Value max(Value lhs, Value rhs) {
    return arith::MaxSIOp::create(b, loc, lhs, rhs);
  }
  Value clamp(Value value, Value low, Value high) {
    return min(max(value, low), high);
  }
  Value eq(Value lhs, Value rhs) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lhs, rhs);
  }
  Value lt(Value lhs, Value rhs) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, lhs, rhs);
  }
  Value select(Value condition, Value ifTrue, Value ifFalse) {
    return arith::SelectOp::create(b, loc, condition, ifTrue, ifFalse);
  }
  /// `value` counted from `size` when negative.
  Value wrap(Value value, Value size) {
    return select(lt(value, constant(0)), add(value, size), value);
  }
};

/// The elements of integer input `i` (a scalar or a 1-D tensor of static
/// length), read at run time as index values.
FailureOr<SmallVector<Value>> runtimeIndices(NodeContext &ctx, unsigned i,
                                             StringRef name) {
  RankedTensorType type = ctx.inputType(i);
  if (type.getRank() > 1 || !type.hasStaticShape() ||
      !isa<IntegerType>(type.getElementType()))
    return ctx.emitError() << "needs '" << name
                           << "' as integers of static length, not " << type;
  int64_t count = type.getRank() ? type.getDimSize(0) : 1;
  if (count > kMaxRuntimeIndices)
    return ctx.emitError() << "'" << name << "' has " << count
                           << " elements; Sift reads at most "
                           << kMaxRuntimeIndices;
  SmallVector<Value> values;
  for (int64_t k = 0; k < count; ++k) {
    SmallVector<Value> at;
    if (type.getRank())
      at.push_back(indexConstant(ctx, k));
    Value element =
        tensor::ExtractOp::create(ctx.builder, ctx.loc, ctx.input(i), at);
    values.push_back(
        indexFromScalar(ctx.builder, ctx.loc, element, ctx.isUnsigned(i)));
  }
  return values;
}

/// The one element of input `i`, read at run time.
Value runtimeScalar(NodeContext &ctx, unsigned i) {
  SmallVector<Value> at(ctx.inputType(i).getRank(), indexConstant(ctx, 0));
  return tensor::ExtractOp::create(ctx.builder, ctx.loc, ctx.input(i), at);
}

//===----------------------------------------------------------------------===//
// Constants and shapes
//===----------------------------------------------------------------------===//

LogicalResult convertConstant(NodeContext &ctx) {
  OpBuilder &b = ctx.builder;
  if (ctx.hasAttr("sparse_value"))
    return ctx.emitError() << "sparse_value constants are not supported";
  if (ctx.hasAttr("value_string") || ctx.hasAttr("value_strings"))
    return ctx.emitError() << "string constants are not supported";
  if (const onnx::TensorProto *tensor = ctx.getTensor("value")) {
    ElementsAttr value = ctx.tensorAttr(*tensor);
    if (!value)
      return failure();
    ctx.setOutput(0,
                  arith::ConstantOp::create(b, ctx.loc, cast<TypedAttr>(value)),
                  isUnsignedType(tensor->data_type()));
    return success();
  }
  auto scalarType = [&](Type elementType) {
    return RankedTensorType::get({}, elementType);
  };
  auto vectorType = [&](int64_t size, Type elementType) {
    return RankedTensorType::get({size}, elementType);
  };
  if (ctx.hasAttr("value_float")) {
    float value = ctx.getFloat("value_float", 0);
    ctx.setConstantOutput(0, DenseElementsAttr::get(scalarType(b.getF32Type()),
                                                    ArrayRef<float>(value)));
  } else if (ctx.hasAttr("value_floats")) {
    SmallVector<float> values = ctx.getFloats("value_floats");
    ctx.setConstantOutput(
        0, DenseElementsAttr::get(vectorType(values.size(), b.getF32Type()),
                                  ArrayRef<float>(values)));
  } else if (ctx.hasAttr("value_int")) {
    int64_t value = ctx.getInt("value_int", 0);
    ctx.setConstantOutput(0, DenseElementsAttr::get(scalarType(b.getI64Type()),
                                                    ArrayRef<int64_t>(value)));
  } else if (ctx.hasAttr("value_ints")) {
    SmallVector<int64_t> values = ctx.getInts("value_ints");
    ctx.setConstantOutput(
        0, DenseElementsAttr::get(vectorType(values.size(), b.getI64Type()),
                                  ArrayRef<int64_t>(values)));
  } else {
    return ctx.emitError() << "has no value attribute";
  }
  return success();
}

LogicalResult convertConstantOfShape(NodeContext &ctx) {
  OpBuilder &b = ctx.builder;
  Attribute fill = b.getF32FloatAttr(0);
  bool isUnsigned = false;
  if (const onnx::TensorProto *tensor = ctx.getTensor("value")) {
    ElementsAttr value = ctx.tensorAttr(*tensor);
    if (!value)
      return failure();
    auto dense = dyn_cast<DenseElementsAttr>(value);
    if (!dense || dense.getNumElements() != 1)
      return ctx.emitError() << "'value' must hold exactly one element";
    fill = *dense.getValues<Attribute>().begin();
    isUnsigned = isUnsignedType(tensor->data_type());
  }
  Type elementType = cast<TypedAttr>(fill).getType();
  SmallVector<OpFoldResult> sizes;
  if (std::optional<SmallVector<int64_t>> shape = ctx.constantInts(0)) {
    if (llvm::any_of(*shape, [](int64_t d) { return d < 0; }))
      return ctx.emitError() << "shape has a negative dimension";
    if (failed(checkResultShape(ctx, *shape)))
      return failure();
    if (isFoldable(*shape)) {
      auto type = RankedTensorType::get(*shape, elementType);
      ctx.setConstantOutput(0, DenseElementsAttr::get(type, fill), isUnsigned);
      return success();
    }
    sizes = getAsIndexOpFoldResult(b.getContext(), *shape);
  } else {
    FailureOr<SmallVector<Value>> runtimeShape =
        runtimeIndices(ctx, 0, "input");
    if (failed(runtimeShape))
      return failure();
    sizes.assign(runtimeShape->begin(), runtimeShape->end());
  }
  Value scalar = arith::ConstantOp::create(b, ctx.loc, cast<TypedAttr>(fill));
  Value result =
      linalg::FillOp::create(b, ctx.loc, ValueRange{scalar},
                             ValueRange{emptyTensor(ctx, sizes, elementType)})
          .getResult(0);
  ctx.setOutput(0, result, isUnsigned);
  return success();
}

/// Range with a length too large to fold: out[i] = start + i * delta.
Value buildRange(NodeContext &ctx, Type elementType, int64_t count,
                 double start, double delta) {
  Value init = emptyTensor(ctx, {ctx.builder.getIndexAttr(count)}, elementType);
  return buildParallelGeneric(
      ctx, init, {}, {}, [&](OpBuilder &b, Location loc, ValueRange) -> Value {
        Value i = arith::IndexCastOp::create(
            b, loc, b.getI64Type(), linalg::IndexOp::create(b, loc, 0));
        i = convertScalar(b, loc, i, elementType, false, false);
        Value scaled = scalarConstant(b, loc, elementType, delta);
        Value first = scalarConstant(b, loc, elementType, start);
        if (isa<FloatType>(elementType))
          return arith::AddFOp::create(
              b, loc, first, arith::MulFOp::create(b, loc, i, scaled));
        return arith::AddIOp::create(b, loc, first,
                                     arith::MulIOp::create(b, loc, i, scaled));
      });
}

/// Range with bounds known only at run time:
/// max(ceil((limit - start) / delta), 0) elements.
LogicalResult convertRuntimeRange(NodeContext &ctx) {
  OpBuilder &b = ctx.builder;
  for (unsigned i = 0; i < 3; ++i)
    if (!ctx.inputType(i).hasStaticShape() ||
        ctx.inputType(i).getNumElements() != 1)
      return ctx.emitError() << "'start', 'limit' and 'delta' must be scalars";
  Type elementType = ctx.inputType(0).getElementType();
  Value start = runtimeScalar(ctx, 0);
  Value limit = runtimeScalar(ctx, 1);
  Value delta = runtimeScalar(ctx, 2);
  Value count;
  if (isa<FloatType>(elementType)) {
    Value span = arith::SubFOp::create(b, ctx.loc, limit, start);
    Value steps = math::CeilOp::create(
        b, ctx.loc, arith::DivFOp::create(b, ctx.loc, span, delta));
    // A zero delta makes the length infinite or NaN, a tiny one too large:
    // converting either to i64 would be poison.
    Value magnitude = math::AbsFOp::create(b, ctx.loc, steps);
    Value limitOfInt64 = scalarConstant(b, ctx.loc, elementType, 0x1p63);
    Value representable = arith::CmpFOp::create(
        b, ctx.loc, arith::CmpFPredicate::OLT, magnitude, limitOfInt64);
    cf::AssertOp::create(
        b, ctx.loc, representable,
        ("node '" + ctx.name() + "' (Range): delta is zero or the range has "
                                  "2^63 elements or more")
            .str());
    count = convertScalar(b, ctx.loc, steps, b.getI64Type(), false, false);
  } else {
    Value span = arith::SubIOp::create(b, ctx.loc, limit, start);
    count = toI64(b, ctx.loc,
                  arith::CeilDivSIOp::create(b, ctx.loc, span, delta), false);
  }
  IndexMath m{b, ctx.loc};
  count = m.max(arith::IndexCastOp::create(b, ctx.loc, b.getIndexType(), count),
                m.constant(0));
  Value init = emptyTensor(ctx, {count}, elementType);
  Value result = buildParallelGeneric(
      ctx, init, {}, {}, [&](OpBuilder &b, Location loc, ValueRange) -> Value {
        Value i = arith::IndexCastOp::create(
            b, loc, b.getI64Type(), linalg::IndexOp::create(b, loc, 0));
        i = convertScalar(b, loc, i, elementType, false, false);
        if (isa<FloatType>(elementType))
          return arith::AddFOp::create(b, loc, start,
                                       arith::MulFOp::create(b, loc, i, delta));
        return arith::AddIOp::create(b, loc, start,
                                     arith::MulIOp::create(b, loc, i, delta));
      });
  ctx.setOutput(0, result, ctx.isUnsigned(0));
  return success();
}

LogicalResult convertRange(NodeContext &ctx) {
  if (!ctx.constantInput(0) || !ctx.constantInput(1) || !ctx.constantInput(2))
    return convertRuntimeRange(ctx);
  Type elementType = ctx.inputType(0).getElementType();
  bool isFloat = isa<FloatType>(elementType);
  SmallVector<double> starts = *ctx.constantFloats(0);
  SmallVector<double> limits = *ctx.constantFloats(1);
  SmallVector<double> deltas = *ctx.constantFloats(2);
  if (starts.size() != 1 || limits.size() != 1 || deltas.size() != 1)
    return ctx.emitError() << "'start', 'limit' and 'delta' must be scalars";
  double start = starts[0], limit = limits[0], delta = deltas[0];
  if (delta == 0)
    return ctx.emitError() << "'delta' must not be zero";
  double length = std::max(std::ceil((limit - start) / delta), 0.0);
  if (!(length < double(int64_t(1) << 40)))
    return ctx.emitError() << "cannot make a range of " << length
                           << " elements";
  int64_t count = static_cast<int64_t>(length);
  if (!isFloat) {
    // Integers count exactly: ceil((limit - start) / delta).
    int64_t first = (*ctx.constantInts(0))[0];
    int64_t last = (*ctx.constantInts(1))[0];
    int64_t step = (*ctx.constantInts(2))[0];
    count = std::max<int64_t>(llvm::divideCeilSigned(last - first, step), 0);
  }
  auto type = RankedTensorType::get({count}, elementType);
  bool isUnsigned = ctx.isUnsigned(0);
  if (count > kMaxFoldedElements) {
    ctx.setOutput(0, buildRange(ctx, elementType, count, start, delta),
                  isUnsigned);
    return success();
  }
  SmallVector<Attribute> values;
  if (isFloat) {
    for (int64_t i = 0; i < count; ++i)
      values.push_back(
          ctx.builder.getFloatAttr(elementType, start + i * delta));
  } else {
    // Integers step exactly, without a round trip through double.
    int64_t first = (*ctx.constantInts(0))[0];
    int64_t step = (*ctx.constantInts(2))[0];
    for (int64_t i = 0; i < count; ++i)
      values.push_back(
          ctx.builder.getIntegerAttr(elementType, first + i * step));
  }
  ctx.setConstantOutput(0, DenseElementsAttr::get(type, values), isUnsigned);
  return success();
}

LogicalResult convertShape(NodeContext &ctx) {
  OpBuilder &b = ctx.builder;
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  int64_t rank = shape.size();
  auto clampAxis = [&](int64_t axis) {
    return std::clamp<int64_t>(axis < 0 ? axis + rank : axis, 0, rank);
  };
  int64_t start = clampAxis(ctx.getInt("start", 0));
  int64_t end = std::max(start, clampAxis(ctx.getInt("end", rank)));
  ArrayRef<int64_t> dims = shape.slice(start, end - start);
  auto type = RankedTensorType::get({end - start}, b.getI64Type());
  if (ShapedType::isStaticShape(dims)) {
    ctx.setConstantOutput(0, DenseElementsAttr::get(type, dims));
    return success();
  }
  SmallVector<Value> values;
  for (int64_t d = start; d < end; ++d) {
    if (!ShapedType::isDynamic(shape[d])) {
      values.push_back(
          arith::ConstantIntOp::create(b, ctx.loc, b.getI64Type(), shape[d]));
      continue;
    }
    Value dim = tensor::DimOp::create(b, ctx.loc, input, d);
    values.push_back(
        arith::IndexCastOp::create(b, ctx.loc, b.getI64Type(), dim));
  }
  ctx.setOutput(0, tensor::FromElementsOp::create(b, ctx.loc, type, values));
  return success();
}

LogicalResult convertSize(NodeContext &ctx) {
  OpBuilder &b = ctx.builder;
  auto type = RankedTensorType::get({}, b.getI64Type());
  OpFoldResult size = multiplySizes(ctx, sizesOf(ctx, ctx.input(0)));
  if (std::optional<int64_t> known = getConstantIntValue(size)) {
    ctx.setConstantOutput(0, DenseElementsAttr::get(type, ArrayRef(*known)));
    return success();
  }
  Value count = arith::IndexCastOp::create(b, ctx.loc, b.getI64Type(),
                                           toIndexValue(ctx, size));
  ctx.setOutput(0, tensor::FromElementsOp::create(b, ctx.loc, type, count));
  return success();
}

//===----------------------------------------------------------------------===//
// Reshapes
//===----------------------------------------------------------------------===//

/// Binds output 0 to `input` reshaped to `sizes`: a constant when the input
/// is one, else a reshape op.
void setReshaped(NodeContext &ctx, Value input, ArrayRef<OpFoldResult> sizes) {
  auto type = RankedTensorType::get(staticShapeOf(sizes),
                                    typeOf(input).getElementType());
  bool isUnsigned = ctx.isUnsigned(0);
  DenseElementsAttr constant = ctx.constantInput(0);
  if (constant && isFoldable(type.getShape())) {
    ctx.setConstantOutput(0, constant.reshape(type), isUnsigned);
    return;
  }
  ctx.setOutput(0, reshapeTo(ctx, input, type, sizes), isUnsigned);
}

/// tensor.reshape to `sizes`, all dynamic.
Value reshapeAtRunTime(NodeContext &ctx, Value input, ArrayRef<Value> sizes) {
  OpBuilder &b = ctx.builder;
  auto shapeType = RankedTensorType::get({static_cast<int64_t>(sizes.size())},
                                         b.getIndexType());
  Value shape = tensor::FromElementsOp::create(b, ctx.loc, shapeType, sizes);
  auto type = RankedTensorType::get(
      SmallVector<int64_t>(sizes.size(), ShapedType::kDynamic),
      typeOf(input).getElementType());
  return tensor::ReshapeOp::create(b, ctx.loc, type, input, shape);
}

/// Reshape to a shape known only at run time: 0 and -1 resolve then.
LogicalResult convertRuntimeReshape(NodeContext &ctx) {
  Value data = ctx.input(0);
  FailureOr<SmallVector<Value>> requested = runtimeIndices(ctx, 1, "shape");
  if (failed(requested))
    return failure();
  IndexMath m{ctx.builder, ctx.loc};
  bool allowZero = ctx.getInt("allowzero", 0) != 0;
  int64_t rank = typeOf(data).getRank();
  Value zero = m.constant(0), minusOne = m.constant(-1);
  SmallVector<Value> sizes;
  Value known = m.constant(1);
  for (auto [i, size] : llvm::enumerate(*requested)) {
    if (!allowZero && static_cast<int64_t>(i) < rank)
      size = m.select(m.eq(size, zero), toIndexValue(ctx, dimOf(ctx, data, i)),
                      size);
    sizes.push_back(size);
    known = m.mul(known, m.select(m.eq(size, minusOne), m.constant(1), size));
  }
  Value total = toIndexValue(ctx, multiplySizes(ctx, sizesOf(ctx, data)));
  Value inferred = arith::DivSIOp::create(ctx.builder, ctx.loc, total,
                                          m.max(known, m.constant(1)));
  for (Value &size : sizes)
    size = m.select(m.eq(size, minusOne), inferred, size);
  ctx.setOutput(0, reshapeAtRunTime(ctx, data, sizes), ctx.isUnsigned(0));
  return success();
}

LogicalResult convertReshape(NodeContext &ctx) {
  if (!ctx.constantInput(1))
    return convertRuntimeReshape(ctx);
  OpBuilder &b = ctx.builder;
  Value data = ctx.input(0);
  RankedTensorType dataType = typeOf(data);
  FailureOr<SmallVector<int64_t>> requested =
      requireConstantInts(ctx, 1, "shape");
  if (failed(requested))
    return failure();
  bool allowZero = ctx.getInt("allowzero", 0) != 0;
  // Input sizes, read (with tensor.dim) only where needed.
  SmallVector<OpFoldResult> inputSizes(dataType.getRank());
  auto inputSize = [&](int64_t d) {
    if (!inputSizes[d])
      inputSizes[d] = dimOf(ctx, data, d);
    return inputSizes[d];
  };
  SmallVector<OpFoldResult> sizes;
  std::optional<size_t> inferred;
  for (auto [i, dim] : llvm::enumerate(*requested)) {
    if (dim == -1) {
      if (inferred)
        return ctx.emitError() << "shape has more than one -1";
      inferred = i;
      sizes.push_back(b.getIndexAttr(1));
    } else if (dim == 0 && !allowZero) {
      if (static_cast<int64_t>(i) >= dataType.getRank())
        return ctx.emitError()
               << "shape copies dimension " << i
               << " (a 0) of an input of rank " << dataType.getRank();
      sizes.push_back(inputSize(i));
    } else if (dim < 0) {
      return ctx.emitError() << "shape has invalid dimension " << dim;
    } else {
      sizes.push_back(b.getIndexAttr(dim));
    }
  }
  std::optional<int64_t> total;
  if (dataType.hasStaticShape())
    total = dataType.getNumElements();
  std::optional<int64_t> known;
  SmallVector<int64_t> shape = staticShapeOf(sizes);
  if (failed(checkResultShape(ctx, shape)))
    return failure();
  if (ShapedType::isStaticShape(shape))
    known = ShapedType::getNumElements(shape);
  if (inferred && known == 0)
    return ctx.emitError() << "cannot infer the -1 dimension next to a "
                              "dimension of size 0";
  if (inferred && total && known && *total % *known)
    return ctx.emitError() << "cannot infer the -1 dimension: " << *total
                           << " elements do not divide by " << *known;
  if (!inferred && total && known && *total != *known)
    return ctx.emitError() << "cannot reshape " << *total << " elements into "
                           << *known;
  if (inferred && total && known) {
    sizes[*inferred] = b.getIndexAttr(*total / *known);
  } else if (inferred) {
    for (int64_t d = 0; d < dataType.getRank(); ++d)
      inputSize(d);
    Value all = toIndexValue(ctx, multiplySizes(ctx, inputSizes));
    Value rest = toIndexValue(ctx, multiplySizes(ctx, sizes));
    sizes[*inferred] =
        arith::DivUIOp::create(b, ctx.loc, all, rest).getResult();
  }
  setReshaped(ctx, data, sizes);
  return success();
}

LogicalResult convertFlatten(NodeContext &ctx) {
  Value input = ctx.input(0);
  int64_t rank = typeOf(input).getRank();
  int64_t axis = ctx.getInt("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return ctx.emitError() << "axis " << ctx.getInt("axis", 1)
                           << " is out of range for rank " << rank;
  if (ctx.constantInput(0) || axis == 0 || axis == rank ||
      hasZeroDim(typeOf(input).getShape())) {
    SmallVector<OpFoldResult> sizes = sizesOf(ctx, input);
    ArrayRef<OpFoldResult> all(sizes);
    setReshaped(ctx, input,
                {multiplySizes(ctx, all.take_front(axis)),
                 multiplySizes(ctx, all.drop_front(axis))});
    return success();
  }
  ReassociationIndices outer(axis), inner(rank - axis);
  std::iota(outer.begin(), outer.end(), 0);
  std::iota(inner.begin(), inner.end(), axis);
  ctx.setOutput(0,
                tensor::CollapseShapeOp::create(ctx.builder, ctx.loc, input,
                                                {outer, inner}),
                ctx.isUnsigned(0));
  return success();
}

/// Per position of a shape of rank `rank`: whether run-time `axes` name it.
SmallVector<Value> namedAxes(IndexMath &m, ArrayRef<Value> axes, int64_t rank) {
  SmallVector<Value> named;
  for (int64_t d = 0; d < rank; ++d) {
    Value any;
    for (Value axis : axes) {
      Value match = m.eq(m.wrap(axis, m.constant(rank)), m.constant(d));
      any = any ? arith::OrIOp::create(m.b, m.loc, any, match) : match;
    }
    named.push_back(any);
  }
  return named;
}

/// Squeeze or Unsqueeze by axes known only at run time: the data keep their
/// order, so a tensor.reshape to sizes computed then does it. `add` tells
/// Unsqueeze from Squeeze.
LogicalResult convertRuntimeSqueeze(NodeContext &ctx, bool add) {
  Value input = ctx.input(0);
  int64_t inputRank = typeOf(input).getRank();
  FailureOr<SmallVector<Value>> axes = runtimeIndices(ctx, 1, "axes");
  if (failed(axes))
    return failure();
  int64_t count = axes->size();
  if (count == 0) {
    ctx.setOutput(0, input, ctx.isUnsigned(0));
    return success();
  }
  int64_t rank = add ? inputRank + count : inputRank - count;
  if (rank < 0)
    return ctx.emitError() << "cannot squeeze " << count << " axes of a rank-"
                           << inputRank << " input";
  IndexMath m{ctx.builder, ctx.loc};
  Value zero = m.constant(0), one = m.constant(1);
  // Along the larger shape: which dims are unit ones, and the position in
  // the smaller shape of each other dim.
  SmallVector<Value> unit = namedAxes(m, *axes, add ? rank : inputRank);
  SmallVector<Value> position;
  Value before = zero;
  for (Value isUnit : unit) {
    position.push_back(before);
    before = m.add(before, m.select(isUnit, zero, one));
  }
  SmallVector<Value> dims;
  for (int64_t d = 0; d < inputRank; ++d)
    dims.push_back(toIndexValue(ctx, dimOf(ctx, input, d)));
  SmallVector<Value> sizes;
  for (int64_t o = 0; o < rank; ++o) {
    Value size = zero;
    if (add) {
      for (int64_t d = 0; d < inputRank; ++d)
        size = m.select(m.eq(position[o], m.constant(d)), dims[d], size);
      size = m.select(unit[o], one, size);
    } else {
      for (int64_t d = 0; d < inputRank; ++d)
        size =
            m.select(unit[d], size,
                     m.select(m.eq(position[d], m.constant(o)), dims[d], size));
    }
    sizes.push_back(size);
  }
  ctx.setOutput(0, reshapeAtRunTime(ctx, input, sizes), ctx.isUnsigned(0));
  return success();
}

LogicalResult convertSqueeze(NodeContext &ctx) {
  if (ctx.opset() >= 13 && ctx.hasInput(1) && !ctx.constantInput(1))
    return convertRuntimeSqueeze(ctx, /*add=*/false);
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = typeOf(input).getShape();
  auto axes = intsFromAttrOrInput(ctx, "axes", 1, 13);
  if (failed(axes))
    return failure();
  SmallVector<bool> squeezed(shape.size(), false);
  if (*axes) {
    FailureOr<SmallVector<int64_t>> normalized =
        normalizeAxes(ctx, **axes, shape.size());
    if (failed(normalized))
      return failure();
    // A dynamic dim named in axes is taken to be 1.
    for (int64_t axis : *normalized) {
      if (shape[axis] != 1 && !ShapedType::isDynamic(shape[axis]))
        return ctx.emitError()
               << "cannot squeeze axis " << axis << " of size " << shape[axis];
      squeezed[axis] = true;
    }
  } else {
    if (ShapedType::isDynamicShape(shape))
      return ctx.emitError() << "Squeeze without axes needs a static shape";
    for (auto [d, size] : llvm::enumerate(shape))
      squeezed[d] = size == 1;
  }
  if (!llvm::is_contained(squeezed, true)) {
    ctx.setOutput(0, input, ctx.isUnsigned(0));
    return success();
  }
  SmallVector<int64_t> kept;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
    if (!squeezed[d])
      kept.push_back(shape[d]);
  auto type = RankedTensorType::get(kept, typeOf(input).getElementType());
  if (DenseElementsAttr constant = ctx.constantInput(0)) {
    ctx.setConstantOutput(0, constant.reshape(type), ctx.isUnsigned(0));
    return success();
  }
  if (hasZeroDim(shape)) {
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
      if (!squeezed[d])
        sizes.push_back(dimOf(ctx, input, d));
    ctx.setOutput(0, emptyTensor(ctx, sizes, type.getElementType()),
                  ctx.isUnsigned(0));
    return success();
  }
  SmallVector<int64_t> unitShape(shape);
  for (auto [d, isSqueezed] : llvm::enumerate(squeezed))
    if (isSqueezed)
      unitShape[d] = 1;
  Value source = castTo(ctx, input, typeOf(input).clone(unitShape));
  ctx.setOutput(0,
                tensor::CollapseShapeOp::create(ctx.builder, ctx.loc, type,
                                                source,
                                                groupUnitDims(squeezed)),
                ctx.isUnsigned(0));
  return success();
}

LogicalResult convertUnsqueeze(NodeContext &ctx) {
  if (ctx.opset() >= 13 && ctx.hasInput(1) && !ctx.constantInput(1))
    return convertRuntimeSqueeze(ctx, /*add=*/true);
  Value input = ctx.input(0);
  auto axes = intsFromAttrOrInput(ctx, "axes", 1, 13);
  if (failed(axes))
    return failure();
  if (!*axes)
    return ctx.emitError() << "requires 'axes'";
  if ((*axes)->empty()) {
    ctx.setOutput(0, input, ctx.isUnsigned(0));
    return success();
  }
  int64_t rank = typeOf(input).getRank() + (*axes)->size();
  FailureOr<SmallVector<int64_t>> normalized = normalizeAxes(ctx, **axes, rank);
  if (failed(normalized))
    return failure();
  SmallVector<bool> unit(rank, false);
  for (int64_t axis : *normalized)
    unit[axis] = true;
  SmallVector<OpFoldResult> sizes;
  int64_t next = 0;
  for (int64_t d = 0; d < rank; ++d)
    sizes.push_back(unit[d] ? ctx.builder.getIndexAttr(1)
                            : dimOf(ctx, input, next++));
  auto type = RankedTensorType::get(staticShapeOf(sizes),
                                    typeOf(input).getElementType());
  if (DenseElementsAttr constant = ctx.constantInput(0)) {
    ctx.setConstantOutput(0, constant.reshape(type), ctx.isUnsigned(0));
    return success();
  }
  ctx.setOutput(0,
                tensor::ExpandShapeOp::create(ctx.builder, ctx.loc, type, input,
                                              groupUnitDims(unit), sizes),
                ctx.isUnsigned(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Layout: Transpose, DepthToSpace, SpaceToDepth
//===----------------------------------------------------------------------===//

Value transpose(NodeContext &ctx, Value input, ArrayRef<int64_t> perm) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t d : perm)
    sizes.push_back(dimOf(ctx, input, d));
  Value init = emptyTensor(ctx, sizes, typeOf(input).getElementType());
  return linalg::TransposeOp::create(ctx.builder, ctx.loc, input, init, perm)
      ->getResult(0);
}

LogicalResult convertTranspose(NodeContext &ctx) {
  Value input = ctx.input(0);
  RankedTensorType inputType = typeOf(input);
  int64_t rank = inputType.getRank();
  SmallVector<int64_t> perm = ctx.getInts("perm");
  if (!ctx.hasAttr("perm")) {
    perm.resize(rank);
    std::iota(perm.rbegin(), perm.rend(), 0);
  }
  if (static_cast<int64_t>(perm.size()) != rank || !isPermutationVector(perm))
    return ctx.emitError() << "'perm' is not a permutation of the " << rank
                           << " input dimensions";
  if (isIdentityPermutation(perm)) {
    ctx.setOutput(0, input, ctx.isUnsigned(0));
    return success();
  }
  DenseElementsAttr constant = ctx.constantInput(0);
  if (constant && isFoldable(inputType.getShape())) {
    SmallVector<int64_t> shape;
    for (int64_t d : perm)
      shape.push_back(inputType.getDimSize(d));
    SmallVector<int64_t> strides = stridesOf(inputType.getShape());
    auto type = RankedTensorType::get(shape, inputType.getElementType());
    ctx.setConstantOutput(0,
                          foldBySourceIndex(constant, type,
                                            [&](ArrayRef<int64_t> index) {
                                              int64_t flat = 0;
                                              for (int64_t d = 0; d < rank; ++d)
                                                flat +=
                                                    index[d] * strides[perm[d]];
                                              return flat;
                                            }),
                          ctx.isUnsigned(0));
    return success();
  }
  ctx.setOutput(0, transpose(ctx, input, perm), ctx.isUnsigned(0));
  return success();
}

/// Checks the NCHW input and blocksize of DepthToSpace / SpaceToDepth.
FailureOr<int64_t> checkBlockOp(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (type.getRank() != 4)
    return ctx.emitError() << "expects a 4-D NCHW input, not " << type;
  int64_t block = ctx.getInt("blocksize", 0);
  if (block <= 0 || block > (int64_t(1) << 20))
    return ctx.emitError() << "'blocksize' must be in [1, 2^20], not " << block;
  return block;
}

/// Expands `input` to `expanded` (grouped by `expandGroups`), permutes it by
/// `perm` and collapses the result by `collapseGroups`.
Value regroup(NodeContext &ctx, Value input, ArrayRef<OpFoldResult> expanded,
              ArrayRef<ReassociationIndices> expandGroups,
              ArrayRef<int64_t> perm,
              ArrayRef<ReassociationIndices> collapseGroups) {
  auto expandedType = RankedTensorType::get(staticShapeOf(expanded),
                                            typeOf(input).getElementType());
  Value value = tensor::ExpandShapeOp::create(
      ctx.builder, ctx.loc, expandedType, input, expandGroups, expanded);
  value = transpose(ctx, value, perm);
  return tensor::CollapseShapeOp::create(ctx.builder, ctx.loc, value,
                                         collapseGroups);
}

/// `size` divided by `block`, which must divide it when static (a dynamic
/// size is taken to).
FailureOr<OpFoldResult> divideSize(NodeContext &ctx, OpFoldResult size,
                                   int64_t block, StringRef what) {
  if (std::optional<int64_t> known = getConstantIntValue(size)) {
    if (*known % block)
      return ctx.emitError()
             << what << " (" << *known << ") do not divide by " << block;
    return OpFoldResult(ctx.builder.getIndexAttr(*known / block));
  }
  return OpFoldResult(arith::DivUIOp::create(ctx.builder, ctx.loc,
                                             toIndexValue(ctx, size),
                                             indexConstant(ctx, block))
                          .getResult());
}

LogicalResult convertDepthToSpace(NodeContext &ctx) {
  FailureOr<int64_t> block = checkBlockOp(ctx);
  if (failed(block))
    return failure();
  Value input = ctx.input(0);
  SmallVector<OpFoldResult> sizes = sizesOf(ctx, input);
  int64_t b = *block;
  FailureOr<OpFoldResult> channels =
      divideSize(ctx, sizes[1], b * b, "channels");
  if (failed(channels))
    return failure();
  OpFoldResult n = sizes[0], h = sizes[2], w = sizes[3];
  OpFoldResult bs = ctx.builder.getIndexAttr(b);
  std::string mode = ctx.getString("mode", "DCR");
  SmallVector<OpFoldResult> expanded;
  SmallVector<int64_t> perm;
  if (mode == "DCR") {
    expanded = {n, bs, bs, *channels, h, w};
    perm = {0, 3, 4, 1, 5, 2};
  } else if (mode == "CRD") {
    expanded = {n, *channels, bs, bs, h, w};
    perm = {0, 1, 4, 2, 5, 3};
  } else {
    return ctx.emitError() << "unknown mode '" << mode << "'";
  }
  ctx.setOutput(0,
                regroup(ctx, input, expanded, {{0}, {1, 2, 3}, {4}, {5}}, perm,
                        {{0}, {1}, {2, 3}, {4, 5}}),
                ctx.isUnsigned(0));
  return success();
}

LogicalResult convertSpaceToDepth(NodeContext &ctx) {
  FailureOr<int64_t> block = checkBlockOp(ctx);
  if (failed(block))
    return failure();
  Value input = ctx.input(0);
  SmallVector<OpFoldResult> sizes = sizesOf(ctx, input);
  FailureOr<OpFoldResult> h = divideSize(ctx, sizes[2], *block, "height");
  if (failed(h))
    return failure();
  FailureOr<OpFoldResult> w = divideSize(ctx, sizes[3], *block, "width");
  if (failed(w))
    return failure();
  OpFoldResult bs = ctx.builder.getIndexAttr(*block);
  ctx.setOutput(0,
                regroup(ctx, input, {sizes[0], sizes[1], *h, bs, *w, bs},
                        {{0}, {1}, {2, 3}, {4, 5}}, {0, 3, 5, 1, 2, 4},
                        {{0}, {1, 2, 3}, {4}, {5}}),
                ctx.isUnsigned(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Joining and slicing: Concat, Split, Slice
//===----------------------------------------------------------------------===//

LogicalResult convertConcat(NodeContext &ctx) {
  if (!ctx.hasAttr("axis"))
    return ctx.emitError() << "requires an 'axis' attribute";
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < ctx.numInputs(); ++i)
    if (ctx.hasInput(i))
      inputs.push_back(ctx.input(i));
  if (inputs.empty())
    return ctx.emitError() << "has no inputs";
  RankedTensorType firstType = typeOf(inputs[0]);
  int64_t rank = firstType.getRank();
  FailureOr<int64_t> axis = normalizeAxis(ctx, ctx.getInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(firstType.getShape());
  shape[*axis] = 0;
  for (Value input : inputs) {
    RankedTensorType type = typeOf(input);
    if (type.getRank() != rank ||
        type.getElementType() != firstType.getElementType())
      return ctx.emitError() << "inputs " << firstType << " and " << type
                             << " do not concatenate";
    for (int64_t d = 0; d < rank; ++d) {
      int64_t size = type.getDimSize(d);
      if (d == *axis) {
        shape[d] =
            ShapedType::isDynamic(size) || ShapedType::isDynamic(shape[d])
                ? ShapedType::kDynamic
                : shape[d] + size;
      } else if (ShapedType::isDynamic(shape[d])) {
        shape[d] = size;
      } else if (!ShapedType::isDynamic(size) && size != shape[d]) {
        return ctx.emitError() << "inputs " << firstType << " and " << type
                               << " differ outside axis " << *axis;
      }
    }
  }
  bool isUnsigned = ctx.isUnsigned(0);
  // Inputs empty along the axis add nothing (and would be inserted at the
  // end of the axis, where no slice may start).
  SmallVector<Value> parts = llvm::filter_to_vector(inputs, [&](Value input) {
    return typeOf(input).getDimSize(*axis) != 0;
  });
  if (parts.empty()) {
    SmallVector<OpFoldResult> sizes = sizesOf(ctx, inputs[0]);
    ctx.setOutput(0, emptyTensor(ctx, sizes, firstType.getElementType()),
                  isUnsigned);
    return success();
  }
  if (parts.size() == 1) {
    ctx.setOutput(0, castTo(ctx, parts[0], firstType.clone(shape)), isUnsigned);
    return success();
  }
  SmallVector<DenseElementsAttr> constants;
  for (unsigned i = 0; i < ctx.numInputs(); ++i)
    if (DenseElementsAttr constant = ctx.constantInput(i))
      constants.push_back(constant);
  if (constants.size() == inputs.size() && isFoldable(shape)) {
    // Each row (all dims before the axis) takes its run from every input.
    int64_t rows =
        ShapedType::getNumElements(ArrayRef(shape).take_front(*axis));
    SmallVector<SmallVector<Attribute, 0>> values;
    SmallVector<int64_t> runs;
    for (DenseElementsAttr constant : constants) {
      values.emplace_back(constant.getValues<Attribute>());
      runs.push_back(ShapedType::getNumElements(
          constant.getType().getShape().drop_front(*axis)));
    }
    SmallVector<Attribute> result;
    for (int64_t row = 0; row < rows; ++row)
      for (auto [input, run] : llvm::zip_equal(values, runs))
        llvm::append_range(result, ArrayRef(input).slice(row * run, run));
    auto type = RankedTensorType::get(shape, firstType.getElementType());
    ctx.setConstantOutput(0, DenseElementsAttr::get(type, result), isUnsigned);
    return success();
  }
  ctx.setOutput(0, tensor::ConcatOp::create(ctx.builder, ctx.loc, *axis, parts),
                isUnsigned);
  return success();
}

/// The box of `input` at `offsets` with `sizes` and `strides`. Boxes of
/// empty tensors or of empty size become tensor.empty: extract_slice rejects
/// their offsets at the end of an axis.
Value extractBox(NodeContext &ctx, Value input, ArrayRef<OpFoldResult> offsets,
                 ArrayRef<OpFoldResult> sizes, ArrayRef<OpFoldResult> strides) {
  if (hasZeroDim(typeOf(input).getShape()) ||
      llvm::any_of(sizes, [](OpFoldResult size) {
        return getConstantIntValue(size) == 0;
      }))
    return emptyTensor(ctx, sizes, typeOf(input).getElementType());
  return tensor::ExtractSliceOp::create(ctx.builder, ctx.loc, input, offsets,
                                        sizes, strides);
}

/// Binds output `i` to the box of `input` at `offsets` with `sizes`
/// (unit strides), folding constants.
void setSlice(NodeContext &ctx, unsigned i, Value input,
              ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes) {
  OpBuilder &b = ctx.builder;
  bool isUnsigned = ctx.isUnsigned(0);
  SmallVector<int64_t> shape = staticShapeOf(sizes);
  DenseElementsAttr constant = ctx.constantInput(0);
  if (constant && isFoldable(shape)) {
    SmallVector<int64_t> first = staticShapeOf(offsets);
    SmallVector<int64_t> strides = stridesOf(typeOf(input).getShape());
    auto type = RankedTensorType::get(shape, typeOf(input).getElementType());
    ctx.setConstantOutput(
        i,
        foldBySourceIndex(constant, type,
                          [&](ArrayRef<int64_t> index) {
                            int64_t flat = 0;
                            for (auto [d, at] : llvm::enumerate(index))
                              flat += (first[d] + at) * strides[d];
                            return flat;
                          }),
        isUnsigned);
    return;
  }
  SmallVector<OpFoldResult> ones(sizes.size(), b.getIndexAttr(1));
  ctx.setOutput(i, extractBox(ctx, input, offsets, sizes, ones), isUnsigned);
}

/// Binds output i to the i-th run of `lengths` along `axis`.
void splitInto(NodeContext &ctx, Value input, int64_t axis,
               ArrayRef<OpFoldResult> lengths) {
  int64_t rank = typeOf(input).getRank();
  SmallVector<OpFoldResult> offsets(rank, ctx.builder.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = sizesOf(ctx, input);
  for (auto [i, length] : llvm::enumerate(lengths)) {
    if (i > 0)
      offsets[axis] = addSizes(ctx, offsets[axis], lengths[i - 1]);
    sizes[axis] = length;
    if (ctx.hasOutput(i))
      setSlice(ctx, i, input, offsets, sizes);
  }
}

LogicalResult convertSplit(NodeContext &ctx) {
  Value input = ctx.input(0);
  RankedTensorType type = typeOf(input);
  FailureOr<int64_t> axis =
      normalizeAxis(ctx, ctx.getInt("axis", 0), type.getRank());
  if (failed(axis))
    return failure();
  int64_t parts = ctx.numOutputs();
  if (parts == 0)
    return ctx.emitError() << "has no outputs";
  if (ctx.opset() >= 13 && ctx.hasInput(1) && !ctx.constantInput(1)) {
    // Lengths known only at run time.
    FailureOr<SmallVector<Value>> lengths = runtimeIndices(ctx, 1, "split");
    if (failed(lengths))
      return failure();
    if (static_cast<int64_t>(lengths->size()) != parts)
      return ctx.emitError() << "'split' has " << lengths->size()
                             << " entries for " << parts << " outputs";
    splitInto(ctx, input, *axis,
              SmallVector<OpFoldResult>(lengths->begin(), lengths->end()));
    return success();
  }
  auto split = intsFromAttrOrInput(ctx, "split", 1, 13);
  if (failed(split))
    return failure();
  OpBuilder &b = ctx.builder;
  int64_t dim = type.getDimSize(*axis);
  SmallVector<OpFoldResult> lengths;
  if (*split) {
    if (static_cast<int64_t>((*split)->size()) != parts)
      return ctx.emitError() << "'split' has " << (*split)->size()
                             << " entries for " << parts << " outputs";
    if (llvm::any_of(**split, [&](int64_t v) {
          return v < 0 || (!ShapedType::isDynamic(dim) && v > dim);
        }))
      return ctx.emitError()
             << "'split' has a length outside [0, " << dim << "]";
    int64_t total = 0;
    for (int64_t length : **split)
      if (llvm::AddOverflow(total, length, total))
        return ctx.emitError() << "'split' lengths overflow";
    if (!ShapedType::isDynamic(dim) && total != dim)
      return ctx.emitError() << "'split' lengths sum to " << total
                             << ", not to the axis size " << dim;
    lengths = getAsIndexOpFoldResult(ctx.getContext(), **split);
  } else if (ShapedType::isDynamic(dim)) {
    // Equal parts of a dynamic axis, assumed to divide evenly.
    Value part = arith::DivUIOp::create(
        b, ctx.loc, toIndexValue(ctx, dimOf(ctx, input, *axis)),
        indexConstant(ctx, parts));
    lengths.assign(parts, part);
  } else {
    if (dim % parts)
      return ctx.emitError()
             << "axis size " << dim << " does not split evenly into " << parts
             << " outputs";
    lengths.assign(parts, b.getIndexAttr(dim / parts));
  }
  splitInto(ctx, input, *axis, lengths);
  return success();
}

/// One axis of a Slice: the first element taken, the signed step and the
/// number of elements.
struct SliceAxis {
  OpFoldResult first;
  int64_t step;
  OpFoldResult count;
};

/// Clamps a slice of a static axis as the spec says.
SliceAxis clampStaticSlice(NodeContext &ctx, int64_t start, int64_t end,
                           int64_t step, int64_t dim) {
  auto wrap = [&](int64_t v) { return v < 0 ? v + dim : v; };
  // A step longer than the axis takes one element at most: shorten it so
  // that no arithmetic below overflows.
  int64_t length = std::min<int64_t>(
      step == std::numeric_limits<int64_t>::min() ? dim : std::abs(step),
      std::max<int64_t>(dim, 1));
  int64_t span = 0;
  if (dim == 0) {
    start = 0;
  } else if (step > 0) {
    start = std::clamp<int64_t>(wrap(start), 0, dim);
    span = std::clamp<int64_t>(wrap(end), 0, dim) - start;
  } else {
    start = std::clamp<int64_t>(wrap(start), 0, dim - 1);
    span = start - std::clamp<int64_t>(wrap(end), -1, dim - 1);
  }
  int64_t count = span > 0 ? (span - 1) / length + 1 : 0;
  return {ctx.builder.getIndexAttr(start), step > 0 ? length : -length,
          ctx.builder.getIndexAttr(count)};
}

/// Clamps a slice with a positive step of a dynamic axis at run time.
SliceAxis clampDynamicSlice(NodeContext &ctx, int64_t start, int64_t end,
                            int64_t step, Value dim) {
  OpBuilder &b = ctx.builder;
  Value zero = indexConstant(ctx, 0);
  auto clamp = [&](int64_t v) -> Value {
    Value value =
        v < 0 ? arith::AddIOp::create(b, ctx.loc, dim, indexConstant(ctx, v))
              : indexConstant(ctx, v);
    value = arith::MinSIOp::create(b, ctx.loc, value, dim);
    return arith::MaxSIOp::create(b, ctx.loc, value, zero);
  };
  Value first = clamp(start);
  Value count = arith::SubIOp::create(b, ctx.loc, clamp(end), first);
  if (step != 1)
    count =
        arith::CeilDivSIOp::create(b, ctx.loc, count, indexConstant(ctx, step));
  count = arith::MaxSIOp::create(b, ctx.loc, count, zero);
  return {first, step, count};
}

/// The starts, ends, axes and steps of a Slice (attributes before opset 10).
LogicalResult getSliceParams(NodeContext &ctx, int64_t rank,
                             SmallVector<int64_t> &starts,
                             SmallVector<int64_t> &ends,
                             SmallVector<int64_t> &axes,
                             SmallVector<int64_t> &steps) {
  if (ctx.opset() < 10) {
    starts = ctx.getInts("starts");
    ends = ctx.getInts("ends");
    if (ctx.hasAttr("axes"))
      axes = ctx.getInts("axes");
  } else {
    FailureOr<SmallVector<int64_t>> s = requireConstantInts(ctx, 1, "starts");
    FailureOr<SmallVector<int64_t>> e;
    if (succeeded(s))
      e = requireConstantInts(ctx, 2, "ends");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    for (auto [i, list, name] :
         {std::tuple(3u, &axes, "axes"), std::tuple(4u, &steps, "steps")}) {
      if (!ctx.hasInput(i))
        continue;
      FailureOr<SmallVector<int64_t>> values =
          requireConstantInts(ctx, i, name);
      if (failed(values))
        return failure();
      *list = *values;
    }
  }
  if (!ctx.hasAttr("axes") && !ctx.hasInput(3)) {
    axes.resize(starts.size());
    std::iota(axes.begin(), axes.end(), 0);
  }
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return ctx.emitError() << "starts, ends, axes and steps differ in length";
  FailureOr<SmallVector<int64_t>> normalized = normalizeAxes(ctx, axes, rank);
  if (failed(normalized))
    return failure();
  axes = *normalized;
  if (llvm::is_contained(steps, 0))
    return ctx.emitError() << "steps must not be zero";
  return success();
}

/// Reverses the dims of `value` marked in `reversed` (all static).
Value reverseDims(NodeContext &ctx, Value value, ArrayRef<bool> reversed) {
  RankedTensorType type = typeOf(value);
  OpBuilder &b = ctx.builder;
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    AffineExpr dim = b.getAffineDimExpr(d);
    exprs.push_back(reversed[d] ? type.getDimSize(d) - 1 - dim : dim);
  }
  AffineMap map = AffineMap::get(type.getRank(), 0, exprs, b.getContext());
  Value init = emptyTensor(ctx, sizesOf(ctx, value), type.getElementType());
  return buildParallelGeneric(
      ctx, init, value, map,
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

/// Slice with starts, ends, axes or steps known only at run time: each axis
/// finds its entry (if any) and clamps it then; the result reads
/// input[first + i * step] along every axis.
LogicalResult convertRuntimeSlice(NodeContext &ctx) {
  Value input = ctx.input(0);
  RankedTensorType type = typeOf(input);
  int64_t rank = type.getRank();
  IndexMath m{ctx.builder, ctx.loc};
  // starts, ends, axes and steps; the last two are optional.
  static constexpr StringLiteral names[] = {"starts", "ends", "axes", "steps"};
  SmallVector<SmallVector<Value>> params;
  for (auto [i, name] : llvm::enumerate(names)) {
    if (!ctx.hasInput(i + 1)) {
      if (i < 2)
        return ctx.emitError() << "is missing '" << name << "'";
      params.emplace_back();
      continue;
    }
    FailureOr<SmallVector<Value>> values = runtimeIndices(ctx, i + 1, name);
    if (failed(values))
      return failure();
    params.push_back(*values);
  }
  size_t count = params[0].size();
  if (params[2].empty())
    for (size_t j = 0; j < count; ++j)
      params[2].push_back(m.constant(j));
  if (params[3].empty())
    params[3].assign(count, m.constant(1));
  if (params[1].size() != count || params[2].size() != count ||
      params[3].size() != count)
    return ctx.emitError() << "starts, ends, axes and steps differ in length";

  SmallVector<Value> firsts, steps;
  SmallVector<OpFoldResult> sizes;
  Value zero = m.constant(0), one = m.constant(1);
  for (int64_t d = 0; d < rank; ++d) {
    Value dim = toIndexValue(ctx, dimOf(ctx, input, d));
    Value start = zero, end = dim, step = one;
    for (size_t j = 0; j < count; ++j) {
      Value match = m.eq(m.wrap(params[2][j], m.constant(rank)), m.constant(d));
      start = m.select(match, params[0][j], start);
      end = m.select(match, params[1][j], end);
      step = m.select(match, params[3][j], step);
    }
    Value last = m.sub(dim, one);
    Value forward = m.lt(zero, step);
    Value first = m.select(forward, m.clamp(m.wrap(start, dim), zero, dim),
                           m.clamp(m.wrap(start, dim), zero, last));
    Value stop = m.select(forward, m.clamp(m.wrap(end, dim), zero, dim),
                          m.clamp(m.wrap(end, dim), m.constant(-1), last));
    Value span = m.select(forward, m.sub(stop, first), m.sub(first, stop));
    Value stride = m.select(forward, step, m.sub(zero, step));
    firsts.push_back(first);
    steps.push_back(step);
    sizes.push_back(m.max(m.ceilDiv(span, m.max(stride, one)), zero));
  }
  Value init = emptyTensor(ctx, sizes, type.getElementType());
  Value result = buildParallelGeneric(
      ctx, init, {}, {}, [&](OpBuilder &b, Location loc, ValueRange) {
        SmallVector<Value> at = loopIndices(b, loc, rank);
        for (int64_t d = 0; d < rank; ++d)
          at[d] = arith::AddIOp::create(
              b, loc, firsts[d],
              arith::MulIOp::create(b, loc, at[d], steps[d]));
        return tensor::ExtractOp::create(b, loc, input, at);
      });
  ctx.setOutput(0, result, ctx.isUnsigned(0));
  return success();
}

LogicalResult convertSlice(NodeContext &ctx) {
  if (ctx.opset() >= 10 &&
      llvm::any_of(llvm::seq(1u, ctx.numInputs()), [&](unsigned i) {
        return ctx.hasInput(i) && !ctx.constantInput(i);
      }))
    return convertRuntimeSlice(ctx);
  Value input = ctx.input(0);
  RankedTensorType type = typeOf(input);
  int64_t rank = type.getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (failed(getSliceParams(ctx, rank, starts, ends, axes, steps)))
    return failure();
  // Run-time clamping handles a backward step over a dynamic axis.
  for (auto [axis, step] : llvm::zip_equal(axes, steps))
    if (step < 0 && type.isDynamicDim(axis))
      return convertRuntimeSlice(ctx);
  SmallVector<SliceAxis> slices;
  for (int64_t d = 0; d < rank; ++d)
    slices.push_back({ctx.builder.getIndexAttr(0), 1, dimOf(ctx, input, d)});
  for (auto [i, axis] : llvm::enumerate(axes)) {
    int64_t dim = type.getDimSize(axis);
    if (!ShapedType::isDynamic(dim))
      slices[axis] = clampStaticSlice(ctx, starts[i], ends[i], steps[i], dim);
    else
      slices[axis] = clampDynamicSlice(ctx, starts[i], ends[i], steps[i],
                                       toIndexValue(ctx, slices[axis].count));
  }
  SmallVector<OpFoldResult> offsets, sizes, strides;
  SmallVector<bool> reversed;
  for (const SliceAxis &slice : slices) {
    sizes.push_back(slice.count);
    strides.push_back(ctx.builder.getIndexAttr(std::abs(slice.step)));
    if (slice.step > 0) {
      offsets.push_back(slice.first);
      reversed.push_back(false);
      continue;
    }
    // Take the same elements upwards from the last, then reverse them.
    int64_t first = *getConstantIntValue(slice.first);
    int64_t count = *getConstantIntValue(slice.count);
    offsets.push_back(
        ctx.builder.getIndexAttr(count ? first + (count - 1) * slice.step : 0));
    reversed.push_back(count > 1);
  }
  DenseElementsAttr constant = ctx.constantInput(0);
  SmallVector<int64_t> shape = staticShapeOf(sizes);
  bool isUnsigned = ctx.isUnsigned(0);
  if (constant && isFoldable(shape)) {
    SmallVector<int64_t> inputStrides = stridesOf(type.getShape());
    auto resultType = RankedTensorType::get(shape, type.getElementType());
    ctx.setConstantOutput(
        0,
        foldBySourceIndex(constant, resultType,
                          [&](ArrayRef<int64_t> index) {
                            int64_t flat = 0;
                            for (auto [d, at] : llvm::enumerate(index)) {
                              int64_t first =
                                  *getConstantIntValue(slices[d].first);
                              flat += (first + at * slices[d].step) *
                                      inputStrides[d];
                            }
                            return flat;
                          }),
        isUnsigned);
    return success();
  }
  Value result = extractBox(ctx, input, offsets, sizes, strides);
  if (llvm::is_contained(reversed, true))
    result = reverseDims(ctx, result, reversed);
  ctx.setOutput(0, result, isUnsigned);
  return success();
}

//===----------------------------------------------------------------------===//
// Growing: Pad, Tile, Expand
//===----------------------------------------------------------------------===//

enum class PadMode { Constant, Reflect, Edge };

/// The index into an axis of size `dim` that padded position `j` (relative
/// to the axis start) reads, or -1 for the pad value.
int64_t padSource(PadMode mode, int64_t j, int64_t dim) {
  if (j >= 0 && j < dim)
    return j;
  switch (mode) {
  case PadMode::Constant:
    return -1;
  case PadMode::Edge:
    return std::clamp<int64_t>(j, 0, dim - 1);
  case PadMode::Reflect:
    if (dim == 1)
      return 0;
    j = std::abs(j);
    return (dim - 1) - std::abs((dim - 1) - j);
  }
  llvm_unreachable("unknown pad mode");
}

/// The pad value of a constant-mode Pad: an attribute of `elementType`, or
/// null when it is a run-time input.
FailureOr<Attribute> constantPadValue(NodeContext &ctx, Type elementType) {
  if (ctx.opset() >= 11 && ctx.hasInput(2)) {
    RankedTensorType type = ctx.inputType(2);
    if (type.hasStaticShape() && type.getNumElements() != 1)
      return ctx.emitError() << "'constant_value' must be a scalar";
    if (DenseElementsAttr constant = ctx.constantInput(2))
      return *constant.getValues<Attribute>().begin();
    return Attribute();
  }
  double value = ctx.getFloat("value", 0);
  if (isa<FloatType>(elementType))
    return Attribute(ctx.builder.getFloatAttr(elementType, value));
  return Attribute(
      ctx.builder.getIntegerAttr(elementType, static_cast<int64_t>(value)));
}

/// Padding by index arithmetic: each output element reads the input at its
/// position less `low`, mirrored (reflect) or clamped (edge) into the axis;
/// in constant mode, positions outside read `fill`. Only axes marked
/// `padded` move.
Value buildIndexedPad(NodeContext &ctx, Value input, PadMode mode,
                      ArrayRef<OpFoldResult> low, ArrayRef<bool> padded,
                      ArrayRef<OpFoldResult> sizes, Value fill) {
  int64_t rank = low.size();
  SmallVector<Value> dims(rank), lows(rank);
  for (int64_t d = 0; d < rank; ++d) {
    if (!padded[d])
      continue;
    dims[d] = toIndexValue(ctx, dimOf(ctx, input, d));
    lows[d] = toIndexValue(ctx, low[d]);
  }
  Value init = emptyTensor(ctx, sizes, typeOf(input).getElementType());
  return buildParallelGeneric(
      ctx, init, {}, {}, [&](OpBuilder &b, Location loc, ValueRange) {
        IndexMath m{b, loc};
        SmallVector<Value> indices = loopIndices(b, loc, rank);
        Value zero = m.constant(0), one = m.constant(1);
        Value inside;
        for (int64_t d = 0; d < rank; ++d) {
          if (!dims[d])
            continue;
          Value j = m.sub(indices[d], lows[d]);
          Value last = m.sub(dims[d], one);
          if (mode == PadMode::Constant) {
            Value here = arith::AndIOp::create(b, loc, m.lt(j, dims[d]),
                                               m.lt(m.constant(-1), j));
            inside =
                inside ? arith::AndIOp::create(b, loc, inside, here) : here;
          } else if (mode == PadMode::Reflect) {
            // |last - |j||, mirrored back from the far end.
            auto abs = [&](Value v) { return m.max(v, m.sub(zero, v)); };
            j = m.sub(last, abs(m.sub(last, abs(j))));
          }
          indices[d] = m.clamp(j, zero, last);
        }
        Value value = tensor::ExtractOp::create(b, loc, input, indices);
        if (inside)
          value = m.select(inside, value, fill);
        return value;
      });
}

FailureOr<PadMode> getPadMode(NodeContext &ctx) {
  std::string mode = ctx.getString("mode", "constant");
  if (mode == "constant")
    return PadMode::Constant;
  if (mode == "reflect")
    return PadMode::Reflect;
  if (mode == "edge")
    return PadMode::Edge;
  return ctx.emitError() << "unsupported mode '" << mode << "'";
}

/// The sizes of a Pad: negative pads crop the input to `cropSizes` at
/// `cropOffsets` first, then `low` and `high` (never negative) grow it to
/// `outSizes`.
struct PadPlan {
  SmallVector<OpFoldResult> cropOffsets, cropSizes, outSizes;
  SmallVector<int64_t> low, high;
  bool crops = false;
};

FailureOr<PadPlan> planPad(NodeContext &ctx, Value input, PadMode mode) {
  OpBuilder &b = ctx.builder;
  RankedTensorType type = typeOf(input);
  int64_t rank = type.getRank();
  SmallVector<int64_t> pads;
  if (ctx.opset() < 11) {
    if (!ctx.hasAttr("pads"))
      return ctx.emitError() << "requires a 'pads' attribute";
    pads = ctx.getInts("pads");
  } else {
    FailureOr<SmallVector<int64_t>> values =
        requireConstantInts(ctx, 1, "pads");
    if (failed(values))
      return failure();
    pads = *values;
  }
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return ctx.emitError() << "'pads' has " << pads.size()
                           << " entries for rank " << rank;
  constexpr int64_t kMaxPad = int64_t(1) << 40;
  if (llvm::any_of(pads,
                   [](int64_t p) { return p <= -kMaxPad || p >= kMaxPad; }))
    return ctx.emitError() << "'pads' has an entry beyond +/-2^40";
  PadPlan plan;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t low = pads[d], high = pads[rank + d];
    int64_t crop = std::max<int64_t>(-low, 0) + std::max<int64_t>(-high, 0);
    plan.crops |= crop > 0;
    plan.low.push_back(std::max<int64_t>(low, 0));
    plan.high.push_back(std::max<int64_t>(high, 0));
    plan.cropOffsets.push_back(b.getIndexAttr(std::max<int64_t>(-low, 0)));
    int64_t grow = plan.low.back() + plan.high.back();
    int64_t dim = type.getDimSize(d);
    if (ShapedType::isDynamic(dim)) {
      Value kept = arith::SubIOp::create(
          b, ctx.loc, toIndexValue(ctx, dimOf(ctx, input, d)),
          indexConstant(ctx, crop));
      plan.cropSizes.push_back(kept);
      plan.outSizes.push_back(
          arith::AddIOp::create(b, ctx.loc, kept, indexConstant(ctx, grow))
              .getResult());
      continue;
    }
    int64_t kept = dim - crop;
    if (kept < 0)
      return ctx.emitError() << "pads crop axis " << d << " below size 0";
    if (mode != PadMode::Constant && kept == 0 && grow > 0)
      return ctx.emitError()
             << "cannot pad empty axis " << d << " in edge or reflect mode";
    if (mode == PadMode::Reflect && kept > 1 &&
        std::max(plan.low.back(), plan.high.back()) >= kept)
      return ctx.emitError() << "reflect pads must be smaller than axis " << d
                             << " (size " << kept << ")";
    plan.cropSizes.push_back(b.getIndexAttr(kept));
    plan.outSizes.push_back(b.getIndexAttr(kept + grow));
  }
  return plan;
}

/// A padded constant, or null when the result is too large to fold.
DenseElementsAttr foldPad(DenseElementsAttr input, PadMode mode,
                          const PadPlan &plan, Attribute fill) {
  SmallVector<int64_t> shape = staticShapeOf(plan.outSizes);
  if (!isFoldable(shape))
    return nullptr;
  SmallVector<int64_t> strides = stridesOf(input.getType().getShape());
  auto type = RankedTensorType::get(shape, input.getElementType());
  return foldBySourceIndex(
      input, type,
      [&](ArrayRef<int64_t> index) {
        int64_t flat = 0;
        for (auto [d, at] : llvm::enumerate(index)) {
          int64_t kept = *getConstantIntValue(plan.cropSizes[d]);
          int64_t from = padSource(mode, at - plan.low[d], kept);
          if (from < 0)
            return int64_t(-1);
          int64_t offset = *getConstantIntValue(plan.cropOffsets[d]);
          flat += (from + offset) * strides[d];
        }
        return flat;
      },
      fill);
}

/// The pad value: `fill` when it is constant, else the 'constant_value'
/// input read at run time.
Value padValue(NodeContext &ctx, Attribute fill) {
  if (fill)
    return arith::ConstantOp::create(ctx.builder, ctx.loc,
                                     cast<TypedAttr>(fill));
  return runtimeScalar(ctx, 2);
}

/// Pad by pads known only at run time (negative ones crop).
LogicalResult convertRuntimePad(NodeContext &ctx, PadMode mode) {
  Value input = ctx.input(0);
  RankedTensorType type = typeOf(input);
  int64_t rank = type.getRank();
  FailureOr<SmallVector<Value>> pads = runtimeIndices(ctx, 1, "pads");
  if (failed(pads))
    return failure();
  if (static_cast<int64_t>(pads->size()) != 2 * rank)
    return ctx.emitError() << "'pads' has " << pads->size()
                           << " entries for rank " << rank;
  Value fill;
  if (mode == PadMode::Constant) {
    FailureOr<Attribute> value = constantPadValue(ctx, type.getElementType());
    if (failed(value))
      return failure();
    fill = padValue(ctx, *value);
  }
  IndexMath m{ctx.builder, ctx.loc};
  SmallVector<OpFoldResult> lows, sizes;
  for (int64_t d = 0; d < rank; ++d) {
    Value low = (*pads)[d], high = (*pads)[rank + d];
    lows.push_back(low);
    sizes.push_back(
        m.max(m.add(m.add(toIndexValue(ctx, dimOf(ctx, input, d)), low), high),
              m.constant(0)));
  }
  SmallVector<bool> padded(rank, true);
  ctx.setOutput(0, buildIndexedPad(ctx, input, mode, lows, padded, sizes, fill),
                ctx.isUnsigned(0));
  return success();
}

LogicalResult convertPad(NodeContext &ctx) {
  OpBuilder &b = ctx.builder;
  Value input = ctx.input(0);
  Type elementType = typeOf(input).getElementType();
  FailureOr<PadMode> mode = getPadMode(ctx);
  if (failed(mode))
    return failure();
  if (ctx.opset() >= 11 && ctx.hasInput(1) && !ctx.constantInput(1))
    return convertRuntimePad(ctx, *mode);
  FailureOr<PadPlan> plan = planPad(ctx, input, *mode);
  if (failed(plan))
    return failure();
  Attribute fill;
  if (*mode == PadMode::Constant) {
    FailureOr<Attribute> value = constantPadValue(ctx, elementType);
    if (failed(value))
      return failure();
    fill = *value;
  }
  bool isUnsigned = ctx.isUnsigned(0);
  DenseElementsAttr constant = ctx.constantInput(0);
  if (constant && (*mode != PadMode::Constant || fill))
    if (DenseElementsAttr folded = foldPad(constant, *mode, *plan, fill)) {
      ctx.setConstantOutput(0, folded, isUnsigned);
      return success();
    }

  if (plan->crops) {
    SmallVector<OpFoldResult> ones(plan->cropSizes.size(), b.getIndexAttr(1));
    input = extractBox(ctx, input, plan->cropOffsets, plan->cropSizes, ones);
  }
  if (*mode != PadMode::Constant) {
    SmallVector<bool> padded;
    for (auto [low, high] : llvm::zip_equal(plan->low, plan->high))
      padded.push_back(low || high);
    ctx.setOutput(
        0,
        buildIndexedPad(ctx, input, *mode,
                        getAsIndexOpFoldResult(b.getContext(), plan->low),
                        padded, plan->outSizes, Value()),
        isUnsigned);
    return success();
  }
  Value padScalar = padValue(ctx, fill);
  auto type = RankedTensorType::get(staticShapeOf(plan->outSizes), elementType);
  ctx.setOutput(
      0,
      tensor::PadOp::create(b, ctx.loc, type, input,
                            getAsIndexOpFoldResult(b.getContext(), plan->low),
                            getAsIndexOpFoldResult(b.getContext(), plan->high),
                            padScalar),
      isUnsigned);
  return success();
}

/// Tile by repeats known only at run time: each output position reads the
/// input at its position modulo the input size.
LogicalResult convertRuntimeTile(NodeContext &ctx) {
  Value input = ctx.input(0);
  RankedTensorType type = typeOf(input);
  int64_t rank = type.getRank();
  FailureOr<SmallVector<Value>> repeats = runtimeIndices(ctx, 1, "repeats");
  if (failed(repeats))
    return failure();
  if (static_cast<int64_t>(repeats->size()) != rank)
    return ctx.emitError() << "'repeats' has " << repeats->size()
                           << " entries for rank " << rank;
  IndexMath m{ctx.builder, ctx.loc};
  SmallVector<Value> dims;
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < rank; ++d) {
    dims.push_back(toIndexValue(ctx, dimOf(ctx, input, d)));
    sizes.push_back(m.mul(dims.back(), (*repeats)[d]));
  }
  Value init = emptyTensor(ctx, sizes, type.getElementType());
  Value result = buildParallelGeneric(
      ctx, init, {}, {}, [&](OpBuilder &b, Location loc, ValueRange) {
        SmallVector<Value> at = loopIndices(b, loc, rank);
        for (int64_t d = 0; d < rank; ++d)
          at[d] = arith::RemUIOp::create(b, loc, at[d], dims[d]);
        return tensor::ExtractOp::create(b, loc, input, at);
      });
  ctx.setOutput(0, result, ctx.isUnsigned(0));
  return success();
}

LogicalResult convertTile(NodeContext &ctx) {
  if (!ctx.constantInput(1))
    return convertRuntimeTile(ctx);
  Value input = ctx.input(0);
  RankedTensorType type = typeOf(input);
  int64_t rank = type.getRank();
  FailureOr<SmallVector<int64_t>> repeats =
      requireConstantInts(ctx, 1, "repeats");
  if (failed(repeats))
    return failure();
  if (static_cast<int64_t>(repeats->size()) != rank)
    return ctx.emitError() << "'repeats' has " << repeats->size()
                           << " entries for rank " << rank;
  if (llvm::any_of(*repeats, [](int64_t r) { return r < 0; }))
    return ctx.emitError() << "'repeats' has a negative entry";
  bool isUnsigned = ctx.isUnsigned(0);
  if (llvm::all_of(*repeats, [](int64_t r) { return r == 1; })) {
    ctx.setOutput(0, input, isUnsigned);
    return success();
  }
  SmallVector<int64_t> pairShape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t dim = type.getDimSize(d), tiled;
    if (!ShapedType::isDynamic(dim) &&
        llvm::MulOverflow((*repeats)[d], dim, tiled))
      return ctx.emitError() << "repeating axis " << d << " " << (*repeats)[d]
                             << " times overflows";
    pairShape.append({(*repeats)[d], dim});
  }
  if (failed(checkResultShape(ctx, pairShape)))
    return failure();
  SmallVector<OpFoldResult> sizes, pairSizes;
  for (int64_t d = 0; d < rank; ++d) {
    OpFoldResult dim = dimOf(ctx, input, d);
    OpFoldResult repeat = ctx.builder.getIndexAttr((*repeats)[d]);
    sizes.push_back(multiplySizes(ctx, {repeat, dim}));
    pairSizes.append({repeat, dim});
  }
  SmallVector<int64_t> shape = staticShapeOf(sizes);
  if (hasZeroDim(shape)) {
    ctx.setOutput(0, emptyTensor(ctx, sizes, type.getElementType()),
                  isUnsigned);
    return success();
  }
  DenseElementsAttr constant = ctx.constantInput(0);
  if (constant && isFoldable(shape)) {
    SmallVector<int64_t> strides = stridesOf(type.getShape());
    auto resultType = RankedTensorType::get(shape, type.getElementType());
    ctx.setConstantOutput(0,
                          foldBySourceIndex(constant, resultType,
                                            [&](ArrayRef<int64_t> index) {
                                              int64_t flat = 0;
                                              for (int64_t d = 0; d < rank; ++d)
                                                flat += index[d] %
                                                        type.getDimSize(d) *
                                                        strides[d];
                                              return flat;
                                            }),
                          isUnsigned);
    return success();
  }
  // Broadcast into [r0, d0, r1, d1, ...], then merge each pair.
  SmallVector<AffineExpr> exprs;
  SmallVector<ReassociationIndices> pairs;
  for (int64_t d = 0; d < rank; ++d) {
    exprs.push_back(ctx.builder.getAffineDimExpr(2 * d + 1));
    pairs.push_back({2 * d, 2 * d + 1});
  }
  AffineMap map = AffineMap::get(2 * rank, 0, exprs, ctx.getContext());
  Value init = emptyTensor(ctx, pairSizes, type.getElementType());
  Value broadcast = buildParallelGeneric(
      ctx, init, input, map,
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
  ctx.setOutput(
      0,
      tensor::CollapseShapeOp::create(ctx.builder, ctx.loc, broadcast, pairs),
      isUnsigned);
  return success();
}

/// Broadcasts `input` to `sizes` (aligned right). A dynamic input dim may
/// be a broadcast 1 at run time: it reads index 0 where it is.
Value broadcastAtRunTime(NodeContext &ctx, Value input,
                         ArrayRef<OpFoldResult> sizes) {
  RankedTensorType type = typeOf(input);
  int64_t rank = sizes.size();
  int64_t offset = rank - type.getRank();
  IndexMath m{ctx.builder, ctx.loc};
  SmallVector<Value> isOne;
  for (int64_t j = 0; j < type.getRank(); ++j)
    isOne.push_back(
        type.isDynamicDim(j)
            ? m.eq(toIndexValue(ctx, dimOf(ctx, input, j)), m.constant(1))
            : Value());
  Value init = emptyTensor(ctx, sizes, type.getElementType());
  return buildParallelGeneric(
      ctx, init, {}, {}, [&](OpBuilder &b, Location loc, ValueRange) {
        SmallVector<Value> loops = loopIndices(b, loc, rank);
        Value zero = arith::ConstantIndexOp::create(b, loc, 0);
        SmallVector<Value> at;
        for (int64_t j = 0; j < type.getRank(); ++j) {
          Value loop = loops[offset + j];
          if (isOne[j])
            at.push_back(arith::SelectOp::create(b, loc, isOne[j], zero, loop));
          else
            at.push_back(type.getDimSize(j) == 1 ? zero : loop);
        }
        return tensor::ExtractOp::create(b, loc, input, at);
      });
}

/// Expand to a shape known only at run time; sizes broadcast then.
LogicalResult convertRuntimeExpand(NodeContext &ctx) {
  Value input = ctx.input(0);
  FailureOr<SmallVector<Value>> requested = runtimeIndices(ctx, 1, "shape");
  if (failed(requested))
    return failure();
  IndexMath m{ctx.builder, ctx.loc};
  int64_t inputRank = typeOf(input).getRank();
  int64_t shapeRank = requested->size();
  int64_t rank = std::max(inputRank, shapeRank);
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t j = d - (rank - inputRank), k = d - (rank - shapeRank);
    if (j < 0) {
      sizes.push_back((*requested)[k]);
      continue;
    }
    Value dim = toIndexValue(ctx, dimOf(ctx, input, j));
    sizes.push_back(k < 0 ? dim
                          : m.select(m.eq((*requested)[k], m.constant(1)), dim,
                                     (*requested)[k]));
  }
  ctx.setOutput(0, broadcastAtRunTime(ctx, input, sizes), ctx.isUnsigned(0));
  return success();
}

LogicalResult convertExpand(NodeContext &ctx) {
  if (!ctx.constantInput(1))
    return convertRuntimeExpand(ctx);
  Value input = ctx.input(0);
  RankedTensorType type = typeOf(input);
  FailureOr<SmallVector<int64_t>> requested =
      requireConstantInts(ctx, 1, "shape");
  if (failed(requested))
    return failure();
  if (llvm::any_of(*requested, [](int64_t d) { return d < 0; }))
    return ctx.emitError() << "'shape' has a negative dimension";
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes({type.getShape(), *requested});
  if (failed(shape))
    return ctx.emitError() << "cannot broadcast " << type << " to shape ["
                           << llvm::make_range(requested->begin(),
                                               requested->end())
                           << "]";
  if (failed(checkResultShape(ctx, *shape)))
    return failure();
  int64_t rank = shape->size();
  int64_t offset = rank - type.getRank();
  // Input dims of size 1 that grow read index 0.
  auto broadcasts = [&](int64_t j) {
    return type.getDimSize(j) == 1 && (*shape)[offset + j] != 1;
  };
  bool isUnsigned = ctx.isUnsigned(0);
  DenseElementsAttr constant = ctx.constantInput(0);
  if (constant && isFoldable(*shape)) {
    SmallVector<int64_t> strides = stridesOf(type.getShape());
    auto resultType = RankedTensorType::get(*shape, type.getElementType());
    ctx.setConstantOutput(
        0,
        foldBySourceIndex(constant, resultType,
                          [&](ArrayRef<int64_t> index) {
                            int64_t flat = 0;
                            for (int64_t j = 0; j < type.getRank(); ++j)
                              if (!broadcasts(j))
                                flat += index[offset + j] * strides[j];
                            return flat;
                          }),
        isUnsigned);
    return success();
  }
  if (ArrayRef<int64_t>(*shape) == type.getShape()) {
    ctx.setOutput(0, input, isUnsigned);
    return success();
  }
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < rank; ++d)
    sizes.push_back(ShapedType::isDynamic((*shape)[d])
                        ? dimOf(ctx, input, d - offset)
                        : ctx.builder.getIndexAttr((*shape)[d]));
  Value init = emptyTensor(ctx, sizes, type.getElementType());
  Value result;
  if (type.hasStaticShape()) {
    SmallVector<AffineExpr> exprs;
    for (int64_t j = 0; j < type.getRank(); ++j)
      exprs.push_back(broadcasts(j) ? ctx.builder.getAffineConstantExpr(0)
                                    : ctx.builder.getAffineDimExpr(offset + j));
    AffineMap map = AffineMap::get(rank, 0, exprs, ctx.getContext());
    result = buildParallelGeneric(
        ctx, init, input, map,
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
  } else {
    result = broadcastAtRunTime(ctx, input, sizes);
  }
  ctx.setOutput(0, result, isUnsigned);
  return success();
}

//===----------------------------------------------------------------------===//
// Indexing: Gather, GatherElements, OneHot
//===----------------------------------------------------------------------===//

/// Checks constant indices against an axis of size `dim`, normalising
/// negative ones.
FailureOr<SmallVector<int64_t>> checkConstantIndices(NodeContext &ctx,
                                                     unsigned i, int64_t dim) {
  std::optional<SmallVector<int64_t>> values = ctx.constantInts(i);
  if (!values)
    return ctx.emitError() << "indices must be integers";
  SmallVector<int64_t> indices = *values;
  for (int64_t &index : indices) {
    if (index < -dim || index >= dim)
      return ctx.emitError() << "index " << index
                             << " is out of range for an axis of size " << dim;
    if (index < 0)
      index += dim;
  }
  return indices;
}

LogicalResult convertGather(NodeContext &ctx) {
  Value data = ctx.input(0), indices = ctx.input(1);
  RankedTensorType dataType = typeOf(data), indicesType = typeOf(indices);
  int64_t rank = dataType.getRank(), indicesRank = indicesType.getRank();
  FailureOr<int64_t> axis = normalizeAxis(ctx, ctx.getInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < *axis; ++d)
    sizes.push_back(dimOf(ctx, data, d));
  llvm::append_range(sizes, sizesOf(ctx, indices));
  for (int64_t d = *axis + 1; d < rank; ++d)
    sizes.push_back(dimOf(ctx, data, d));
  int64_t resultRank = sizes.size();
  SmallVector<int64_t> shape = staticShapeOf(sizes);
  bool isUnsigned = ctx.isUnsigned(0);

  DenseElementsAttr constant = ctx.constantInput(0);
  if (constant && ctx.constantInput(1) && isFoldable(shape)) {
    FailureOr<SmallVector<int64_t>> picks =
        checkConstantIndices(ctx, 1, dataType.getDimSize(*axis));
    if (failed(picks))
      return failure();
    SmallVector<int64_t> strides = stridesOf(dataType.getShape());
    SmallVector<int64_t> indexStrides = stridesOf(indicesType.getShape());
    auto type = RankedTensorType::get(shape, dataType.getElementType());
    ctx.setConstantOutput(
        0,
        foldBySourceIndex(constant, type,
                          [&](ArrayRef<int64_t> index) {
                            int64_t flat = 0;
                            for (int64_t d = 0; d < *axis; ++d)
                              flat += index[d] * strides[d];
                            int64_t pick = (*picks)[linearize(
                                index.slice(*axis, indicesRank), indexStrides)];
                            flat += pick * strides[*axis];
                            for (int64_t d = *axis + 1; d < rank; ++d)
                              flat += index[d + indicesRank - 1] * strides[d];
                            return flat;
                          }),
        isUnsigned);
    return success();
  }

  // One constant index (x[:, k]) is a rank-reducing slice.
  if (indicesRank == 0 && ctx.constantInput(1) &&
      !dataType.isDynamicDim(*axis)) {
    FailureOr<SmallVector<int64_t>> pick =
        checkConstantIndices(ctx, 1, dataType.getDimSize(*axis));
    if (failed(pick))
      return failure();
    SmallVector<OpFoldResult> offsets(rank, ctx.builder.getIndexAttr(0));
    offsets[*axis] = ctx.builder.getIndexAttr(pick->front());
    SmallVector<OpFoldResult> boxSizes = sizesOf(ctx, data);
    boxSizes[*axis] = ctx.builder.getIndexAttr(1);
    SmallVector<OpFoldResult> ones(rank, ctx.builder.getIndexAttr(1));
    auto type = RankedTensorType::get(shape, dataType.getElementType());
    ctx.setOutput(0,
                  tensor::ExtractSliceOp::create(ctx.builder, ctx.loc, type,
                                                 data, offsets, boxSizes, ones),
                  isUnsigned);
    return success();
  }

  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < indicesRank; ++d)
    exprs.push_back(ctx.builder.getAffineDimExpr(*axis + d));
  AffineMap map = AffineMap::get(resultRank, 0, exprs, ctx.getContext());
  Value dim = toIndexValue(ctx, dimOf(ctx, data, *axis));
  bool indicesUnsigned = ctx.isUnsigned(1);
  Value init = emptyTensor(ctx, sizes, dataType.getElementType());
  Value result = buildParallelGeneric(
      ctx, init, indices, map,
      [&](OpBuilder &b, Location loc, ValueRange args) {
        SmallVector<Value> loops = loopIndices(b, loc, resultRank);
        Value pick = normalizeIndex(
            b, loc, indexFromScalar(b, loc, args[0], indicesUnsigned), dim);
        SmallVector<Value> at(ArrayRef<Value>(loops).take_front(*axis));
        at.push_back(pick);
        llvm::append_range(
            at, ArrayRef<Value>(loops).drop_front(*axis + indicesRank));
        return tensor::ExtractOp::create(b, loc, data, at);
      });
  ctx.setOutput(0, result, isUnsigned);
  return success();
}

LogicalResult convertGatherElements(NodeContext &ctx) {
  Value data = ctx.input(0), indices = ctx.input(1);
  RankedTensorType dataType = typeOf(data), indicesType = typeOf(indices);
  int64_t rank = dataType.getRank();
  if (indicesType.getRank() != rank)
    return ctx.emitError() << "indices " << indicesType
                           << " must have the rank of data " << dataType;
  FailureOr<int64_t> axis = normalizeAxis(ctx, ctx.getInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  bool isUnsigned = ctx.isUnsigned(0);
  DenseElementsAttr constant = ctx.constantInput(0);
  if (constant && ctx.constantInput(1) && isFoldable(indicesType.getShape())) {
    FailureOr<SmallVector<int64_t>> picks =
        checkConstantIndices(ctx, 1, dataType.getDimSize(*axis));
    if (failed(picks))
      return failure();
    SmallVector<int64_t> strides = stridesOf(dataType.getShape());
    SmallVector<int64_t> indexStrides = stridesOf(indicesType.getShape());
    auto type = RankedTensorType::get(indicesType.getShape(),
                                      dataType.getElementType());
    ctx.setConstantOutput(
        0,
        foldBySourceIndex(constant, type,
                          [&](ArrayRef<int64_t> index) {
                            SmallVector<int64_t> at(index);
                            at[*axis] =
                                (*picks)[linearize(index, indexStrides)];
                            return linearize(at, strides);
                          }),
        isUnsigned);
    return success();
  }
  Value dim = toIndexValue(ctx, dimOf(ctx, data, *axis));
  bool indicesUnsigned = ctx.isUnsigned(1);
  Value init =
      emptyTensor(ctx, sizesOf(ctx, indices), dataType.getElementType());
  Value result = buildParallelGeneric(
      ctx, init, indices, ctx.builder.getMultiDimIdentityMap(rank),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        SmallVector<Value> at = loopIndices(b, loc, rank);
        at[*axis] = normalizeIndex(
            b, loc, indexFromScalar(b, loc, args[0], indicesUnsigned), dim);
        return tensor::ExtractOp::create(b, loc, data, at);
      });
  ctx.setOutput(0, result, isUnsigned);
  return success();
}

LogicalResult convertOneHot(NodeContext &ctx) {
  OpBuilder &b = ctx.builder;
  Value indices = ctx.input(0), values = ctx.input(2);
  // The depth may be known only at run time (a float depth truncates).
  OpFoldResult depth;
  if (ctx.constantInput(1)) {
    FailureOr<double> value = requireConstantScalar(ctx, 1, "depth");
    if (failed(value))
      return failure();
    if (!(*value >= 1 && *value < double(int64_t(1) << 62)))
      return ctx.emitError() << "'depth' must be positive, not " << *value;
    depth = b.getIndexAttr(static_cast<int64_t>(*value));
  } else {
    RankedTensorType depthType = ctx.inputType(1);
    if (!depthType.hasStaticShape() || depthType.getNumElements() != 1)
      return ctx.emitError() << "'depth' must hold one value";
    depth =
        indexFromScalar(b, ctx.loc, runtimeScalar(ctx, 1), ctx.isUnsigned(1));
  }
  Value depthSize = arith::IndexCastOp::create(b, ctx.loc, b.getI64Type(),
                                               toIndexValue(ctx, depth));
  RankedTensorType valuesType = typeOf(values);
  if (valuesType.getRank() != 1 ||
      (valuesType.getDimSize(0) != 2 && !valuesType.isDynamicDim(0)))
    return ctx.emitError() << "'values' must be a tensor of 2 elements, not "
                           << valuesType;
  int64_t rank = typeOf(indices).getRank() + 1;
  FailureOr<int64_t> axis = normalizeAxis(ctx, ctx.getInt("axis", -1), rank);
  if (failed(axis))
    return failure();
  Value off = tensor::ExtractOp::create(b, ctx.loc, values,
                                        ValueRange{indexConstant(ctx, 0)});
  Value on = tensor::ExtractOp::create(b, ctx.loc, values,
                                       ValueRange{indexConstant(ctx, 1)});
  SmallVector<OpFoldResult> sizes = sizesOf(ctx, indices);
  sizes.insert(sizes.begin() + *axis, depth);
  if (failed(checkResultShape(ctx, staticShapeOf(sizes))))
    return failure();
  Value init = emptyTensor(ctx, sizes, valuesType.getElementType());
  bool indicesUnsigned = ctx.isUnsigned(0);
  Value result = buildParallelGeneric(
      ctx, init, indices, dropDimMap(b, rank, *axis),
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        Value index = toI64(b, loc, args[0], indicesUnsigned);
        Value zero = arith::ConstantIntOp::create(b, loc, b.getI64Type(), 0);
        Value negative = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::slt, index, zero);
        index = arith::SelectOp::create(
            b, loc, negative, arith::AddIOp::create(b, loc, index, depthSize),
            index);
        Value position = arith::IndexCastOp::create(
            b, loc, b.getI64Type(), linalg::IndexOp::create(b, loc, *axis));
        Value hit = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          index, position);
        return arith::SelectOp::create(b, loc, hit, on, off);
      });
  ctx.setOutput(0, result, ctx.isUnsigned(2));
  return success();
}

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

enum class ResizeMode { Nearest, Linear, Cubic };

struct ResizeOptions {
  ResizeMode mode;
  std::string coordinates;
  std::string nearest;
  double cubicA;
  bool excludeOutside;
  /// The roi of tf_crop_and_resize when constant.
  SmallVector<double> roi;
  /// Which input holds the scales, and whether they (or the sizes) are
  /// given.
  unsigned scalesInput;
  bool hasScales;
  /// Whether scales, sizes or roi are known only at run time.
  bool atRunTime;
};

/// How one output axis of a Resize reads the input: each output position
/// mixes a few taps (input indices with weights), or the axis maps straight
/// through (identity).
struct ResizeAxis {
  bool identity = true;
  SmallVector<SmallVector<int64_t, 0>, 4> index; // [tap][position]
  SmallVector<SmallVector<double, 0>, 4> weight; // [tap][position]
  SmallVector<bool, 0> inside;                   // for tf_crop_and_resize
};

/// The input coordinate that output position `x` maps to on an axis. Like
/// ONNX's reference, align_corners and the crop modes divide by the
/// unrounded output length `in * scale`.
double sourceCoordinate(const ResizeOptions &options, int64_t x, int64_t in,
                        double outLength, double scale, double roiStart,
                        double roiEnd) {
  StringRef mode = options.coordinates;
  if (mode == "half_pixel")
    return (x + 0.5) / scale - 0.5;
  if (mode == "pytorch_half_pixel")
    return outLength > 1 ? (x + 0.5) / scale - 0.5 : -0.5;
  if (mode == "align_corners")
    return outLength == 1 ? 0 : x * (in - 1) / (outLength - 1);
  if (mode == "tf_half_pixel_for_nn")
    return (x + 0.5) / scale;
  if (mode == "tf_crop_and_resize")
    return outLength > 1 ? roiStart * (in - 1) + x * (roiEnd - roiStart) *
                                                     (in - 1) / (outLength - 1)
                         : 0.5 * (roiStart + roiEnd) * (in - 1);
  return x / scale; // asymmetric
}

int64_t roundNearest(StringRef mode, double coordinate) {
  double floor = std::floor(coordinate);
  if (coordinate == floor)
    return floor;
  double fraction = coordinate - floor;
  if (mode == "floor")
    return floor;
  if (mode == "ceil")
    return floor + 1;
  if (mode == "round_prefer_ceil")
    return fraction < 0.5 ? floor : floor + 1;
  return fraction <= 0.5 ? floor : floor + 1; // round_prefer_floor
}

/// The taps (offsets from `base` and weights) of linear or cubic
/// interpolation at `ratio` past `base`.
SmallVector<std::pair<int64_t, double>>
interpolationTaps(const ResizeOptions &options, double ratio) {
  if (options.mode == ResizeMode::Linear)
    return {{0, 1 - ratio}, {1, ratio}};
  // Keys' cubic convolution with coefficient A, as ONNX specifies.
  double a = options.cubicA;
  auto near = [&](double t) { return ((a + 2) * t - (a + 3)) * t * t + 1; };
  auto far = [&](double t) {
    return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  };
  return {{-1, far(ratio + 1)},
          {0, near(ratio)},
          {1, near(1 - ratio)},
          {2, far(2 - ratio)}};
}

ResizeAxis planResizeAxis(const ResizeOptions &options, int64_t in, int64_t out,
                          double outLength, double scale, double roiStart,
                          double roiEnd) {
  ResizeAxis axis;
  int64_t taps = options.mode == ResizeMode::Nearest  ? 1
                 : options.mode == ResizeMode::Linear ? 2
                                                      : 4;
  axis.index.resize(taps);
  axis.weight.resize(taps);
  for (int64_t x = 0; x < out; ++x) {
    double c =
        sourceCoordinate(options, x, in, outLength, scale, roiStart, roiEnd);
    axis.inside.push_back(options.coordinates != "tf_crop_and_resize" ||
                          (c >= 0 && c <= in - 1));
    SmallVector<std::pair<int64_t, double>> points;
    if (options.mode == ResizeMode::Nearest) {
      points.push_back({roundNearest(options.nearest, c), 1});
    } else {
      // On an integer coordinate the reference takes ratio 1 past c - 1.
      double base = std::floor(c);
      double ratio = c - base;
      if (ratio == 0) {
        base -= 1;
        ratio = 1;
      }
      for (auto [offset, weight] : interpolationTaps(options, ratio))
        points.push_back({static_cast<int64_t>(base) + offset, weight});
    }
    if (options.excludeOutside) {
      double total = 0;
      for (auto &[index, weight] : points) {
        if (index < 0 || index >= in)
          weight = 0;
        total += weight;
      }
      for (auto &point : points)
        point.second /= total;
    }
    for (auto [t, point] : llvm::enumerate(points)) {
      int64_t index = std::clamp<int64_t>(point.first, 0, in - 1);
      axis.index[t].push_back(index);
      axis.weight[t].push_back(point.second);
      axis.identity &= point.second == 0 || index == x;
    }
    axis.identity &= axis.inside.back();
  }
  axis.identity &= in == out;
  return axis;
}

/// Resized axes get tables of their length; longer ones are refused.
constexpr int64_t kMaxResizedLength = int64_t(1) << 24;

/// Reads the scales or sizes of a Resize into the output sizes and the
/// per-axis plans.
LogicalResult planResize(NodeContext &ctx, const ResizeOptions &options,
                         SmallVector<OpFoldResult> &sizes,
                         std::vector<ResizeAxis> &axes) {
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  std::optional<SmallVector<double>> scales;
  std::optional<SmallVector<int64_t>> outSizes;
  if (options.hasScales)
    scales = ctx.constantFloats(options.scalesInput);
  else if (!(outSizes = ctx.constantInts(3)))
    return ctx.emitError() << "'sizes' must be integers";
  size_t count = scales ? scales->size() : outSizes->size();
  if (static_cast<int64_t>(count) != rank)
    return ctx.emitError() << (scales ? "'scales'" : "'sizes'") << " has "
                           << count << " entries for rank " << rank;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t in = type.getDimSize(d);
    if (ShapedType::isDynamic(in)) {
      // Only unscaled axes may be dynamic here (see resizesDynamicAxis).
      sizes.push_back(dimOf(ctx, ctx.input(0), d));
      axes.emplace_back();
      continue;
    }
    double scale, outLength;
    int64_t out;
    if (scales) {
      scale = (*scales)[d];
      outLength = in * scale;
      if (!(scale > 0) || !(outLength < kMaxResizedLength))
        return ctx.emitError() << "cannot scale axis " << d << " of size " << in
                               << " by " << scale;
      out = static_cast<int64_t>(std::floor(outLength));
    } else {
      out = (*outSizes)[d];
      if (out < 0 || out >= kMaxResizedLength || in == 0)
        return ctx.emitError() << "cannot resize axis " << d << " of size "
                               << in << " to " << out;
      scale = static_cast<double>(out) / in;
      outLength = out;
    }
    double roiStart = options.roi.empty() ? 0 : options.roi[d];
    double roiEnd = options.roi.empty() ? 1 : options.roi[rank + d];
    sizes.push_back(ctx.builder.getIndexAttr(out));
    axes.push_back(
        planResizeAxis(options, in, out, outLength, scale, roiStart, roiEnd));
  }
  return success();
}

FailureOr<ResizeOptions> getResizeOptions(NodeContext &ctx) {
  ResizeOptions options;
  std::string mode = ctx.getString("mode", "nearest");
  if (mode == "nearest")
    options.mode = ResizeMode::Nearest;
  else if (mode == "linear")
    options.mode = ResizeMode::Linear;
  else if (mode == "cubic" && ctx.opset() >= 11)
    options.mode = ResizeMode::Cubic;
  else
    return ctx.emitError() << "unknown mode '" << mode << "'";
  // Resize-10 samples like Upsample: asymmetric, nearest rounds down.
  bool v10 = ctx.opset() < 11;
  options.coordinates =
      v10 ? "asymmetric"
          : ctx.getString("coordinate_transformation_mode", "half_pixel");
  options.nearest =
      v10 ? "floor" : ctx.getString("nearest_mode", "round_prefer_floor");
  options.cubicA = ctx.getFloat("cubic_coeff_a", -0.75);
  options.excludeOutside = ctx.getInt("exclude_outside", 0) != 0;
  if (!llvm::is_contained({"half_pixel", "pytorch_half_pixel", "align_corners",
                           "asymmetric", "tf_half_pixel_for_nn",
                           "tf_crop_and_resize"},
                          options.coordinates))
    return ctx.emitError() << "unknown coordinate_transformation_mode '"
                           << options.coordinates << "'";
  if (!llvm::is_contained(
          {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"},
          options.nearest))
    return ctx.emitError() << "unknown nearest_mode '" << options.nearest
                           << "'";
  if (options.coordinates == "tf_crop_and_resize") {
    RankedTensorType roiType = ctx.hasInput(1) ? ctx.inputType(1) : nullptr;
    if (!roiType || roiType.getRank() != 1 ||
        roiType.getDimSize(0) != 2 * ctx.inputType(0).getRank())
      return ctx.emitError() << "tf_crop_and_resize requires a 'roi' of "
                                "2 * rank values";
    if (std::optional<SmallVector<double>> roi = ctx.constantFloats(1))
      options.roi = *roi;
  }
  if (options.mode != ResizeMode::Nearest &&
      !isa<FloatType>(ctx.inputType(0).getElementType()))
    return ctx.emitError() << mode << " resize needs a float input";
  auto present = [&](unsigned i) {
    if (!ctx.hasInput(i))
      return false;
    RankedTensorType type = ctx.inputType(i);
    return !type.hasStaticShape() || type.getNumElements() != 0;
  };
  options.scalesInput = v10 ? 1 : 2;
  options.hasScales = present(options.scalesInput);
  if (options.hasScales == (!v10 && present(3)))
    return ctx.emitError() << "needs exactly one of 'scales' and 'sizes'";
  unsigned shapeInput = options.hasScales ? options.scalesInput : 3;
  options.atRunTime =
      !ctx.constantInput(shapeInput) ||
      (options.coordinates == "tf_crop_and_resize" && options.roi.empty());
  return options;
}

/// A 1-D constant table over an output axis.
template <typename T>
Value tableConstant(NodeContext &ctx, Type elementType, ArrayRef<T> values,
                    function_ref<Attribute(T)> toAttr) {
  SmallVector<Attribute> attrs;
  for (T value : values)
    attrs.push_back(toAttr(value));
  auto type =
      RankedTensorType::get({static_cast<int64_t>(values.size())}, elementType);
  return arith::ConstantOp::create(ctx.builder, ctx.loc,
                                   DenseElementsAttr::get(type, attrs));
}

/// The generic body of a Resize: the sum over every combination of taps of
/// the resized axes of the input there times the product of tap weights.
/// `args` holds, per resized axis, its index tables, weight tables (when
/// more than one tap) and inside table (when cropping).
Value buildResizeBody(OpBuilder &b, Location loc, Value input,
                      ArrayRef<int64_t> resized, int64_t taps, bool crop,
                      Value extrapolation, ValueRange args) {
  int64_t rank = typeOf(input).getRank();
  int64_t perAxis = taps + (taps > 1 ? taps : 0) + (crop ? 1 : 0);
  // Per resized axis: its tap indices and weights, and whether it lies
  // inside the crop box.
  SmallVector<SmallVector<Value>> indices, weights;
  Value inside;
  for (size_t k = 0; k < resized.size(); ++k) {
    ValueRange own = args.slice(k * perAxis, perAxis);
    indices.emplace_back();
    for (Value index : own.take_front(taps))
      indices.back().push_back(
          arith::IndexCastOp::create(b, loc, b.getIndexType(), index));
    weights.emplace_back(own.slice(taps, taps > 1 ? taps : 0));
    if (crop)
      inside = inside ? arith::AndIOp::create(b, loc, inside, own.back())
                      : own.back();
  }
  SmallVector<Value> at = loopIndices(b, loc, rank);
  int64_t combinations = 1;
  for (size_t k = 0; k < resized.size(); ++k)
    combinations *= taps;
  Value sum;
  for (int64_t combination = 0; combination < combinations; ++combination) {
    Value weight;
    int64_t rest = combination;
    for (auto [k, d] : llvm::enumerate(resized)) {
      int64_t tap = rest % taps;
      rest /= taps;
      at[d] = indices[k][tap];
      if (taps == 1)
        continue;
      Value w = weights[k][tap];
      weight = weight ? arith::MulFOp::create(b, loc, weight, w) : w;
    }
    Value term = tensor::ExtractOp::create(b, loc, input, at);
    if (weight)
      term = arith::MulFOp::create(b, loc, term, weight);
    sum = sum ? arith::AddFOp::create(b, loc, sum, term) : term;
  }
  if (inside)
    sum = arith::SelectOp::create(b, loc, inside, sum, extrapolation);
  return sum;
}

/// Resizes `input` to `sizes`. `tables` holds, for each axis in `resized`,
/// its tap indices, tap weights (more than one tap) and crop flags (`crop`),
/// each indexed by the output position along that axis.
Value applyResize(NodeContext &ctx, Value input, ArrayRef<OpFoldResult> sizes,
                  ArrayRef<int64_t> resized, ArrayRef<Value> tables,
                  int64_t taps, bool crop) {
  OpBuilder &b = ctx.builder;
  Type elementType = typeOf(input).getElementType();
  int64_t rank = sizes.size();
  int64_t perAxis = resized.empty() ? 0 : tables.size() / resized.size();
  SmallVector<AffineMap> maps;
  for (int64_t d : resized)
    maps.append(perAxis, AffineMap::get(rank, 0, b.getAffineDimExpr(d),
                                        ctx.getContext()));
  Value extrapolation =
      crop ? scalarConstant(b, ctx.loc, elementType,
                            ctx.getFloat("extrapolation_value", 0))
           : Value();
  Value init = emptyTensor(ctx, sizes, elementType);
  return buildParallelGeneric(ctx, init, tables, maps,
                              [&](OpBuilder &b, Location loc, ValueRange args) {
                                return buildResizeBody(b, loc, input, resized,
                                                       taps, crop,
                                                       extrapolation, args);
                              });
}

/// Double-precision arithmetic for resize coordinates computed at run time.
struct FloatMath {
  OpBuilder &b;
  Location loc;

  Value constant(double value) {
    return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(value));
  }
  Value add(Value lhs, Value rhs) {
    return arith::AddFOp::create(b, loc, lhs, rhs);
  }
  Value sub(Value lhs, Value rhs) {
    return arith::SubFOp::create(b, loc, lhs, rhs);
  }
  Value mul(Value lhs, Value rhs) {
    return arith::MulFOp::create(b, loc, lhs, rhs);
  }
  Value div(Value lhs, Value rhs) {
    return arith::DivFOp::create(b, loc, lhs, rhs);
  }
  Value floor(Value value) { return math::FloorOp::create(b, loc, value); }
  Value compare(arith::CmpFPredicate predicate, Value lhs, Value rhs) {
    return arith::CmpFOp::create(b, loc, predicate, lhs, rhs);
  }
  Value select(Value condition, Value ifTrue, Value ifFalse) {
    return arith::SelectOp::create(b, loc, condition, ifTrue, ifFalse);
  }
  Value fromIndex(Value index) {
    Value wide = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
    return arith::SIToFPOp::create(b, loc, b.getF64Type(), wide);
  }
  /// Truncates toward zero.
  Value toIndex(Value value) {
    Value wide = arith::FPToSIOp::create(b, loc, b.getI64Type(), value);
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), wide);
  }
};

/// One axis of a Resize whose sizes are known only at run time.
struct RuntimeResizeAxis {
  Value in, out;          // index
  Value scale, length;    // f64: the scale and the unrounded output length
  Value roiStart, roiEnd; // f64, for tf_crop_and_resize
};

/// Run-time counterpart of sourceCoordinate.
Value runtimeCoordinate(FloatMath &f, const ResizeOptions &options, Value x,
                        Value in, const RuntimeResizeAxis &axis) {
  using P = arith::CmpFPredicate;
  StringRef mode = options.coordinates;
  Value half = f.constant(0.5), one = f.constant(1);
  Value last = f.sub(in, one), beyond = f.sub(axis.length, one);
  if (mode == "half_pixel")
    return f.sub(f.div(f.add(x, half), axis.scale), half);
  if (mode == "pytorch_half_pixel")
    return f.select(f.compare(P::OGT, axis.length, one),
                    f.sub(f.div(f.add(x, half), axis.scale), half),
                    f.constant(-0.5));
  if (mode == "align_corners")
    return f.select(f.compare(P::OEQ, axis.length, one), f.constant(0),
                    f.div(f.mul(x, last), beyond));
  if (mode == "tf_half_pixel_for_nn")
    return f.div(f.add(x, half), axis.scale);
  if (mode == "tf_crop_and_resize") {
    Value width = f.sub(axis.roiEnd, axis.roiStart);
    return f.select(
        f.compare(P::OGT, axis.length, one),
        f.add(f.mul(axis.roiStart, last),
              f.div(f.mul(f.mul(x, width), last), beyond)),
        f.mul(f.mul(half, f.add(axis.roiStart, axis.roiEnd)), last));
  }
  return f.div(x, axis.scale); // asymmetric
}

/// Run-time counterpart of roundNearest.
Value runtimeNearest(FloatMath &f, StringRef mode, Value coordinate) {
  using P = arith::CmpFPredicate;
  Value floor = f.floor(coordinate);
  Value fraction = f.sub(coordinate, floor);
  Value up = f.add(floor, f.constant(1));
  if (mode == "floor")
    return floor;
  if (mode == "ceil")
    return f.select(f.compare(P::OEQ, fraction, f.constant(0)), floor, up);
  P toFloor = mode == "round_prefer_ceil" ? P::OLT : P::OLE;
  return f.select(f.compare(toFloor, fraction, f.constant(0.5)), floor, up);
}

/// Run-time counterpart of interpolationTaps.
SmallVector<std::pair<int64_t, Value>>
runtimeTaps(FloatMath &f, const ResizeOptions &options, Value ratio) {
  Value one = f.constant(1);
  if (options.mode == ResizeMode::Linear)
    return {{0, f.sub(one, ratio)}, {1, ratio}};
  Value a = f.constant(options.cubicA);
  Value aPlus2 = f.constant(options.cubicA + 2);
  Value aPlus3 = f.constant(options.cubicA + 3);
  auto near = [&](Value t) {
    return f.add(f.mul(f.mul(f.sub(f.mul(aPlus2, t), aPlus3), t), t), one);
  };
  auto far = [&](Value t) {
    Value r = f.sub(f.mul(a, t), f.mul(f.constant(5), a));
    r = f.add(f.mul(r, t), f.mul(f.constant(8), a));
    return f.sub(f.mul(r, t), f.mul(f.constant(4), a));
  };
  Value two = f.constant(2);
  return {{-1, far(f.add(ratio, one))},
          {0, near(ratio)},
          {1, near(f.sub(one, ratio))},
          {2, far(f.sub(two, ratio))}};
}

/// The tables of one resized axis (as applyResize reads them), computed at
/// run time by a linalg.generic over the output positions.
SmallVector<Value> buildRuntimeTables(NodeContext &ctx,
                                      const ResizeOptions &options,
                                      const RuntimeResizeAxis &axis,
                                      int64_t taps, bool crop) {
  OpBuilder &b = ctx.builder;
  Type elementType = typeOf(ctx.input(0)).getElementType();
  SmallVector<Value> inits;
  for (int64_t t = 0; t < taps; ++t)
    inits.push_back(emptyTensor(ctx, {axis.out}, b.getI64Type()));
  for (int64_t t = 0; taps > 1 && t < taps; ++t)
    inits.push_back(emptyTensor(ctx, {axis.out}, elementType));
  if (crop)
    inits.push_back(emptyTensor(ctx, {axis.out}, b.getI1Type()));
  SmallVector<AffineMap> maps(inits.size(), b.getMultiDimIdentityMap(1));
  return buildGeneric(
      ctx, {}, {}, inits, maps, 1, {},
      [&](OpBuilder &b, Location loc, ValueRange) {
        using P = arith::CmpFPredicate;
        FloatMath f{b, loc};
        IndexMath m{b, loc};
        Value in = f.fromIndex(axis.in);
        Value x = f.fromIndex(linalg::IndexOp::create(b, loc, 0));
        Value c = runtimeCoordinate(f, options, x, in, axis);
        SmallVector<std::pair<Value, Value>> points; // (index, weight)
        if (options.mode == ResizeMode::Nearest) {
          points.push_back({runtimeNearest(f, options.nearest, c), Value()});
        } else {
          // On an integer coordinate the reference takes ratio 1 past c - 1.
          Value floor = f.floor(c);
          Value ratio = f.sub(c, floor);
          Value integral = f.compare(P::OEQ, ratio, f.constant(0));
          Value base = f.select(integral, f.sub(floor, f.constant(1)), floor);
          ratio = f.select(integral, f.constant(1), ratio);
          for (auto [offset, weight] : runtimeTaps(f, options, ratio))
            points.push_back({f.add(base, f.constant(offset)), weight});
        }
        if (options.excludeOutside) {
          Value total = f.constant(0);
          for (auto &[index, weight] : points) {
            Value outside = arith::OrIOp::create(
                b, loc, f.compare(P::OLT, index, f.constant(0)),
                f.compare(P::OGE, index, in));
            weight = f.select(outside, f.constant(0), weight);
            total = f.add(total, weight);
          }
          for (auto &point : points)
            point.second = f.div(point.second, total);
        }
        SmallVector<Value> yields;
        Value last = m.sub(axis.in, m.constant(1));
        for (auto &point : points) {
          Value index = m.clamp(f.toIndex(point.first), m.constant(0), last);
          yields.push_back(
              arith::IndexCastOp::create(b, loc, b.getI64Type(), index));
        }
        for (auto &point : points)
          if (point.second)
            yields.push_back(
                convertScalar(b, loc, point.second, elementType, false, false));
        if (crop)
          yields.push_back(arith::AndIOp::create(
              b, loc, f.compare(P::OGE, c, f.constant(0)),
              f.compare(P::OLE, c, f.sub(in, f.constant(1)))));
        return yields;
      });
}

/// Whether a scale of 1 leaves an axis as it is: true unless the coordinate
/// mapping shifts (tf_half_pixel_for_nn) or crops (tf_crop_and_resize).
bool unitScaleKeepsAxis(const ResizeOptions &options) {
  return options.coordinates != "tf_half_pixel_for_nn" &&
         options.coordinates != "tf_crop_and_resize";
}

/// Resize by scales, sizes or roi known only at run time: every axis gets
/// tables computed then.
LogicalResult convertRuntimeResize(NodeContext &ctx,
                                   const ResizeOptions &options) {
  OpBuilder &b = ctx.builder;
  Value input = ctx.input(0);
  int64_t rank = typeOf(input).getRank();
  unsigned shapeInput = options.hasScales ? options.scalesInput : 3;
  RankedTensorType shapeType = ctx.inputType(shapeInput);
  if (shapeType.getRank() != 1 || shapeType.getDimSize(0) != rank)
    return ctx.emitError() << "'" << (options.hasScales ? "scales" : "sizes")
                           << "' must hold " << rank << " values";
  FloatMath f{b, ctx.loc};
  IndexMath m{b, ctx.loc};
  auto element = [&](unsigned i, int64_t k) -> Value {
    Value value = tensor::ExtractOp::create(b, ctx.loc, ctx.input(i),
                                            ValueRange{m.constant(k)});
    return convertScalar(b, ctx.loc, value, b.getF64Type(), ctx.isUnsigned(i),
                         false);
  };
  bool crop = options.coordinates == "tf_crop_and_resize";
  int64_t taps = options.mode == ResizeMode::Nearest  ? 1
                 : options.mode == ResizeMode::Linear ? 2
                                                      : 4;
  SmallVector<Value> outSizes;
  if (!options.hasScales) {
    FailureOr<SmallVector<Value>> values = runtimeIndices(ctx, 3, "sizes");
    if (failed(values))
      return failure();
    outSizes = *values;
  }
  std::optional<SmallVector<double>> knownScales;
  if (options.hasScales && unitScaleKeepsAxis(options))
    knownScales = ctx.constantFloats(shapeInput);
  SmallVector<OpFoldResult> sizes;
  SmallVector<Value> tables;
  SmallVector<int64_t> resized;
  for (int64_t d = 0; d < rank; ++d) {
    if (knownScales && (*knownScales)[d] == 1) {
      sizes.push_back(dimOf(ctx, input, d));
      continue;
    }
    RuntimeResizeAxis axis;
    axis.in = toIndexValue(ctx, dimOf(ctx, input, d));
    Value in = f.fromIndex(axis.in);
    if (options.hasScales) {
      axis.scale = element(shapeInput, d);
      axis.length = f.mul(in, axis.scale);
      axis.out = f.toIndex(f.floor(axis.length));
    } else {
      axis.out = m.max(outSizes[d], m.constant(0));
      axis.length = f.fromIndex(axis.out);
      axis.scale = f.div(axis.length, in);
    }
    if (crop) {
      axis.roiStart = element(1, d);
      axis.roiEnd = element(1, rank + d);
    }
    sizes.push_back(axis.out);
    resized.push_back(d);
    llvm::append_range(tables,
                       buildRuntimeTables(ctx, options, axis, taps, crop));
  }
  ctx.setOutput(0, applyResize(ctx, input, sizes, resized, tables, taps, crop),
                ctx.isUnsigned(0));
  return success();
}

/// Whether a dynamic input axis is resized (its tables then need its size,
/// known only at run time).
bool resizesDynamicAxis(NodeContext &ctx, const ResizeOptions &options) {
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  if (!ShapedType::isDynamicShape(shape))
    return false;
  if (!options.hasScales || !unitScaleKeepsAxis(options))
    return true;
  SmallVector<double> scales = *ctx.constantFloats(options.scalesInput);
  if (scales.size() != shape.size())
    return false; // planResize reports it.
  for (auto [size, scale] : llvm::zip_equal(shape, scales))
    if (ShapedType::isDynamic(size) && scale != 1)
      return true;
  return false;
}

LogicalResult convertResize(NodeContext &ctx) {
  OpBuilder &b = ctx.builder;
  FailureOr<ResizeOptions> options = getResizeOptions(ctx);
  if (failed(options))
    return failure();
  if (options->atRunTime || resizesDynamicAxis(ctx, *options))
    return convertRuntimeResize(ctx, *options);
  SmallVector<OpFoldResult> sizes;
  std::vector<ResizeAxis> axes;
  if (failed(planResize(ctx, *options, sizes, axes)))
    return failure();
  Value input = ctx.input(0);
  Type elementType = typeOf(input).getElementType();
  bool crop = options->coordinates == "tf_crop_and_resize";
  int64_t taps = 0;

  // Each resized axis reads its tables at its own output position.
  SmallVector<Value> tables;
  SmallVector<int64_t> resized;
  for (auto [d, axis] : llvm::enumerate(axes)) {
    if (axis.identity)
      continue;
    resized.push_back(d);
    taps = axis.index.size();
    for (ArrayRef<int64_t> index : axis.index)
      tables.push_back(
          tableConstant<int64_t>(ctx, b.getI64Type(), index, [&](int64_t v) {
            return b.getI64IntegerAttr(v);
          }));
    for (ArrayRef<double> weight : axis.weight)
      if (taps > 1)
        tables.push_back(
            tableConstant<double>(ctx, elementType, weight, [&](double v) {
              return b.getFloatAttr(elementType, v);
            }));
    if (crop)
      tables.push_back(
          tableConstant<bool>(ctx, b.getI1Type(), axis.inside,
                              [&](bool v) { return b.getBoolAttr(v); }));
  }
  ctx.setOutput(0, applyResize(ctx, input, sizes, resized, tables, taps, crop),
                ctx.isUnsigned(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Scans and selections: CumSum, ArgMax/ArgMin, TopK
//===----------------------------------------------------------------------===//

/// Runs an scf.for from 0 to `count` over `inits`; `body` builds with
/// ctx.builder inside the loop and returns the values to carry on.
SmallVector<Value>
buildLoop(NodeContext &ctx, Value count, ValueRange inits,
          function_ref<SmallVector<Value>(Value, ValueRange)> body) {
  auto loop = scf::ForOp::create(
      ctx.builder, ctx.loc, indexConstant(ctx, 0), count, indexConstant(ctx, 1),
      inits, [&](OpBuilder &b, Location loc, Value iv, ValueRange carried) {
        OpBuilder::InsertionGuard guard(ctx.builder);
        ctx.builder.setInsertionPoint(b.getInsertionBlock(),
                                      b.getInsertionPoint());
        scf::YieldOp::create(ctx.builder, loc, body(iv, carried));
      });
  return SmallVector<Value>(loop.getResults());
}

/// The cumulative sum of `input` along `axis` (exclusive: of the elements
/// before; reverse: from the end).
Value buildCumSum(NodeContext &ctx, Value input, int64_t axis, bool exclusive,
                  bool reverse) {
  OpBuilder &b = ctx.builder;
  RankedTensorType type = typeOf(input);
  Type elementType = type.getElementType();
  SmallVector<OpFoldResult> sizes = sizesOf(ctx, input);
  Value count = toIndexValue(ctx, sizes[axis]);
  SmallVector<OpFoldResult> sliceSizes(sizes);
  sliceSizes[axis] = b.getIndexAttr(1);
  SmallVector<OpFoldResult> ones(sizes.size(), b.getIndexAttr(1));
  int64_t rank = type.getRank();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  Value zeros = filledTensor(ctx, sliceSizes, elementType, 0);
  Value init = emptyTensor(ctx, sizes, elementType);
  // Carries the running sum (one slice) and the result.
  SmallVector<Value> results =
      buildLoop(ctx, count, {zeros, init}, [&](Value iv, ValueRange carried) {
        Value position = iv;
        if (reverse)
          position = arith::SubIOp::create(
              b, ctx.loc, arith::SubIOp::create(b, ctx.loc, count, iv),
              indexConstant(ctx, 1));
        SmallVector<OpFoldResult> offsets(sizes.size(), b.getIndexAttr(0));
        offsets[axis] = position;
        Value slice = tensor::ExtractSliceOp::create(b, ctx.loc, input, offsets,
                                                     sliceSizes, ones);
        auto store = [&](Value part) -> Value {
          return tensor::InsertSliceOp::create(b, ctx.loc, part, carried[1],
                                               offsets, sliceSizes, ones);
        };
        Value result = exclusive ? store(carried[0]) : carried[1];
        // The running sum updates in place, as loop-carried buffers must.
        Value sum =
            buildGeneric(
                ctx, slice, identity, carried[0], identity, rank, {},
                [](OpBuilder &b, Location loc, ValueRange args) {
                  Value sum =
                      isa<FloatType>(args[0].getType())
                          ? arith::AddFOp::create(b, loc, args[0], args[1])
                                .getResult()
                          : arith::AddIOp::create(b, loc, args[0], args[1])
                                .getResult();
                  return SmallVector<Value>{sum};
                })
                .front();
        return SmallVector<Value>{sum, exclusive ? result : store(sum)};
      });
  return castTo(ctx, results[1], type);
}

/// CumSum along an axis known only at run time: one scan per possible axis,
/// chosen by scf.index_switch (a bad axis leaves the input as it is).
Value buildRuntimeAxisCumSum(NodeContext &ctx, Value input, bool exclusive,
                             bool reverse) {
  OpBuilder &b = ctx.builder;
  int64_t rank = typeOf(input).getRank();
  IndexMath m{b, ctx.loc};
  Value axis = m.wrap(
      indexFromScalar(b, ctx.loc, runtimeScalar(ctx, 1), ctx.isUnsigned(1)),
      m.constant(rank));
  SmallVector<int64_t> cases(rank);
  std::iota(cases.begin(), cases.end(), 0);
  auto select = scf::IndexSwitchOp::create(b, ctx.loc, input.getType(), axis,
                                           cases, rank);
  OpBuilder::InsertionGuard guard(b);
  for (int64_t a = 0; a < rank; ++a) {
    b.setInsertionPointToStart(&select.getCaseRegions()[a].emplaceBlock());
    scf::YieldOp::create(b, ctx.loc,
                         buildCumSum(ctx, input, a, exclusive, reverse));
  }
  b.setInsertionPointToStart(&select.getDefaultRegion().emplaceBlock());
  scf::YieldOp::create(b, ctx.loc, input);
  return select.getResult(0);
}

LogicalResult convertCumSum(NodeContext &ctx) {
  Value input = ctx.input(0);
  RankedTensorType type = typeOf(input);
  bool exclusive = ctx.getInt("exclusive", 0) != 0;
  bool reverse = ctx.getInt("reverse", 0) != 0;
  if (type.getRank() == 0)
    return ctx.emitError() << "needs an input of rank 1 or more";
  RankedTensorType axisType = ctx.inputType(1);
  if (!axisType.hasStaticShape() || axisType.getNumElements() != 1 ||
      !isa<IntegerType>(axisType.getElementType()))
    return ctx.emitError() << "'axis' must be one integer";
  if (!ctx.constantInput(1)) {
    ctx.setOutput(0, buildRuntimeAxisCumSum(ctx, input, exclusive, reverse),
                  ctx.isUnsigned(0));
    return success();
  }
  FailureOr<int64_t> axis =
      normalizeAxis(ctx, ctx.constantInts(1)->front(), type.getRank());
  if (failed(axis))
    return failure();
  ctx.setOutput(0, buildCumSum(ctx, input, *axis, exclusive, reverse),
                ctx.isUnsigned(0));
  return success();
}

/// Compares two scalars of an ordered type.
Value compare(OpBuilder &b, Location loc, Value lhs, Value rhs, bool greater,
              bool isUnsigned) {
  if (isa<FloatType>(lhs.getType()))
    return arith::CmpFOp::create(
        b, loc, greater ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT,
        lhs, rhs);
  arith::CmpIPredicate predicate =
      isUnsigned
          ? (greater ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::ult)
          : (greater ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::slt);
  return arith::CmpIOp::create(b, loc, predicate, lhs, rhs);
}

Value equal(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  if (isa<FloatType>(lhs.getType()))
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, lhs, rhs);
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lhs, rhs);
}

Value anyOf(OpBuilder &b, Location loc, ArrayRef<Value> conditions) {
  Value result = conditions.front();
  for (Value condition : conditions.drop_front())
    result = arith::OrIOp::create(b, loc, result, condition);
  return result;
}

/// Reduces `input` over `axis` to the best (value, index) pair per row, as a
/// linalg.generic over the input with the pair as its outputs (index -1
/// while none is chosen). `extra` inputs have the reduced shape and come
/// into `accept` next to the candidate value and its i64 index.
std::pair<Value, Value> reduceToBest(
    NodeContext &ctx, Value input, int64_t axis, bool greater, bool preferLast,
    ValueRange extra,
    function_ref<Value(OpBuilder &, Location, Value, Value, ValueRange)>
        accept) {
  OpBuilder &b = ctx.builder;
  RankedTensorType type = typeOf(input);
  int64_t rank = type.getRank();
  bool isUnsigned = ctx.isUnsigned(0);
  SmallVector<OpFoldResult> sizes = sizesOf(ctx, input);
  sizes.erase(sizes.begin() + axis);
  Value bestInit = filledTensor(ctx, sizes, type.getElementType(), 0);
  Value indexInit = filledTensor(ctx, sizes, b.getI64Type(), -1);
  AffineMap reduced = dropDimMap(b, rank, axis);
  SmallVector<Value> inputs = {input};
  llvm::append_range(inputs, extra);
  SmallVector<AffineMap> inputMaps = {b.getMultiDimIdentityMap(rank)};
  inputMaps.append(extra.size(), reduced);
  SmallVector<Value> results = buildGeneric(
      ctx, inputs, inputMaps, {bestInit, indexInit}, {reduced, reduced}, rank,
      {axis}, [&](OpBuilder &b, Location loc, ValueRange args) {
        Value value = args[0];
        Value best = args[args.size() - 2], bestIndex = args.back();
        Value index = arith::IndexCastOp::create(
            b, loc, b.getI64Type(), linalg::IndexOp::create(b, loc, axis));
        Value none = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::eq, bestIndex,
            arith::ConstantIntOp::create(b, loc, b.getI64Type(), -1));
        Value tieBreak = arith::CmpIOp::create(
            b, loc,
            preferLast ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::slt,
            index, bestIndex);
        Value better =
            anyOf(b, loc,
                  {none, compare(b, loc, value, best, greater, isUnsigned),
                   arith::AndIOp::create(b, loc, equal(b, loc, value, best),
                                         tieBreak)});
        if (accept)
          better = arith::AndIOp::create(
              b, loc, better,
              accept(b, loc, value, index, args.slice(1, extra.size())));
        return SmallVector<Value>{
            arith::SelectOp::create(b, loc, better, value, best),
            arith::SelectOp::create(b, loc, better, index, bestIndex)};
      });
  return {results[0], results[1]};
}

LogicalResult convertArgExtreme(NodeContext &ctx, bool greater) {
  Value input = ctx.input(0);
  int64_t rank = typeOf(input).getRank();
  if (rank == 0)
    return ctx.emitError() << "needs an input of rank 1 or more";
  FailureOr<int64_t> axis = normalizeAxis(ctx, ctx.getInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  bool preferLast = ctx.getInt("select_last_index", 0) != 0;
  Value index =
      reduceToBest(ctx, input, *axis, greater, preferLast, {}, nullptr).second;
  if (ctx.getInt("keepdims", 1) != 0)
    index = insertUnitDim(ctx, index, *axis);
  ctx.setOutput(0, index);
  return success();
}

LogicalResult convertTopK(NodeContext &ctx) {
  OpBuilder &b = ctx.builder;
  Value input = ctx.input(0);
  RankedTensorType type = typeOf(input);
  int64_t rank = type.getRank();
  FailureOr<int64_t> axis = normalizeAxis(ctx, ctx.getInt("axis", -1), rank);
  if (failed(axis))
    return failure();
  // k may be known only at run time (then assumed within the axis).
  OpFoldResult k;
  if (ctx.opset() < 10) {
    if (!ctx.hasAttr("k"))
      return ctx.emitError() << "requires a 'k' attribute";
    k = b.getIndexAttr(ctx.getInt("k", 0));
  } else if (ctx.constantInput(1)) {
    FailureOr<double> value = requireConstantScalar(ctx, 1, "k");
    if (failed(value))
      return failure();
    k = b.getIndexAttr(static_cast<int64_t>(*value));
  } else {
    FailureOr<SmallVector<Value>> value = runtimeIndices(ctx, 1, "k");
    if (failed(value))
      return failure();
    if (value->size() != 1)
      return ctx.emitError() << "'k' must hold one value";
    k = value->front();
  }
  int64_t dim = type.getDimSize(*axis);
  std::optional<int64_t> knownK = getConstantIntValue(k);
  if (knownK && (*knownK < 0 || (!ShapedType::isDynamic(dim) && *knownK > dim)))
    return ctx.emitError() << "k = " << *knownK
                           << " is out of range for axis size " << dim;
  bool largest = ctx.getInt("largest", 1) != 0;
  bool isUnsigned = ctx.isUnsigned(0);

  // Step t picks the best element that ranks after step t-1's pick, in the
  // order (value, then lower index first). The loop carries only the
  // results, which it updates in place; step t reads pick t-1 back.
  SmallVector<OpFoldResult> sizes = sizesOf(ctx, input);
  sizes[*axis] = k;
  SmallVector<OpFoldResult> reducedSizes(sizes);
  reducedSizes.erase(reducedSizes.begin() + *axis);
  SmallVector<OpFoldResult> pickSizes(sizes);
  pickSizes[*axis] = b.getIndexAttr(1);
  SmallVector<OpFoldResult> ones(rank, b.getIndexAttr(1));
  SmallVector<Value> inits = {emptyTensor(ctx, sizes, type.getElementType()),
                              emptyTensor(ctx, sizes, b.getI64Type())};
  SmallVector<Value> results = buildLoop(
      ctx, toIndexValue(ctx, k), inits, [&](Value iv, ValueRange carried) {
        Value zero = indexConstant(ctx, 0);
        Value first = arith::CmpIOp::create(b, ctx.loc,
                                            arith::CmpIPredicate::eq, iv, zero);
        SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
        offsets[*axis] =
            arith::MaxSIOp::create(
                b, ctx.loc, zero,
                arith::SubIOp::create(b, ctx.loc, iv, indexConstant(ctx, 1)))
                .getResult();
        SmallVector<Value> previous;
        for (Value picks : carried) {
          auto reducedType = RankedTensorType::get(
              staticShapeOf(reducedSizes), typeOf(picks).getElementType());
          previous.push_back(tensor::ExtractSliceOp::create(
              b, ctx.loc, reducedType, picks, offsets, pickSizes, ones));
        }
        auto [best, bestIndex] = reduceToBest(
            ctx, input, *axis, largest, /*preferLast=*/false, previous,
            [&](OpBuilder &b, Location loc, Value value, Value index,
                ValueRange previous) {
              Value later = arith::CmpIOp::create(
                  b, loc, arith::CmpIPredicate::sgt, index, previous[1]);
              return anyOf(
                  b, loc,
                  {first,
                   compare(b, loc, value, previous[0], !largest, isUnsigned),
                   arith::AndIOp::create(
                       b, loc, equal(b, loc, value, previous[0]), later)});
            });
        offsets[*axis] = iv;
        auto store = [&](Value pick, Value into) -> Value {
          return tensor::InsertSliceOp::create(b, ctx.loc,
                                               insertUnitDim(ctx, pick, *axis),
                                               into, offsets, pickSizes, ones);
        };
        return SmallVector<Value>{store(best, carried[0]),
                                  store(bestIndex, carried[1])};
      });
  ctx.setOutput(0, results[0], isUnsigned);
  ctx.setOutput(1, results[1]);
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Diagonal masks: Trilu, EyeLike
//===----------------------------------------------------------------------===//

namespace {
/// j - i of the last two loop indices of a linalg.generic body, as i64.
Value columnMinusRow(OpBuilder &b, Location loc, int64_t rank) {
  auto asI64 = [&](int64_t d) {
    return arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                      linalg::IndexOp::create(b, loc, d));
  };
  return arith::SubIOp::create(b, loc, asI64(rank - 1), asI64(rank - 2));
}

/// Trilu: the upper (j - i >= k) or lower (j - i <= k) triangle of each
/// matrix in the last two dims, the rest zero. k may be a run-time input.
LogicalResult convertTrilu(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (type.getRank() < 2)
    return ctx.emitError() << "input of rank " << type.getRank()
                           << " has no matrices: Trilu needs rank 2 or more";
  bool upper = ctx.getInt("upper", 1) != 0;
  OpBuilder &b = ctx.builder;
  Value k;
  if (ctx.hasInput(1)) {
    RankedTensorType kType = ctx.inputType(1);
    if (!kType.hasStaticShape() || kType.getNumElements() != 1 ||
        !kType.getElementType().isInteger(64))
      return ctx.emitError() << "'k' must be one int64, got " << kType;
    if (std::optional<SmallVector<int64_t>> constant = ctx.constantInts(1))
      k = arith::ConstantOp::create(b, ctx.loc,
                                    b.getI64IntegerAttr(constant->front()));
    else
      k = runtimeScalar(ctx, 1);
  } else {
    k = arith::ConstantOp::create(b, ctx.loc, b.getI64IntegerAttr(0));
  }
  int64_t rank = type.getRank();
  Value init = createEmptyLike(b, ctx.loc, type.getShape(),
                               type.getElementType(), ctx.input(0));
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  Value result = buildParallelGeneric(
      ctx, init, ctx.input(0), identity,
      [&](OpBuilder &nb, Location loc, ValueRange args) -> Value {
        Value offset = columnMinusRow(nb, loc, rank);
        Value kept = arith::CmpIOp::create(
            nb, loc,
            upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
            offset, k);
        return arith::SelectOp::create(nb, loc, kept, args[0],
                                       scalarConstant(nb, loc, args[0].getType(), 0));
      });
  ctx.setOutput(0, result, ctx.isUnsigned(0));
  return success();
}

/// EyeLike: ones on the k-th diagonal of a matrix shaped like the input,
/// zeros elsewhere, of type `dtype` (the input's by default).
LogicalResult convertEyeLike(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (type.getRank() != 2)
    return ctx.emitError() << "input must be a matrix (rank 2), got "
                           << type;
  Type elementType = type.getElementType();
  bool isUnsigned = ctx.isUnsigned(0);
  if (std::optional<int64_t> dtype = ctx.getOptionalInt("dtype")) {
    elementType = convertElementType(static_cast<int32_t>(*dtype),
                                     ctx.getContext());
    if (!elementType || !elementType.isIntOrFloat())
      return ctx.emitError() << "unsupported 'dtype' " << *dtype;
    // ONNX's unsigned integer types.
    isUnsigned = *dtype == 2 || *dtype == 4 || *dtype == 12 || *dtype == 13;
  }
  int64_t k = ctx.getInt("k", 0);
  OpBuilder &b = ctx.builder;
  Value init = createEmptyLike(b, ctx.loc, type.getShape(), elementType,
                               ctx.input(0));
  Value result = buildParallelGeneric(
      ctx, init, {}, {},
      [&](OpBuilder &nb, Location loc, ValueRange) -> Value {
        Value onDiagonal = arith::CmpIOp::create(
            nb, loc, arith::CmpIPredicate::eq, columnMinusRow(nb, loc, 2),
            arith::ConstantOp::create(nb, loc, nb.getI64IntegerAttr(k)));
        return arith::SelectOp::create(
            nb, loc, onDiagonal, scalarConstant(nb, loc, elementType, 1),
            scalarConstant(nb, loc, elementType, 0));
      });
  ctx.setOutput(0, result, isUnsigned);
  return success();
}
} // namespace

//===----------------------------------------------------------------------===//
// Index tuples: GatherND, ScatterND
//===----------------------------------------------------------------------===//

namespace {
/// Checks that the indices of GatherND/ScatterND (input `i`) are integers
/// whose last dimension, a static k, addresses 1 to `available` dims.
FailureOr<int64_t> indexTupleSize(NodeContext &ctx, unsigned i,
                                  int64_t available) {
  RankedTensorType type = ctx.inputType(i);
  if (!isa<IntegerType>(type.getElementType()) || type.getRank() < 1)
    return ctx.emitError() << "indices must be an integer tensor of rank 1 "
                              "or more, got "
                           << type;
  int64_t k = type.getDimSize(type.getRank() - 1);
  if (ShapedType::isDynamic(k) || k < 1 || k > available)
    return ctx.emitError() << "the last dimension of indices " << type
                           << " must be a static size from 1 to "
                           << available;
  return k;
}

/// Data index `b + j` for j < k, read from the index tuple of `indices` at
/// `lead` (wrapped when negative, clamped to the dim like Gather's).
void readIndexTuple(OpBuilder &b, Location loc, Value indices, bool isUnsigned,
                    ValueRange lead, int64_t k, Value data, int64_t first,
                    SmallVectorImpl<Value> &at) {
  for (int64_t j = 0; j < k; ++j) {
    SmallVector<Value> where(lead);
    where.push_back(arith::ConstantIndexOp::create(b, loc, j));
    Value raw = tensor::ExtractOp::create(b, loc, indices, where);
    Value size = tensor::DimOp::create(b, loc, data, first + j);
    at[first + j] =
        normalizeIndex(b, loc, indexFromScalar(b, loc, raw, isUnsigned), size);
  }
}

/// A scatter's `reduction` attribute, checked.
FailureOr<std::string> scatterReduction(NodeContext &ctx) {
  std::string reduction = ctx.getString("reduction", "none");
  if (reduction != "none" && reduction != "add" && reduction != "mul" &&
      reduction != "max" && reduction != "min")
    return ctx.emitError() << "unknown reduction '" << reduction << "'";
  return reduction;
}

/// The element a scatter writes: `update`, or `current` combined with it by
/// `reduction`.
Value combineScatter(OpBuilder &b, Location loc, StringRef reduction,
                     Value current, Value update, bool isUnsigned) {
  if (reduction == "add")
    return createAdd(b, loc, current, update);
  if (reduction == "mul")
    return createMul(b, loc, current, update);
  if (reduction == "max")
    return createMax(b, loc, current, update, isUnsigned);
  if (reduction == "min")
    return createMin(b, loc, current, update, isUnsigned);
  return update;
}

/// The position of row-major linear index `linear` in a shape of `sizes`.
SmallVector<Value> delinearize(OpBuilder &b, Location loc, Value linear,
                               ArrayRef<Value> sizes) {
  SmallVector<Value> position(sizes.size());
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    position[d] = arith::RemUIOp::create(b, loc, linear, sizes[d]);
    linear = arith::DivUIOp::create(b, loc, linear, sizes[d]);
  }
  return position;
}

/// GatherND: out[o, rest] = data[batch, indices[o], rest], where the first
/// batch_dims dims of data, indices and the output are shared.
LogicalResult convertGatherND(NodeContext &ctx) {
  Value data = ctx.input(0), indices = ctx.input(1);
  RankedTensorType dataType = typeOf(data), indicesType = typeOf(indices);
  int64_t r = dataType.getRank(), q = indicesType.getRank();
  int64_t batch = ctx.getInt("batch_dims", 0);
  if (batch < 0 || batch >= std::min(r, q))
    return ctx.emitError() << "batch_dims " << batch
                           << " must be below the ranks of data and indices";
  FailureOr<int64_t> k = indexTupleSize(ctx, 1, r - batch);
  if (failed(k))
    return failure();
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < q - 1; ++d)
    sizes.push_back(dimOf(ctx, indices, d));
  for (int64_t d = batch + *k; d < r; ++d)
    sizes.push_back(dimOf(ctx, data, d));
  bool indicesUnsigned = ctx.isUnsigned(1);
  Value init = emptyTensor(ctx, sizes, dataType.getElementType());
  Value result = buildParallelGeneric(
      ctx, init, {}, {}, [&](OpBuilder &b, Location loc, ValueRange) -> Value {
        SmallVector<Value> out = loopIndices(b, loc, sizes.size());
        SmallVector<Value> at(r);
        for (int64_t d = 0; d < batch; ++d)
          at[d] = out[d];
        readIndexTuple(b, loc, indices, indicesUnsigned,
                       ValueRange(out).take_front(q - 1), *k, data, batch, at);
        for (int64_t d = batch + *k; d < r; ++d)
          at[d] = out[q - 1 + d - batch - *k];
        return tensor::ExtractOp::create(b, loc, data, at);
      });
  ctx.setOutput(0, result, ctx.isUnsigned(0));
  return success();
}

/// ScatterND: a copy of data where each index tuple of indices addresses a
/// slice that the matching slice of updates replaces (or is combined into,
/// with `reduction`). One scf.for over the tuples, in order: with repeated
/// tuples the last update wins.
LogicalResult convertScatterND(NodeContext &ctx) {
  Value data = ctx.input(0), indices = ctx.input(1), updates = ctx.input(2);
  RankedTensorType dataType = typeOf(data), indicesType = typeOf(indices),
                   updatesType = typeOf(updates);
  int64_t r = dataType.getRank(), q = indicesType.getRank();
  FailureOr<int64_t> k = indexTupleSize(ctx, 1, r);
  if (failed(k))
    return failure();
  FailureOr<std::string> reduction = scatterReduction(ctx);
  if (failed(reduction))
    return failure();
  // updates: indices.shape[:-1] + data.shape[k:].
  SmallVector<int64_t> expected(indicesType.getShape().drop_back());
  llvm::append_range(expected, dataType.getShape().drop_front(*k));
  bool shapeMatches = updatesType.getRank() == static_cast<int64_t>(
                                                   expected.size());
  for (int64_t d = 0; shapeMatches && d < updatesType.getRank(); ++d)
    shapeMatches = ShapedType::isDynamic(expected[d]) ||
                   updatesType.isDynamicDim(d) ||
                   expected[d] == updatesType.getDimSize(d);
  if (updatesType.getElementType() != dataType.getElementType() ||
      !shapeMatches)
    return ctx.emitError() << "updates " << updatesType
                           << " do not match data " << dataType
                           << " and indices " << indicesType;

  OpBuilder &b = ctx.builder;
  SmallVector<Value> leadSizes;
  Value count = indexConstant(ctx, 1);
  for (int64_t d = 0; d < q - 1; ++d) {
    leadSizes.push_back(toIndexValue(ctx, dimOf(ctx, indices, d)));
    count = arith::MulIOp::create(b, ctx.loc, count, leadSizes.back());
  }
  SmallVector<OpFoldResult> restSizes;
  for (int64_t d = *k; d < r; ++d)
    restSizes.push_back(dimOf(ctx, data, d));
  auto sliceType = RankedTensorType::get(staticShapeOf(restSizes),
                                         dataType.getElementType());
  bool indicesUnsigned = ctx.isUnsigned(1), isUnsigned = ctx.isUnsigned(0);
  SmallVector<Value> results = buildLoop(
      ctx, count, {data}, [&](Value iv, ValueRange carried) {
        Location loc = ctx.loc;
        // The tuple's position in indices' leading dims.
        SmallVector<Value> lead = delinearize(b, loc, iv, leadSizes);
        SmallVector<Value> at(r);
        readIndexTuple(b, loc, indices, indicesUnsigned, lead, *k, data, 0,
                       at);
        SmallVector<OpFoldResult> offsets, sizes, strides;
        for (int64_t d = 0; d < r; ++d) {
          offsets.push_back(d < *k ? OpFoldResult(at[d]) : b.getIndexAttr(0));
          sizes.push_back(d < *k ? b.getIndexAttr(1) : restSizes[d - *k]);
          strides.push_back(b.getIndexAttr(1));
        }
        SmallVector<OpFoldResult> updateOffsets(lead.begin(), lead.end());
        SmallVector<OpFoldResult> updateSizes(q - 1, b.getIndexAttr(1));
        updateOffsets.append(restSizes.size(), b.getIndexAttr(0));
        updateSizes.append(restSizes);
        SmallVector<OpFoldResult> updateStrides(updateSizes.size(),
                                                b.getIndexAttr(1));
        Value slice = tensor::ExtractSliceOp::create(
            b, loc, sliceType, updates, updateOffsets, updateSizes,
            updateStrides);
        if (*reduction != "none") {
          Value current = tensor::ExtractSliceOp::create(
              b, loc, sliceType, carried[0], offsets, sizes, strides);
          AffineMap identity = b.getMultiDimIdentityMap(sliceType.getRank());
          slice = buildParallelGeneric(
              ctx, emptyTensor(ctx, restSizes, sliceType.getElementType()),
              {current, slice}, {identity, identity},
              [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                return combineScatter(nb, nloc, *reduction, args[0], args[1],
                                      isUnsigned);
              });
        }
        return SmallVector<Value>{tensor::InsertSliceOp::create(
            b, loc, slice, carried[0], offsets, sizes, strides)};
      });
  ctx.setOutput(0, results.front(), isUnsigned);
  return success();
}

/// ScatterElements: a copy of data where, for each element of updates at
/// position p, the element at p with p[axis] replaced by indices[p] takes
/// the update (or is combined with it, with `reduction`). One scf.for over
/// the elements, in row-major order: with repeated targets the last wins.
LogicalResult convertScatterElements(NodeContext &ctx) {
  Value data = ctx.input(0), indices = ctx.input(1), updates = ctx.input(2);
  RankedTensorType dataType = typeOf(data), indicesType = typeOf(indices),
                   updatesType = typeOf(updates);
  int64_t rank = dataType.getRank();
  if (!isa<IntegerType>(indicesType.getElementType()) ||
      indicesType.getRank() != rank || updatesType.getRank() != rank ||
      updatesType.getElementType() != dataType.getElementType() ||
      failed(verifyCompatibleShape(indicesType.getShape(),
                                   updatesType.getShape())))
    return ctx.emitError() << "indices " << indicesType << " and updates "
                           << updatesType
                           << " must have one shape and the rank of data "
                           << dataType;
  FailureOr<int64_t> axis = normalizeAxis(ctx, ctx.getInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  FailureOr<std::string> reduction = scatterReduction(ctx);
  if (failed(reduction))
    return failure();
  OpBuilder &b = ctx.builder;
  SmallVector<Value> sizes;
  Value count = indexConstant(ctx, 1);
  for (int64_t d = 0; d < rank; ++d) {
    sizes.push_back(toIndexValue(ctx, dimOf(ctx, indices, d)));
    count = arith::MulIOp::create(b, ctx.loc, count, sizes.back());
  }
  Value axisSize = toIndexValue(ctx, dimOf(ctx, data, *axis));
  bool indicesUnsigned = ctx.isUnsigned(1), isUnsigned = ctx.isUnsigned(0);
  SmallVector<Value> results = buildLoop(
      ctx, count, {data}, [&](Value iv, ValueRange carried) {
        Location loc = ctx.loc;
        SmallVector<Value> at = delinearize(b, loc, iv, sizes);
        Value update = tensor::ExtractOp::create(b, loc, updates, at);
        Value raw = tensor::ExtractOp::create(b, loc, indices, at);
        at[*axis] = normalizeIndex(
            b, loc, indexFromScalar(b, loc, raw, indicesUnsigned), axisSize);
        if (*reduction != "none") {
          Value current = tensor::ExtractOp::create(b, loc, carried[0], at);
          update = combineScatter(b, loc, *reduction, current, update,
                                  isUnsigned);
        }
        return SmallVector<Value>{
            tensor::InsertOp::create(b, loc, update, carried[0], at)};
      });
  ctx.setOutput(0, results.front(), isUnsigned);
  return success();
}
} // namespace

void sift::onnx_import::registerShapeConverters(OpConverterRegistry &registry) {
  registry.add("Constant", convertConstant);
  registry.add("EyeLike", convertEyeLike);
  registry.add("Trilu", convertTrilu);
  registry.add("ConstantOfShape", convertConstantOfShape);
  registry.add("Range", convertRange);
  registry.add("Shape", convertShape);
  registry.add("Size", convertSize);
  registry.add("Reshape", convertReshape);
  registry.add("Flatten", convertFlatten);
  registry.add("Squeeze", convertSqueeze);
  registry.add("Unsqueeze", convertUnsqueeze);
  registry.add("Transpose", convertTranspose);
  registry.add("DepthToSpace", convertDepthToSpace);
  registry.add("SpaceToDepth", convertSpaceToDepth);
  registry.add("Concat", convertConcat);
  registry.add("Split", convertSplit);
  registry.add("Slice", convertSlice);
  registry.add("Pad", convertPad);
  registry.add("Tile", convertTile);
  registry.add("Expand", convertExpand);
  registry.add("Gather", convertGather);
  registry.add("GatherElements", convertGatherElements);
  registry.add("GatherND", convertGatherND);
  // Scatter (opsets 9 and 10) is ScatterElements under its old name.
  registry.add("Scatter", convertScatterElements);
  registry.add("ScatterElements", convertScatterElements);
  registry.add("ScatterND", convertScatterND);
  registry.add("OneHot", convertOneHot);
  registry.add("Resize", convertResize);
  registry.add("CumSum", convertCumSum);
  registry.add("ArgMax", [](NodeContext &ctx) {
    return convertArgExtreme(ctx, /*greater=*/true);
  });
  registry.add("ArgMin", [](NodeContext &ctx) {
    return convertArgExtreme(ctx, /*greater=*/false);
  });
  registry.add("TopK", convertTopK);
}
