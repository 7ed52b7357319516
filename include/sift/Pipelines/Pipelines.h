//===- Pipelines.h - Sift pass pipelines ------------------------*- C++ -*-===//

#ifndef SIFT_PIPELINES_PIPELINES_H
#define SIFT_PIPELINES_PIPELINES_H

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace sift {

/// Lowers a module of func/linalg/tensor/arith/math and sparsity ops on
/// tensors to the LLVM dialect: sparsity ops to linalg, bufferization, loops,
/// then LLVM. This is the dense reference path that every faster path is
/// checked against.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm);

/// Registers the pipelines above with the pass registry.
void registerSiftPipelines();

} // namespace sift

#endif // SIFT_PIPELINES_PIPELINES_H
