//===- ConvToKernelCalls.cpp - 2-D convolutions to the runtime's kernel ---===//
//
// An f32 linalg.conv_2d_nchw_fchw becomes a call of the runtime's
// sift_conv2d_f32, which gathers each output row's input windows and
// multiplies them by the filter on all threads.
//
//===----------------------------------------------------------------------===//

#include "KernelCallBuilder.h"

#include "sift/Conversion/Passes.h"
#include "sift/Utils/ConstantWeights.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace sift {
#define GEN_PASS_DEF_CONVERTCONVTOKERNELCALLS
#include "sift/Conversion/Passes.h.inc"
} // namespace sift

using namespace mlir;
using namespace sift;

static constexpr llvm::StringLiteral kConvKernel = "sift_conv2d_f32";

static LogicalResult lowerToCall(linalg::Conv2DNchwFchwOp op) {
  if (op.getInputs().size() != 2 || op.getOutputs().size() != 1)
    return failure();
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type || !type.getElementType().isF32())
      return failure();
  }

  OpBuilder builder(op);
  Location loc = op.getLoc();
  Value init = op.getOutputs()[0];
  auto resultType = cast<RankedTensorType>(op.getResultTypes()[0]);
  Value out = allocateResultLike(builder, loc, resultType, init);
  SmallVector<Value> operands = {
      bufferForKernel(builder, loc, op.getInputs()[0]),
      bufferForKernel(builder, loc, op.getInputs()[1]),
      bufferForKernel(builder, loc, init), castForKernel(builder, loc, out)};
  for (DenseIntElementsAttr window : {op.getStrides(), op.getDilations()})
    for (int64_t value : window.getValues<int64_t>())
      operands.push_back(arith::ConstantIntOp::create(builder, loc, value, 64));
  // A constant filter is packed once and kept by the kernel.
  bool constantFilter = getConstantElements(op.getInputs()[1]) != nullptr;
  operands.push_back(
      arith::ConstantIntOp::create(builder, loc, constantFilter, 64));
  callKernel(builder, loc, kConvKernel, operands);
  op->replaceAllUsesWith(
      ValueRange{resultTensor(builder, loc, resultType, out)});
  op.erase();
  return success();
}

namespace {
struct ConvertConvToKernelCalls
    : sift::impl::ConvertConvToKernelCallsBase<ConvertConvToKernelCalls> {
  void runOnOperation() override {
    SmallVector<linalg::Conv2DNchwFchwOp> convs;
    getOperation().walk(
        [&](linalg::Conv2DNchwFchwOp op) { convs.push_back(op); });
    for (linalg::Conv2DNchwFchwOp op : convs)
      (void)lowerToCall(op);
  }
};
} // namespace
