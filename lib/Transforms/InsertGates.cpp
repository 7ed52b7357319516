//===- InsertGates.cpp - Gate the activations of constant-weight matmuls --===//

#include "sift/Transforms/Passes.h"
#include "sift/Utils/ConstantWeights.h"
#include "sift/Utils/MatmulMatchers.h"
#include "sift/Utils/NodeNames.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Regex.h"

namespace sift {
#define GEN_PASS_DEF_SPARSITYINSERTGATES
#include "sift/Transforms/Passes.h.inc"
} // namespace sift

using namespace mlir;
using namespace sift;

/// Matmuls whose weights are compile-time constants: the ones gating helps.
static bool hasConstantWeights(linalg::MatmulOp op) {
  return getRhsLayout(op) && isPlainProduct(op) && getConstantElements(op.getInputs()[1]);
}

/// The activation operand of `op` when it is a matmul with constant weights
/// or a 1x1 convolution with a constant filter that
/// `--sparsity-fuse-gated-matmul` turns into a gated matmul; else null.
static OpOperand *getGatableInput(Operation *op) {
  if (auto matmul = dyn_cast<linalg::MatmulOp>(op))
    return hasConstantWeights(matmul) ? &matmul.getInputsMutable()[0] : nullptr;
  if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op))
    return isPointwiseConv(conv) && getConstantElements(conv.getInputs()[1])
               ? &conv.getInputsMutable()[0]
               : nullptr;
  return nullptr;
}

/// The tokens a call of a gatable op is known to process: the product of
/// its input's static sizes but the channels, which are dimension 1 of both
/// a matmul's [M, K] and a convolution's NCHW input. A dynamic size (a
/// batch) counts as 1.
static int64_t getKnownTokens(RankedTensorType inputType) {
  int64_t tokens = 1;
  for (auto [dim, size] : llvm::enumerate(inputType.getShape()))
    if (dim != 1 && ShapedType::isStatic(size))
      tokens *= size;
  return tokens;
}

/// An elementwise linalg.generic: all loops parallel, one result.
static linalg::GenericOp getElementwise(Value value) {
  auto generic = value.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumResults() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops())
    return nullptr;
  return generic;
}

/// Whether the scalar `value`, computed in a linalg body, is never negative
/// (NaN aside): max with a non-negative operand, min of non-negatives, |x|,
/// or a non-negative constant.
static bool isNonNegativeScalar(Value value) {
  FloatAttr constant;
  if (matchPattern(value, m_Constant(&constant)))
    return !constant.getValue().isNegative();
  Operation *op = value.getDefiningOp();
  if (!op)
    return false;
  if (isa<arith::MaximumFOp, arith::MaxNumFOp>(op))
    return isNonNegativeScalar(op->getOperand(0)) ||
           isNonNegativeScalar(op->getOperand(1));
  if (isa<arith::MinimumFOp, arith::MinNumFOp>(op))
    return isNonNegativeScalar(op->getOperand(0)) &&
           isNonNegativeScalar(op->getOperand(1));
  return isa<math::AbsFOp>(op);
}

/// Whether every element of `tensor` is provably non-negative.
static bool isNonNegative(Value tensor) {
  linalg::GenericOp generic = getElementwise(tensor);
  if (!generic)
    return false;
  auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  return isNonNegativeScalar(yield.getOperand(0));
}

/// Whether an elementwise op computes something other than an affine
/// function of its inputs (an activation function).
static bool isNonlinear(linalg::GenericOp generic) {
  for (Operation &op : generic.getBody()->without_terminator())
    if (!isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::NegFOp,
             arith::ConstantOp, arith::ExtFOp, arith::TruncFOp>(op))
      return true;
  return false;
}

/// The constant-weight matmuls that feed `value` through elementwise ops,
/// and whether a nonlinearity lies between.
static void collectProducers(Value value, bool nonlinearSeen,
                             llvm::SetVector<Operation *> &producers,
                             bool &nonlinear) {
  if (auto matmul = value.getDefiningOp<linalg::MatmulOp>()) {
    if (hasConstantWeights(matmul)) {
      producers.insert(matmul);
      nonlinear |= nonlinearSeen;
    }
    return;
  }
  linalg::GenericOp generic = getElementwise(value);
  if (!generic)
    return;
  bool seen = nonlinearSeen || isNonlinear(generic);
  for (Value input : generic.getDpsInputs())
    collectProducers(input, seen, producers, nonlinear);
}

/// The matmuls of feed-forward blocks: each down projection (its input is
/// a nonlinear elementwise function of other constant-weight matmuls) and
/// those up and gate projections.
static llvm::DenseSet<Operation *> findFeedForwardMatmuls(Operation *root) {
  llvm::DenseSet<Operation *> result;
  root->walk([&](linalg::MatmulOp down) {
    if (!hasConstantWeights(down))
      return;
    llvm::SetVector<Operation *> producers;
    bool nonlinear = false;
    collectProducers(down.getInputs()[0], false, producers, nonlinear);
    if (producers.empty() || !nonlinear)
      return;
    result.insert(down);
    result.insert(producers.begin(), producers.end());
  });
  return result;
}

namespace {
struct SparsityInsertGates
    : sift::impl::SparsityInsertGatesBase<SparsityInsertGates> {
  using Base::Base;

  void runOnOperation() override {
    if (threshold < 0 || !std::isfinite(threshold.getValue())) {
      getOperation()->emitError("threshold must be finite and non-negative");
      return signalPassFailure();
    }
    if (maxTokens < 1) {
      getOperation()->emitError("max-tokens must be at least 1");
      return signalPassFailure();
    }
    // A regex names the nodes to gate: the cost rule does not overrule it.
    bool forced = gates != "all" && gates != "mlp";
    // Convolutions are never feed-forward blocks, so `mlp` leaves them.
    std::function<bool(Operation *)> selected;
    llvm::DenseSet<Operation *> feedForward;
    llvm::Regex pattern(gates.getValue());
    if (gates == "all") {
      selected = [](Operation *) { return true; };
    } else if (gates == "mlp") {
      feedForward = findFeedForwardMatmuls(getOperation());
      selected = [&](Operation *op) { return feedForward.contains(op); };
    } else {
      std::string error;
      if (!pattern.isValid(error)) {
        getOperation()->emitError("gates: '")
            << gates << "' is neither all, mlp nor a valid regex: " << error;
        return signalPassFailure();
      }
      selected = [&](Operation *op) {
        return pattern.match(getNodeName(op->getLoc()));
      };
    }

    getOperation()->walk([&](Operation *op) {
      OpOperand *operand = getGatableInput(op);
      if (!operand || !selected(op))
        return;
      Value input = operand->get();
      auto inputType = cast<RankedTensorType>(input.getType());
      if (!isa<FloatType>(inputType.getElementType()) ||
          input.getDefiningOp<sparsity::GateOp>())
        return;
      OpBuilder builder(op);
      auto leaveOut = [&](const llvm::Twine &reason) {
        op->setAttr(kNotGatedAttrName, builder.getStringAttr(reason));
      };
      if (lossless && !isNonNegative(input))
        return leaveOut("input not provably non-negative (lossless)");
      int64_t tokens = getKnownTokens(inputType);
      if (!forced && tokens > maxTokens)
        return leaveOut("tokens per call " + llvm::Twine(tokens) + " > " +
                        llvm::Twine(maxTokens.getValue()) +
                        ": a row is read when any token keeps it");
      auto gate = sparsity::GateOp::create(builder, op->getLoc(), input,
                                           lossless ? 0.0f : threshold);
      operand->set(gate);
    });
  }
};
} // namespace
