//===- Sparsity.h - Sparsity dialect ----------------------------*- C++ -*-===//
//
// The `sparsity` dialect: activation gates and gated matmuls.
//
//===----------------------------------------------------------------------===//

#ifndef SIFT_DIALECT_SPARSITY_IR_SPARSITY_H
#define SIFT_DIALECT_SPARSITY_IR_SPARSITY_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "sift/Dialect/Sparsity/IR/SparsityOpsDialect.h.inc"
#include "sift/Dialect/Sparsity/IR/SparsityEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "sift/Dialect/Sparsity/IR/SparsityAttrs.h.inc"

#define GET_OP_CLASSES
#include "sift/Dialect/Sparsity/IR/SparsityOps.h.inc"

#endif // SIFT_DIALECT_SPARSITY_IR_SPARSITY_H
