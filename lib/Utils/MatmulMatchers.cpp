//===- MatmulMatchers.cpp - Recognising the matmuls Sift rewrites ---------===//

#include "sift/Utils/MatmulMatchers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

std::optional<sift::RhsLayout> sift::getRhsLayout(linalg::MatmulOp op) {
  MLIRContext *context = op.getContext();
  AffineExpr m, n, k;
  bindDims(context, m, n, k);
  auto maps = [&](AffineExpr b0, AffineExpr b1) {
    return SmallVector<AffineMap>{AffineMap::get(3, 0, {m, k}, context),
                                  AffineMap::get(3, 0, {b0, b1}, context),
                                  AffineMap::get(3, 0, {m, n}, context)};
  };
  SmallVector<AffineMap> actual = op.getIndexingMapsArray();
  if (actual == maps(k, n))
    return RhsLayout::InputMajor;
  if (actual == maps(n, k))
    return RhsLayout::OutputMajor;
  return std::nullopt;
}

bool sift::startsFromZero(linalg::MatmulOp op) {
  if (op.getInputs().size() != 2 || op.getOutputs().size() != 1)
    return false;
  auto fill = op.getOutputs()[0].getDefiningOp<linalg::FillOp>();
  return fill && matchPattern(fill.value(), m_PosZeroFloat());
}

bool sift::isPlainProduct(linalg::MatmulOp op) {
  if (!startsFromZero(op))
    return false;
  Type elementType = getElementTypeOrSelf(op.getOutputs()[0].getType());
  return llvm::all_of(op.getInputs(), [&](Value input) {
    return getElementTypeOrSelf(input.getType()) == elementType;
  });
}


bool sift::isPointwiseConv(linalg::Conv2DNchwFchwOp op) {
  if (op.getInputs().size() != 2 || op.getOutputs().size() != 1)
    return false;
  auto isOne = [](const APInt &value) { return value.isOne(); };
  if (!llvm::all_of(op.getStrides().getValues<APInt>(), isOne) ||
      !llvm::all_of(op.getDilations().getValues<APInt>(), isOne))
    return false;
  auto filterType = dyn_cast<RankedTensorType>(op.getInputs()[1].getType());
  if (!filterType || filterType.getDimSize(2) != 1 ||
      filterType.getDimSize(3) != 1)
    return false;
  Type elementType = filterType.getElementType();
  if (!filterType.hasStaticShape())
    return false;
  // Only the batch may be dynamic: channels and pixels fix the matmul.
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type || type.getElementType() != elementType)
      return false;
    for (int64_t dim = 1; dim < type.getRank(); ++dim)
      if (type.isDynamicDim(dim))
        return false;
  }
  return isa<FloatType>(elementType);
}
