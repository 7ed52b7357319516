//===- SplitFunctions.cpp - One large function into many small ones -------===//

#include "SplitFunctions.h"

#include "llvm/ADT/DepthFirstIterator.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/CodeExtractor.h"
#include "llvm/Transforms/Utils/Local.h"

using namespace llvm;

namespace {
/// The blocks that every path from the entry to the return passes through
/// and that are in no loop, in program order: cutting the function at them
/// leaves stretches with one entry each.
SmallVector<BasicBlock *> findCutBlocks(const DominatorTree &dominators,
                                        const LoopInfo &loops,
                                        BasicBlock *returnBlock) {
  SmallVector<BasicBlock *> cuts;
  for (DomTreeNode *node = dominators.getNode(returnBlock); node;
       node = node->getIDom())
    if (!loops.getLoopFor(node->getBlock()))
      cuts.push_back(node->getBlock());
  std::reverse(cuts.begin(), cuts.end());
  return cuts;
}

/// Whether `blocks`, headed by `entry`, can be called as a function: no block
/// but the entry is reached from outside, and the entry is not reached from
/// inside.
bool hasSingleEntry(ArrayRef<BasicBlock *> blocks, BasicBlock *entry) {
  SmallPtrSet<BasicBlock *, 32> inside(blocks.begin(), blocks.end());
  for (BasicBlock *block : blocks)
    for (BasicBlock *predecessor : predecessors(block))
      if (inside.contains(predecessor) == (block == entry))
        return false;
  return true;
}

unsigned splitFunction(Function &function, unsigned regionInstructions) {
  size_t instructions = function.getInstructionCount();
  if (instructions <= 2 * static_cast<size_t>(regionInstructions))
    return 0;
  removeUnreachableBlocks(function);
  BasicBlock *returnBlock = nullptr;
  for (BasicBlock &block : function) {
    if (!isa<ReturnInst>(block.getTerminator()))
      continue;
    if (returnBlock)
      return 0;
    returnBlock = &block;
  }
  if (!returnBlock)
    return 0;

  DominatorTree dominators(function);
  LoopInfo loops(dominators);
  SmallVector<BasicBlock *> cuts =
      findCutBlocks(dominators, loops, returnBlock);
  DenseMap<BasicBlock *, unsigned> cutIndex;
  for (auto [index, block] : llvm::enumerate(cuts))
    cutIndex[block] = index;

  // Each block belongs to the stretch of the last cut block that dominates
  // it; a walk of the dominator tree finds them all in linear time.
  std::vector<SmallVector<BasicBlock *>> stretches(cuts.size());
  std::vector<size_t> stretchSize(cuts.size(), 0);
  DenseMap<DomTreeNode *, unsigned> stretchOf;
  for (DomTreeNode *node : depth_first(dominators.getRootNode())) {
    auto cut = cutIndex.find(node->getBlock());
    unsigned stretch = cut != cutIndex.end() ? cut->second
                                             : stretchOf.at(node->getIDom());
    stretchOf[node] = stretch;
    stretches[stretch].push_back(node->getBlock());
    stretchSize[stretch] += node->getBlock()->size();
  }

  // Consecutive stretches make a region of at least `regionInstructions`.
  // The first and the last stay: they hold the entry and the return.
  std::vector<SmallVector<BasicBlock *>> regions;
  SmallVector<BasicBlock *> region;
  size_t regionSize = 0;
  for (size_t stretch = 1; stretch + 1 < stretches.size(); ++stretch) {
    region.append(stretches[stretch]);
    regionSize += stretchSize[stretch];
    if (regionSize >= regionInstructions) {
      regions.push_back(std::move(region));
      region.clear();
      regionSize = 0;
    }
  }

  CodeExtractorAnalysisCache analyses(function);
  unsigned made = 0;
  for (SmallVector<BasicBlock *> &blocks : regions) {
    if (!hasSingleEntry(blocks, blocks.front()))
      continue;
    CodeExtractor extractor(blocks, /*DT=*/nullptr, /*AggregateArgs=*/false,
                            /*BFI=*/nullptr, /*BPI=*/nullptr, /*AC=*/nullptr,
                            /*AllowVarArgs=*/false, /*AllowAlloca=*/true,
                            /*AllocationBlock=*/nullptr, "part");
    if (!extractor.isEligible())
      continue;
    Function *part = extractor.extractCodeRegion(analyses);
    if (!part)
      continue;
    part->addFnAttr(Attribute::NoInline);
    ++made;
  }
  return made;
}
} // namespace

unsigned sift::splitLargeFunctions(Module &module,
                                   unsigned regionInstructions) {
  // Collect first: splitting adds functions to the module.
  SmallVector<Function *> large;
  for (Function &function : module)
    if (!function.isDeclaration() &&
        function.getInstructionCount() > 2 * size_t(regionInstructions))
      large.push_back(&function);
  unsigned made = 0;
  for (Function *function : large)
    made += splitFunction(*function, regionInstructions);
  return made;
}
