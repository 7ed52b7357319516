//===- ConvToKernelCalls.cpp - 2-D convolutions to the runtime's kernel ---===//
//
// An f32 linalg.conv_2d_nchw_fchw becomes a call of the runtime's
// sift_conv2d_f32, which gathers each output row's input windows and
// multiplies them by the filter on all threads; a linalg.conv_1d_ncw_fcw a
// call of sift_conv1d_f32 (the same kernel on one row), and a grouped
// linalg.conv_2d_ngchw_gfchw (depthwise included) a call of
// sift_conv2d_grouped_f32.
//
//===----------------------------------------------------------------------===//

#include "KernelCallBuilder.h"

#include "sift/Conversion/Passes.h"
#include "sift/Utils/ConstantWeights.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace sift {
#define GEN_PASS_DEF_CONVERTCONVTOKERNELCALLS
#include "sift/Conversion/Passes.h.inc"
} // namespace sift

using namespace mlir;
using namespace sift;

static constexpr llvm::StringLiteral kConv2DKernel = "sift_conv2d_f32";
static constexpr llvm::StringLiteral kConv1DKernel = "sift_conv1d_f32";
static constexpr llvm::StringLiteral kGroupedKernel =
    "sift_conv2d_grouped_f32";

/// Whether `filter` is a constant, seen through the reshapes that split a
/// grouped convolution's filter into groups.
static bool isConstantFilter(Value filter) {
  while (Operation *op = filter.getDefiningOp()) {
    if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op))
      filter = expand.getSrc();
    else if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op))
      filter = collapse.getSrc();
    else
      break;
  }
  return getConstantElements(filter) != nullptr;
}

/// Replaces `op`, a convolution with one input, one filter and one init, by
/// a call of `kernel` on them, a fresh result buffer, the strides, the
/// dilations and whether the filter is a constant.
static LogicalResult lowerToCall(linalg::LinalgOp op, StringRef kernel,
                                 DenseIntElementsAttr strides,
                                 DenseIntElementsAttr dilations) {
  if (op.getDpsInputs().size() != 2 || op.getDpsInits().size() != 1)
    return failure();
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type || !type.getElementType().isF32())
      return failure();
  }

  OpBuilder builder(op);
  Location loc = op.getLoc();
  Value input = op.getDpsInputs()[0], filter = op.getDpsInputs()[1];
  Value init = op.getDpsInits()[0];
  auto resultType = cast<RankedTensorType>(op->getResultTypes()[0]);
  Value out = allocateResultLike(builder, loc, resultType, init);
  SmallVector<Value> operands = {
      bufferForKernel(builder, loc, input),
      bufferForKernel(builder, loc, filter),
      bufferForKernel(builder, loc, init), castForKernel(builder, loc, out)};
  for (DenseIntElementsAttr window : {strides, dilations})
    for (int64_t value : window.getValues<int64_t>())
      operands.push_back(arith::ConstantIntOp::create(builder, loc, value, 64));
  // A constant filter is packed once and kept by the kernel.
  operands.push_back(arith::ConstantIntOp::create(
      builder, loc, isConstantFilter(filter), 64));
  callKernel(builder, loc, kernel, operands);
  op->replaceAllUsesWith(
      ValueRange{resultTensor(builder, loc, resultType, out)});
  op->erase();
  return success();
}

namespace {
struct ConvertConvToKernelCalls
    : sift::impl::ConvertConvToKernelCallsBase<ConvertConvToKernelCalls> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> convs;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isa<linalg::Conv2DNchwFchwOp, linalg::Conv1DNcwFcwOp,
              linalg::Conv2DNgchwGfchwOp>(op))
        convs.push_back(op);
    });
    for (linalg::LinalgOp op : convs) {
      // A convolution on tensors whose result is unused (the importer's
      // original of a convolution it folded a batch-norm into) is dead: a
      // kernel call, which writes memory, would keep it alive.
      if (op->use_empty() && op.hasPureTensorSemantics()) {
        op->erase();
        continue;
      }
      if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(*op))
        (void)lowerToCall(op, kConv2DKernel, conv.getStrides(),
                          conv.getDilations());
      else if (auto conv = dyn_cast<linalg::Conv1DNcwFcwOp>(*op))
        (void)lowerToCall(op, kConv1DKernel, conv.getStrides(),
                          conv.getDilations());
      else if (auto conv = dyn_cast<linalg::Conv2DNgchwGfchwOp>(*op))
        (void)lowerToCall(op, kGroupedKernel, conv.getStrides(),
                          conv.getDilations());
    }
  }
};
} // namespace
