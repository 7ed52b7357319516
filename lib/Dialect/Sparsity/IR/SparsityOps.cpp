//===- SparsityOps.cpp - Sparsity dialect operations ----------------------===//

#include "sift/Dialect/Sparsity/IR/Sparsity.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace sift::sparsity;

//===----------------------------------------------------------------------===//
// Thresholds
//===----------------------------------------------------------------------===//

/// Checks that `thresholds` is one value, or one value for each of `channels`
/// (the size of the dimension the thresholds run along).
static LogicalResult verifyThresholds(Operation *op,
                                      ArrayRef<float> thresholds,
                                      std::optional<int64_t> channels) {
  if (thresholds.empty())
    return op->emitOpError("requires at least one threshold");
  for (auto [index, value] : llvm::enumerate(thresholds)) {
    if (std::isnan(value))
      return op->emitOpError("threshold #") << index << " is NaN";
    if (std::isinf(value))
      return op->emitOpError("threshold #") << index << " is infinite";
    if (value < 0.0f)
      return op->emitOpError("threshold #")
             << index << " is negative (" << value
             << "); thresholds bound magnitudes and must be >= 0";
  }
  if (thresholds.size() == 1)
    return success();
  if (!channels)
    return op->emitOpError("has ")
           << thresholds.size()
           << " per-channel thresholds but its input has no channel dimension";
  if (ShapedType::isDynamic(*channels))
    return op->emitOpError("has ")
           << thresholds.size()
           << " per-channel thresholds but the channel dimension is dynamic";
  if (static_cast<int64_t>(thresholds.size()) != *channels)
    return op->emitOpError("has ")
           << thresholds.size()
           << " per-channel thresholds but the channel dimension has size "
           << *channels;
  return success();
}

/// The threshold that applies to channel `channel`.
static float thresholdFor(ArrayRef<float> thresholds, int64_t channel) {
  return thresholds.size() == 1 ? thresholds.front() : thresholds[channel];
}

/// Thresholds equivalent to applying a gate with `a`, then one with `b`:
/// |x| > a and |x| > b holds exactly when |x| > max(a, b).
static SmallVector<float> mergeThresholds(ArrayRef<float> a,
                                          ArrayRef<float> b) {
  size_t size = std::max(a.size(), b.size());
  SmallVector<float> merged;
  merged.reserve(size);
  for (size_t i = 0; i < size; ++i)
    merged.push_back(std::max(thresholdFor(a, i), thresholdFor(b, i)));
  return merged;
}

static bool allZero(ArrayRef<float> thresholds) {
  return llvm::all_of(thresholds, [](float t) { return t == 0.0f; });
}

/// Whether a gate with `thresholds` keeps the element `value` on `channel`.
static bool gateKeeps(const APFloat &value, ArrayRef<float> thresholds,
                      int64_t channel) {
  if (value.isNaN())
    return true;
  // Widening f32, f16 and bf16 to double is exact, so is the comparison.
  APFloat wide = value;
  bool losesInfo = false;
  wide.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
               &losesInfo);
  return std::fabs(wide.convertToDouble()) >
         static_cast<double>(thresholdFor(thresholds, channel));
}

namespace {
/// Collapses per-channel thresholds that are all equal into one.
template <typename OpTy>
struct CollapseUniformThresholds : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    ArrayRef<float> thresholds = op.getThreshold();
    if (thresholds.size() < 2 ||
        !llvm::all_equal(thresholds))
      return failure();
    float uniform = thresholds.front();
    rewriter.modifyOpInPlace(
        op, [&] { op.setThreshold(ArrayRef<float>(uniform)); });
    return success();
  }
};

/// Absorbs a gate that produces the activation input of `OpTy`.
template <typename OpTy>
struct AbsorbProducerGate : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto producer = op.getInput().template getDefiningOp<GateOp>();
    if (!producer)
      return failure();
    SmallVector<float> merged =
        mergeThresholds(producer.getThreshold(), op.getThreshold());
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputMutable().assign(producer.getInput());
      op.setThreshold(merged);
    });
    return success();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// GateOp
//===----------------------------------------------------------------------===//

LogicalResult GateOp::verify() {
  auto type = getInput().getType();
  std::optional<int64_t> channels;
  if (type.getRank() > 0)
    channels = type.getShape().back();
  return verifyThresholds(*this, getThreshold(), channels);
}

