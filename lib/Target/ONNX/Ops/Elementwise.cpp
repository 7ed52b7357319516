//===- Elementwise.cpp - Elementwise ONNX ops and activations -------------===//
//
// Every op here becomes one broadcasting linalg.generic over arith/math.
// Integer ops whose inputs are all small constants fold at import time
// instead: exporters compute shapes with them (Shape -> Gather -> Mul ->
// Concat -> Reshape), and the ops that read those shapes need them static.
//
//===----------------------------------------------------------------------===//

#include "../Builders.h"
#include "../TensorData.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace sift::onnx_import;

namespace {

//===----------------------------------------------------------------------===//
// Operand checks
//===----------------------------------------------------------------------===//

/// The element types an op accepts.
enum class Kind { Float, Integer, Numeric, Bool, Any };

bool isBool(Type type) { return type.isInteger(1); }

bool accepts(Kind kind, Type type) {
  bool isFloat = isa<FloatType>(type);
  bool isInteger = isa<IntegerType>(type) && !isBool(type);
  switch (kind) {
  case Kind::Float:
    return isFloat;
  case Kind::Integer:
    return isInteger;
  case Kind::Numeric:
    return isFloat || isInteger;
  case Kind::Bool:
    return isBool(type);
  case Kind::Any:
    return isFloat || isa<IntegerType>(type);
  }
  llvm_unreachable("unknown kind");
}

StringRef describe(Kind kind) {
  switch (kind) {
  case Kind::Float:
    return "floating-point";
  case Kind::Integer:
    return "integer";
  case Kind::Numeric:
    return "numeric";
  case Kind::Bool:
    return "bool";
  case Kind::Any:
    return "numeric or bool";
  }
  llvm_unreachable("unknown kind");
}

LogicalResult checkKind(NodeContext &ctx, unsigned index, Kind kind) {
  Type type = ctx.inputType(index).getElementType();
  if (accepts(kind, type))
    return success();
  return ctx.emitError() << "input #" << index << " must be " << describe(kind)
                         << ", got " << type;
}

/// The input count of variadic ops.
constexpr unsigned kVariadic = std::numeric_limits<unsigned>::max();

/// Whether the node is a binary op of opsets 1-6 that places B with the
/// legacy `broadcast = 1` and an explicit `axis`. Without `axis`, B aligns
/// with A's trailing dimensions, which numpy broadcasting does as well.
bool hasLegacyBroadcastAxis(NodeContext &ctx) {
  return ctx.declaredOpset() < 7 && ctx.getInt("broadcast", 0) == 1 &&
         ctx.hasAttr("axis");
}

/// Aligns B (`value`, input #1) with A (input #0) as the legacy
/// `broadcast = 1, axis = k` does, B's dimensions lying over A's from
/// dimension k on: B gets unit dimensions before and after to A's rank, so
/// that numpy broadcasting then places it there.
FailureOr<Value> alignLegacyBroadcast(NodeContext &ctx, Value value) {
  if (!hasLegacyBroadcastAxis(ctx))
    return value;
  int64_t rank = ctx.inputType(0).getRank();
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rankB = type.getRank();
  int64_t axis = ctx.getInt("axis", 0);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis + rankB > rank)
    return ctx.emitError() << "axis " << ctx.getInt("axis", 0)
                           << " does not place B of type " << type
                           << " within A of type " << ctx.inputType(0)
                           << " (legacy broadcast)";
  if (rankB == rank)
    return value;
  SmallVector<int64_t> shape(axis, 1);
  llvm::append_range(shape, type.getShape());
  shape.resize(rank, 1);
  // Each dimension of B with the unit ones around it; a scalar B has no
  // groups.
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d < rankB; ++d)
    groups.push_back({axis + d});
  if (!groups.empty()) {
    for (int64_t d = axis - 1; d >= 0; --d)
      groups.front().insert(groups.front().begin(), d);
    for (int64_t d = axis + rankB; d < rank; ++d)
      groups.back().push_back(d);
  }
  return tensor::ExpandShapeOp::create(
             ctx.builder, ctx.loc,
             RankedTensorType::get(shape, type.getElementType()), value,
             groups)
      .getResult();
}

/// The node's inputs, which must number `minInputs` to `maxInputs`, all be
/// present, and share one element type of `kind`. B of a binary op is
/// aligned as legacy `broadcast`/`axis` places it (opsets 1-6).
FailureOr<SmallVector<Value>> getOperands(NodeContext &ctx, unsigned minInputs,
                                          unsigned maxInputs, Kind kind) {
  unsigned count = ctx.numInputs();
  if (count < minInputs || count > maxInputs) {
    InFlightDiagnostic diag = ctx.emitError() << "expects ";
    if (minInputs == maxInputs)
      diag << minInputs;
    else if (maxInputs == kVariadic)
      diag << "at least " << minInputs;
    else
      diag << minInputs << " to " << maxInputs;
    unsigned last = maxInputs == kVariadic ? minInputs : maxInputs;
    return diag << (last == 1 ? " input" : " inputs") << ", got " << count;
  }
  SmallVector<Value> operands;
  for (unsigned i = 0; i < count; ++i) {
    if (!ctx.hasInput(i))
      return ctx.emitError() << "input #" << i << " is required";
    if (failed(checkKind(ctx, i, kind)))
      return failure();
    if (ctx.inputType(i).getElementType() != ctx.inputType(0).getElementType())
      return ctx.emitError() << "inputs must share one element type, got "
                             << ctx.inputType(0).getElementType() << " and "
                             << ctx.inputType(i).getElementType();
    operands.push_back(ctx.input(i));
  }
  if (count == 2) {
    FailureOr<Value> aligned = alignLegacyBroadcast(ctx, operands[1]);
    if (failed(aligned))
      return failure();
    operands[1] = *aligned;
  }
  return operands;
}

/// How many inputs an op takes and of which kind.
struct Signature {
  unsigned minInputs;
  unsigned maxInputs;
  Kind kind;
  /// Whether the result is i1 rather than the inputs' type.
  bool predicate = false;
};

constexpr Signature kUnaryFloat{1, 1, Kind::Float};
constexpr Signature kUnaryNumeric{1, 1, Kind::Numeric};
constexpr Signature kBinaryNumeric{2, 2, Kind::Numeric};
constexpr Signature kVariadicNumeric{1, kVariadic, Kind::Numeric};

//===----------------------------------------------------------------------===//
// Folding integer constants
//===----------------------------------------------------------------------===//

/// Evaluates an op on one element of each operand; nullopt when the result
/// is undefined (division by zero), which leaves the op to run.
using IntEvaluator =
    function_ref<std::optional<APInt>(ArrayRef<APInt> operands)>;

