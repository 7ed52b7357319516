//===- ReorderNeurons.cpp - Frequently active channels first --------------===//
//
// Permuting the hidden neurons of a feed-forward block changes nothing in
// its result when the producing weights' columns and the consuming weights'
// rows are permuted together. Sorting them by calibrated activation
// frequency puts the weight rows that a gated matmul reads most often next
// to each other.
//
//===----------------------------------------------------------------------===//

#include "sift/Transforms/Passes.h"
#include "sift/Utils/ConstantWeights.h"
#include "sift/Utils/MatmulMatchers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/SetVector.h"

#include <numeric>

namespace sift {
#define GEN_PASS_DEF_SPARSITYREORDERNEURONS
#include "sift/Transforms/Passes.h.inc"
} // namespace sift

using namespace mlir;
using namespace sift;
using namespace sift::sparsity;

static constexpr llvm::StringLiteral kFrequencyAttr =
    "sparsity.activation_frequency";

namespace {
/// A weight operand and the dimension along which the permuted channels run.
struct PermutedWeights {
  OpOperand *operand;
  unsigned dim;
};

/// The feed-forward block that produces a gated matmul's input.
struct Block {
  SmallVector<PermutedWeights> weights;
  llvm::SetVector<Operation *> ops;
};

bool isConstantF32(Value value) {
  ElementsAttr weights = getConstantElements(value);
  return weights && getF32Values(weights);
}

/// Adds to `block` what produces `value`: elementwise ops over identity maps
/// down to matmuls with constant f32 weights. Fails on anything else.
LogicalResult collectProducers(Value value, Block &block) {
  Operation *def = value.getDefiningOp();
  if (!def)
    return failure();
  if (block.ops.contains(def))
    return success();
  if (auto gated = dyn_cast<GatedMatmulOp>(def)) {
    Value bias = gated.getBias();
    if (!isConstantF32(gated.getWeight()) || (bias && !isConstantF32(bias)))
      return failure();
    block.ops.insert(def);
    block.weights.push_back(
        {&gated.getWeightMutable(), gated.getWeightOutputDim()});
    if (bias)
      block.weights.push_back({&gated.getBiasMutable()[0], 0});
    return success();
  }
  if (auto matmul = dyn_cast<linalg::MatmulOp>(def)) {
    std::optional<RhsLayout> layout = getRhsLayout(matmul);
    if (!layout || !isPlainProduct(matmul) ||
        !isConstantF32(matmul.getInputs()[1]))
      return failure();
    block.ops.insert(def);
    block.weights.push_back({&matmul.getInputsMutable()[1],
                             *layout == RhsLayout::InputMajor ? 1u : 0u});
    return success();
  }
  auto generic = dyn_cast<linalg::GenericOp>(def);
  if (!generic || generic.getNumResults() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      !generic.getIndexingMapsArray().back().isIdentity())
    return failure();
  block.ops.insert(def);
  // Operands run over the channels (identity maps), or are constant
  // per-channel vectors broadcast over the tokens (a bias), which permute
  // with the channels.
  unsigned rank = generic.getNumLoops();
  AffineMap perChannel = AffineMap::get(
      rank, 0, getAffineDimExpr(rank - 1, generic.getContext()));
  for (OpOperand *input : generic.getDpsInputOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(input);
    if (map == perChannel && isConstantF32(input->get())) {
      block.weights.push_back({input, 0});
      continue;
    }
    if (!map.isIdentity() || failed(collectProducers(input->get(), block)))
      return failure();
  }
  return success();
}

/// Whether every value of `block` is used only inside it, by `consumer`, or
/// to query its shape.
bool isSelfContained(const Block &block, Operation *consumer) {
  for (Operation *op : block.ops)
    for (Operation *user : op->getUsers())
      if (user != consumer && !block.ops.contains(user) &&
          !isa<tensor::DimOp>(user))
        return false;
  return true;
}

/// `values` (a row-major tensor of `type`) with index `i` along `dim` taken
/// from index `order[i]`.
SmallVector<float> permute(ArrayRef<float> values, RankedTensorType type,
                           unsigned dim, ArrayRef<int64_t> order) {
  ArrayRef<int64_t> shape = type.getShape();
  int64_t inner = 1;
  for (unsigned d = dim + 1; d < shape.size(); ++d)
    inner *= shape[d];
  int64_t outer = values.size() / (inner * shape[dim]);
  SmallVector<float> result(values.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < shape[dim]; ++i)
      std::copy_n(values.begin() + (o * shape[dim] + order[i]) * inner, inner,
                  result.begin() + (o * shape[dim] + i) * inner);
  return result;
}

/// Replaces the constant behind `operand` with its permutation.
void permuteOperand(OpOperand &operand, unsigned dim, ArrayRef<int64_t> order) {
  auto constant = operand.get().getDefiningOp<arith::ConstantOp>();
  auto weights = cast<ElementsAttr>(constant.getValue());
  auto type = cast<RankedTensorType>(weights.getType());
  SmallVector<float> values = *getF32Values(weights);
  OpBuilder builder(operand.getOwner());
  TypedAttr permuted =
      makeF32Weights(type, permute(values, type, dim, order),
                     getWeightsName(weights, "weights") + "_reordered");
  operand.set(arith::ConstantOp::create(builder, constant.getLoc(), permuted));
  if (constant->use_empty())
    constant->erase();
}

void reorder(GatedMatmulOp consumer, ArrayRef<float> frequency) {
  Block block;
  if (consumer.getLayout() != WeightLayout::InputMajor ||
      !isConstantF32(consumer.getWeight()) ||
      failed(collectProducers(consumer.getInput(), block)) ||
      block.weights.empty() || !isSelfContained(block, consumer))
    return;
  SmallVector<int64_t> order(frequency.size());
  std::iota(order.begin(), order.end(), 0);
  llvm::stable_sort(order, [&](int64_t a, int64_t b) {
    return frequency[a] > frequency[b];
  });
  for (PermutedWeights &weights : block.weights)
    permuteOperand(*weights.operand, weights.dim, order);
  permuteOperand(consumer.getWeightMutable(), consumer.getWeightInputDim(),
                 order);
  ArrayRef<float> thresholds = consumer.getThreshold();
  if (thresholds.size() > 1) {
    SmallVector<float> permuted;
    for (int64_t index : order)
      permuted.push_back(thresholds[index]);
    consumer.setThreshold(permuted);
  }
}

struct SparsityReorderNeurons
    : sift::impl::SparsityReorderNeuronsBase<SparsityReorderNeurons> {
  void runOnOperation() override {
    SmallVector<GatedMatmulOp> candidates;
    getOperation()->walk([&](GatedMatmulOp op) {
      if (op->hasAttr(kFrequencyAttr))
        candidates.push_back(op);
    });
    for (GatedMatmulOp op : candidates) {
      auto frequency = dyn_cast<DenseF32ArrayAttr>(op->getAttr(kFrequencyAttr));
      op->removeAttr(kFrequencyAttr);
      int64_t channels = cast<RankedTensorType>(op.getInput().getType())
                             .getShape()
                             .back();
      if (!frequency || frequency.size() != channels) {
        op->emitError(kFrequencyAttr)
            << " must hold one f32 per input channel (" << channels << ")";
        return signalPassFailure();
      }
      reorder(op, frequency.asArrayRef());
    }
  }
};
} // namespace
