//===- Passes.h - Sift transformation passes --------------------*- C++ -*-===//

#ifndef SIFT_TRANSFORMS_PASSES_H
#define SIFT_TRANSFORMS_PASSES_H

#include "sift/Dialect/Sparsity/IR/Sparsity.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Pass/Pass.h"

#include <string>

namespace sift {

/// The attribute `--sparsity-insert-gates` leaves on a matmul or convolution
/// that its policy selected but that it did not gate: why, in words.
constexpr llvm::StringLiteral kNotGatedAttrName = "sparsity.not_gated";

#define GEN_PASS_DECL
#include "sift/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "sift/Transforms/Passes.h.inc"

} // namespace sift

#endif // SIFT_TRANSFORMS_PASSES_H
