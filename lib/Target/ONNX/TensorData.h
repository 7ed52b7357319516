//===- TensorData.h - ONNX tensors to MLIR attributes -----------*- C++ -*-===//

#ifndef SIFT_LIB_TARGET_ONNX_TENSORDATA_H
#define SIFT_LIB_TARGET_ONNX_TENSORDATA_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>

#include "onnx/onnx_pb.h"

namespace sift::onnx_import {

/// The MLIR element type of an ONNX TensorProto data type (unsigned integers
/// become signless), or null for types Sift does not compute with.
mlir::Type convertElementType(int32_t onnxType, mlir::MLIRContext *context);
bool isUnsignedType(int32_t onnxType);
/// The ONNX spelling of a data type, for diagnostics.
llvm::StringRef elementTypeName(int32_t onnxType);

/// Reads tensor data that lives outside the model file. Files are mapped
/// once and stay mapped while any constant still refers to them.
class ExternalDataFiles {
public:
  explicit ExternalDataFiles(std::string modelDirectory)
      : modelDirectory(std::move(modelDirectory)) {}

  /// The `length` bytes at `offset` of `location` (relative to the model), or
  /// an error message.
  llvm::Expected<llvm::ArrayRef<char>>
  read(llvm::StringRef location, uint64_t offset,
       std::optional<uint64_t> length,
       std::shared_ptr<llvm::MemoryBuffer> &owner);

private:
  /// Maps the regular file at `location`, which must lead (after symbolic
  /// links) to a file inside the model's directory.
  llvm::Expected<std::shared_ptr<llvm::MemoryBuffer>>
  open(llvm::StringRef location);

  std::string modelDirectory;
  llvm::StringMap<std::shared_ptr<llvm::MemoryBuffer>> files;
};

/// Converts `tensor` to an attribute. Large numeric tensors become
/// dense_resource blobs (external data stays memory-mapped, not copied);
/// small ones and booleans become dense attributes so that the importer and
/// folders can read them. Returns null and sets `error` on bad data.
mlir::ElementsAttr convertTensor(const onnx::TensorProto &tensor,
                                 mlir::MLIRContext *context,
                                 ExternalDataFiles &externalData,
                                 std::string &error);

} // namespace sift::onnx_import

#endif // SIFT_LIB_TARGET_ONNX_TENSORDATA_H