/// Shape computations are small; larger constants are left to run.
constexpr int64_t kMaxFoldedElements = 4096;

/// The flat index into an operand of `shape` (aligned right, size-1 dims
/// broadcast) for the element at `linear` of a result of `resultShape`.
int64_t broadcastIndex(int64_t linear, ArrayRef<int64_t> resultShape,
                       ArrayRef<int64_t> shape) {
  int64_t index = 0;
  int64_t stride = 1;
  int64_t offset = resultShape.size() - shape.size();
  for (int64_t d = resultShape.size() - 1; d >= 0; --d) {
    int64_t coordinate = linear % resultShape[d];
    linear /= resultShape[d];
    if (d < offset)
      continue;
    int64_t size = shape[d - offset];
    if (size != 1)
      index += coordinate * stride;
    stride *= size;
  }
  return index;
}

/// When every input is a small integer (or bool) constant, binds output 0 to
/// `evaluate` applied under broadcasting, as a constant of element type
/// `resultType`, and returns true.
bool foldIntegerInputs(NodeContext &ctx, Type resultType, bool resultUnsigned,
                       IntEvaluator evaluate) {
  SmallVector<SmallVector<APInt>> values;
  SmallVector<ArrayRef<int64_t>> shapes;
  for (unsigned i = 0; i < ctx.numInputs(); ++i) {
    DenseElementsAttr attr = ctx.constantInput(i);
    if (!attr || !isa<IntegerType>(attr.getElementType()) ||
        attr.getNumElements() > kMaxFoldedElements)
      return false;
    values.push_back(llvm::to_vector(attr.getValues<APInt>()));
    shapes.push_back(attr.getType().getShape());
  }
  FailureOr<SmallVector<int64_t>> shape = broadcastShapes(shapes);
  if (values.empty() || failed(shape) ||
      ShapedType::getNumElements(*shape) > kMaxFoldedElements)
    return false;
  SmallVector<APInt> results;
  SmallVector<APInt> operands(values.size());
  for (int64_t linear = 0, e = ShapedType::getNumElements(*shape); linear < e;
       ++linear) {
    for (auto [k, operand] : llvm::enumerate(values))
      operands[k] = operand[broadcastIndex(linear, *shape, shapes[k])];
    std::optional<APInt> result = evaluate(operands);
    if (!result)
      return false;
    results.push_back(*result);
  }
  auto type = RankedTensorType::get(*shape, resultType);
  ctx.setConstantOutput(0, DenseElementsAttr::get(type, results),
                        resultUnsigned);
  return true;
}

//===----------------------------------------------------------------------===//
// Building
//===----------------------------------------------------------------------===//

LogicalResult bindElementwise(NodeContext &ctx, ValueRange operands,
                              Type resultType, bool resultUnsigned,
                              ScalarBodyBuilder body) {
  FailureOr<Value> result = buildElementwise(ctx, operands, resultType, body);
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result, resultUnsigned);
  return success();
}

/// Converts an op of `signature` whose result keeps the inputs' type (or is
/// i1 for predicates); folds through `fold`, when given, on integer
/// constants.
LogicalResult convertElementwise(NodeContext &ctx, Signature signature,
                                 ScalarBodyBuilder body,
                                 IntEvaluator fold = nullptr) {
  FailureOr<SmallVector<Value>> operands = getOperands(
      ctx, signature.minInputs, signature.maxInputs, signature.kind);
  if (failed(operands))
    return failure();
  Type resultType = signature.predicate ? ctx.builder.getI1Type()
                                        : ctx.inputType(0).getElementType();
  bool resultUnsigned = !signature.predicate && ctx.isUnsigned(0);
  // Folding aligns constants by numpy's rule only.
  if (fold && !hasLegacyBroadcastAxis(ctx) &&
      foldIntegerInputs(ctx, resultType, resultUnsigned, fold))
    return success();
  return bindElementwise(ctx, *operands, resultType, resultUnsigned, body);
}

/// Converts a unary floating-point op that `build` computes from one scalar.
LogicalResult
convertFloatUnary(NodeContext &ctx,
                  function_ref<Value(OpBuilder &, Location, Value)> build) {
  return convertElementwise(ctx, kUnaryFloat,
                            [&](OpBuilder &b, Location loc, ValueRange args) {
                              return build(b, loc, args[0]);
                            });
}

bool isFloatValue(Value value) { return isa<FloatType>(value.getType()); }

Value constantLike(OpBuilder &b, Location loc, Value like, double value) {
  return scalarConstant(b, loc, like.getType(), value);
}

/// `lhs op rhs` with the float, signed or unsigned integer form of the op.
template <typename FloatOp, typename SignedOp, typename UnsignedOp = SignedOp>
Value buildArith(OpBuilder &b, Location loc, Value lhs, Value rhs,
                 bool isUnsigned) {
  if (isFloatValue(lhs))
    return FloatOp::create(b, loc, lhs, rhs);
  if (isUnsigned)
    return UnsignedOp::create(b, loc, lhs, rhs);
  return SignedOp::create(b, loc, lhs, rhs);
}

Value buildCompare(OpBuilder &b, Location loc, Value lhs, Value rhs,
                   arith::CmpFPredicate floatPredicate,
                   arith::CmpIPredicate intPredicate) {
  if (isFloatValue(lhs))
    return arith::CmpFOp::create(b, loc, floatPredicate, lhs, rhs);
  return arith::CmpIOp::create(b, loc, intPredicate, lhs, rhs);
}

Value buildSelectLess(OpBuilder &b, Location loc, Value x, Value bound,
                      Value ifLess, Value otherwise) {
  Value less = buildCompare(b, loc, x, bound, arith::CmpFPredicate::OLT,
                            arith::CmpIPredicate::slt);
  return arith::SelectOp::create(b, loc, less, ifLess, otherwise);
}

/// NaN-propagating maximum (like numpy's), or the integer maximum.
Value buildMax(OpBuilder &b, Location loc, Value lhs, Value rhs,
               bool isUnsigned) {
  return buildArith<arith::MaximumFOp, arith::MaxSIOp, arith::MaxUIOp>(
      b, loc, lhs, rhs, isUnsigned);
}

Value buildMin(OpBuilder &b, Location loc, Value lhs, Value rhs,
               bool isUnsigned) {
  return buildArith<arith::MinimumFOp, arith::MinSIOp, arith::MinUIOp>(
      b, loc, lhs, rhs, isUnsigned);
}

