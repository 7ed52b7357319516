//===- Recurrent.cpp - Recurrent ONNX ops: RNN, GRU, LSTM -----------------===//
//
// The three ops differ only in their gate equations; the rest is shared.
// Each unrolls over its time steps, which must be static. A step multiplies
// the input by W and the previous hidden state by R (both read transposed
// through the operand maps, all of a direction's gates in one matmul) and
// computes the gates and new states in a linalg.generic that reads each
// gate's block of columns through its indexing map. Each step's hidden state
// is inserted into Y at its time index, so the reverse direction's outputs
// line up with the input as ONNX requires. Steps past a sequence's end
// (sequence_lens) keep the states and write zeros to Y.
//
//===----------------------------------------------------------------------===//

#include "../Builders.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace sift::onnx_import;

namespace {

/// The steps are unrolled into IR, a few dozen ops each: a static sequence
/// length from the model's input type must not make that unbounded.
constexpr int64_t kMaxUnrolledSteps = 4096;

//===----------------------------------------------------------------------===//
// Activation functions
//===----------------------------------------------------------------------===//

enum class ActivationKind {
  Relu,
  Tanh,
  Sigmoid,
  Affine,
  LeakyRelu,
  ThresholdedRelu,
  ScaledTanh,
  HardSigmoid,
  Elu,
  Softsign,
  Softplus
};

/// An activation function as the node configures it. The clip threshold is
/// part of it because ONNX applies `clip` to the input of every activation.
struct Activation {
  ActivationKind kind;
  double alpha = 0, beta = 0;
  std::optional<double> clip;
};

/// A function the `activations` attribute may name: how many of
/// activation_alpha and activation_beta it takes (1: alpha, 2: both) and
/// their defaults, those of the ONNX op of the same name. Affine and
/// ScaledTanh have none.
struct ActivationSpec {
  llvm::StringLiteral name;
  ActivationKind kind;
  unsigned numParameters;
  std::optional<double> defaultAlpha, defaultBeta;
};

const ActivationSpec activationSpecs[] = {
    {"Relu", ActivationKind::Relu, 0, {}, {}},
    {"Tanh", ActivationKind::Tanh, 0, {}, {}},
    {"Sigmoid", ActivationKind::Sigmoid, 0, {}, {}},
    {"Affine", ActivationKind::Affine, 2, {}, {}},
    {"LeakyRelu", ActivationKind::LeakyRelu, 1, 0.01, {}},
    {"ThresholdedRelu", ActivationKind::ThresholdedRelu, 1, 1.0, {}},
    {"ScaledTanh", ActivationKind::ScaledTanh, 2, {}, {}},
    {"HardSigmoid", ActivationKind::HardSigmoid, 2, 0.2, 0.5},
    {"Elu", ActivationKind::Elu, 1, 1.0, {}},
    {"Softsign", ActivationKind::Softsign, 0, {}, {}},
    {"Softplus", ActivationKind::Softplus, 0, {}, {}},
};

/// The node's activation functions, `defaults.size()` per direction: those
/// the `activations` attribute names, or `defaults` for each direction. The
/// functions that take an alpha or a beta consume activation_alpha and
/// activation_beta in order, falling back to their defaults when the lists
/// run out. Names match case-insensitively, as in onnxruntime.
FailureOr<SmallVector<Activation>>
parseActivations(NodeContext &ctx, ArrayRef<llvm::StringLiteral> defaults,
                 int64_t numDirections, StringRef direction) {
  std::optional<double> clip;
  if (ctx.hasAttr("clip")) {
    clip = ctx.getFloat("clip", 0);
    if (!(*clip > 0))
      return ctx.emitError() << "clip must be positive, got " << *clip;
  }

  SmallVector<std::string> names;
  if (const onnx::AttributeProto *attr = ctx.attr("activations"))
    names.assign(attr->strings().begin(), attr->strings().end());
  else
    for (int64_t d = 0; d < numDirections; ++d)
      for (StringRef name : defaults)
        names.push_back(name.str());
  int64_t expected = numDirections * defaults.size();
  if (static_cast<int64_t>(names.size()) != expected)
    return ctx.emitError() << "activations lists " << names.size()
                           << " function(s); direction '" << direction
                           << "' takes " << expected;

  SmallVector<float> alphas = ctx.getFloats("activation_alpha");
  SmallVector<float> betas = ctx.getFloats("activation_beta");
  size_t nextAlpha = 0, nextBeta = 0;
  SmallVector<Activation> activations;
  for (StringRef name : names) {
    const ActivationSpec *spec =
        llvm::find_if(activationSpecs, [&](const ActivationSpec &spec) {
          return name.equals_insensitive(spec.name);
        });
    if (spec == std::end(activationSpecs))
      return ctx.emitError()
             << "unknown activation '" << name
             << "' (ONNX defines Relu, Tanh, Sigmoid, Affine, LeakyRelu, "
                "ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign "
                "and Softplus)";
    Activation activation{spec->kind, 0, 0, clip};
    // The next value of `values` (the attribute `attribute`), else the
    // function's default.
    auto parameter = [&](ArrayRef<float> values, size_t &next,
                         std::optional<double> fallback, StringRef attribute,
                         double &result) -> LogicalResult {
      if (next < values.size())
        result = values[next++];
      else if (fallback)
        result = *fallback;
      else
        return ctx.emitError() << "activation '" << name
                               << "' needs a value in " << attribute
                               << " (it has no default)";
      return success();
    };
    if (spec->numParameters >= 1 &&
        failed(parameter(alphas, nextAlpha, spec->defaultAlpha,
                         "activation_alpha", activation.alpha)))
      return failure();
    if (spec->numParameters >= 2 &&
        failed(parameter(betas, nextBeta, spec->defaultBeta, "activation_beta",
                         activation.beta)))
      return failure();
    activations.push_back(activation);
  }
  // Values left over mean the model reads the lists differently.
  if (nextAlpha != alphas.size())
    return ctx.emitError() << "activation_alpha lists " << alphas.size()
                           << " value(s); the activations take " << nextAlpha;
  if (nextBeta != betas.size())
    return ctx.emitError() << "activation_beta lists " << betas.size()
                           << " value(s); the activations take " << nextBeta;
  return activations;
}

/// `activation` of the scalar `x`, after clipping `x` when the node clips.
Value applyActivation(OpBuilder &b, Location loc, const Activation &activation,
                      Value x) {
  Type type = x.getType();
  auto constant = [&](double value) {
    return scalarConstant(b, loc, type, value);
  };
  auto mul = [&](Value lhs, Value rhs) -> Value {
    return arith::MulFOp::create(b, loc, lhs, rhs);
  };
  auto add = [&](Value lhs, Value rhs) -> Value {
    return arith::AddFOp::create(b, loc, lhs, rhs);
  };
  auto atLeast = [&](Value lhs, Value rhs) -> Value {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, lhs, rhs);
  };
  if (activation.clip) {
    x = arith::MaximumFOp::create(b, loc, x, constant(-*activation.clip));
    x = arith::MinimumFOp::create(b, loc, x, constant(*activation.clip));
  }
  double alpha = activation.alpha, beta = activation.beta;
  switch (activation.kind) {
  case ActivationKind::Relu:
    return arith::MaximumFOp::create(b, loc, x, constant(0));
  case ActivationKind::Tanh:
    return math::TanhOp::create(b, loc, x);
  case ActivationKind::Sigmoid: {
    Value one = constant(1);
    Value exp = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
    return arith::DivFOp::create(b, loc, one, add(one, exp));
  }
  case ActivationKind::Affine:
    return add(mul(constant(alpha), x), constant(beta));
  case ActivationKind::LeakyRelu:
    return arith::SelectOp::create(b, loc, atLeast(x, constant(0)), x,
                                   mul(constant(alpha), x));
  case ActivationKind::ThresholdedRelu:
    return arith::SelectOp::create(b, loc, atLeast(x, constant(alpha)), x,
                                   constant(0));
  case ActivationKind::ScaledTanh:
    return mul(constant(alpha),
               math::TanhOp::create(b, loc, mul(constant(beta), x)));
  case ActivationKind::HardSigmoid:
    return buildHardSigmoid(b, loc, x, alpha, beta);
  case ActivationKind::Elu: {
    Value expMinusOne = arith::SubFOp::create(
        b, loc, math::ExpOp::create(b, loc, x), constant(1));
    return arith::SelectOp::create(b, loc, atLeast(x, constant(0)), x,
                                   mul(constant(alpha), expMinusOne));
  }
  case ActivationKind::Softsign:
    return arith::DivFOp::create(
        b, loc, x, add(constant(1), math::AbsFOp::create(b, loc, x)));
  case ActivationKind::Softplus:
    return buildSoftplus(b, loc, x);
  }
  llvm_unreachable("unknown activation");
}

