//===- SplitLargeBlocks.cpp - Long blocks into chains of short ones -------===//

#include "sift/Transforms/Passes.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/RegionKindInterface.h"

namespace sift {
#define GEN_PASS_DEF_SPLITLARGEBLOCKS
#include "sift/Transforms/Passes.h.inc"
} // namespace sift

using namespace mlir;

namespace {
/// Whether the blocks of `region` may branch to one another: SSACFG regions
/// of ops without a single-block restriction (a function body, not a loop
/// body).
bool allowsSeveralBlocks(Region &region) {
  Operation *owner = region.getParentOp();
  if (owner->hasTrait<OpTrait::SingleBlock>())
    return false;
  auto kinds = dyn_cast<RegionKindInterface>(owner);
  return !kinds || kinds.getRegionKind(region.getRegionNumber()) ==
                       RegionKind::SSACFG;
}

/// Cuts `block` into blocks of `maxOps` ops, each followed by a branch to the
/// next.
/// Cutting from the end moves each op once, so the work is linear.
void splitBlock(Block &block, unsigned maxOps) {
  SmallVector<Operation *> firstOfEachTail;
  size_t index = 0;
  for (Operation &op : block)
    if (index++ % maxOps == 0 && index > 1)
      firstOfEachTail.push_back(&op);
  OpBuilder builder(block.getParentOp()->getContext());
  for (Operation *first : llvm::reverse(firstOfEachTail)) {
    Block *head = first->getBlock();
    Block *tail = head->splitBlock(first);
    builder.setInsertionPointToEnd(head);
    cf::BranchOp::create(builder, first->getLoc(), tail);
  }
}

struct SplitLargeBlocks
    : public sift::impl::SplitLargeBlocksBase<SplitLargeBlocks> {
  using Base::Base;

  void runOnOperation() override {
    if (maxOps < 2) {
      getOperation()->emitError("max-ops must be at least 2");
      return signalPassFailure();
    }
    SmallVector<Block *> large;
    getOperation()->walk([&](Block *block) {
      if (block->getOperations().size() > maxOps &&
          allowsSeveralBlocks(*block->getParent()))
        large.push_back(block);
    });
    for (Block *block : large)
      splitBlock(*block, maxOps);
  }
};
} // namespace
