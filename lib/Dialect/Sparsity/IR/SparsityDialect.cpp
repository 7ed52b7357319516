//===- SparsityDialect.cpp - Sparsity dialect registration ----------------===//

#include "sift/Dialect/Sparsity/IR/Sparsity.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace sift::sparsity;

#include "sift/Dialect/Sparsity/IR/SparsityOpsDialect.cpp.inc"
#include "sift/Dialect/Sparsity/IR/SparsityEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "sift/Dialect/Sparsity/IR/SparsityAttrs.cpp.inc"

void SparsityDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "sift/Dialect/Sparsity/IR/SparsityAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "sift/Dialect/Sparsity/IR/SparsityOps.cpp.inc"
      >();
}

Operation *SparsityDialect::materializeConstant(OpBuilder &builder,
                                                Attribute value, Type type,
                                                Location loc) {
  return arith::ConstantOp::materialize(builder, value, type, loc);
}
