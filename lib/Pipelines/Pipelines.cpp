//===- Pipelines.cpp - Sift pass pipelines --------------------------------===//

#include "sift/Pipelines/Pipelines.h"
#include "sift/Conversion/Passes.h"
#include "sift/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void sift::buildLowerToLLVMPipeline(OpPassManager &pm,
                                    const LowerToLLVMOptions &options) {
  if (options.kernels) {
    pm.addPass(createConvertConvToKernelCalls());
    pm.addPass(createConvertSparsityToKernelCalls());
    pm.addPass(createConvertMatmulToKernelCalls());
  }
  pm.addPass(createConvertSparsityToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createFuseElementwiseChains());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // Upstream's buffer-deallocation-pipeline, with buffers freed after their
  // last use rather than all at the end of the model's one block.
  memref::ExpandReallocPassOptions expandRealloc;
  expandRealloc.emitDeallocs = false;
  pm.addPass(memref::createExpandReallocPass(expandRealloc));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(bufferization::createOwnershipBasedBufferDeallocationPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createDeallocateBuffersAfterLastUse());
  pm.addPass(bufferization::createBufferDeallocationSimplificationPass());
  pm.addPass(bufferization::createLowerDeallocationsPass());
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  // Deallocation leaves bufferization.clone where a function returns a buffer
  // it does not own (an argument, a constant); clones become alloc + copy.
  pm.addPass(createConvertBufferizationToMemRefPass());

  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // On loops over buffers: every division and allocation is explicit.
  if (options.runtimeChecks)
    pm.addPass(createSiftInsertRuntimeChecks());
  // scf-to-cf splits the block around every loop it lowers: keep blocks
  // short so that costs linear, not quadratic, time in the model's size.
  pm.addNestedPass<func::FuncOp>(createSplitLargeBlocks());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  // The runtime's allocation function reports running out of memory.
  memrefToLLVM.useGenericFunctions = options.runtimeChecks;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertMathToLLVMPass());
  // What has no LLVM intrinsic (asinh, erf, ...) calls libm.
  pm.addPass(createConvertMathToLibmPass());
  // bf16 conversions become integer arithmetic: no runtime helper needed.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  // Weights as flat arrays translate to LLVM IR as one block each.
  pm.addPass(createFlattenConstantGlobals());
}

void sift::buildGateMatmulsPipeline(OpPassManager &pm,
                                    const GateMatmulsOptions &options) {
  SparsityInsertGatesOptions insert;
  insert.gates = options.gates;
  insert.lossless = options.lossless;
  insert.threshold = options.threshold;
  insert.maxTokens = options.maxTokens;
  pm.addPass(createSparsityInsertGates(insert));
  pm.addPass(createSparsityFuseGatedMatmul());
}

void sift::registerSiftPipelines() {
  PassPipelineRegistration<LowerToLLVMOptions>(
      "sift-lower-to-llvm",
      "Lower sparsity and linalg on tensors to the LLVM dialect",
      buildLowerToLLVMPipeline);
  PassPipelineRegistration<GateMatmulsOptions>(
      "sparsity-gate-matmuls",
      "Gate the activations of constant-weight matmuls and fuse each gate "
      "into a sparsity.gated_matmul",
      buildGateMatmulsPipeline);
}
