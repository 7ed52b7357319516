//===- KernelCallBuilder.cpp - Calls into the runtime's kernels -----------===//

#include "KernelCallBuilder.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

/// Kernels load whole cache lines and vectors from their results.
static constexpr int64_t kKernelAlignment = 64;

MemRefType sift::getKernelOperandType(MLIRContext *context, unsigned rank,
                                      Type elementType) {
  SmallVector<int64_t> dynamic(rank, ShapedType::kDynamic);
  auto layout =
      StridedLayoutAttr::get(context, ShapedType::kDynamic, dynamic);
  return MemRefType::get(dynamic, elementType, layout);
}

void sift::declareKernel(ModuleOp module, StringRef name, TypeRange operands) {
  if (module.lookupSymbol(name))
    return;
  OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
  auto function = func::FuncOp::create(
      builder, module.getLoc(), name,
      builder.getFunctionType(operands, TypeRange{}));
  function.setPrivate();
  function->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                    builder.getUnitAttr());
}

std::optional<StringRef> sift::getWeightKernelSuffix(Type type) {
  if (type.isF32())
    return StringRef("f32");
  if (type.isBF16())
    return StringRef("bf16");
  if (type.isF16())
    return StringRef("f16");
  return std::nullopt;
}

Value sift::castForKernel(OpBuilder &builder, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  MemRefType target = getKernelOperandType(builder.getContext(),
                                           type.getRank(),
                                           type.getElementType());
  return memref::CastOp::create(builder, loc, target, buffer);
}

Value sift::bufferForKernel(OpBuilder &builder, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
  auto layout = StridedLayoutAttr::get(builder.getContext(),
                                       ShapedType::kDynamic, strides);
  auto bufferType =
      MemRefType::get(type.getShape(), type.getElementType(), layout);
  Value buffer = bufferization::ToBufferOp::create(builder, loc, bufferType,
                                                   tensor, /*read_only=*/true);
  return castForKernel(builder, loc, buffer);
}

Value sift::allocateResult(OpBuilder &builder, Location loc,
                           RankedTensorType type, ValueRange dynamicSizes) {
  auto bufferType = MemRefType::get(type.getShape(), type.getElementType());
  return memref::AllocOp::create(builder, loc, bufferType, dynamicSizes,
                                 builder.getI64IntegerAttr(kKernelAlignment));
}

Value sift::resultTensor(OpBuilder &builder, Location loc,
                         RankedTensorType type, Value buffer) {
  return bufferization::ToTensorOp::create(builder, loc, type, buffer,
                                           /*restrict=*/builder.getUnitAttr(),
                                           /*writable=*/builder.getUnitAttr());
}

Value sift::allocateResultLike(OpBuilder &builder, Location loc,
                               RankedTensorType type, Value like) {
  SmallVector<Value> dynamicSizes;
  for (auto [dim, size] : llvm::enumerate(type.getShape()))
    if (ShapedType::isDynamic(size))
      dynamicSizes.push_back(
          tensor::DimOp::create(builder, loc, like, static_cast<int64_t>(dim)));
  return allocateResult(builder, loc, type, dynamicSizes);
}

void sift::callKernel(OpBuilder &builder, Location loc, StringRef name,
                      ValueRange operands) {
  Block *block = builder.getInsertionBlock();
  declareKernel(block->getParentOp()->getParentOfType<ModuleOp>(), name,
                operands.getTypes());
  func::CallOp::create(builder, loc, name, TypeRange{}, operands);
}
