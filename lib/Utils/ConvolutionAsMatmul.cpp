//===- ConvolutionAsMatmul.cpp - 2-D convolutions as pixel matmuls --------===//

#include "sift/Utils/ConvolutionAsMatmul.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

Value sift::transposeTensor(OpBuilder &builder, Location loc, Value input,
                            ArrayRef<int64_t> permutation) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(builder, loc, input);
  applyPermutationToVector(sizes, permutation);
  Value init =
      tensor::EmptyOp::create(builder, loc, sizes, type.getElementType());
  return linalg::TransposeOp::create(builder, loc, input, init, permutation)
      ->getResult(0);
}

Value sift::pixelsToNCHW(OpBuilder &builder, Location loc, Value pixels,
                         RankedTensorType resultType, Value batchSource) {
  SmallVector<int64_t> nhwc =
      applyPermutation(resultType.getShape(), {0, 2, 3, 1});
  SmallVector<OpFoldResult> shape = {
      tensor::getMixedSize(builder, loc, batchSource, 0)};
  for (int64_t size : ArrayRef<int64_t>(nhwc).drop_front())
    shape.push_back(builder.getIndexAttr(size));
  Value channelsLast = tensor::ExpandShapeOp::create(
      builder, loc, RankedTensorType::get(nhwc, resultType.getElementType()),
      pixels, ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}}, shape);
  return transposeTensor(builder, loc, channelsLast, {0, 3, 1, 2});
}

Value sift::accumulateIntoInit(OpBuilder &builder, Location loc, Value result,
                               Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (fill && matchPattern(fill.value(), m_AnyZeroFloat()))
    return result;
  auto type = cast<RankedTensorType>(result.getType());
  AffineMap identity = builder.getMultiDimIdentityMap(type.getRank());
  return linalg::GenericOp::create(
             builder, loc, type, ValueRange{result}, ValueRange{init},
             ArrayRef<AffineMap>{identity, identity},
             SmallVector<utils::IteratorType>(type.getRank(),
                                              utils::IteratorType::parallel),
             [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               Value sum =
                   arith::AddFOp::create(nested, nestedLoc, args[1], args[0]);
               linalg::YieldOp::create(nested, nestedLoc, sum);
             })
      .getResult(0);
}
