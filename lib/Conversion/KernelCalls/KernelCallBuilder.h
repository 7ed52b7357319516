//===- KernelCallBuilder.h - Calls into the runtime's kernels ---*- C++ -*-===//
//
// Kernel calls are built on tensors, before one-shot-bufferize: operands
// become read-only buffers (`bufferization.to_buffer`), the result is a fresh
// aligned allocation handed back as a `restrict writable` tensor, and the
// kernel is an external function with a C interface. Bufferization and
// deallocation then treat the call like any other op.
//
//===----------------------------------------------------------------------===//

#ifndef SIFT_LIB_CONVERSION_KERNELCALLS_KERNELCALLBUILDER_H
#define SIFT_LIB_CONVERSION_KERNELCALLS_KERNELCALLBUILDER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>

namespace sift {

/// A memref type of `rank` dynamic dimensions with a fully dynamic strided
/// layout: one type that every kernel operand of that rank casts to.
mlir::MemRefType getKernelOperandType(mlir::MLIRContext *context,
                                      unsigned rank, mlir::Type elementType);

/// Declares `name` in `module` (once) as a private external function with a
/// C interface taking `operands`.
void declareKernel(mlir::ModuleOp module, llvm::StringRef name,
                   mlir::TypeRange operands);

/// `tensor` as a read-only buffer of the kernel operand type.
mlir::Value bufferForKernel(mlir::OpBuilder &builder, mlir::Location loc,
                            mlir::Value tensor);

/// A fresh, kernel-aligned buffer shaped like `type`, with dynamic sizes
/// taken from `dynamicSizes`.
mlir::Value allocateResult(mlir::OpBuilder &builder, mlir::Location loc,
                           mlir::RankedTensorType type,
                           mlir::ValueRange dynamicSizes);

/// allocateResult with the dynamic sizes of `like`, a tensor of `type`.
mlir::Value allocateResultLike(mlir::OpBuilder &builder, mlir::Location loc,
                               mlir::RankedTensorType type, mlir::Value like);

/// Calls kernel `name` on `operands`, declaring it in the enclosing module.
void callKernel(mlir::OpBuilder &builder, mlir::Location loc,
                llvm::StringRef name, mlir::ValueRange operands);

/// The suffix naming the matmul kernels for weights of `type` (f32, bf16,
/// f16), if the runtime has them.
std::optional<llvm::StringRef> getWeightKernelSuffix(mlir::Type type);

/// `buffer` cast to the kernel operand type.
mlir::Value castForKernel(mlir::OpBuilder &builder, mlir::Location loc,
                          mlir::Value buffer);

/// The tensor a kernel wrote into `buffer`.
mlir::Value resultTensor(mlir::OpBuilder &builder, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::Value buffer);

} // namespace sift

#endif // SIFT_LIB_CONVERSION_KERNELCALLS_KERNELCALLBUILDER_H
