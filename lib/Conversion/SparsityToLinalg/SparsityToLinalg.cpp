//===- SparsityToLinalg.cpp - Lower sparsity ops to dense linalg ----------===//
//
// The reference lowering: a gate becomes an elementwise linalg.generic and a
// gated matmul becomes that gate followed by linalg.matmul. Everything stays
// on tensors so that one-shot-bufferize sees only upstream ops.
//
//===----------------------------------------------------------------------===//

#include "sift/Conversion/Passes.h"
#include "sift/Dialect/Sparsity/IR/Sparsity.h"

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

namespace sift {
#define GEN_PASS_DEF_CONVERTSPARSITYTOLINALG
#include "sift/Conversion/Passes.h.inc"
} // namespace sift

using namespace mlir;
using namespace sift;
using namespace sift::sparsity;

/// Builds `gate(input, thresholds)` as an elementwise linalg.generic. The
/// comparison is made in f32 and is unordered-greater so that NaN is kept.
static Value buildGate(OpBuilder &builder, Location loc, Value input,
                       ArrayRef<float> thresholds) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  Type elementType = type.getElementType();
  bool perChannel = thresholds.size() > 1;

  SmallVector<Value> inputs{input};
  AffineMap identity = builder.getMultiDimIdentityMap(rank);
  SmallVector<AffineMap> maps{identity};
  if (perChannel) {
    auto thresholdType = RankedTensorType::get(
        {static_cast<int64_t>(thresholds.size())}, builder.getF32Type());
    inputs.push_back(arith::ConstantOp::create(
        builder, loc, DenseElementsAttr::get(thresholdType, thresholds)));
    maps.push_back(AffineMap::get(rank, 0, builder.getAffineDimExpr(rank - 1)));
  }
  maps.push_back(identity);

  Value init = tensor::EmptyOp::create(
      builder, loc, tensor::getMixedSizes(builder, loc, input), elementType);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      builder, loc, TypeRange{type}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        Value element = args[0];
        Value wide = element;
        if (!elementType.isF32())
          wide = arith::ExtFOp::create(b, bodyLoc, b.getF32Type(), element);
        Value magnitude = math::AbsFOp::create(b, bodyLoc, wide);
        Value threshold =
            perChannel ? args[1]
                       : arith::ConstantOp::create(
                             b, bodyLoc, b.getF32FloatAttr(thresholds[0]))
                             .getResult();
        Value keep = arith::CmpFOp::create(
            b, bodyLoc, arith::CmpFPredicate::UGT, magnitude, threshold);
        Value zero = arith::ConstantOp::create(b, bodyLoc,
                                               b.getZeroAttr(elementType));
        Value gated = arith::SelectOp::create(b, bodyLoc, keep, element, zero);
        linalg::YieldOp::create(b, bodyLoc, gated);
      });
  return generic.getResult(0);
}

namespace {
struct GateToLinalg : OpConversionPattern<GateOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GateOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, buildGate(rewriter, op.getLoc(), adaptor.getInput(),
                                     op.getThreshold()));
    return success();
  }
};

struct GatedMatmulToLinalg : OpConversionPattern<GatedMatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatedMatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    Value weight = adaptor.getWeight();
    auto inputType = cast<RankedTensorType>(input.getType());
    Type elementType = inputType.getElementType();
    bool batched = inputType.getRank() == 3;

    // Rows of every batch share the weight: multiply them as one [B*M, K].
    SmallVector<OpFoldResult> outputShape;
    SmallVector<ReassociationIndices> batchRows = {{0, 1}, {2}};
    if (batched) {
      outputShape = {tensor::getMixedSize(rewriter, loc, input, 0),
                     tensor::getMixedSize(rewriter, loc, input, 1)};
      input = tensor::CollapseShapeOp::create(rewriter, loc, input, batchRows);
    }
    Value gated = buildGate(rewriter, loc, input, op.getThreshold());

    OpFoldResult rows = tensor::getMixedSize(rewriter, loc, gated, 0);
    OpFoldResult columns =
        tensor::getMixedSize(rewriter, loc, weight, op.getWeightOutputDim());
    outputShape.push_back(columns);
    Value init = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<OpFoldResult>{rows, columns}, elementType);
    Value accumulator;
    if (Value bias = adaptor.getBias()) {
      accumulator = linalg::BroadcastOp::create(rewriter, loc, bias, init,
                                                ArrayRef<int64_t>{0})
                        .getResult()[0];
    } else {
      Value zero = arith::ConstantOp::create(rewriter, loc,
                                             rewriter.getZeroAttr(elementType));
      accumulator =
          linalg::FillOp::create(rewriter, loc, zero, init).getResult(0);
    }

    Type productType = accumulator.getType();
    Value product;
    if (op.getLayout() == WeightLayout::InputMajor)
      product = linalg::MatmulOp::create(rewriter, loc, TypeRange{productType},
                                         ValueRange{gated, weight},
                                         ValueRange{accumulator})
                    .getResult(0);
    else
      product = linalg::MatmulTransposeBOp::create(
                    rewriter, loc, TypeRange{productType},
                    ValueRange{gated, weight}, ValueRange{accumulator})
                    .getResult(0);

    if (batched) {
      auto collapsedType = cast<RankedTensorType>(productType);
      SmallVector<int64_t> expandedShape = {
          inputType.getDimSize(0), inputType.getDimSize(1),
          collapsedType.getDimSize(1)};
      product = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get(expandedShape, elementType),
          product, batchRows, outputShape);
    }
    if (product.getType() != op.getType())
      product = tensor::CastOp::create(rewriter, loc, op.getType(), product);
    rewriter.replaceOp(op, product);
    return success();
  }
};

struct ConvertSparsityToLinalg
    : sift::impl::ConvertSparsityToLinalgBase<ConvertSparsityToLinalg> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    ConversionTarget target(*context);
    target.addIllegalDialect<SparsityDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(context);
    populateSparsityToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void sift::populateSparsityToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<GateToLinalg, GatedMatmulToLinalg>(patterns.getContext());
}
