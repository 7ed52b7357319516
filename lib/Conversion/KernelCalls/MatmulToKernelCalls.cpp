//===- MatmulToKernelCalls.cpp - Dense matmuls to the runtime's kernel ----===//
//
// linalg.matmul on f32 that starts from zero becomes a call of the runtime's
// sift_matmul_<B's type>, for B stored [K, N] or, with transposed maps,
// [N, K] (as ONNX Gemm with transB=1 and PyTorch's Linear give it). B may be
// f32, or bf16 or f16 widened in the product (`--narrow-matmul-weights`).
//
//===----------------------------------------------------------------------===//

#include "KernelCallBuilder.h"

#include "sift/Conversion/Passes.h"
#include "sift/Utils/MatmulMatchers.h"

namespace sift {
#define GEN_PASS_DEF_CONVERTMATMULTOKERNELCALLS
#include "sift/Conversion/Passes.h.inc"
} // namespace sift

using namespace mlir;
using namespace sift;

static LogicalResult lowerToCall(linalg::MatmulOp op) {
  auto resultType = dyn_cast<RankedTensorType>(op.getResultTypes().front());
  std::optional<RhsLayout> layout = getRhsLayout(op);
  if (!resultType || !resultType.getElementType().isF32() || !layout ||
      !startsFromZero(op) ||
      !getElementTypeOrSelf(op.getInputs()[0].getType()).isF32())
    return failure();
  std::optional<StringRef> suffix =
      getWeightKernelSuffix(getElementTypeOrSelf(op.getInputs()[1].getType()));
  if (!suffix)
    return failure();

  OpBuilder builder(op);
  Location loc = op.getLoc();
  Value out =
      allocateResultLike(builder, loc, resultType, op.getOutputs()[0]);
  SmallVector<Value> operands = {
      bufferForKernel(builder, loc, op.getInputs()[0]),
      bufferForKernel(builder, loc, op.getInputs()[1]),
      castForKernel(builder, loc, out),
      arith::ConstantIntOp::create(builder, loc, *layout == RhsLayout::OutputMajor ? 1 : 0, 64)};
  callKernel(builder, loc, ("sift_matmul_" + *suffix).str(), operands);
  op->replaceAllUsesWith(
      ValueRange{resultTensor(builder, loc, resultType, out)});
  op.erase();
  return success();
}

namespace {
struct ConvertMatmulToKernelCalls
    : sift::impl::ConvertMatmulToKernelCallsBase<ConvertMatmulToKernelCalls> {
  void runOnOperation() override {
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation().walk([&](linalg::MatmulOp op) { matmuls.push_back(op); });
    for (linalg::MatmulOp op : matmuls)
      (void)lowerToCall(op);
  }
};
} // namespace
