//===- SparsityToKernelCalls.cpp - Gated matmuls to the sparse kernel -----===//
//
// Each input-major sparsity.gated_matmul on f32 activations becomes a call of
// the runtime's sift_gated_matmul_<weight type> (lib/runtime/MatmulKernels.cpp),
// which reads only the weight rows of activations that survive the gate.
//
//===----------------------------------------------------------------------===//

#include "KernelCallBuilder.h"

#include "sift/Conversion/Passes.h"
#include "sift/Dialect/Sparsity/IR/Sparsity.h"

namespace sift {
#define GEN_PASS_DEF_CONVERTSPARSITYTOKERNELCALLS
#include "sift/Conversion/Passes.h.inc"
} // namespace sift

using namespace mlir;
using namespace sift;
using namespace sift::sparsity;

/// The name of the kernel that runs `op`, if there is one.
static std::optional<std::string> getKernelName(GatedMatmulOp op) {
  if (op.getLayout() != WeightLayout::InputMajor ||
      !op.getInput().getType().getElementType().isF32())
    return std::nullopt;
  std::optional<StringRef> suffix =
      getWeightKernelSuffix(op.getWeight().getType().getElementType());
  if (!suffix)
    return std::nullopt;
  return ("sift_gated_matmul_" + *suffix).str();
}

/// A rank-1 f32 constant holding `values`.
static Value vectorConstant(OpBuilder &builder, Location loc,
                            ArrayRef<float> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    builder.getF32Type());
  return arith::ConstantOp::create(builder, loc,
                                   DenseElementsAttr::get(type, values));
}

static void lowerToCall(GatedMatmulOp op, StringRef kernel, int64_t gateIndex) {
  OpBuilder builder(op);
  Location loc = op.getLoc();
  Value input = op.getInput();
  auto inputType = cast<RankedTensorType>(input.getType());
  auto resultType = cast<RankedTensorType>(op.getType());

  // The kernel sees tokens as rows: [B, M, K] is [B*M, K].
  SmallVector<ReassociationIndices> batchAndRows = {{0, 1}, {2}};
  if (inputType.getRank() == 3)
    input = tensor::CollapseShapeOp::create(builder, loc, input, batchAndRows);
  Value tokens = tensor::DimOp::create(builder, loc, input, 0);
  int64_t staticTokens = cast<RankedTensorType>(input.getType()).getDimSize(0);
  int64_t outputs = resultType.getShape().back();
  auto flatType = RankedTensorType::get({staticTokens, outputs},
                                        resultType.getElementType());

  SmallVector<Value> dynamicSizes;
  if (ShapedType::isDynamic(staticTokens))
    dynamicSizes.push_back(tokens);
  if (ShapedType::isDynamic(outputs))
    dynamicSizes.push_back(
        tensor::DimOp::create(builder, loc, op.getWeight(), 1));
  Value out = allocateResult(builder, loc, flatType, dynamicSizes);

  Value bias = op.getBias() ? op.getBias() : vectorConstant(builder, loc, {});
  Value thresholds = vectorConstant(builder, loc, op.getThreshold());
  SmallVector<Value> operands = {
      bufferForKernel(builder, loc, input),
      bufferForKernel(builder, loc, op.getWeight()),
      bufferForKernel(builder, loc, bias),
      bufferForKernel(builder, loc, thresholds),
      castForKernel(builder, loc, out),
      arith::ConstantIntOp::create(builder, loc, gateIndex, 64)};
  callKernel(builder, loc, kernel, operands);

  Value result = resultTensor(builder, loc, flatType, out);
  if (resultType.getRank() == 3)
    result = tensor::ExpandShapeOp::create(builder, loc, resultType, result,
                                           batchAndRows);
  op.replaceAllUsesWith(result);
  op.erase();
}

namespace {
struct ConvertSparsityToKernelCalls
    : sift::impl::ConvertSparsityToKernelCallsBase<ConvertSparsityToKernelCalls> {
  void runOnOperation() override {
    // Every gated matmul keeps its walk-order index, whether or not it gets a
    // kernel, so that indices match the gate table sparse-compile writes.
    SmallVector<GatedMatmulOp> gated;
    getOperation().walk([&](GatedMatmulOp op) { gated.push_back(op); });
    for (auto [index, op] : llvm::enumerate(gated))
      if (std::optional<std::string> kernel = getKernelName(op))
        lowerToCall(op, *kernel, static_cast<int64_t>(index));
  }
};
} // namespace
