//===- Passes.h - Sift conversion passes ------------------------*- C++ -*-===//

#ifndef SIFT_CONVERSION_PASSES_H
#define SIFT_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace sift {

/// Adds the patterns that lower sparsity ops to dense linalg on tensors.
void populateSparsityToLinalgPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_DECL
#include "sift/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "sift/Conversion/Passes.h.inc"

} // namespace sift

#endif // SIFT_CONVERSION_PASSES_H
