// Ops that have no LLVM IR translation are reported, not crashed on.
// RUN: not sparse-translate --mlir-to-llvmir %s 2>&1 | FileCheck %s

// CHECK: error: cannot be converted to LLVM IR: missing `LLVMTranslationDialectInterface` registration for dialect for op: func.func
func.func @not_lowered(%x: tensor<8xf32>) -> tensor<8xf32> {
  return %x : tensor<8xf32>
}
