//===- FlattenConstantGlobals.cpp - Nested constant arrays made flat ------===//

#include "sift/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace sift {
#define GEN_PASS_DEF_FLATTENCONSTANTGLOBALS
#include "sift/Transforms/Passes.h.inc"
} // namespace sift

using namespace mlir;

namespace {
/// The initializer of `global` as a flat array of its elements, or null when
/// it is not a dense or resource int/float attribute of rank > 1 with
/// whole-byte elements (i1's bytes differ between the attribute and LLVM's
/// layout).
ElementsAttr flatInitializer(LLVM::GlobalOp global) {
  auto value = dyn_cast_or_null<ElementsAttr>(global.getValueOrNull());
  if (!value || value.getShapedType().getRank() <= 1)
    return {};
  Type element = value.getElementType();
  if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0)
    return {};
  auto flatType = RankedTensorType::get({value.getNumElements()}, element);
  if (auto dense = dyn_cast<DenseIntOrFPElementsAttr>(value))
    return dense.reshape(flatType);
  // A resource keeps its blob: only the type changes, nothing is copied.
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    return DenseResourceElementsAttr::get(flatType, resource.getRawHandle());
  return {};
}

struct FlattenConstantGlobalsPass
    : sift::impl::FlattenConstantGlobalsBase<FlattenConstantGlobalsPass> {
  void runOnOperation() override {
    for (auto global : getOperation().getOps<LLVM::GlobalOp>()) {
      if (!global.getConstant())
        continue;
      ElementsAttr flat = flatInitializer(global);
      if (!flat)
        continue;
      global.setGlobalType(LLVM::LLVMArrayType::get(
          flat.getElementType(), flat.getNumElements()));
      global.setValueAttr(flat);
    }
  }
};
} // namespace
