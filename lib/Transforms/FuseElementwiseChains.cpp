//===- FuseElementwiseChains.cpp - One loop nest per elementwise chain ----===//

#include "sift/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sift {
#define GEN_PASS_DEF_FUSEELEMENTWISECHAINS
#include "sift/Transforms/Passes.h.inc"
} // namespace sift

using namespace mlir;

namespace {
/// The ops in the body of linalg op `op`.
size_t bodySize(Operation *op) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  return linalgOp ? linalgOp.getBlock()->getOperations().size() : 0;
}

struct FuseElementwiseChains
    : public sift::impl::FuseElementwiseChainsBase<FuseElementwiseChains> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    unsigned limit = maxBodyOps;
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [limit](OpOperand *fused) {
          Operation *producer = fused->get().getDefiningOp();
          // A producer with other uses would be computed twice.
          if (!producer || !producer->hasOneUse())
            return false;
          // Each fusion copies both bodies into a new op: bounding the
          // body keeps a chain of n ops at O(n) copies, not O(n^2).
          return bodySize(producer) + bodySize(fused->getOwner()) <= limit;
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
