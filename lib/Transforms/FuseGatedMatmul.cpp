//===- FuseGatedMatmul.cpp - gate + matmul (+ bias) to gated_matmul -------===//

#include "sift/Transforms/Passes.h"
#include "sift/Utils/ConstantWeights.h"
#include "sift/Utils/ConvolutionAsMatmul.h"
#include "sift/Utils/MatmulMatchers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sift {
#define GEN_PASS_DEF_SPARSITYFUSEGATEDMATMUL
#include "sift/Transforms/Passes.h.inc"
} // namespace sift

using namespace mlir;
using namespace sift;
using namespace sift::sparsity;

/// The [N] vector that `add` adds to every row of `product`, when `add` is
/// exactly such a bias add.
static Value getBroadcastBias(linalg::GenericOp add, Value product) {
  if (!add || add.getNumDpsInputs() != 2 || add.getNumResults() != 1 ||
      add.getNumParallelLoops() != 2 || add.getNumLoops() != 2)
    return nullptr;
  Block *body = add.getBody();
  if (body->getOperations().size() != 2)
    return nullptr;
  auto sum = dyn_cast<arith::AddFOp>(body->front());
  if (!sum || sum.getResult() != body->getTerminator()->getOperand(0))
    return nullptr;
  MLIRContext *context = add.getContext();
  AffineMap rows = AffineMap::getMultiDimIdentityMap(2, context);
  AffineMap columns =
      AffineMap::get(2, 0, getAffineDimExpr(1, context), context);
  SmallVector<AffineMap> maps = add.getIndexingMapsArray();
  int productIndex = add.getDpsInputs()[0] == product ? 0 : 1;
  if (add.getDpsInputs()[productIndex] != product || maps[productIndex] != rows ||
      maps[1 - productIndex] != columns || maps[2] != rows)
    return nullptr;
  // The body must add its two block arguments, in either order.
  Value lhs = sum.getLhs(), rhs = sum.getRhs();
  if (!(lhs == body->getArgument(0) && rhs == body->getArgument(1)) &&
      !(lhs == body->getArgument(1) && rhs == body->getArgument(0)))
    return nullptr;
  return add.getDpsInputs()[1 - productIndex];
}

namespace {
struct FuseGateIntoMatmul : OpRewritePattern<linalg::MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::MatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto gate = op.getInputs()[0].getDefiningOp<GateOp>();
    std::optional<RhsLayout> layout = getRhsLayout(op);
    ElementsAttr weights = getConstantElements(op.getInputs()[1]);
    if (!gate || !layout || !weights || !isPlainProduct(op))
      return rewriter.notifyMatchFailure(op, "not a gated constant product");

    Value weight = op.getInputs()[1];
    WeightLayout weightLayout = WeightLayout::InputMajor;
    if (*layout == RhsLayout::OutputMajor) {
      TypedAttr inputMajor = transposeToInputMajor(weights);
      if (inputMajor)
        weight = arith::ConstantOp::create(rewriter, op.getLoc(), inputMajor);
      else
        weightLayout = WeightLayout::OutputMajor;
    }

