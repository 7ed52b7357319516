//===- Pipelines.h - Sift pass pipelines ------------------------*- C++ -*-===//

#ifndef SIFT_PIPELINES_PIPELINES_H
#define SIFT_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace sift {

struct LowerToLLVMOptions : mlir::PassPipelineOptions<LowerToLLVMOptions> {
  Option<bool> kernels{
      *this, "kernels",
      llvm::cl::desc("Lower f32 matmuls and gated matmuls to calls of the "
                     "runtime's kernels (the fast CPU path); otherwise to "
                     "loops (the reference path)"),
      llvm::cl::init(false)};
  Option<bool> runtimeChecks{
      *this, "runtime-checks",
      llvm::cl::desc("Check run-time integer divisors and allocation sizes "
                     "and allocate through the Sift runtime, which reports "
                     "failures naming the ONNX node (needs the runtime)"),
      llvm::cl::init(false)};
};

/// Lowers a module of func/linalg/tensor/arith/math and sparsity ops on
/// tensors to the LLVM dialect: (matmuls to kernel calls,) sparsity ops to
/// linalg, bufferization, loops, then LLVM. Without kernels this is the
/// dense reference path that every faster path is checked against.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm,
                              const LowerToLLVMOptions &options);

struct GateMatmulsOptions : mlir::PassPipelineOptions<GateMatmulsOptions> {
  Option<std::string> gates{
      *this, "gates",
      llvm::cl::desc("Which matmuls to gate: all, mlp, or a regex on ONNX "
                     "node names"),
      llvm::cl::init("all")};
  Option<bool> lossless{
      *this, "lossless",
      llvm::cl::desc("Gate only provably non-negative inputs, at threshold 0"),
      llvm::cl::init(false)};
  Option<float> threshold{
      *this, "threshold",
      llvm::cl::desc("The threshold every gate starts with"),
      llvm::cl::init(0.0f)};
  Option<int64_t> maxTokens{
      *this, "max-tokens",
      llvm::cl::desc("With gates=all or mlp, leave out matmuls known to "
                     "process more tokens than this per call"),
      llvm::cl::init(8)};
};

/// Gates the activations of constant-weight matmuls and fuses each gate with
/// its matmul (and bias) into sparsity.gated_matmul on input-major weights.
void buildGateMatmulsPipeline(mlir::OpPassManager &pm,
                              const GateMatmulsOptions &options);

/// Registers the pipelines above with the pass registry.
void registerSiftPipelines();

} // namespace sift

#endif // SIFT_PIPELINES_PIPELINES_H