OpFoldResult GateOp::fold(FoldAdaptor adaptor) {
  ArrayRef<float> thresholds = getThreshold();
  if (allZero(thresholds))
    return getInput();

  auto input = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput());
  if (!input)
    return {};
  auto type = getType();
  int64_t channels = type.getRank() > 0 ? type.getShape().back() : 1;
  if (input.isSplat() && thresholds.size() == 1) {
    APFloat value = input.getSplatValue<APFloat>();
    if (gateKeeps(value, thresholds, 0))
      return input;
    return DenseElementsAttr::get(type, APFloat::getZero(value.getSemantics()));
  }
  SmallVector<APFloat> gated;
  gated.reserve(input.getNumElements());
  for (auto [index, value] : llvm::enumerate(input.getValues<APFloat>())) {
    if (gateKeeps(value, thresholds, index % channels))
      gated.push_back(value);
    else
      gated.push_back(APFloat::getZero(value.getSemantics()));
  }
  return DenseElementsAttr::get(type, gated);
}

void GateOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<AbsorbProducerGate<GateOp>, CollapseUniformThresholds<GateOp>>(
      context);
}

//===----------------------------------------------------------------------===//
// GatedMatmulOp
//===----------------------------------------------------------------------===//

/// Whether two static-or-dynamic dimension sizes can be equal.
static bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

LogicalResult GatedMatmulOp::verify() {
  RankedTensorType inputType = getInput().getType();
  RankedTensorType weightType = getWeight().getType();
  RankedTensorType resultType = getResult().getType();
  Type elementType = inputType.getElementType();

  if (inputType.getRank() != 2 && inputType.getRank() != 3)
    return emitOpError("expects an input of rank 2 ([M, K]) or 3 "
                       "([B, M, K]), got rank ")
           << inputType.getRank();
  if (weightType.getRank() != 2)
    return emitOpError("expects a weight of rank 2, got rank ")
           << weightType.getRank();
  if (resultType.getRank() != inputType.getRank())
    return emitOpError("expects a result of the input's rank (")
           << inputType.getRank() << "), got rank " << resultType.getRank();
  if (resultType.getElementType() != elementType)
    return emitOpError("expects input and result to share one element type");
  Type weightElementType = weightType.getElementType();
  bool narrowWeight = elementType.isF32() &&
                      (weightElementType.isBF16() || weightElementType.isF16());
  if (weightElementType != elementType && !narrowWeight)
    return emitOpError("expects a weight of the input's element type, or "
                       "bf16 or f16 with an f32 input; got ")
           << weightElementType << " with " << elementType;

  int64_t k = inputType.getShape().back();
  int64_t weightK = weightType.getDimSize(getWeightInputDim());
  int64_t n = weightType.getDimSize(getWeightOutputDim());
  if (!compatible(k, weightK))
    return emitOpError("has ")
           << k << " input channels but its "
           << stringifyWeightLayout(getLayout()) << " weight has " << weightK;

  int64_t rank = inputType.getRank();
  for (int64_t dim = 0; dim < rank - 1; ++dim) {
    if (!compatible(inputType.getDimSize(dim), resultType.getDimSize(dim)))
      return emitOpError("result dimension ")
             << dim << " (" << resultType.getDimSize(dim)
             << ") does not match input dimension " << dim << " ("
             << inputType.getDimSize(dim) << ")";
  }
  if (!compatible(resultType.getShape().back(), n))
    return emitOpError("result has ")
           << resultType.getShape().back() << " output channels but the "
           << stringifyWeightLayout(getLayout()) << " weight has " << n;

  if (Value bias = getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1)
      return emitOpError("expects a bias of rank 1, got rank ")
             << biasType.getRank();
    if (biasType.getElementType() != elementType)
      return emitOpError("expects the bias to share the input's element type");
    if (!compatible(biasType.getDimSize(0), n))
      return emitOpError("bias has ")
             << biasType.getDimSize(0) << " elements but the weight has " << n
             << " output channels";
  }
  return verifyThresholds(*this, getThreshold(), k);
}

void GatedMatmulOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                MLIRContext *context) {
  results.add<AbsorbProducerGate<GatedMatmulOp>,
              CollapseUniformThresholds<GatedMatmulOp>>(context);
}

#define GET_OP_CLASSES
#include "sift/Dialect/Sparsity/IR/SparsityOps.cpp.inc"
