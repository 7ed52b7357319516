// Bad pass options are reported, not ignored.
// RUN: not sparse-opt %s --sparsity-insert-gates="gates=fc[" 2>&1 | FileCheck %s --check-prefix=REGEX
// RUN: not sparse-opt %s --sparsity-insert-gates="threshold=-1" 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// RUN: not sparse-opt %s --sparsity-insert-gates="max-tokens=0" 2>&1 | FileCheck %s --check-prefix=TOKENS

// REGEX: error: gates: 'fc[' is neither all, mlp nor a valid regex: brackets ([ ]) not balanced
// NEGATIVE: error: threshold must be finite and non-negative
// TOKENS: error: max-tokens must be at least 1
module {
}
