//===- ConvToMatmul.cpp - 2-D convolutions as im2col + matmul -------------===//

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
#define GEN_PASS_DEF_SIFTCONVTOMATMUL
#include "sift/Transforms/Passes.h.inc"
} // namespace sift

using namespace mlir;
using namespace sift;

/// Whether `op` is f32 with static channels, pixels and filter: the shapes
/// the window rows and the matmul need to be known.
static bool hasMatmulShape(linalg::Conv2DNchwFchwOp op) {
  if (op.getInputs().size() != 2 || op.getOutputs().size() != 1)
    return false;
  auto filterType = dyn_cast<RankedTensorType>(op.getInputs()[1].getType());
  if (!filterType || !filterType.hasStaticShape())
    return false;
  for (Value operand : {op.getInputs()[0], op.getOutputs()[0]}) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type || !type.getElementType().isF32())
      return false;
    for (int64_t dim = 1; dim < type.getRank(); ++dim)
      if (type.isDynamicDim(dim))
        return false;
  }
  return filterType.getElementType().isF32();
}

namespace {
struct ConvToMatmul : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasMatmulShape(op))
      return rewriter.notifyMatchFailure(op, "not an f32 static-shape conv");
    Location loc = op.getLoc();
    MLIRContext *context = getContext();
    Value input = op.getInputs()[0];
    auto filterType = cast<RankedTensorType>(op.getInputs()[1].getType());
    auto resultType = cast<RankedTensorType>(op.getResultTypes()[0]);
    Type f32 = rewriter.getF32Type();
    SmallVector<int64_t> strides =
        llvm::to_vector(op.getStrides().getValues<int64_t>());
    SmallVector<int64_t> dilations =
        llvm::to_vector(op.getDilations().getValues<int64_t>());
    int64_t filters = filterType.getDimSize(0);
    int64_t channels = filterType.getDimSize(1);
    int64_t kernelH = filterType.getDimSize(2), kernelW = filterType.getDimSize(3);

    // Each output pixel's window: windows[n, oh, ow, c, kh, kw] =
    // input[n, c, oh * sh + kh * dh, ow * sw + kw * dw].
    AffineExpr n, oh, ow, c, kh, kw;
    bindDims(context, n, oh, ow, c, kh, kw);
    AffineMap windowOf = AffineMap::get(
        6, 0,
        {n, c, oh * strides[0] + kh * dilations[0],
         ow * strides[1] + kw * dilations[1]},
        context);
    SmallVector<OpFoldResult> windowSizes = {
        tensor::getMixedSize(rewriter, loc, input, 0),
        rewriter.getIndexAttr(resultType.getDimSize(2)),
        rewriter.getIndexAttr(resultType.getDimSize(3)),
        rewriter.getIndexAttr(channels), rewriter.getIndexAttr(kernelH),
        rewriter.getIndexAttr(kernelW)};
    Value windowsInit = tensor::EmptyOp::create(rewriter, loc, windowSizes, f32);
    Value windows =
        linalg::GenericOp::create(
            rewriter, loc, windowsInit.getType(), ValueRange{input},
            ValueRange{windowsInit},
            ArrayRef<AffineMap>{windowOf,
                                rewriter.getMultiDimIdentityMap(6)},
            SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
            [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
              linalg::YieldOp::create(nested, nestedLoc, args[0]);
            })
            .getResult(0);
    Value rows = tensor::CollapseShapeOp::create(
        rewriter, loc, windows,
        ArrayRef<ReassociationIndices>{{0, 1, 2}, {3, 4, 5}});

    // The filter as B: input-major when it is a constant (one contiguous row
    // of weights per window element), else its output-major view.
    Value weights;
    if (ElementsAttr filter = getConstantFilter(op))
      if (TypedAttr inputMajor = transposeToInputMajor(filter))
        weights = arith::ConstantOp::create(rewriter, loc, inputMajor);
    bool outputMajor = !weights;
    if (outputMajor)
      weights = tensor::CollapseShapeOp::create(
          rewriter, loc, op.getInputs()[1],
          ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});

    Value zero =
        arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(0));
    Value productInit = tensor::EmptyOp::create(
        rewriter, loc,
        {tensor::getMixedSize(rewriter, loc, rows, 0),
         rewriter.getIndexAttr(filters)},
        f32);
    Value zeros = linalg::FillOp::create(rewriter, loc, zero, productInit)
                      .getResult(0);
    auto product = linalg::MatmulOp::create(rewriter, loc,
                                            ValueRange{rows, weights},
                                            ValueRange{zeros});
    if (outputMajor) {
      AffineExpr m, col, k;
      bindDims(context, m, col, k);
      product.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(
          {AffineMap::get(3, 0, {m, k}, context),
           AffineMap::get(3, 0, {col, k}, context),
           AffineMap::get(3, 0, {m, col}, context)}));
    }

    Value result =
        pixelsToNCHW(rewriter, loc, product.getResult(0), resultType, input);
    rewriter.replaceOp(
        op, accumulateIntoInit(rewriter, loc, result, op.getOutputs()[0]));
    return success();
  }
};

struct SiftConvToMatmul
    : sift::impl::SiftConvToMatmulBase<SiftConvToMatmul> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ConvToMatmul>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
