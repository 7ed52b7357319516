//===- DeallocateBuffersAfterLastUse.cpp - Free buffers early -------------===//
//
// Ownership-based deallocation frees what a block owns at the end of the
// block. In a model's single-block function that keeps every intermediate
// tensor alive until the model returns. This pass frees the buffers that
// provably cannot escape their block right after their last use.
//
//===----------------------------------------------------------------------===//

#include "sift/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"

namespace sift {
#define GEN_PASS_DEF_DEALLOCATEBUFFERSAFTERLASTUSE
#include "sift/Transforms/Passes.h.inc"
} // namespace sift

using namespace mlir;

namespace {
/// The last op of `block` that uses `buffer` or a memref derived from it, or
/// null when the buffer may escape: a derived memref reaches a terminator, is
/// stored, is used outside the block, or is handed to a dealloc other than
/// `owner`. Any op result of memref type computed from the buffer counts as
/// derived from it.
Operation *findLastUse(Value buffer, Block &block,
                       bufferization::DeallocOp owner) {
  llvm::SetVector<Value> aliases;
  aliases.insert(buffer);
  Operation *last = buffer.getDefiningOp();
  for (size_t i = 0; i < aliases.size(); ++i) {
    for (OpOperand &use : aliases[i].getUses()) {
      Operation *user = use.getOwner();
      if (user == owner)
        continue;
      if (user->hasTrait<OpTrait::IsTerminator>() ||
          isa<bufferization::DeallocOp, memref::DeallocOp>(user))
        return nullptr;
      if (auto store = dyn_cast<memref::StoreOp>(user))
        if (store.getValueToStore() == aliases[i])
          return nullptr;
      Operation *inBlock = block.findAncestorOpInBlock(*user);
      if (!inBlock)
        return nullptr;
      if (last->isBeforeInBlock(inBlock))
        last = inBlock;
      for (Value result : user->getResults())
        if (isa<BaseMemRefType>(result.getType()))
          aliases.insert(result);
    }
  }
  return last;
}

void deallocateEarly(bufferization::DeallocOp dealloc) {
  Block &block = *dealloc->getBlock();
  llvm::SmallPtrSet<Value, 4> retained(dealloc.getRetained().begin(),
                                       dealloc.getRetained().end());
  SmallVector<Value> keptMemrefs, keptConditions;
  SmallVector<std::pair<Value, Operation *>> freedAfter;
  for (auto [memref, condition] :
       llvm::zip_equal(dealloc.getMemrefs(), dealloc.getConditions())) {
    auto alloc = memref.getDefiningOp<memref::AllocOp>();
    Operation *last = nullptr;
    if (alloc && alloc->getBlock() == &block &&
        matchPattern(condition, m_One()) && !retained.contains(memref))
      last = findLastUse(memref, block, dealloc);
    if (last) {
      freedAfter.emplace_back(memref, last);
    } else {
      keptMemrefs.push_back(memref);
      keptConditions.push_back(condition);
    }
  }
  // Insert only once all last uses are known: an insertion invalidates the
  // block's op order, which isBeforeInBlock would then recompute each time.
  OpBuilder builder(dealloc);
  for (auto [memref, last] : freedAfter) {
    builder.setInsertionPointAfter(last);
    memref::DeallocOp::create(builder, dealloc.getLoc(), memref);
  }
  dealloc.getMemrefsMutable().assign(keptMemrefs);
  dealloc.getConditionsMutable().assign(keptConditions);
}

struct DeallocateBuffersAfterLastUse
    : public sift::impl::DeallocateBuffersAfterLastUseBase<
          DeallocateBuffersAfterLastUse> {
  void runOnOperation() override {
    SmallVector<bufferization::DeallocOp> deallocs;
    getOperation()->walk(
        [&](bufferization::DeallocOp op) { deallocs.push_back(op); });
    for (bufferization::DeallocOp dealloc : deallocs)
      deallocateEarly(dealloc);
  }
};
} // namespace