Value buildExp(OpBuilder &b, Location loc, Value x) {
  return math::ExpOp::create(b, loc, x);
}

//===----------------------------------------------------------------------===//
// Arithmetic
//===----------------------------------------------------------------------===//

template <typename FloatOp, typename SignedOp, typename UnsignedOp = SignedOp>
LogicalResult convertArithmetic(NodeContext &ctx, IntEvaluator fold) {
  bool isUnsigned = ctx.isUnsigned(0);
  return convertElementwise(
      ctx, kBinaryNumeric,
      [&](OpBuilder &b, Location loc, ValueRange args) {
        return buildArith<FloatOp, SignedOp, UnsignedOp>(b, loc, args[0],
                                                         args[1], isUnsigned);
      },
      fold);
}

/// base^exponent by square and multiply over the exponent's bits; a
/// negative exponent gives the truncated 1 / base^-exponent.
Value buildIntegerPower(OpBuilder &b, Location loc, Value base, Value exponent,
                        bool isUnsigned) {
  Type type = base.getType();
  unsigned width = type.getIntOrFloatBitWidth();
  Value one = scalarConstant(b, loc, type, 1);
  Value lower = arith::ConstantIndexOp::create(b, loc, 0);
  Value upper = arith::ConstantIndexOp::create(b, loc, width);
  Value step = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(
      b, loc, lower, upper, step, ValueRange{one, base, exponent},
      [&](OpBuilder &lb, Location l, Value, ValueRange iter) {
        Value bit = arith::TruncIOp::create(lb, l, lb.getI1Type(), iter[2]);
        Value product = arith::MulIOp::create(lb, l, iter[0], iter[1]);
        Value result = arith::SelectOp::create(lb, l, bit, product, iter[0]);
        Value square = arith::MulIOp::create(lb, l, iter[1], iter[1]);
        Value rest = arith::ShRUIOp::create(lb, l, iter[2],
                                            scalarConstant(lb, l, type, 1));
        scf::YieldOp::create(lb, l, ValueRange{result, square, rest});
      });
  Value power = loop.getResult(0);
  if (isUnsigned)
    return power;
  // 1 / base^n truncates to 0 unless |base| is 1.
  Value zero = scalarConstant(b, loc, type, 0);
  Value odd = arith::TruncIOp::create(b, loc, b.getI1Type(), exponent);
  Value isOne =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, base, one);
  Value minusOne = scalarConstant(b, loc, type, -1);
  Value isMinusOne =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, base, minusOne);
  Value signOfMinusOne = arith::SelectOp::create(b, loc, odd, minusOne, one);
  Value reciprocal = arith::SelectOp::create(
      b, loc, isOne, one,
      arith::SelectOp::create(b, loc, isMinusOne, signOfMinusOne, zero));
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, exponent, zero);
  return arith::SelectOp::create(b, loc, negative, reciprocal, power);
}

/// Pow: the result has the base's type; the exponent may have another.
LogicalResult convertPow(NodeContext &ctx) {
  if (failed(checkKind(ctx, 0, Kind::Numeric)) ||
      failed(checkKind(ctx, 1, Kind::Numeric)))
    return failure();
  Type baseType = ctx.inputType(0).getElementType();
  bool baseUnsigned = ctx.isUnsigned(0);
  bool exponentUnsigned = ctx.isUnsigned(1);
  FailureOr<Value> exponentValue = alignLegacyBroadcast(ctx, ctx.input(1));
  if (failed(exponentValue))
    return failure();
  return bindElementwise(
      ctx, {ctx.input(0), *exponentValue}, baseType, baseUnsigned,
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        Value base = args[0], exponent = args[1];
        if (isFloatValue(base)) {
          exponent = convertScalar(b, loc, exponent, baseType, exponentUnsigned,
                                   false);
          return math::PowFOp::create(b, loc, base, exponent);
        }
        if (isFloatValue(exponent)) {
          // Like numpy: integer ** float computes in double, then truncates.
          Type f64 = b.getF64Type();
          Value power = math::PowFOp::create(
              b, loc, convertScalar(b, loc, base, f64, baseUnsigned, false),
              convertScalar(b, loc, exponent, f64, false, false));
          return convertScalar(b, loc, power, baseType, false, baseUnsigned);
        }
        exponent = convertScalar(b, loc, exponent, baseType, exponentUnsigned,
                                 baseUnsigned);
        return buildIntegerPower(b, loc, base, exponent, baseUnsigned);
      });
}

/// Whether `divisor`, a constant integer tensor, holds a zero anywhere.
bool holdsZero(ElementsAttr divisor) {
  if (auto dense = dyn_cast<DenseElementsAttr>(divisor)) {
    if (dense.isSplat())
      return dense.getSplatValue<APInt>().isZero();
    return llvm::any_of(dense.getValues<APInt>(),
                        [](const APInt &value) { return value.isZero(); });
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(divisor);
  AsmResourceBlob *blob =
      resource ? resource.getRawHandle().getBlob() : nullptr;
  if (!blob)
    return false;
  ArrayRef<char> bytes = blob->getData();
  size_t width = divisor.getElementType().getIntOrFloatBitWidth() / 8;
  for (size_t offset = 0; offset + width <= bytes.size(); offset += width)
    if (llvm::all_of(bytes.slice(offset, width), [](char c) { return c == 0; }))
      return true;
  return false;
}

/// An integer Div or Mod by a constant divisor that holds a zero has no
/// defined result; without this check LLVM would fold it to an arbitrary
/// value (0 in practice), a silently wrong answer.
LogicalResult checkIntegerDivisor(NodeContext &ctx) {
  ElementsAttr divisor = ctx.constantWeight(1);
  if (divisor && isa<IntegerType>(divisor.getElementType()) &&
      holdsZero(divisor))
    return ctx.emitError() << "integer division by zero";
  return success();
}

/// Mod: fmod = 1 takes the dividend's sign (C fmod); fmod = 0 takes the
/// divisor's (Python %), for integers only.
LogicalResult convertMod(NodeContext &ctx) {
  bool isUnsigned = ctx.isUnsigned(0);
  int64_t fmod = ctx.getInt("fmod", 0);
  if (fmod != 0 && fmod != 1)
    return ctx.emitError() << "fmod must be 0 or 1, got " << fmod;
  if (ctx.hasInput(0) && isa<FloatType>(ctx.inputType(0).getElementType()) &&
      fmod == 0)
    return ctx.emitError() << "fmod must be 1 for floating-point inputs";
  if (failed(checkIntegerDivisor(ctx)))
    return failure();
  return convertElementwise(
      ctx, kBinaryNumeric,
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        Value lhs = args[0], rhs = args[1];
        Value remainder =
            buildArith<arith::RemFOp, arith::RemSIOp, arith::RemUIOp>(
                b, loc, lhs, rhs, isUnsigned);
        if (fmod || isUnsigned)
          return remainder;
        // A nonzero remainder whose sign differs from the divisor's moves
        // by one divisor.
        Value zero = constantLike(b, loc, lhs, 0);
        Value nonzero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                              remainder, zero);
        Value remainderNegative = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::slt, remainder, zero);
        Value divisorNegative =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, rhs, zero);
        Value signsDiffer =
            arith::XOrIOp::create(b, loc, remainderNegative, divisorNegative);
        Value adjust = arith::AndIOp::create(b, loc, nonzero, signsDiffer);
        Value adjusted = arith::AddIOp::create(b, loc, remainder, rhs);
        return arith::SelectOp::create(b, loc, adjust, adjusted, remainder);
      });
}

