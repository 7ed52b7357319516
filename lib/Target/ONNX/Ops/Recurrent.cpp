//===- Recurrent.cpp - Recurrent ONNX ops: RNN ----------------------------===//
//
// RNN unrolls over its time steps, which must be static: each step is two
// matmuls (the input through W, the previous hidden state through R, both
// read transposed through the operand maps) and one linalg.generic that adds
// the biases, clips and applies the activation. Each step's hidden state is
// inserted into Y at its time index, so the reverse direction's outputs line
// up with the input as ONNX requires.
//
//===----------------------------------------------------------------------===//

#include "../Builders.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace sift::onnx_import;

namespace {

enum class Activation { Tanh, Relu, Sigmoid };

/// A tensor of `shape` holding `value` everywhere.
Value createFilled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   Type elementType, double value) {
  Value empty = tensor::EmptyOp::create(b, loc, shape, elementType);
  Value scalar = scalarConstant(b, loc, elementType, value);
  return linalg::FillOp::create(b, loc, ValueRange{scalar}, ValueRange{empty})
      .getResult(0);
}

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  return llvm::map_to_vector(values, [&](int64_t v) -> OpFoldResult {
    return b.getIndexAttr(v);
  });
}

/// The slice of `source` at `offsets` with `sizes`, its unit dimensions
/// dropped down to `resultShape`.
Value extractSlice(OpBuilder &b, Location loc, Value source,
                   ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
                   ArrayRef<int64_t> resultShape) {
  auto type = cast<RankedTensorType>(source.getType());
  auto resultType = RankedTensorType::get(resultShape, type.getElementType());
  SmallVector<int64_t> ones(offsets.size(), 1);
  return tensor::ExtractSliceOp::create(b, loc, resultType, source,
                                        indexAttrs(b, offsets),
                                        indexAttrs(b, sizes),
                                        indexAttrs(b, ones));
}

/// `dest` with `source` inserted at `offsets` (unit dimensions of `sizes`
/// that `source` lacks are added back).
Value insertSlice(OpBuilder &b, Location loc, Value source, Value dest,
                  ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes) {
  SmallVector<int64_t> ones(offsets.size(), 1);
  return tensor::InsertSliceOp::create(b, loc, source, dest,
                                       indexAttrs(b, offsets),
                                       indexAttrs(b, sizes),
                                       indexAttrs(b, ones));
}

/// lhs [M, K] times the transpose of rhs [N, K]: [M, N]. The transpose is
/// read through the operand map, as Gemm's transB is.
Value matmulTransposed(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  Value init = createFilled(b, loc,
                            {lhsType.getDimSize(0), rhsType.getDimSize(0)},
                            lhsType.getElementType(), 0);
  auto matmul =
      linalg::MatmulOp::create(b, loc, ValueRange{lhs, rhs}, ValueRange{init});
  AffineExpr m, n, k;
  bindDims(b.getContext(), m, n, k);
  auto map = [&](AffineExpr row, AffineExpr col) {
    return AffineMap::get(3, 0, {row, col}, b.getContext());
  };
  matmul.setIndexingMapsAttr(
      b.getAffineMapArrayAttr({map(m, k), map(n, k), map(m, n)}));
  return matmul.getResult(0);
}

Value applyActivation(OpBuilder &b, Location loc, Activation activation,
                      Value x) {
  Type type = x.getType();
  switch (activation) {
  case Activation::Tanh:
    return math::TanhOp::create(b, loc, x);
  case Activation::Relu:
    return arith::MaximumFOp::create(b, loc, x,
                                     scalarConstant(b, loc, type, 0));
  case Activation::Sigmoid: {
    Value one = scalarConstant(b, loc, type, 1);
    Value exp = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
    return arith::DivFOp::create(b, loc, one,
                                 arith::AddFOp::create(b, loc, one, exp));
  }
  }
  llvm_unreachable("unknown activation");
}

/// One step's new hidden state, activation(xw + hr + biases), clipped
/// first when `clip` is set. `biases` are vectors of the hidden size.
Value buildStep(OpBuilder &b, Location loc, Value xw, Value hr,
                ValueRange biases, std::optional<double> clip,
                Activation activation) {
  auto type = cast<RankedTensorType>(xw.getType());
  MLIRContext *context = b.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(2, context);
  AffineMap vector = AffineMap::get(2, 0, {getAffineDimExpr(1, context)},
                                    context);
  SmallVector<Value> inputs = {xw};
  SmallVector<AffineMap> maps = {identity};
  if (hr) {
    inputs.push_back(hr);
    maps.push_back(identity);
  }
  for (Value bias : biases) {
    inputs.push_back(bias);
    maps.push_back(vector);
  }
  maps.push_back(identity);
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(),
                                       type.getElementType());
  SmallVector<utils::IteratorType> iterators(2,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value sum = args[0];
        for (Value arg : args.drop_front().drop_back())
          sum = arith::AddFOp::create(nb, l, sum, arg);
        if (clip) {
          Type elementType = sum.getType();
          sum = arith::MaximumFOp::create(
              nb, l, sum, scalarConstant(nb, l, elementType, -*clip));
          sum = arith::MinimumFOp::create(
              nb, l, sum, scalarConstant(nb, l, elementType, *clip));
        }
        linalg::YieldOp::create(nb, l,
                                applyActivation(nb, l, activation, sum));
      });
  return generic.getResult(0);
}

