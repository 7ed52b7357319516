//===- NarrowMatmulWeights.cpp - f32 matmul weights to bf16 or f16 --------===//

#include "sift/Transforms/Passes.h"

#include "sift/Dialect/Sparsity/IR/Sparsity.h"
#include "sift/Utils/ConstantWeights.h"
#include "sift/Utils/MatmulMatchers.h"
#include "sift/Utils/NodeNames.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/ADT/DenseMap.h"

namespace sift {
#define GEN_PASS_DEF_NARROWMATMULWEIGHTS
#include "sift/Transforms/Passes.h.inc"
} // namespace sift

using namespace mlir;
using namespace sift;

/// The weight operand of `op` if it is an f32 matmul the pass narrows.
static OpOperand *getNarrowableWeight(Operation *op) {
  if (auto matmul = dyn_cast<linalg::MatmulOp>(op)) {
    if (!isPlainProduct(matmul) ||
        !getElementTypeOrSelf(matmul.getInputs()[0].getType()).isF32())
      return nullptr;
    return &matmul->getOpOperand(1);
  }
  if (auto gated = dyn_cast<sparsity::GatedMatmulOp>(op)) {
    if (!gated.getWeight().getType().getElementType().isF32())
      return nullptr;
    return &gated.getWeightMutable();
  }
  return nullptr;
}

/// Makes `weight`'s owner read `narrow` instead. A linalg.matmul is built
/// anew: its body widens what it reads, so it depends on the operand types.
static void setNarrowWeight(OpOperand &weight, Value narrow) {
  auto matmul = dyn_cast<linalg::MatmulOp>(weight.getOwner());
  if (!matmul) {
    weight.set(narrow);
    return;
  }
  OpBuilder builder(matmul);
  auto replacement = linalg::MatmulOp::create(
      builder, matmul.getLoc(), matmul.getResultTypes(),
      ValueRange{matmul.getInputs()[0], narrow}, matmul.getOutputs(),
      {builder.getNamedAttr("indexing_maps", matmul.getIndexingMaps())});
  replacement->setDiscardableAttrs(matmul->getDiscardableAttrDictionary());
  matmul->replaceAllUsesWith(replacement);
  matmul->erase();
}

namespace {
struct NarrowMatmulWeights
    : sift::impl::NarrowMatmulWeightsBase<NarrowMatmulWeights> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    FloatType narrowType;
    if (elementType == "bf16")
      narrowType = BFloat16Type::get(context);
    else if (elementType == "f16")
      narrowType = Float16Type::get(context);
    else {
      module.emitError("narrow-matmul-weights: element-type must be bf16 "
                       "or f16, got '")
          << elementType << "'";
      return signalPassFailure();
    }

    SmallVector<OpOperand *> weights;
    module.walk([&](Operation *op) {
      if (OpOperand *weight = getNarrowableWeight(op))
        if (weight->get().getDefiningOp<arith::ConstantOp>())
          weights.push_back(weight);
    });

    // One narrow copy per constant, however many matmuls share it.
    llvm::DenseMap<Operation *, Value> narrowed;
    for (OpOperand *weight : weights) {
      auto constant = weight->get().getDefiningOp<arith::ConstantOp>();
      Value &copy = narrowed[constant];
      if (!copy) {
        auto values = cast<ElementsAttr>(constant.getValue());
        int64_t overflowed = 0;
        TypedAttr attr = narrowWeights(values, narrowType, overflowed);
        if (!attr)
          continue;
        if (overflowed) {
          Operation *owner = weight->getOwner();
          InFlightDiagnostic error = owner->emitError();
          if (StringRef node = getNodeName(owner->getLoc()); !node.empty())
            error << "ONNX node '" << node << "': ";
          error << overflowed << " of its weights exceed the range of "
                << narrowType
                << " (largest finite value 65504); bf16 has f32's range";
          return signalPassFailure();
        }
        OpBuilder builder(constant);
        copy = arith::ConstantOp::create(builder, constant.getLoc(), attr);
      }
      setNarrowWeight(*weight, copy);
    }
    // The f32 blobs stay: clones of the module (calibration builds) share
    // them.
    for (auto &[op, copy] : narrowed)
      if (op->use_empty())
        op->erase();
  }
};
} // namespace