LogicalResult convertBitShift(NodeContext &ctx) {
  std::string direction = ctx.getString("direction", "");
  if (direction != "LEFT" && direction != "RIGHT")
    return ctx.emitError() << "direction must be \"LEFT\" or \"RIGHT\", got \""
                           << direction << "\"";
  bool left = direction == "LEFT";
  return convertElementwise(
      ctx, {2, 2, Kind::Integer},
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        Value x = args[0], amount = args[1];
        Value shifted = left ? Value(arith::ShLIOp::create(b, loc, x, amount))
                             : Value(arith::ShRUIOp::create(b, loc, x, amount));
        // Shifting out every bit gives 0, where LLVM's shift is poison.
        Value width =
            constantLike(b, loc, x, x.getType().getIntOrFloatBitWidth());
        Value tooFar = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                             amount, width);
        return arith::SelectOp::create(b, loc, tooFar,
                                       constantLike(b, loc, x, 0), shifted);
      });
}

/// Max, Min, Sum and Mean combine any number of inputs, left to right.
LogicalResult convertVariadic(
    NodeContext &ctx,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine,
    IntEvaluator fold = nullptr) {
  return convertElementwise(
      ctx, kVariadicNumeric,
      [&](OpBuilder &b, Location loc, ValueRange args) {
        Value result = args[0];
        for (Value arg : args.drop_front())
          result = combine(b, loc, result, arg);
        return result;
      },
      fold);
}

//===----------------------------------------------------------------------===//
// Clip
//===----------------------------------------------------------------------===//

/// Clip bounds before opset 11 are float attributes (defaulting to the float
/// range); from 11 they are optional scalar inputs, and an omitted one does
/// not clip.
LogicalResult convertClip(NodeContext &ctx) {
  Kind kind = ctx.opset() < 12 ? Kind::Float : Kind::Numeric;
  if (failed(checkKind(ctx, 0, kind)))
    return failure();
  Value x = ctx.input(0);
  Type elementType = ctx.inputType(0).getElementType();
  bool isUnsigned = ctx.isUnsigned(0);
  std::optional<float> minAttr, maxAttr;
  SmallVector<Value> operands{x};
  std::optional<unsigned> minIndex, maxIndex;
  if (ctx.opset() < 11) {
    if (ctx.numInputs() != 1)
      return ctx.emitError() << "takes min and max as attributes before "
                                "opset 11, not inputs";
    minAttr = ctx.getFloat("min", std::numeric_limits<float>::lowest());
    maxAttr = ctx.getFloat("max", std::numeric_limits<float>::max());
  } else {
    for (unsigned i : {1u, 2u}) {
      if (!ctx.hasInput(i))
        continue;
      RankedTensorType type = ctx.inputType(i);
      if (type.getElementType() != elementType)
        return ctx.emitError()
               << "bound #" << i << " has element type "
               << type.getElementType() << ", expected " << elementType;
      if (!type.hasStaticShape() || type.getNumElements() != 1 ||
          type.getRank() > ctx.inputType(0).getRank())
        return ctx.emitError()
               << "bound #" << i << " must be a scalar, got " << type;
      (i == 1 ? minIndex : maxIndex) = operands.size();
      operands.push_back(ctx.input(i));
    }
  }
  return bindElementwise(
      ctx, operands, elementType, isUnsigned,
      [&](OpBuilder &b, Location loc, ValueRange args) {
        Value result = args[0];
        if (minAttr)
          result = buildMax(b, loc, result,
                            constantLike(b, loc, result, *minAttr), false);
        if (minIndex)
          result = buildMax(b, loc, result, args[*minIndex], isUnsigned);
        if (maxAttr)
          result = buildMin(b, loc, result,
                            constantLike(b, loc, result, *maxAttr), false);
        if (maxIndex)
          result = buildMin(b, loc, result, args[*maxIndex], isUnsigned);
        return result;
      });
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

/// PRelu: the slope broadcasts to the input's shape (one way). Before
/// opset 7 a slope of shape [C] is per channel, along axis 1 of an
/// (N, C, ...) input (a single value is shared by all).
LogicalResult convertPRelu(NodeContext &ctx) {
  FailureOr<SmallVector<Value>> operands =
      getOperands(ctx, 2, 2, Kind::Numeric);
  if (failed(operands))
    return failure();
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  auto slopeType = cast<RankedTensorType>((*operands)[1].getType());
  bool perChannel = ctx.declaredOpset() < 7 && shape.size() > 2 &&
                    slopeType.getRank() == 1 && slopeType.getDimSize(0) != 1;
  if (perChannel) {
    // [C] -> [C, 1, ..., 1]: numpy broadcasting then aligns C with axis 1.
    SmallVector<int64_t> channelShape(shape.size() - 1, 1);
    channelShape[0] = slopeType.getDimSize(0);
    slopeType = RankedTensorType::get(channelShape,
                                      slopeType.getElementType());
    SmallVector<ReassociationIndices> groups(1);
    for (int64_t d = 0, e = channelShape.size(); d < e; ++d)
      groups[0].push_back(d);
    (*operands)[1] = tensor::ExpandShapeOp::create(
        ctx.builder, ctx.loc, slopeType, (*operands)[1], groups);
  }
  FailureOr<SmallVector<int64_t>> broadcast =
      broadcastShapes({shape, slopeType.getShape()});
  if (failed(broadcast) || ArrayRef<int64_t>(*broadcast) != shape)
    return ctx.emitError() << "slope of type " << ctx.inputType(1)
                           << (perChannel ? ", per channel (opset < 7),"
                                          : "")
                           << " does not broadcast to the input type "
                           << ctx.inputType(0);
  bool isUnsigned = ctx.isUnsigned(0);
  return bindElementwise(
      ctx, *operands, ctx.inputType(0).getElementType(), isUnsigned,
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        Value x = args[0];
        if (isUnsigned)
          return x;
        Value scaled =
            buildArith<arith::MulFOp, arith::MulIOp>(b, loc, args[1], x, false);
        return buildSelectLess(b, loc, x, constantLike(b, loc, x, 0), scaled,
                               x);
      });
}

