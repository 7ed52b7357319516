//===- ConstantWeights.cpp - Reading and rewriting f32 weights ------------===//

#include "sift/Utils/ConstantWeights.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cmath>
#include <cstring>

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

/// The bits of `value`'s bf16 rounding (to nearest even); NaN stays NaN.
static uint16_t toBFloat16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  if (std::isnan(value))
    return static_cast<uint16_t>((bits >> 16) | 0x40);
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

/// The bits of `value`'s f16 rounding (to nearest even); NaN stays NaN and
/// what is beyond f16's range becomes infinite.
static uint16_t toFloat16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  uint32_t magnitude = bits & 0x7fffffff;
  if (magnitude > 0x7f800000)
    return sign | 0x7e00;
  // 65520 is halfway between f16's largest finite value and 2^16.
  if (magnitude >= 0x477ff000)
    return sign | 0x7c00;
  // Below 2^-14 f16 counts in steps of 2^-24: the default rounding mode of
  // nearbyint is to nearest even.
  if (magnitude < 0x38800000)
    return sign | static_cast<uint16_t>(
                      std::nearbyint(std::fabs(value) * 0x1p24f));
  // Rebias the exponent (127 to 15), then round off 13 mantissa bits.
  uint32_t rebiased = magnitude - 0x38000000;
  rebiased += 0xfff + ((rebiased >> 13) & 1);
  return sign | static_cast<uint16_t>(rebiased >> 13);
}

TypedAttr sift::narrowWeights(ElementsAttr weights, FloatType type,
                              int64_t &overflowed) {
  overflowed = 0;
  std::optional<SmallVector<float>> values = getF32Values(weights);
  if (!values || !(type.isBF16() || type.isF16()))
    return nullptr;
  auto convert = type.isBF16() ? toBFloat16 : toFloat16;
  SmallVector<uint16_t> narrowed;
  narrowed.reserve(values->size());
  for (float value : *values) {
    uint16_t bits = convert(value);
    narrowed.push_back(bits);
    overflowed += type.isF16() && std::isfinite(value) &&
                  (bits & 0x7fff) == 0x7c00;
  }
  auto narrowType =
      cast<RankedTensorType>(weights.getType()).clone(Type(type));
  std::string name = getWeightsName(weights, "weights") + "_" +
                     (type.isBF16() ? "bf16" : "f16");
  return cast<TypedAttr>(DenseResourceElementsAttr::get(
      narrowType, name,
      HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef(narrowed))));
}