//===----------------------------------------------------------------------===//
// Tensor helpers
//===----------------------------------------------------------------------===//

/// A tensor of `shape` holding `value` everywhere.
Value createFilled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   Type elementType, double value) {
  Value empty = tensor::EmptyOp::create(b, loc, shape, elementType);
  Value scalar = scalarConstant(b, loc, elementType, value);
  return linalg::FillOp::create(b, loc, ValueRange{scalar}, ValueRange{empty})
      .getResult(0);
}

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  return llvm::map_to_vector(
      values, [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); });
}

/// The slice of `source` at `offsets` with `sizes`, its unit dimensions
/// dropped down to `resultShape`.
Value extractSlice(OpBuilder &b, Location loc, Value source,
                   ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
                   ArrayRef<int64_t> resultShape) {
  auto type = cast<RankedTensorType>(source.getType());
  auto resultType = RankedTensorType::get(resultShape, type.getElementType());
  SmallVector<int64_t> ones(offsets.size(), 1);
  return tensor::ExtractSliceOp::create(
      b, loc, resultType, source, indexAttrs(b, offsets), indexAttrs(b, sizes),
      indexAttrs(b, ones));
}

/// `dest` with `source` inserted at `offsets` (unit dimensions of `sizes`
/// that `source` lacks are added back).
Value insertSlice(OpBuilder &b, Location loc, Value source, Value dest,
                  ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes) {
  SmallVector<int64_t> ones(offsets.size(), 1);
  return tensor::InsertSliceOp::create(
      b, loc, source, dest, indexAttrs(b, offsets), indexAttrs(b, sizes),
      indexAttrs(b, ones));
}