/// Shrink: x + bias below -lambd, x - bias above lambd, else 0. Integers
/// compute in double and truncate back, as the float attributes imply.
LogicalResult convertShrink(NodeContext &ctx) {
  double lambd = ctx.getFloat("lambd", 0.5f);
  double bias = ctx.getFloat("bias", 0.0f);
  bool isUnsigned = ctx.isUnsigned(0);
  return convertElementwise(
      ctx, kUnaryNumeric, [&](OpBuilder &b, Location loc, ValueRange args) {
        Type type = args[0].getType();
        Type computeType = isa<FloatType>(type) ? type : b.getF64Type();
        Value x =
            convertScalar(b, loc, args[0], computeType, isUnsigned, false);
        Value zero = constantLike(b, loc, x, 0);
        Value biasValue = constantLike(b, loc, x, bias);
        Value above = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                            x, constantLike(b, loc, x, lambd));
        Value result = arith::SelectOp::create(
            b, loc, above, arith::SubFOp::create(b, loc, x, biasValue), zero);
        result = buildSelectLess(b, loc, x, constantLike(b, loc, x, -lambd),
                                 arith::AddFOp::create(b, loc, x, biasValue),
                                 result);
        return convertScalar(b, loc, result, type, false, isUnsigned);
      });
}

void registerActivations(OpConverterRegistry &registry) {
  registry.add("Relu", [](NodeContext &ctx) {
    bool isUnsigned = ctx.isUnsigned(0);
    return convertElementwise(
        ctx, kUnaryNumeric, [&](OpBuilder &b, Location loc, ValueRange args) {
          return buildMax(b, loc, args[0], constantLike(b, loc, args[0], 0),
                          isUnsigned);
        });
  });
  registry.add("LeakyRelu", [](NodeContext &ctx) {
    double alpha = ctx.getFloat("alpha", 0.01f);
    return convertFloatUnary(ctx, [&](OpBuilder &b, Location loc, Value x) {
      Value scaled =
          arith::MulFOp::create(b, loc, constantLike(b, loc, x, alpha), x);
      return buildSelectLess(b, loc, x, constantLike(b, loc, x, 0), scaled, x);
    });
  });
  registry.add("PRelu", convertPRelu);
  registry.add("Elu", [](NodeContext &ctx) {
    double alpha = ctx.getFloat("alpha", 1.0f);
    return convertFloatUnary(ctx, [&](OpBuilder &b, Location loc, Value x) {
      Value expm1 = arith::SubFOp::create(b, loc, buildExp(b, loc, x),
                                          constantLike(b, loc, x, 1));
      Value negative =
          arith::MulFOp::create(b, loc, constantLike(b, loc, x, alpha), expm1);
      return buildSelectLess(b, loc, x, constantLike(b, loc, x, 0), negative,
                             x);
    });
  });
  registry.add("Selu", [](NodeContext &ctx) {
    double alpha = ctx.getFloat("alpha", 1.67326319217681884765625f);
    double gamma = ctx.getFloat("gamma", 1.05070102214813232421875f);
    return convertFloatUnary(ctx, [&](OpBuilder &b, Location loc, Value x) {
      Value alphaValue = constantLike(b, loc, x, alpha);
      Value gammaValue = constantLike(b, loc, x, gamma);
      Value negative = arith::SubFOp::create(
          b, loc,
          arith::MulFOp::create(b, loc, alphaValue, buildExp(b, loc, x)),
          alphaValue);
      Value positive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                             x, constantLike(b, loc, x, 0));
      Value unscaled = arith::SelectOp::create(b, loc, positive, x, negative);
      return arith::MulFOp::create(b, loc, gammaValue, unscaled);
    });
  });
  registry.add("Celu", [](NodeContext &ctx) -> LogicalResult {
    double alpha = ctx.getFloat("alpha", 1.0f);
    if (alpha == 0)
      return ctx.emitError() << "alpha must not be 0";
    return convertFloatUnary(ctx, [&](OpBuilder &b, Location loc, Value x) {
      // max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
      Value alphaValue = constantLike(b, loc, x, alpha);
      Value zero = constantLike(b, loc, x, 0);
      Value expm1 = arith::SubFOp::create(
          b, loc,
          buildExp(b, loc, arith::DivFOp::create(b, loc, x, alphaValue)),
          constantLike(b, loc, x, 1));
      Value negative = arith::MinimumFOp::create(
          b, loc, zero, arith::MulFOp::create(b, loc, alphaValue, expm1));
      return arith::AddFOp::create(
          b, loc, arith::MaximumFOp::create(b, loc, zero, x), negative);
    });
  });
  registry.add("Sigmoid", [](NodeContext &ctx) {
    return convertFloatUnary(ctx, [](OpBuilder &b, Location loc, Value x) {
      Value one = constantLike(b, loc, x, 1);
      Value denominator = arith::AddFOp::create(
          b, loc, one, buildExp(b, loc, arith::NegFOp::create(b, loc, x)));
      return arith::DivFOp::create(b, loc, one, denominator);
    });
  });
  registry.add("HardSigmoid", [](NodeContext &ctx) {
    double alpha = ctx.getFloat("alpha", 0.2f);
    double beta = ctx.getFloat("beta", 0.5f);
    return convertFloatUnary(ctx, [&](OpBuilder &b, Location loc, Value x) {
      return buildHardSigmoid(b, loc, x, alpha, beta);
    });
  });
  registry.add("HardSwish", [](NodeContext &ctx) {
    return convertFloatUnary(ctx, [](OpBuilder &b, Location loc, Value x) {
      Value gate = buildHardSigmoid(b, loc, x, 1.0 / 6, 0.5);
      return arith::MulFOp::create(b, loc, x, gate);
    });
  });
  registry.add("Softplus", [](NodeContext &ctx) {
    return convertFloatUnary(ctx, buildSoftplus);
  });
  registry.add("Softsign", [](NodeContext &ctx) {
    return convertFloatUnary(ctx, [](OpBuilder &b, Location loc, Value x) {
      Value denominator = arith::AddFOp::create(
          b, loc, constantLike(b, loc, x, 1), math::AbsFOp::create(b, loc, x));
      return arith::DivFOp::create(b, loc, x, denominator);
    });
  });
  registry.add("ThresholdedRelu", [](NodeContext &ctx) {
    double alpha = ctx.getFloat("alpha", 1.0f);
    return convertFloatUnary(ctx, [&](OpBuilder &b, Location loc, Value x) {
      Value above = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x,
                                          constantLike(b, loc, x, alpha));
      return arith::SelectOp::create(b, loc, above, x,
                                     constantLike(b, loc, x, 0));
    });
  });
  registry.add("Shrink", convertShrink);
  registry.add("Clip", convertClip);
}

