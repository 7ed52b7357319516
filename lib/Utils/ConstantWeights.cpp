//===- ConstantWeights.cpp - Reading and rewriting f32 weights ------------===//

#include "sift/Utils/ConstantWeights.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

ElementsAttr sift::getConstantElements(Value value) {
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  return constant ? dyn_cast<ElementsAttr>(constant.getValue()) : nullptr;
}

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

TypedAttr sift::transposeToInputMajor(ElementsAttr weights) {
  std::optional<SmallVector<float>> values = getF32Values(weights);
  auto type = cast<RankedTensorType>(weights.getType());
  if (!values || type.getRank() < 2 || type.getDimSize(0) == 0)
    return nullptr;
  int64_t n = type.getDimSize(0);
  int64_t k = type.getNumElements() / n;
  SmallVector<float> transposed(values->size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j)
      transposed[j * n + i] = (*values)[i * k + j];
  auto newType = RankedTensorType::get({k, n}, type.getElementType());
  return makeF32Weights(newType, transposed,
                        getWeightsName(weights, "weights") + "_input_major");
}