/// The `numGates` blocks of columns of `matrix` [rows, numGates * hidden],
/// one per gate; nulls for a null `matrix`.
SmallVector<Value> splitGates(OpBuilder &b, Location loc, Value matrix,
                              int64_t numGates) {
  if (!matrix)
    return SmallVector<Value>(numGates);
  if (numGates == 1)
    return {matrix};
  auto type = cast<RankedTensorType>(matrix.getType());
  int64_t rows = type.getDimSize(0);
  int64_t hidden = type.getDimSize(1) / numGates;
  SmallVector<Value> blocks;
  for (int64_t gate = 0; gate < numGates; ++gate)
    blocks.push_back(extractSlice(b, loc, matrix, {0, gate * hidden},
                                  {rows, hidden}, {rows, hidden}));
  return blocks;
}

/// lhs [M, K] times the transpose of rhs [N, K]: [M, N]. The transpose is
/// read through the operand map, as Gemm's transB is.
Value matmulTransposed(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  Value init =
      createFilled(b, loc, {lhsType.getDimSize(0), rhsType.getDimSize(0)},
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

//===----------------------------------------------------------------------===//
// Step bodies
//===----------------------------------------------------------------------===//

/// Builds a step's scalar results from its operands' scalars.
using StepBodyBuilder =
    function_ref<SmallVector<Value>(OpBuilder &, Location, ArrayRef<Value>)>;

/// The operands of one linalg.generic over a step's [batch, hidden] states.
/// The body sees their scalars in the order they were added; an operand
/// added as null (an absent bias, a zero initial state) is not read and its
/// scalar is null.
class StepOperands {
public:
  explicit StepOperands(RankedTensorType stateType) : stateType(stateType) {}

  /// A [batch, hidden] matrix, or a [hidden] vector shared by every row.
  unsigned add(Value value) {
    MLIRContext *context = stateType.getContext();
    AffineExpr row = getAffineDimExpr(0, context);
    AffineExpr column = getAffineDimExpr(1, context);
    if (value && cast<RankedTensorType>(value.getType()).getRank() == 2)
      return addIndexed(value, {row, column});
    return addIndexed(value, {column});
  }

  /// Each of `values`: the terms that a gate sums.
  SmallVector<unsigned> addAll(ArrayRef<Value> values) {
    return llvm::map_to_vector(values, [&](Value value) { return add(value); });
  }

  /// A [batch] vector: one element per row.
  unsigned addPerRow(Value value) {
    return addIndexed(value, {getAffineDimExpr(0, stateType.getContext())});
  }

  /// The linalg.generic computing `numResults` tensors of the state type.
  SmallVector<Value> build(OpBuilder &b, Location loc, unsigned numResults,
                           StepBodyBuilder body) const {
    MLIRContext *context = b.getContext();
    SmallVector<Value> inits;
    for (unsigned i = 0; i < numResults; ++i)
      inits.push_back(tensor::EmptyOp::create(b, loc, stateType.getShape(),
                                              stateType.getElementType()));
    SmallVector<AffineMap> indexingMaps = maps;
    indexingMaps.append(numResults,
                        AffineMap::getMultiDimIdentityMap(2, context));
    SmallVector<utils::IteratorType> iterators(2,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        b, loc, SmallVector<Type>(numResults, stateType), values, inits,
        indexingMaps, iterators,
        [&](OpBuilder &nb, Location l, ValueRange args) {
          SmallVector<Value> scalars;
          auto next = args.begin();
          for (bool isPresent : present)
            scalars.push_back(isPresent ? *next++ : Value());
          linalg::YieldOp::create(nb, l, body(nb, l, scalars));
        });
    return generic.getResults();
  }

private:
  unsigned addIndexed(Value value, ArrayRef<AffineExpr> results) {
    present.push_back(static_cast<bool>(value));
    if (value) {
      values.push_back(value);
      maps.push_back(AffineMap::get(2, 0, results, stateType.getContext()));
    }
    return present.size() - 1;
  }

  RankedTensorType stateType;
  SmallVector<Value> values;
  SmallVector<AffineMap> maps;
  SmallVector<bool> present;
};

/// The sum of the non-null `scalars[i]` for i in `terms`; null when all are
/// null.
Value sumTerms(OpBuilder &b, Location loc, ArrayRef<Value> scalars,
               ArrayRef<unsigned> terms) {
  Value sum;
  for (unsigned i : terms)
    if (Value term = scalars[i])
      sum = sum ? arith::AddFOp::create(b, loc, sum, term) : term;
  return sum;
}

/// Masks a step for the sequences it lies past the end of (time >=
/// sequence_lens[row]): their rows of the states keep the previous values
/// (null: zeros). Returns the masked states and, when `withY`, last, the
/// step's value for Y: the new hidden state, zeros past the end.
SmallVector<Value> maskStep(OpBuilder &b, Location loc, Value lengths,
                            int64_t time, ArrayRef<Value> states,
                            ArrayRef<Value> previous, bool withY) {
  StepOperands operands(cast<RankedTensorType>(states[0].getType()));
  unsigned length = operands.addPerRow(lengths);
  SmallVector<unsigned> next = operands.addAll(states);
  SmallVector<unsigned> last = operands.addAll(previous);
  return operands.build(
      b, loc, states.size() + withY,
      [&](OpBuilder &nb, Location l, ArrayRef<Value> scalars) {
        Value lengthScalar = scalars[length];
        Value inSequence = arith::CmpIOp::create(
            nb, l, arith::CmpIPredicate::slt,
            scalarConstant(nb, l, lengthScalar.getType(), time), lengthScalar);
        Value zero = scalarConstant(nb, l, scalars[next[0]].getType(), 0);
        SmallVector<Value> results;
        for (auto [nextIndex, lastIndex] : llvm::zip_equal(next, last)) {
          Value kept = scalars[lastIndex] ? scalars[lastIndex] : zero;
          results.push_back(arith::SelectOp::create(nb, l, inSequence,
                                                    scalars[nextIndex], kept));
        }
        if (withY)
          results.push_back(arith::SelectOp::create(nb, l, inSequence,
                                                    scalars[next[0]], zero));
        return results;
      });
}

//===----------------------------------------------------------------------===//
// The shared unrolling
//===----------------------------------------------------------------------===//

/// What sets RNN, GRU and LSTM apart for the code they share.
struct CellKind {
  /// Gates per hidden unit: W, R and each half of B stack that many blocks
  /// of hidden_size rows.
  int64_t numGates;
  /// One direction's activation functions when the node names none.
  ArrayRef<llvm::StringLiteral> defaultActivations;
  /// LSTM's cell state beside the hidden one (initial_c, Y_c) and its
  /// peepholes P.
  bool hasCellState;
};

/// One direction of a node: its weights, cut out of W, R, B and P, and its
/// activation functions. The vectors hold one [hidden] value per gate, in
/// the op's gate order, nulls without B or P.
struct Direction {
  Value w; // [numGates * hidden, input_size]
  Value r; // [numGates * hidden, hidden]
  SmallVector<Value> wBias, rBias;
  SmallVector<Value> peepholes; // LSTM's, for gates i, o, f
  ArrayRef<Activation> activations;
  RankedTensorType stateType; // [batch, hidden]
};

/// One time step: the new states (H, and C for LSTM) from X_t [batch,
/// input_size] and the previous states, null while they are zeros (no
/// initial state given).
using StepFn =
    std::function<SmallVector<Value>(Value x, ArrayRef<Value> states)>;

/// Makes a direction's step, preparing what its steps share (such as slices
/// of the weights) once.
using StepFactory = function_ref<StepFn(const Direction &)>;

/// Checks a recurrent node's operands and attributes and unrolls it, each
/// step built by the function `makeStep` makes for its direction. Inputs
/// are X, W, R, B, sequence_lens, initial_h, then LSTM's initial_c and P;
/// outputs Y, Y_h, then LSTM's Y_c.
LogicalResult convertRecurrent(NodeContext &ctx, const CellKind &kind,
                               StepFactory makeStep) {
  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  enum { X, W, R, B, SequenceLens, InitialH, InitialC, P };

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

  RankedTensorType xType = ctx.inputType(X);
  RankedTensorType wType = ctx.inputType(W);
  RankedTensorType rType = ctx.inputType(R);
  Type elementType = xType.getElementType();
  if (!isa<FloatType>(elementType))
    return ctx.emitError() << "X must be floating-point, got " << xType;
  for (unsigned i = W; i < ctx.numInputs(); ++i)
    if (i != SequenceLens && ctx.hasInput(i) &&
        ctx.inputType(i).getElementType() != elementType)
      return ctx.emitError()
             << "input #" << i << " of type " << ctx.inputType(i)
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
  if (seqLength > kMaxUnrolledSteps)
    return ctx.emitError() << "sequence length " << seqLength
                           << " is too long to unroll (at most "
                           << kMaxUnrolledSteps << " steps)";
  int64_t batch = xType.getDimSize(layout == 0 ? 1 : 0);
  int64_t inputSize = xType.getDimSize(2);
  int64_t gateRows = wType.getDimSize(1);
  if (gateRows % kind.numGates != 0)
    return ctx.emitError() << "W of type " << wType << " must stack "
                           << kind.numGates
                           << " gates of hidden_size rows each";
  int64_t hidden = gateRows / kind.numGates;
  if (std::optional<int64_t> size = ctx.getOptionalInt("hidden_size");
      size && *size != hidden)
    return ctx.emitError() << "hidden_size " << *size
                           << " does not match W of type " << wType;
  if (wType.getShape() != ArrayRef<int64_t>{numDirections, gateRows, inputSize})
    return ctx.emitError() << "W of type " << wType << " must be ["
                           << numDirections << ", " << gateRows << ", "
                           << inputSize << "] for X of type " << xType
                           << " and direction '" << direction << "'";
  if (rType.getShape() != ArrayRef<int64_t>{numDirections, gateRows, hidden})
    return ctx.emitError() << "R of type " << rType << " must be ["
                           << numDirections << ", " << gateRows << ", "
                           << hidden << "]";
  if (ctx.hasInput(B) && ctx.inputType(B).getShape() !=
                             ArrayRef<int64_t>{numDirections, 2 * gateRows})
    return ctx.emitError() << "B of type " << ctx.inputType(B) << " must be ["
                           << numDirections << ", " << 2 * gateRows << "]";
  if (ctx.hasInput(P) && ctx.inputType(P).getShape() !=
                             ArrayRef<int64_t>{numDirections, 3 * hidden})
    return ctx.emitError() << "P of type " << ctx.inputType(P) << " must be ["
                           << numDirections << ", " << 3 * hidden << "]";
  // Initial and final states: [D, batch, H], or [batch, D, H] in layout 1.
  SmallVector<int64_t> stateShape =
      layout == 0 ? SmallVector<int64_t>{numDirections, batch, hidden}
                  : SmallVector<int64_t>{batch, numDirections, hidden};
  for (auto [input, name] :
       {std::pair(InitialH, "initial_h"), std::pair(InitialC, "initial_c")})
    if (ctx.hasInput(input) &&
        ctx.inputType(input).getShape() != ArrayRef<int64_t>(stateShape))
      return ctx.emitError()
             << name << " of type " << ctx.inputType(input) << " must be "
             << RankedTensorType::get(stateShape, elementType);

  // Masking is left out where every sequence is known to be full length.
  Value lengths;
  if (ctx.hasInput(SequenceLens)) {
    RankedTensorType lengthsType = ctx.inputType(SequenceLens);
    if (!lengthsType.getElementType().isInteger(32) ||
        lengthsType.getRank() != 1 ||
        (!ShapedType::isDynamic(lengthsType.getDimSize(0)) &&
         lengthsType.getDimSize(0) != batch))
      return ctx.emitError()
             << "sequence_lens of type " << lengthsType << " must be "
             << RankedTensorType::get({batch},
                                      IntegerType::get(ctx.getContext(), 32));
    std::optional<SmallVector<int64_t>> constantLengths =
        ctx.constantInts(SequenceLens);
    if (constantLengths)
      for (int64_t length : *constantLengths)
        if (length < 0 || length > seqLength)
          return ctx.emitError() << "sequence_lens holds " << length
                                 << ", outside [0, " << seqLength << "]";
    if (!constantLengths || llvm::any_of(*constantLengths, [&](int64_t length) {
          return length != seqLength;
        }))
      lengths = ctx.input(SequenceLens);
  }

  FailureOr<SmallVector<Activation>> activations =
      parseActivations(ctx, kind.defaultActivations, numDirections, direction);
  if (failed(activations))
    return failure();

  // Y: [seq, D, batch, H], or [batch, seq, D, H] in layout 1.
  SmallVector<int64_t> yShape =
      layout == 0
          ? SmallVector<int64_t>{seqLength, numDirections, batch, hidden}
          : SmallVector<int64_t>{batch, seqLength, numDirections, hidden};
  bool withY = ctx.hasOutput(0);
  Value y =
      withY ? tensor::EmptyOp::create(b, loc, yShape, elementType) : Value();
  // The final states, Y_h and Y_c, where the node uses them.
  unsigned numStates = kind.hasCellState ? 2 : 1;
  SmallVector<Value> finalStates;
  for (unsigned i = 0; i < numStates; ++i)
    finalStates.push_back(
        ctx.hasOutput(1 + i)
            ? tensor::EmptyOp::create(b, loc, stateShape, elementType)
            : Value());
  auto stateOffsets = [&](int64_t d) {
    return layout == 0 ? SmallVector<int64_t>{d, 0, 0}
                       : SmallVector<int64_t>{0, d, 0};
  };
  SmallVector<int64_t> stateSizes =
      layout == 0 ? SmallVector<int64_t>{1, batch, hidden}
                  : SmallVector<int64_t>{batch, 1, hidden};
  auto stateType = RankedTensorType::get({batch, hidden}, elementType);

  for (int64_t d = 0; d < numDirections; ++d) {
    bool reverse = direction == "reverse" || d == 1;
    Direction weights;
    weights.w = extractSlice(b, loc, ctx.input(W), {d, 0, 0},
                             {1, gateRows, inputSize}, {gateRows, inputSize});
    weights.r = extractSlice(b, loc, ctx.input(R), {d, 0, 0},
                             {1, gateRows, hidden}, {gateRows, hidden});
    // The [hidden] vectors of `input`'s row d from column `start` on.
    auto gateVectors = [&](unsigned input, int64_t start, int64_t count) {
      SmallVector<Value> vectors(count);
      if (ctx.hasInput(input))
        for (int64_t gate = 0; gate < count; ++gate)
          vectors[gate] =
              extractSlice(b, loc, ctx.input(input), {d, start + gate * hidden},
                           {1, hidden}, {hidden});
      return vectors;
    };
    weights.wBias = gateVectors(B, 0, kind.numGates);
    weights.rBias = gateVectors(B, gateRows, kind.numGates);
    if (kind.hasCellState)
      weights.peepholes = gateVectors(P, 0, 3);
    int64_t perDirection = kind.defaultActivations.size();
    weights.activations =
        ArrayRef(*activations).slice(d * perDirection, perDirection);
    weights.stateType = stateType;
    StepFn step = makeStep(weights);

    SmallVector<Value> states(numStates);
    for (unsigned i = 0; i < numStates; ++i)
      if (ctx.hasInput(InitialH + i))
        states[i] = extractSlice(b, loc, ctx.input(InitialH + i),
                                 stateOffsets(d), stateSizes, {batch, hidden});
    for (int64_t s = 0; s < seqLength; ++s) {
      int64_t t = reverse ? seqLength - 1 - s : s;
      Value x = layout == 0
                    ? extractSlice(b, loc, ctx.input(X), {t, 0, 0},
                                   {1, batch, inputSize}, {batch, inputSize})
                    : extractSlice(b, loc, ctx.input(X), {0, t, 0},
                                   {batch, 1, inputSize}, {batch, inputSize});
      SmallVector<Value> next = step(x, states);
      Value yStep = next[0];
      if (lengths) {
        next = maskStep(b, loc, lengths, t, next, states, withY);
        if (withY)
          yStep = next.pop_back_val();
      }
      states = next;
      if (withY)
        y = layout == 0 ? insertSlice(b, loc, yStep, y, {t, d, 0, 0},
                                      {1, 1, batch, hidden})
                        : insertSlice(b, loc, yStep, y, {0, t, d, 0},
                                      {batch, 1, 1, hidden});
    }
    for (unsigned i = 0; i < numStates; ++i) {
      if (!finalStates[i])
        continue;
      // Still null: no steps and no initial state, so zeros.
      Value state = states[i]
                        ? states[i]
                        : createFilled(b, loc, {batch, hidden}, elementType, 0);
      finalStates[i] = insertSlice(b, loc, state, finalStates[i],
                                   stateOffsets(d), stateSizes);
    }
  }
  if (withY)
    ctx.setOutput(0, y);
  for (unsigned i = 0; i < numStates; ++i)
    if (finalStates[i])
      ctx.setOutput(1 + i, finalStates[i]);
  return success();
}

//===----------------------------------------------------------------------===//
// The cells
//===----------------------------------------------------------------------===//

/// RNN: H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb).
LogicalResult convertRNN(NodeContext &ctx) {
  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  static constexpr llvm::StringLiteral defaults[] = {"Tanh"};
  return convertRecurrent(
      ctx, CellKind{1, defaults, false}, [&](const Direction &dir) -> StepFn {
        return [&b, loc, dir](Value x, ArrayRef<Value> states) {
          Value h = states[0];
          Value xw = matmulTransposed(b, loc, x, dir.w);
          Value hr = h ? matmulTransposed(b, loc, h, dir.r) : Value();
          StepOperands operands(dir.stateType);
          SmallVector<unsigned> terms =
              operands.addAll({xw, hr, dir.wBias[0], dir.rBias[0]});
          return operands.build(
              b, loc, 1,
              [&](OpBuilder &nb, Location l, ArrayRef<Value> scalars) {
                return SmallVector<Value>{
                    applyActivation(nb, l, dir.activations[0],
                                    sumTerms(nb, l, scalars, terms))};
              });
        };
      });
}

/// (1 - z) h + z H_{t-1}, the GRU's new hidden state; `previous` is null
/// while it is zeros.
Value blendGRUState(OpBuilder &b, Location loc, Value update, Value candidate,
                    Value previous) {
  Value one = scalarConstant(b, loc, update.getType(), 1);
  Value keep = arith::SubFOp::create(b, loc, one, update);
  Value state = arith::MulFOp::create(b, loc, keep, candidate);
  if (!previous)
    return state;
  return arith::AddFOp::create(b, loc, state,
                               arith::MulFOp::create(b, loc, update, previous));
}

/// GRU, gates z (update), r (reset), h (hidden), activations f and g:
///   z = f(X_t Wz^T + H_{t-1} Rz^T + Wbz + Rbz), r likewise,
///   h = g(X_t Wh^T + (r H_{t-1}) Rh^T + Rbh + Wbh), or with
///       linear_before_reset g(X_t Wh^T + r (H_{t-1} Rh^T + Rbh) + Wbh),
///   H_t = (1 - z) h + z H_{t-1}.
LogicalResult convertGRU(NodeContext &ctx) {
  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  bool linearBeforeReset = ctx.getInt("linear_before_reset", 0) != 0;
  static constexpr llvm::StringLiteral defaults[] = {"Sigmoid", "Tanh"};
  enum { Update, Reset, Hidden };
  auto makeStep = [&](const Direction &dir) -> StepFn {
    if (linearBeforeReset)
      return [&b, loc, dir](Value x, ArrayRef<Value> states) {
        Value h = states[0];
        SmallVector<Value> xw =
            splitGates(b, loc, matmulTransposed(b, loc, x, dir.w), 3);
        SmallVector<Value> hr = splitGates(
            b, loc, h ? matmulTransposed(b, loc, h, dir.r) : Value(), 3);
        StepOperands operands(dir.stateType);
        SmallVector<unsigned> update = operands.addAll(
            {xw[Update], hr[Update], dir.wBias[Update], dir.rBias[Update]});
        SmallVector<unsigned> reset = operands.addAll(
            {xw[Reset], hr[Reset], dir.wBias[Reset], dir.rBias[Reset]});
        SmallVector<unsigned> input =
            operands.addAll({xw[Hidden], dir.wBias[Hidden]});
        SmallVector<unsigned> recurrent =
            operands.addAll({hr[Hidden], dir.rBias[Hidden]});
        unsigned previous = operands.add(h);
        return operands.build(
            b, loc, 1, [&](OpBuilder &nb, Location l, ArrayRef<Value> scalars) {
              const Activation &f = dir.activations[0];
              const Activation &g = dir.activations[1];
              Value z =
                  applyActivation(nb, l, f, sumTerms(nb, l, scalars, update));
              Value candidate = sumTerms(nb, l, scalars, input);
              // H_{t-1} Rh^T + Rbh: absent while H is zeros and B is absent.
              if (Value linear = sumTerms(nb, l, scalars, recurrent)) {
                Value r =
                    applyActivation(nb, l, f, sumTerms(nb, l, scalars, reset));
                candidate = arith::AddFOp::create(
                    nb, l, candidate, arith::MulFOp::create(nb, l, r, linear));
              }
              candidate = applyActivation(nb, l, g, candidate);
              return SmallVector<Value>{
                  blendGRUState(nb, l, z, candidate, scalars[previous])};
            });
      };

    // The reset gate applies before Rh, so H goes through Rz and Rr first.
    int64_t hidden = dir.stateType.getDimSize(1);
    Value rUpdateReset = extractSlice(
        b, loc, dir.r, {0, 0}, {2 * hidden, hidden}, {2 * hidden, hidden});
    Value rHidden = extractSlice(b, loc, dir.r, {2 * hidden, 0},
                                 {hidden, hidden}, {hidden, hidden});
    return [&b, loc, dir, rUpdateReset, rHidden](Value x,
                                                 ArrayRef<Value> states) {
      Value h = states[0];
      const Activation &f = dir.activations[0];
      const Activation &g = dir.activations[1];
      SmallVector<Value> xw =
          splitGates(b, loc, matmulTransposed(b, loc, x, dir.w), 3);
      SmallVector<Value> hr = splitGates(
          b, loc, h ? matmulTransposed(b, loc, h, rUpdateReset) : Value(), 2);
      // r H_{t-1}; null while H is zeros.
      Value resetH;
      if (h) {
        StepOperands operands(dir.stateType);
        SmallVector<unsigned> reset = operands.addAll(
            {xw[Reset], hr[Reset], dir.wBias[Reset], dir.rBias[Reset]});
        unsigned previous = operands.add(h);
        resetH = operands.build(
            b, loc, 1, [&](OpBuilder &nb, Location l, ArrayRef<Value> scalars) {
              Value r =
                  applyActivation(nb, l, f, sumTerms(nb, l, scalars, reset));
              return SmallVector<Value>{
                  arith::MulFOp::create(nb, l, r, scalars[previous])};
            })[0];
      }
      Value resetHR =
          resetH ? matmulTransposed(b, loc, resetH, rHidden) : Value();
      StepOperands operands(dir.stateType);
      SmallVector<unsigned> update = operands.addAll(
          {xw[Update], hr[Update], dir.wBias[Update], dir.rBias[Update]});
      SmallVector<unsigned> candidate = operands.addAll(
          {xw[Hidden], resetHR, dir.wBias[Hidden], dir.rBias[Hidden]});
      unsigned previous = operands.add(h);
      return operands.build(
          b, loc, 1, [&](OpBuilder &nb, Location l, ArrayRef<Value> scalars) {
            Value z =
                applyActivation(nb, l, f, sumTerms(nb, l, scalars, update));
            Value hTilde =
                applyActivation(nb, l, g, sumTerms(nb, l, scalars, candidate));
            return SmallVector<Value>{
                blendGRUState(nb, l, z, hTilde, scalars[previous])};
          });
    };
  };
  return convertRecurrent(ctx, CellKind{3, defaults, false}, makeStep);
}

/// LSTM, gates i (input), o (output), f (forget), c (cell), activations f,
/// g and h, peepholes P = [Pi, Po, Pf]:
///   i = f(X_t Wi^T + H_{t-1} Ri^T + Pi C_{t-1} + Wbi + Rbi), f likewise
///       (or 1 - i with input_forget),
///   c = g(X_t Wc^T + H_{t-1} Rc^T + Wbc + Rbc),
///   C_t = f C_{t-1} + i c,
///   o = f(X_t Wo^T + H_{t-1} Ro^T + Po C_t + Wbo + Rbo),
///   H_t = o h(C_t).
LogicalResult convertLSTM(NodeContext &ctx) {
  OpBuilder &b = ctx.builder;
  Location loc = ctx.loc;
  bool inputForget = ctx.getInt("input_forget", 0) != 0;
  static constexpr llvm::StringLiteral defaults[] = {"Sigmoid", "Tanh", "Tanh"};
  enum { Input, Output, Forget, Cell };
  auto makeStep = [&](const Direction &dir) -> StepFn {
    return [&b, loc, dir, inputForget](Value x, ArrayRef<Value> states) {
      Value h = states[0], c = states[1];
      SmallVector<Value> xw =
          splitGates(b, loc, matmulTransposed(b, loc, x, dir.w), 4);
      SmallVector<Value> hr = splitGates(
          b, loc, h ? matmulTransposed(b, loc, h, dir.r) : Value(), 4);
      StepOperands operands(dir.stateType);
      auto addGate = [&](int64_t gate) {
        return operands.addAll(
            {xw[gate], hr[gate], dir.wBias[gate], dir.rBias[gate]});
      };
      SmallVector<unsigned> input = addGate(Input);
      SmallVector<unsigned> output = addGate(Output);
      // The forget gate only scales C_{t-1}: not needed while C is zeros.
      SmallVector<unsigned> forget;
      if (!inputForget && c)
        forget = addGate(Forget);
      SmallVector<unsigned> cell = addGate(Cell);
      unsigned previousCell = operands.add(c);
      // P's vectors are in the order i, o, f.
      unsigned inputPeephole = operands.add(dir.peepholes[0]);
      unsigned outputPeephole = operands.add(dir.peepholes[1]);
      unsigned forgetPeephole = operands.add(dir.peepholes[2]);
      return operands.build(
          b, loc, 2, [&](OpBuilder &nb, Location l, ArrayRef<Value> scalars) {
            const Activation &f = dir.activations[0];
            const Activation &g = dir.activations[1];
            const Activation &hActivation = dir.activations[2];
            Value previous = scalars[previousCell];
            // f of a gate's terms, plus its peephole times `cellState` where
            // both are there.
            auto gate = [&](ArrayRef<unsigned> terms, unsigned peephole,
                            Value cellState) {
              Value sum = sumTerms(nb, l, scalars, terms);
              if (scalars[peephole] && cellState)
                sum = arith::AddFOp::create(
                    nb, l, sum,
                    arith::MulFOp::create(nb, l, scalars[peephole], cellState));
              return applyActivation(nb, l, f, sum);
            };
            Value i = gate(input, inputPeephole, previous);
            Value candidate =
                applyActivation(nb, l, g, sumTerms(nb, l, scalars, cell));
            Value newC = arith::MulFOp::create(nb, l, i, candidate);
            if (previous) {
              Value forgetGate =
                  inputForget
                      ? Value(arith::SubFOp::create(
                            nb, l, scalarConstant(nb, l, i.getType(), 1), i))
                      : gate(forget, forgetPeephole, previous);
              newC = arith::AddFOp::create(
                  nb, l, newC,
                  arith::MulFOp::create(nb, l, forgetGate, previous));
            }
            Value o = gate(output, outputPeephole, newC);
            Value newH = arith::MulFOp::create(
                nb, l, o, applyActivation(nb, l, hActivation, newC));
            return SmallVector<Value>{newH, newC};
          });
    };
  };
  return convertRecurrent(ctx, CellKind{4, defaults, true}, makeStep);
}

} // namespace

void sift::onnx_import::registerRecurrentConverters(
    OpConverterRegistry &registry) {
  registry.add("RNN", convertRNN);
  registry.add("GRU", convertGRU);
  registry.add("LSTM", convertLSTM);
}