//===----------------------------------------------------------------------===//
// Unary math
//===----------------------------------------------------------------------===//

template <typename MathOp>
void addFloatUnary(OpConverterRegistry &registry, StringRef opType) {
  registry.add(opType, [](NodeContext &ctx) {
    return convertFloatUnary(ctx, [](OpBuilder &b, Location loc, Value x) {
      return MathOp::create(b, loc, x);
    });
  });
}

void registerUnaryMath(OpConverterRegistry &registry) {
  addFloatUnary<math::SqrtOp>(registry, "Sqrt");
  addFloatUnary<math::ExpOp>(registry, "Exp");
  addFloatUnary<math::LogOp>(registry, "Log");
  addFloatUnary<math::FloorOp>(registry, "Floor");
  addFloatUnary<math::CeilOp>(registry, "Ceil");
  addFloatUnary<math::RoundEvenOp>(registry, "Round");
  addFloatUnary<math::SinOp>(registry, "Sin");
  addFloatUnary<math::CosOp>(registry, "Cos");
  addFloatUnary<math::TanOp>(registry, "Tan");
  addFloatUnary<math::AsinOp>(registry, "Asin");
  addFloatUnary<math::AcosOp>(registry, "Acos");
  addFloatUnary<math::AtanOp>(registry, "Atan");
  addFloatUnary<math::SinhOp>(registry, "Sinh");
  addFloatUnary<math::CoshOp>(registry, "Cosh");
  addFloatUnary<math::AsinhOp>(registry, "Asinh");
  addFloatUnary<math::AcoshOp>(registry, "Acosh");
  addFloatUnary<math::AtanhOp>(registry, "Atanh");
  addFloatUnary<math::TanhOp>(registry, "Tanh");
  addFloatUnary<math::ErfOp>(registry, "Erf");
  registry.add("Reciprocal", [](NodeContext &ctx) {
    return convertFloatUnary(ctx, [](OpBuilder &b, Location loc, Value x) {
      return arith::DivFOp::create(b, loc, constantLike(b, loc, x, 1), x);
    });
  });
  registry.add("Neg", [](NodeContext &ctx) {
    return convertElementwise(
        ctx, kUnaryNumeric,
        [](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value x = args[0];
          if (isFloatValue(x))
            return arith::NegFOp::create(b, loc, x);
          return arith::SubIOp::create(b, loc, constantLike(b, loc, x, 0), x);
        },
        [](ArrayRef<APInt> v) -> std::optional<APInt> { return -v[0]; });
  });
  registry.add("Abs", [](NodeContext &ctx) -> LogicalResult {
    bool isUnsigned = ctx.isUnsigned(0);
    if (isUnsigned && ctx.numInputs() == 1) {
      ctx.setOutput(0, ctx.input(0), isUnsigned);
      return success();
    }
    return convertElementwise(
        ctx, kUnaryNumeric,
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value x = args[0];
          if (isFloatValue(x))
            return math::AbsFOp::create(b, loc, x);
          return math::AbsIOp::create(b, loc, x);
        },
        [](ArrayRef<APInt> v) -> std::optional<APInt> { return v[0].abs(); });
  });
  registry.add("Sign", [](NodeContext &ctx) {
    bool isUnsigned = ctx.isUnsigned(0);
    return convertElementwise(
        ctx, kUnaryNumeric, [&](OpBuilder &b, Location loc, ValueRange args) {
          // 1 above zero, -1 below, else x itself (zero, or NaN as numpy).
          Value x = args[0];
          Value zero = constantLike(b, loc, x, 0);
          Value positive =
              buildCompare(b, loc, x, zero, arith::CmpFPredicate::OGT,
                           isUnsigned ? arith::CmpIPredicate::ugt
                                      : arith::CmpIPredicate::sgt);
          Value result = arith::SelectOp::create(b, loc, positive,
                                                 constantLike(b, loc, x, 1), x);
          if (isUnsigned)
            return result;
          return buildSelectLess(b, loc, x, zero, constantLike(b, loc, x, -1),
                                 result);
        });
  });
  registry.add("IsNaN", [](NodeContext &ctx) {
    return convertElementwise(ctx, {1, 1, Kind::Float, /*predicate=*/true},
                              [](OpBuilder &b, Location loc, ValueRange args) {
                                return arith::CmpFOp::create(
                                    b, loc, arith::CmpFPredicate::UNO, args[0],
                                    args[0]);
                              });
  });
  registry.add("IsInf", [](NodeContext &ctx) {
    bool positive = ctx.getInt("detect_positive", 1);
    bool negative = ctx.getInt("detect_negative", 1);
    return convertElementwise(
        ctx, {1, 1, Kind::Float, /*predicate=*/true},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value x = args[0];
          auto equals = [&](double value) -> Value {
            return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x,
                                         constantLike(b, loc, x, value));
          };
          double inf = std::numeric_limits<double>::infinity();
          Value result;
          if (positive)
            result = equals(inf);
          if (negative) {
            Value isNegativeInf = equals(-inf);
            result = result
                         ? arith::OrIOp::create(b, loc, result, isNegativeInf)
                         : isNegativeInf;
          }
          return result ? result : scalarConstant(b, loc, b.getI1Type(), 0);
        });
  });
}

//===----------------------------------------------------------------------===//
// Binary and variadic arithmetic
//===----------------------------------------------------------------------===//

