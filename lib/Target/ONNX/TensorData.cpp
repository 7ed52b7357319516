//===- TensorData.cpp - ONNX tensors to MLIR attributes -------------------===//

#include "TensorData.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace sift::onnx_import;

Type sift::onnx_import::convertElementType(int32_t onnxType,
                                           MLIRContext *context) {
  Builder b(context);
  switch (onnxType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return b.getIntegerType(8);
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return b.getIntegerType(32);
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
    return b.getIntegerType(64);
  default:
    return nullptr;
  }
}

bool sift::onnx_import::isUnsignedType(int32_t onnxType) {
  return onnxType == onnx::TensorProto::UINT8 ||
         onnxType == onnx::TensorProto::UINT16 ||
         onnxType == onnx::TensorProto::UINT32 ||
         onnxType == onnx::TensorProto::UINT64;
}

StringRef sift::onnx_import::elementTypeName(int32_t onnxType) {
  if (onnx::TensorProto::DataType_IsValid(onnxType))
    return onnx::TensorProto::DataType_Name(
        static_cast<onnx::TensorProto::DataType>(onnxType));
  return "<invalid data type>";
}

/// Whether `file` lies strictly below `directory`; both are real paths.
static bool isInsideDirectory(StringRef file, StringRef directory) {
  auto fileComponent = llvm::sys::path::begin(file);
  auto fileEnd = llvm::sys::path::end(file);
  for (StringRef component :
       llvm::make_range(llvm::sys::path::begin(directory),
                        llvm::sys::path::end(directory))) {
    if (fileComponent == fileEnd || *fileComponent != component)
      return false;
    ++fileComponent;
  }
  return fileComponent != fileEnd;
}