    // A bias add is folded in when it is the product's only use besides
    // queries of its shape, which the fused op answers just as well.
    Value product = op.getResultTensors()[0];
    SmallVector<Operation *> consumers;
    SmallVector<tensor::DimOp> shapeQueries;
    for (Operation *user : product.getUsers()) {
      if (auto dim = dyn_cast<tensor::DimOp>(user))
        shapeQueries.push_back(dim);
      else
        consumers.push_back(user);
    }
    Value bias;
    Operation *replaced = op;
    bool constantQueries = llvm::all_of(shapeQueries, [](tensor::DimOp dim) {
      return dim.getConstantIndex().has_value();
    });
    if (consumers.size() == 1 && constantQueries) {
      auto add = dyn_cast<linalg::GenericOp>(consumers.front());
      bias = getBroadcastBias(add, product);
      if (bias)
        replaced = add;
    }
    auto resultType = cast<RankedTensorType>(replaced->getResult(0).getType());
    rewriter.setInsertionPoint(replaced);
    auto fused = GatedMatmulOp::create(
        rewriter, replaced->getLoc(), resultType, gate.getInput(), weight,
        bias, gate.getThresholdAttr(),
        WeightLayoutAttr::get(getContext(), weightLayout));
    rewriter.replaceOp(replaced, fused);
    if (replaced != op) {
      // The fused op comes later than these queries: answer them from the
      // input's rows and the weights' static columns.
      for (tensor::DimOp dim : shapeQueries) {
        int64_t index = *dim.getConstantIndex();
        rewriter.setInsertionPoint(dim);
        if (index == resultType.getRank() - 1)
          rewriter.replaceOpWithNewOp<arith::ConstantIndexOp>(
              dim, resultType.getShape().back());
        else
          rewriter.replaceOpWithNewOp<tensor::DimOp>(dim, gate.getInput(),
                                                     index);
      }
      rewriter.eraseOp(op);
    }
    return success();
  }
};

/// A 1x1 convolution multiplies every pixel's channel vector by the [F, C]
/// filter: with channels last, it is a matmul of [N*H*W, C] pixels by the
/// filter's transpose, which the gate fuses into like any other.
struct FuseGateIntoPointwiseConv : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp op,
                                PatternRewriter &rewriter) const override {
    auto gate = op.getInputs()[0].getDefiningOp<GateOp>();
    ElementsAttr filter = getConstantElements(op.getInputs()[1]);
    // Per-channel thresholds of a gate on NCHW run along W, not along the
    // channels a gated matmul counts.
    if (!gate || !filter || !isPointwiseConv(op) ||
        gate.getThreshold().size() != 1)
      return rewriter.notifyMatchFailure(op, "not a gated constant 1x1 conv");

    Location loc = op.getLoc();
    Value weight;
    WeightLayout weightLayout = WeightLayout::InputMajor;
    if (TypedAttr inputMajor = transposeToInputMajor(filter)) {
      weight = arith::ConstantOp::create(rewriter, loc, inputMajor);
    } else {
      weight = tensor::CollapseShapeOp::create(
          rewriter, loc, op.getInputs()[1],
          ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
      weightLayout = WeightLayout::OutputMajor;
    }

    // NCHW -> NHWC -> [N*H*W, C], and back from [N*H*W, F] to NCHW plus
    // the init.
    SmallVector<ReassociationIndices> pixelsAndChannels = {{0, 1, 2}, {3}};
    Value channelsLast =
        transposeTensor(rewriter, loc, gate.getInput(), {0, 2, 3, 1});
    Value pixels = tensor::CollapseShapeOp::create(rewriter, loc, channelsLast,
                                                   pixelsAndChannels);
    auto pixelsType = cast<RankedTensorType>(pixels.getType());
    auto resultType =
        cast<RankedTensorType>(op.getResultTensors()[0].getType());
    int64_t filters = resultType.getDimSize(1);
    auto productType = RankedTensorType::get(
        {pixelsType.getDimSize(0), filters}, resultType.getElementType());
    Value product = GatedMatmulOp::create(
        rewriter, loc, productType, pixels, weight, /*bias=*/Value(),
        gate.getThresholdAttr(),
        WeightLayoutAttr::get(getContext(), weightLayout));
    Value result = pixelsToNCHW(rewriter, loc, product, resultType,
                                gate.getInput());
    result = accumulateIntoInit(rewriter, loc, result, op.getOutputs()[0]);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SparsityFuseGatedMatmul
    : sift::impl::SparsityFuseGatedMatmulBase<SparsityFuseGatedMatmul> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseGateIntoMatmul, FuseGateIntoPointwiseConv>(&getContext());
    // Folding would drop gates at threshold 0 before they fuse.
    GreedyRewriteConfig config;
    config.enableFolding(false);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)))
      signalPassFailure();
  }
};
} // namespace