void registerArithmetic(OpConverterRegistry &registry) {
  registry.add("Add", [](NodeContext &ctx) {
    return convertArithmetic<arith::AddFOp, arith::AddIOp>(
        ctx,
        [](ArrayRef<APInt> v) -> std::optional<APInt> { return v[0] + v[1]; });
  });
  registry.add("Sub", [](NodeContext &ctx) {
    return convertArithmetic<arith::SubFOp, arith::SubIOp>(
        ctx,
        [](ArrayRef<APInt> v) -> std::optional<APInt> { return v[0] - v[1]; });
  });
  registry.add("Mul", [](NodeContext &ctx) {
    return convertArithmetic<arith::MulFOp, arith::MulIOp>(
        ctx,
        [](ArrayRef<APInt> v) -> std::optional<APInt> { return v[0] * v[1]; });
  });
  registry.add("Div", [](NodeContext &ctx) -> LogicalResult {
    if (failed(checkIntegerDivisor(ctx)))
      return failure();
    bool isUnsigned = ctx.isUnsigned(0);
    return convertArithmetic<arith::DivFOp, arith::DivSIOp, arith::DivUIOp>(
        ctx, [&](ArrayRef<APInt> v) -> std::optional<APInt> {
          return isUnsigned ? v[0].udiv(v[1]) : v[0].sdiv(v[1]);
        });
  });
  registry.add("Pow", convertPow);
  registry.add("Mod", convertMod);
  registry.add("BitShift", convertBitShift);
  registry.add("Max", [](NodeContext &ctx) {
    bool isUnsigned = ctx.isUnsigned(0);
    return convertVariadic(
        ctx,
        [&](OpBuilder &b, Location loc, Value lhs, Value rhs) {
          return buildMax(b, loc, lhs, rhs, isUnsigned);
        },
        [&](ArrayRef<APInt> v) -> std::optional<APInt> {
          APInt result = v[0];
          for (const APInt &x : v.drop_front())
            result = isUnsigned ? llvm::APIntOps::umax(result, x)
                                : llvm::APIntOps::smax(result, x);
          return result;
        });
  });
  registry.add("Min", [](NodeContext &ctx) {
    bool isUnsigned = ctx.isUnsigned(0);
    return convertVariadic(
        ctx,
        [&](OpBuilder &b, Location loc, Value lhs, Value rhs) {
          return buildMin(b, loc, lhs, rhs, isUnsigned);
        },
        [&](ArrayRef<APInt> v) -> std::optional<APInt> {
          APInt result = v[0];
          for (const APInt &x : v.drop_front())
            result = isUnsigned ? llvm::APIntOps::umin(result, x)
                                : llvm::APIntOps::smin(result, x);
          return result;
        });
  });
  registry.add("Sum", [](NodeContext &ctx) {
    return convertVariadic(ctx, [](OpBuilder &b, Location loc, Value lhs,
                                   Value rhs) {
      return buildArith<arith::AddFOp, arith::AddIOp>(b, loc, lhs, rhs, false);
    });
  });
  registry.add("Mean", [](NodeContext &ctx) {
    double count = ctx.numInputs();
    return convertElementwise(ctx, {1, kVariadic, Kind::Float},
                              [&](OpBuilder &b, Location loc, ValueRange args) {
                                Value sum = args[0];
                                for (Value arg : args.drop_front())
                                  sum = arith::AddFOp::create(b, loc, sum, arg);
                                return arith::DivFOp::create(
                                    b, loc, sum,
                                    constantLike(b, loc, sum, count));
                              });
  });
}

//===----------------------------------------------------------------------===//
// Comparisons and logic
//===----------------------------------------------------------------------===//

void addComparison(OpConverterRegistry &registry, StringRef opType, Kind kind,
                   arith::CmpFPredicate floatPredicate,
                   arith::CmpIPredicate signedPredicate,
                   arith::CmpIPredicate unsignedPredicate) {
  registry.add(opType, [=](NodeContext &ctx) {
    // Bools compare as unsigned (true > false).
    bool isUnsigned =
        ctx.isUnsigned(0) ||
        (ctx.hasInput(0) && isBool(ctx.inputType(0).getElementType()));
    arith::CmpIPredicate intPredicate =
        isUnsigned ? unsignedPredicate : signedPredicate;
    return convertElementwise(
        ctx, {2, 2, kind, /*predicate=*/true},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return buildCompare(b, loc, args[0], args[1], floatPredicate,
                              intPredicate);
        },
        [&](ArrayRef<APInt> v) -> std::optional<APInt> {
          return APInt(1, arith::applyCmpPredicate(intPredicate, v[0], v[1]));
        });
  });
}

template <typename LogicOp>
void addLogic(OpConverterRegistry &registry, StringRef opType,
              APInt (*fold)(const APInt &, const APInt &)) {
  registry.add(opType, [fold](NodeContext &ctx) {
    return convertElementwise(
        ctx, {2, 2, Kind::Bool},
        [](OpBuilder &b, Location loc, ValueRange args) {
          return LogicOp::create(b, loc, args[0], args[1]);
        },
        [&](ArrayRef<APInt> v) -> std::optional<APInt> {
          return fold(v[0], v[1]);
        });
  });
}

/// Where(condition, x, y): x and y share a type; the condition is bool.
LogicalResult convertWhere(NodeContext &ctx) {
  if (failed(checkKind(ctx, 0, Kind::Bool)) ||
      failed(checkKind(ctx, 1, Kind::Any)))
    return failure();
  Type elementType = ctx.inputType(1).getElementType();
  if (ctx.inputType(2).getElementType() != elementType)
    return ctx.emitError() << "x and y must share one element type, got "
                           << elementType << " and "
                           << ctx.inputType(2).getElementType();
  bool isUnsigned = ctx.isUnsigned(1);
  if (foldIntegerInputs(ctx, elementType, isUnsigned,
                        [](ArrayRef<APInt> v) -> std::optional<APInt> {
                          return v[0].isOne() ? v[1] : v[2];
                        }))
    return success();
  return bindElementwise(
      ctx, {ctx.input(0), ctx.input(1), ctx.input(2)}, elementType, isUnsigned,
      [](OpBuilder &b, Location loc, ValueRange args) {
        return arith::SelectOp::create(b, loc, args[0], args[1], args[2]);
      });
}

void registerLogic(OpConverterRegistry &registry) {
  using arith::CmpFPredicate;
  using arith::CmpIPredicate;
  addComparison(registry, "Equal", Kind::Any, CmpFPredicate::OEQ,
                CmpIPredicate::eq, CmpIPredicate::eq);
  addComparison(registry, "Less", Kind::Numeric, CmpFPredicate::OLT,
                CmpIPredicate::slt, CmpIPredicate::ult);
  addComparison(registry, "LessOrEqual", Kind::Numeric, CmpFPredicate::OLE,
                CmpIPredicate::sle, CmpIPredicate::ule);
  addComparison(registry, "Greater", Kind::Numeric, CmpFPredicate::OGT,
                CmpIPredicate::sgt, CmpIPredicate::ugt);
  addComparison(registry, "GreaterOrEqual", Kind::Numeric, CmpFPredicate::OGE,
                CmpIPredicate::sge, CmpIPredicate::uge);
  addLogic<arith::AndIOp>(registry, "And",
                          [](const APInt &a, const APInt &b) { return a & b; });
  addLogic<arith::OrIOp>(registry, "Or",
                         [](const APInt &a, const APInt &b) { return a | b; });
  addLogic<arith::XOrIOp>(registry, "Xor",
                          [](const APInt &a, const APInt &b) { return a ^ b; });
  registry.add("Not", [](NodeContext &ctx) {
    return convertElementwise(
        ctx, {1, 1, Kind::Bool},
        [](OpBuilder &b, Location loc, ValueRange args) {
          Value trueValue = constantLike(b, loc, args[0], 1);
          return arith::XOrIOp::create(b, loc, args[0], trueValue);
        },
        [](ArrayRef<APInt> v) -> std::optional<APInt> { return ~v[0]; });
  });
  registry.add("Where", convertWhere);
}