/// RNN: H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb), forward, reverse or both.
LogicalResult convertRNN(NodeContext &ctx) {
  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  if (ctx.numInputs() < 3 || ctx.numInputs() > 6)
    return ctx.emitError() << "expects 3 to 6 inputs, got " << ctx.numInputs();
  for (unsigned i = 0; i < 3; ++i)
    if (!ctx.hasInput(i))
      return ctx.emitError() << "input #" << i << " is required";

  int64_t layout = ctx.getInt("layout", 0);
  if (layout != 0 && layout != 1)
    return ctx.emitError() << "layout must be 0 or 1, got " << layout;
  std::string direction = ctx.getString("direction", "forward");
  if (direction != "forward" && direction != "reverse" &&
      direction != "bidirectional")
    return ctx.emitError() << "direction must be forward, reverse or "
                              "bidirectional, got '"
                           << direction << "'";
  int64_t numDirections = direction == "bidirectional" ? 2 : 1;

  RankedTensorType xType = ctx.inputType(0);
  RankedTensorType wType = ctx.inputType(1);
  RankedTensorType rType = ctx.inputType(2);
  Type elementType = xType.getElementType();
  if (!isa<FloatType>(elementType))
    return ctx.emitError() << "X must be floating-point, got " << xType;
  for (unsigned i = 1; i < 6; ++i)
    if (i != 4 && ctx.hasInput(i) &&
        ctx.inputType(i).getElementType() != elementType)
      return ctx.emitError() << "input #" << i << " of type "
                             << ctx.inputType(i)
                             << " must have X's element type " << elementType;
  if (xType.getRank() != 3 || wType.getRank() != 3 || rType.getRank() != 3)
    return ctx.emitError() << "X, W and R must have rank 3, got " << xType
                           << ", " << wType << " and " << rType;
  if (!xType.hasStaticShape() || !wType.hasStaticShape() ||
      !rType.hasStaticShape())
    return ctx.emitError() << "needs static shapes of X, W and R (the steps "
                              "are unrolled), got "
                           << xType << ", " << wType << " and " << rType;

  int64_t seqLength = xType.getDimSize(layout == 0 ? 0 : 1);
  int64_t batch = xType.getDimSize(layout == 0 ? 1 : 0);
  int64_t inputSize = xType.getDimSize(2);
  int64_t hidden = wType.getDimSize(1);
  if (std::optional<int64_t> size = ctx.getOptionalInt("hidden_size");
      size && *size != hidden)
    return ctx.emitError() << "hidden_size " << *size
                           << " does not match W of type " << wType;
  if (wType.getShape() != ArrayRef<int64_t>{numDirections, hidden, inputSize})
    return ctx.emitError() << "W of type " << wType << " must be ["
                           << numDirections << ", " << hidden << ", "
                           << inputSize << "] for X of type " << xType
                           << " and direction '" << direction << "'";
  if (rType.getShape() != ArrayRef<int64_t>{numDirections, hidden, hidden})
    return ctx.emitError() << "R of type " << rType << " must be ["
                           << numDirections << ", " << hidden << ", "
                           << hidden << "]";
  if (ctx.hasInput(3) && ctx.inputType(3).getShape() !=
                             ArrayRef<int64_t>{numDirections, 2 * hidden})
    return ctx.emitError() << "B of type " << ctx.inputType(3) << " must be ["
                           << numDirections << ", " << 2 * hidden << "]";
  // Initial and final hidden states: [D, batch, H], or [batch, D, H] in
  // layout 1.
  SmallVector<int64_t> stateShape =
      layout == 0 ? SmallVector<int64_t>{numDirections, batch, hidden}
                  : SmallVector<int64_t>{batch, numDirections, hidden};
  if (ctx.hasInput(5) &&
      ctx.inputType(5).getShape() != ArrayRef<int64_t>(stateShape))
    return ctx.emitError() << "initial_h of type " << ctx.inputType(5)
                           << " must be "
                           << RankedTensorType::get(stateShape, elementType);

  // Every sequence must be full length: shorter ones would need their own
  // last states and zero padding in Y.
  if (ctx.hasInput(4)) {
    std::optional<SmallVector<int64_t>> lengths = ctx.constantInts(4);
    if (!lengths)
      return ctx.emitError()
             << "sequence_lens must be a constant when given (Sift supports "
                "only sequences of the full length "
             << seqLength << ")";
    for (int64_t length : *lengths)
      if (length != seqLength)
        return ctx.emitError() << "sequence_lens holds " << length
                               << "; Sift supports only sequences of the "
                                  "full length "
                               << seqLength;
  }

  // One activation per direction; Tanh by default.
  SmallVector<Activation> activations;
  if (const onnx::AttributeProto *attr = ctx.attr("activations")) {
    if (attr->strings_size() != numDirections)
      return ctx.emitError() << "activations lists " << attr->strings_size()
                             << " function(s); direction '" << direction
                             << "' takes " << numDirections;
    for (const std::string &name : attr->strings()) {
      std::optional<Activation> activation =
          llvm::StringSwitch<std::optional<Activation>>(name)
              .Case("Tanh", Activation::Tanh)
              .Case("Relu", Activation::Relu)
              .Case("Sigmoid", Activation::Sigmoid)
              .Default(std::nullopt);
      if (!activation)
        return ctx.emitError() << "activation '" << name
                               << "' is not supported (Sift supports Tanh, "
                                  "Relu and Sigmoid)";
      activations.push_back(*activation);
    }
  } else {
    activations.assign(numDirections, Activation::Tanh);
  }
  std::optional<double> clip;
  if (ctx.hasAttr("clip")) {
    clip = ctx.getFloat("clip", 0);
    if (!(*clip > 0))
      return ctx.emitError() << "clip must be positive, got " << *clip;
  }

  // Y: [seq, D, batch, H], or [batch, seq, D, H] in layout 1.
  SmallVector<int64_t> yShape =
      layout == 0
          ? SmallVector<int64_t>{seqLength, numDirections, batch, hidden}
          : SmallVector<int64_t>{batch, seqLength, numDirections, hidden};
  Value y = ctx.hasOutput(0)
                ? tensor::EmptyOp::create(b, loc, yShape, elementType)
                : Value();
  Value yH = tensor::EmptyOp::create(b, loc, stateShape, elementType);
  auto stateOffsets = [&](int64_t d) {
    return layout == 0 ? SmallVector<int64_t>{d, 0, 0}
                       : SmallVector<int64_t>{0, d, 0};
  };
  SmallVector<int64_t> stateSizes =
      layout == 0 ? SmallVector<int64_t>{1, batch, hidden}
                  : SmallVector<int64_t>{batch, 1, hidden};

  for (int64_t d = 0; d < numDirections; ++d) {
    bool reverse = direction == "reverse" || d == 1;
    Value w = extractSlice(b, loc, ctx.input(1), {d, 0, 0},
                           {1, hidden, inputSize}, {hidden, inputSize});
    Value r = extractSlice(b, loc, ctx.input(2), {d, 0, 0}, {1, hidden, hidden},
                           {hidden, hidden});
    SmallVector<Value> biases;
    if (ctx.hasInput(3))
      for (int64_t part = 0; part < 2; ++part)
        biases.push_back(extractSlice(b, loc, ctx.input(3), {d, part * hidden},
                                      {1, hidden}, {hidden}));
    // No initial_h means zeros: the first step has no recurrent term.
    Value h;
    if (ctx.hasInput(5))
      h = extractSlice(b, loc, ctx.input(5), stateOffsets(d), stateSizes,
                       {batch, hidden});
    for (int64_t step = 0; step < seqLength; ++step) {
      int64_t t = reverse ? seqLength - 1 - step : step;
      Value x = layout == 0
                    ? extractSlice(b, loc, ctx.input(0), {t, 0, 0},
                                   {1, batch, inputSize}, {batch, inputSize})
                    : extractSlice(b, loc, ctx.input(0), {0, t, 0},
                                   {batch, 1, inputSize}, {batch, inputSize});
      Value xw = matmulTransposed(b, loc, x, w);
      Value hr = h ? matmulTransposed(b, loc, h, r) : Value();
      h = buildStep(b, loc, xw, hr, biases, clip, activations[d]);
      if (ctx.hasOutput(0))
        y = layout == 0
                ? insertSlice(b, loc, h, y, {t, d, 0, 0}, {1, 1, batch, hidden})
                : insertSlice(b, loc, h, y, {0, t, d, 0},
                              {batch, 1, 1, hidden});
    }
    if (!h) // no steps: the final state is the initial one, zeros
      h = createFilled(b, loc, {batch, hidden}, elementType, 0);
    yH = insertSlice(b, loc, h, yH, stateOffsets(d), stateSizes);
  }
  if (ctx.hasOutput(0))
    ctx.setOutput(0, y);
  if (ctx.hasOutput(1))
    ctx.setOutput(1, yH);
  return success();
}

} // namespace

void sift::onnx_import::registerRecurrentConverters(
    OpConverterRegistry &registry) {
  registry.add("RNN", convertRNN);
}
