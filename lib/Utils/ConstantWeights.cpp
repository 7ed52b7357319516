//===- ConstantWeights.cpp - Reading and rewriting f32 weights ------------===//

#include "sift/Utils/ConstantWeights.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

std::optional<SmallVector<float>> sift::getF32Values(ElementsAttr weights) {
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(weights)) {
    std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef();
    if (!data)
      return std::nullopt;
    return SmallVector<float>(*data);
  }
  auto dense = dyn_cast<DenseElementsAttr>(weights);
  if (dense && dense.getElementType().isF32())
    return llvm::to_vector(dense.getValues<float>());
  return std::nullopt;
}

TypedAttr sift::makeF32Weights(RankedTensorType type, ArrayRef<float> values,
                               StringRef name) {
  return cast<TypedAttr>(DenseF32ResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyInferAlign(values)));
}

std::string sift::getWeightsName(ElementsAttr weights, StringRef fallback) {
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(weights))
    return resource.getRawHandle().getKey().str();
  return fallback.str();
}
