//===- FuseElementwiseChains.cpp - One loop nest per elementwise chain ----===//

#include "sift/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sift {
#define GEN_PASS_DEF_FUSEELEMENTWISECHAINS
#include "sift/Transforms/Passes.h.inc"
} // namespace sift

using namespace mlir;

namespace {
struct FuseElementwiseChains
    : public sift::impl::FuseElementwiseChainsBase<FuseElementwiseChains> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // A producer with other uses would be computed twice.
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *fused) {
          Operation *producer = fused->get().getDefiningOp();
          return producer && producer->hasOneUse();
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
