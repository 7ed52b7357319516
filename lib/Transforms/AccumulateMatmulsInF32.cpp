//===- AccumulateMatmulsInF32.cpp - 16-bit matmuls as f32 products --------===//

#include "sift/Transforms/Passes.h"

#include "sift/Utils/ConstantWeights.h"
#include "sift/Utils/MatmulMatchers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace sift {
#define GEN_PASS_DEF_ACCUMULATEMATMULSINF32
#include "sift/Transforms/Passes.h.inc"
} // namespace sift

using namespace mlir;
using namespace sift;

/// `input` converted elementwise to `elementType` (arith.extf or truncf).
static Value convertElements(OpBuilder &builder, Location loc, Value input,
                             Type elementType) {
  auto type = cast<RankedTensorType>(input.getType());
  auto resultType = type.clone(elementType);
  bool widen = elementType.getIntOrFloatBitWidth() >
               type.getElementType().getIntOrFloatBitWidth();
  Value init = tensor::EmptyOp::create(
      builder, loc, tensor::getMixedSizes(builder, loc, input), elementType);
  AffineMap identity = builder.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             builder, loc, TypeRange{resultType}, ValueRange{input},
             ValueRange{init}, ArrayRef<AffineMap>{identity, identity},
             iterators,
             [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
               Value converted =
                   widen ? arith::ExtFOp::create(b, bodyLoc, elementType,
                                                 args[0])
                             .getResult()
                         : arith::TruncFOp::create(b, bodyLoc, elementType,
                                                   args[0])
                             .getResult();
               linalg::YieldOp::create(b, bodyLoc, converted);
             })
      .getResult(0);
}

/// Whether `op` multiplies 16-bit activations by constant 16-bit weights.
static bool isSixteenBitConstantProduct(linalg::MatmulOp op) {
  Type elementType = getElementTypeOrSelf(op.getResultTypes().front());
  return (elementType.isF16() || elementType.isBF16()) &&
         isPlainProduct(op) && getRhsLayout(op) &&
         getConstantElements(op.getInputs()[1]) &&
         isa<RankedTensorType>(op.getResultTypes().front());
}

static void accumulateInF32(linalg::MatmulOp op) {
  OpBuilder builder(op);
  Location loc = op.getLoc();
  Type f32 = builder.getF32Type();
  auto resultType = cast<RankedTensorType>(op.getResultTypes().front());
  Value input = convertElements(builder, loc, op.getInputs()[0], f32);
  Value init = tensor::EmptyOp::create(
      builder, loc, tensor::getMixedSizes(builder, loc, op.getOutputs()[0]),
      f32);
  Value zero = arith::ConstantOp::create(builder, loc, builder.getZeroAttr(f32));
  Value accumulator =
      linalg::FillOp::create(builder, loc, zero, init).getResult(0);
  auto product = linalg::MatmulOp::create(
      builder, loc, TypeRange{resultType.clone(f32)},
      ValueRange{input, op.getInputs()[1]}, ValueRange{accumulator},
      {builder.getNamedAttr("indexing_maps", op.getIndexingMaps())});
  Value result = convertElements(builder, loc, product.getResult(0),
                                 resultType.getElementType());
  op->replaceAllUsesWith(ValueRange{result});
  op.erase();
}

namespace {
struct AccumulateMatmulsInF32
    : sift::impl::AccumulateMatmulsInF32Base<AccumulateMatmulsInF32> {
  void runOnOperation() override {
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation().walk([&](linalg::MatmulOp op) {
      if (isSixteenBitConstantProduct(op))
        matmuls.push_back(op);
    });
    for (linalg::MatmulOp op : matmuls)
      accumulateInF32(op);
  }
};
} // namespace