//===----------------------------------------------------------------------===//
// Cast, Identity, Dropout
//===----------------------------------------------------------------------===//

/// convertScalar, also between the two 16-bit float formats (through f32).
Value castScalar(OpBuilder &b, Location loc, Value value, Type to,
                 bool fromUnsigned, bool toUnsigned) {
  Type from = value.getType();
  if (isa<FloatType>(from) && isa<FloatType>(to) && from != to &&
      from.getIntOrFloatBitWidth() == to.getIntOrFloatBitWidth())
    value = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
  return convertScalar(b, loc, value, to, fromUnsigned, toUnsigned);
}

/// Folds a cast of a small integer constant; returns whether it did.
bool foldCast(NodeContext &ctx, Type to, bool toUnsigned) {
  DenseElementsAttr attr = ctx.constantInput(0);
  if (!attr || !isa<IntegerType>(attr.getElementType()) ||
      attr.getNumElements() > kMaxFoldedElements)
    return false;
  bool fromUnsigned = ctx.isUnsigned(0) || isBool(attr.getElementType());
  ShapedType type = attr.getType().clone(to);
  if (auto floatType = dyn_cast<FloatType>(to)) {
    SmallVector<APFloat> values;
    for (const APInt &v : attr.getValues<APInt>()) {
      APFloat value(floatType.getFloatSemantics());
      value.convertFromAPInt(v, !fromUnsigned, APFloat::rmNearestTiesToEven);
      values.push_back(value);
    }
    ctx.setConstantOutput(0, DenseElementsAttr::get(type, values), toUnsigned);
    return true;
  }
  unsigned width = to.getIntOrFloatBitWidth();
  SmallVector<APInt> values;
  for (const APInt &v : attr.getValues<APInt>()) {
    // To bool is "not zero"; other integers extend by the source's sign.
    if (width == 1)
      values.emplace_back(1, !v.isZero());
    else
      values.push_back(fromUnsigned ? v.zextOrTrunc(width)
                                    : v.sextOrTrunc(width));
  }
  ctx.setConstantOutput(0, DenseElementsAttr::get(type, values), toUnsigned);
  return true;
}

LogicalResult convertCastTo(NodeContext &ctx, Type to, bool toUnsigned) {
  if (failed(checkKind(ctx, 0, Kind::Any)))
    return failure();
  Value x = ctx.input(0);
  bool fromUnsigned = ctx.isUnsigned(0);
  if (ctx.inputType(0).getElementType() == to) {
    ctx.setOutput(0, x, toUnsigned);
    return success();
  }
  if (foldCast(ctx, to, toUnsigned))
    return success();
  return bindElementwise(
      ctx, x, to, toUnsigned, [&](OpBuilder &b, Location loc, ValueRange args) {
        return castScalar(b, loc, args[0], to, fromUnsigned, toUnsigned);
      });
}

LogicalResult convertCast(NodeContext &ctx) {
  std::optional<int64_t> to = ctx.getOptionalInt("to");
  if (!to)
    return ctx.emitError() << "attribute 'to' is required";
  Type type = convertElementType(*to, ctx.getContext());
  if (!type)
    return ctx.emitError() << "casting to " << elementTypeName(*to)
                           << " is unsupported";
  return convertCastTo(ctx, type, isUnsignedType(*to));
}

LogicalResult convertCastLike(NodeContext &ctx) {
  return convertCastTo(ctx, ctx.inputType(1).getElementType(),
                       ctx.isUnsigned(1));
}

/// Dropout at inference is the identity; its mask keeps everything (bool
/// true from opset 10, 1 of the input's type before).
LogicalResult convertDropout(NodeContext &ctx) {
  if (failed(checkKind(ctx, 0, Kind::Float)))
    return failure();
  if (ctx.opset() >= 12 && ctx.hasInput(2)) {
    std::optional<SmallVector<int64_t>> mode = ctx.constantInts(2);
    if (!mode || mode->size() != 1)
      return ctx.emitError() << "training_mode must be a constant scalar "
                                "(only inference is supported)";
    if ((*mode)[0])
      return ctx.emitError() << "training mode unsupported";
  }
  Value x = ctx.input(0);
  ctx.setOutput(0, x);
  if (!ctx.hasOutput(1))
    return success();
  RankedTensorType type = ctx.inputType(0);
  Type maskType =
      ctx.opset() < 10 ? type.getElementType() : ctx.builder.getI1Type();
  if (type.hasStaticShape()) {
    Attribute one = maskType.isInteger(1)
                        ? Attribute(ctx.builder.getBoolAttr(true))
                        : Attribute(ctx.builder.getFloatAttr(maskType, 1));
    ctx.setConstantOutput(1, DenseElementsAttr::get(type.clone(maskType), one));
    return success();
  }
  Value init =
      createEmptyLike(ctx.builder, ctx.loc, type.getShape(), maskType, x);
  Value one = scalarConstant(ctx.builder, ctx.loc, maskType, 1);
  ctx.setOutput(
      1, linalg::FillOp::create(ctx.builder, ctx.loc, one, init).getResult(0));
  return success();
}

void registerForwarding(OpConverterRegistry &registry) {
  registry.add("Cast", convertCast);
  registry.add("CastLike", convertCastLike);
  registry.add("Identity", [](NodeContext &ctx) -> LogicalResult {
    ctx.setOutput(0, ctx.input(0), ctx.isUnsigned(0));
    return success();
  });
  registry.add("Dropout", convertDropout);
}

} // namespace

void sift::onnx_import::registerElementwiseConverters(
    OpConverterRegistry &registry) {
  registerArithmetic(registry);
  registerUnaryMath(registry);
  registerActivations(registry);
  registerLogic(registry);
  registerForwarding(registry);
}