llvm::Expected<std::shared_ptr<llvm::MemoryBuffer>>
ExternalDataFiles::open(StringRef location) {
  if (llvm::sys::path::is_absolute(location) || location.contains(".."))
    return llvm::createStringError(
        "external data location '" + location +
        "' must be a path inside the model's directory");
  SmallString<256> path(modelDirectory);
  llvm::sys::path::append(path, location);
  // A symbolic link may lead out of the model's directory, and a FIFO or a
  // device never ends: map only a regular file whose real path is inside the
  // directory's real path.
  SmallString<256> realDirectory, realPath;
  if (std::error_code error = llvm::sys::fs::real_path(
          modelDirectory.empty() ? "." : modelDirectory, realDirectory))
    return llvm::createStringError("cannot resolve the model's directory '" +
                                   modelDirectory + "': " + error.message());
  if (std::error_code error = llvm::sys::fs::real_path(path, realPath))
    return llvm::createStringError("cannot read external data file '" + path +
                                   "': " + error.message());
  if (!isInsideDirectory(realPath, realDirectory))
    return llvm::createStringError(
        "external data location '" + location + "' resolves to '" + realPath +
        "', which is outside the model's directory '" + realDirectory + "'");
  llvm::sys::fs::file_status status;
  if (std::error_code error = llvm::sys::fs::status(realPath, status))
    return llvm::createStringError("cannot read external data file '" + path +
                                   "': " + error.message());
  if (!llvm::sys::fs::is_regular_file(status))
    return llvm::createStringError("external data file '" + path +
                                   "' is not a regular file");
  auto buffer = llvm::MemoryBuffer::getFile(realPath, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return llvm::createStringError("cannot read external data file '" + path +
                                   "': " + buffer.getError().message());
  return std::shared_ptr<llvm::MemoryBuffer>(std::move(*buffer));
}

llvm::Expected<ArrayRef<char>>
ExternalDataFiles::read(StringRef location, uint64_t offset,
                        std::optional<uint64_t> length,
                        std::shared_ptr<llvm::MemoryBuffer> &owner) {
  std::shared_ptr<llvm::MemoryBuffer> &file = files[location];
  if (!file) {
    llvm::Expected<std::shared_ptr<llvm::MemoryBuffer>> opened = open(location);
    if (!opened)
      return opened.takeError();
    file = std::move(*opened);
  }
  uint64_t size = file->getBufferSize();
  uint64_t bytes = length.value_or(size >= offset ? size - offset : 0);
  if (offset > size || bytes > size - offset)
    return llvm::createStringError(
        "external data file '" + file->getBufferIdentifier() + "' has " +
        llvm::Twine(size) + " bytes; the tensor needs " + llvm::Twine(bytes) +
        " bytes at offset " + llvm::Twine(offset));
  owner = file;
  return ArrayRef<char>(file->getBufferStart() + offset, bytes);
}

namespace {
/// Byte width of one element as stored in raw_data.
int64_t rawElementBytes(int32_t onnxType) {
  switch (onnxType) {
  case onnx::TensorProto::BOOL:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return 1;
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    return 2;
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::FLOAT:
    return 4;
  default:
    return 8;
  }
}

/// Packs the typed repeated fields of a TensorProto into little-endian raw
/// bytes, so that both storage forms share one path.
bool packTypedFields(const onnx::TensorProto &tensor, int64_t elements,
                     std::vector<char> &bytes, std::string &error) {
  int32_t type = tensor.data_type();
  int64_t width = rawElementBytes(type);
  bytes.assign(elements * width, 0);
  auto store = [&](int64_t index, uint64_t bits) {
    for (int64_t b = 0; b < width; ++b)
      bytes[index * width + b] = static_cast<char>((bits >> (8 * b)) & 0xff);
  };
  auto checkCount = [&](int64_t count, StringRef field) {
    if (count == elements)
      return true;
    error = ("holds " + llvm::Twine(count) + " values in " + field +
             " but its shape has " + llvm::Twine(elements) + " elements")
                .str();
    return false;
  };
  switch (type) {
  case onnx::TensorProto::FLOAT:
    if (!checkCount(tensor.float_data_size(), "float_data"))
      return false;
    for (int64_t i = 0; i < elements; ++i) {
      float v = tensor.float_data(i);
      uint32_t bits;
      std::memcpy(&bits, &v, 4);
      store(i, bits);
    }
    return true;
  case onnx::TensorProto::DOUBLE:
    if (!checkCount(tensor.double_data_size(), "double_data"))
      return false;
    for (int64_t i = 0; i < elements; ++i) {
      double v = tensor.double_data(i);
      uint64_t bits;
      std::memcpy(&bits, &v, 8);
      store(i, bits);
    }
    return true;
  case onnx::TensorProto::INT64:
    if (!checkCount(tensor.int64_data_size(), "int64_data"))
      return false;
    for (int64_t i = 0; i < elements; ++i)
      store(i, static_cast<uint64_t>(tensor.int64_data(i)));
    return true;
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    if (!checkCount(tensor.uint64_data_size(), "uint64_data"))
      return false;
    for (int64_t i = 0; i < elements; ++i)
      store(i, tensor.uint64_data(i));
    return true;
  default:
    // BOOL, INT8/16/32, UINT8/16, FLOAT16 and BFLOAT16 (as bit patterns).
    if (!checkCount(tensor.int32_data_size(), "int32_data"))
      return false;
    for (int64_t i = 0; i < elements; ++i)
      store(i, static_cast<uint64_t>(static_cast<uint32_t>(
                   tensor.int32_data(i))));
    return true;
  }
}

bool hasTypedFields(const onnx::TensorProto &t) {
  return t.float_data_size() || t.double_data_size() || t.int32_data_size() ||
         t.int64_data_size() || t.uint64_data_size();
}

/// Inline attributes are kept for what the importer or folders must read.
bool keepInline(Type elementType, int64_t elements) {
  if (elementType.isInteger(1))
    return true;
  if (isa<IntegerType>(elementType))
    return elements <= 4096;
  return elements <= 16;
}
} // namespace

ElementsAttr sift::onnx_import::convertTensor(const onnx::TensorProto &tensor,
                                              MLIRContext *context,
                                              ExternalDataFiles &externalData,
                                              std::string &error) {
  int32_t onnxType = tensor.data_type();
  Type elementType = convertElementType(onnxType, context);
  if (!elementType) {
    error = ("has data type " + elementTypeName(onnxType) +
             ", which Sift does not support")
                .str();
    return nullptr;
  }
  SmallVector<int64_t> shape;
  int64_t elements = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0) {
      error = "has a negative dimension";
      return nullptr;
    }
    shape.push_back(dim);
    if (dim != 0 && elements > (int64_t(1) << 62) / dim) {
      error = "has more elements than fit in 64 bits";
      return nullptr;
    }
    elements *= dim;
  }
  auto type = RankedTensorType::get(shape, elementType);
  int64_t width = rawElementBytes(onnxType);

  // Find the bytes: external file, raw_data, or typed repeated fields. A
  // tensor holding more than one would be read from one and the others
  // silently ignored.
  bool isExternal = tensor.data_location() == onnx::TensorProto::EXTERNAL;
  if (int(isExternal) + int(tensor.has_raw_data()) +
          int(hasTypedFields(tensor)) >
      1) {
    error = "holds its data in more than one of external data, raw_data and "
            "the typed data fields";
    return nullptr;
  }
  ArrayRef<char> bytes;
  std::shared_ptr<llvm::MemoryBuffer> mapped;
  std::vector<char> packed;
  if (isExternal) {
    std::string location;
    uint64_t offset = 0;
    std::optional<uint64_t> length;
    for (const auto &entry : tensor.external_data()) {
      if (entry.key() == "location")
        location = entry.value();
      else if (entry.key() == "offset" || entry.key() == "length") {
        uint64_t parsed;
        if (StringRef(entry.value()).getAsInteger(10, parsed)) {
          error = "has a malformed external data " + entry.key() + " '" +
                  entry.value() + "'";
          return nullptr;
        }
        if (entry.key() == "offset")
          offset = parsed;
        else
          length = parsed;
      }
    }
    if (location.empty()) {
      error = "is stored externally but names no location";
      return nullptr;
    }
    auto read = externalData.read(location, offset, length, mapped);
    if (!read) {
      error = llvm::toString(read.takeError());
      return nullptr;
    }
    bytes = *read;
  } else if (tensor.has_raw_data()) {
    bytes = ArrayRef<char>(tensor.raw_data().data(), tensor.raw_data().size());
  } else if (hasTypedFields(tensor) || elements == 0) {
    if (!packTypedFields(tensor, elements, packed, error))
      return nullptr;
    bytes = packed;
  } else {
    error = "holds no data";
    return nullptr;
  }
  if (static_cast<int64_t>(bytes.size()) != elements * width) {
    error = ("holds " + llvm::Twine(bytes.size()) + " bytes of data but its " +
             elementTypeName(onnxType) + " shape needs " +
             llvm::Twine(elements * width))
                .str();
    return nullptr;
  }

  if (elementType.isInteger(1)) {
    SmallVector<bool> values(bytes.begin(), bytes.end());
    return DenseElementsAttr::get(type, values);
  }
  // ONNX data is little-endian, as is every host Sift targets.
  static_assert(llvm::endianness::native == llvm::endianness::little,
                "ONNX raw data is little-endian");
  if (keepInline(elementType, elements))
    return DenseElementsAttr::getFromRawBuffer(type, bytes);

  std::string blobName = tensor.name().empty() ? "onnx_tensor" : tensor.name();
  bool aligned = reinterpret_cast<uintptr_t>(bytes.data()) % width == 0;
  if (mapped && aligned) {
    // Keep the mapping alive for as long as the blob refers to it.
    AsmResourceBlob blob(
        bytes, width,
        [mapped](void *, size_t, size_t) mutable { mapped.reset(); },
        /*dataIsMutable=*/false);
    return DenseResourceElementsAttr::get(type, blobName, std::move(blob));
  }
  return DenseResourceElementsAttr::get(
      type, blobName,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, width));
}
