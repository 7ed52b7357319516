//===- TensorFile.cpp - Tensors in .pb and .npy files ---------------------===//

#include "TensorFile.h"

#include "onnx.pb.h"

#include <cstring>
#include <fstream>
#include <sstream>

using namespace sift::runtime;

int64_t HostTensor::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

int64_t sift::runtime::elementBytes(int32_t dtype) {
  switch (dtype) {
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
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
  case onnx::TensorProto::DOUBLE:
    return 8;
  default:
    return 0;
  }
}

const char *sift::runtime::dtypeName(int32_t dtype) {
  if (!onnx::TensorProto::DataType_IsValid(dtype))
    return "<invalid>";
  return onnx::TensorProto::DataType_Name(
             static_cast<onnx::TensorProto::DataType>(dtype))
      .c_str();
}

static bool readFile(const std::string &path, std::string &bytes,
                     std::string &error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  bytes = contents.str();
  return true;
}

//===----------------------------------------------------------------------===//
// ONNX TensorProto
//===----------------------------------------------------------------------===//

/// Copies the typed repeated field of `proto` into `tensor.data`.
static bool unpackTypedFields(const onnx::TensorProto &proto,
                              HostTensor &tensor) {
  int64_t count = tensor.numElements();
  int64_t width = elementBytes(tensor.dtype);
  tensor.data.resize(count * width);
  auto put = [&](int64_t i, uint64_t bits) {
    std::memcpy(tensor.data.data() + i * width, &bits, width);
  };
  switch (tensor.dtype) {
  case onnx::TensorProto::FLOAT:
    if (proto.float_data_size() != count)
      return false;
    std::memcpy(tensor.data.data(), proto.float_data().data(), count * 4);
    return true;
  case onnx::TensorProto::DOUBLE:
    if (proto.double_data_size() != count)
      return false;
    std::memcpy(tensor.data.data(), proto.double_data().data(), count * 8);
    return true;
  case onnx::TensorProto::INT64:
    if (proto.int64_data_size() != count)
      return false;
    std::memcpy(tensor.data.data(), proto.int64_data().data(), count * 8);
    return true;
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    if (proto.uint64_data_size() != count)
      return false;
    for (int64_t i = 0; i < count; ++i)
      put(i, proto.uint64_data(i));
    return true;
  default:
    if (proto.int32_data_size() != count)
      return false;
    for (int64_t i = 0; i < count; ++i)
      put(i, static_cast<uint32_t>(proto.int32_data(i)));
    return true;
  }
}

static bool readTensorProto(const std::string &path, const std::string &bytes,
                            HostTensor &tensor, std::string &error) {
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes)) {
    error = path + ": not a valid ONNX TensorProto file";
    return false;
  }
  tensor.dtype = proto.data_type();
  if (!elementBytes(tensor.dtype)) {
    error = path + ": tensor has data type " +
            std::string(dtypeName(tensor.dtype)) +
            ", which Sift does not support";
    return false;
  }
  tensor.shape.assign(proto.dims().begin(), proto.dims().end());
  for (int64_t dim : tensor.shape)
    if (dim < 0) {
      error = path + ": tensor has a negative dimension";
      return false;
    }
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    error = path + ": tensor keeps its data in an external file, which "
                   "input files may not";
    return false;
  }
  int64_t bytesNeeded = tensor.numElements() * elementBytes(tensor.dtype);
  if (proto.has_raw_data()) {
    if (static_cast<int64_t>(proto.raw_data().size()) != bytesNeeded) {
      error = path + ": tensor holds " +
              std::to_string(proto.raw_data().size()) +
              " bytes of data but its shape needs " +
              std::to_string(bytesNeeded);
      return false;
    }
    tensor.data.assign(proto.raw_data().begin(), proto.raw_data().end());
    return true;
  }
  if (!unpackTypedFields(proto, tensor)) {
    error = path + ": tensor's value count does not match its shape";
    return false;
  }
  return true;
}

bool sift::runtime::writeTensorProto(const std::string &path,
                                     const std::string &name,
                                     const HostTensor &tensor,
                                     std::string &error) {
  onnx::TensorProto proto;
  proto.set_name(name);
  proto.set_data_type(tensor.dtype);
  for (int64_t dim : tensor.shape)
    proto.add_dims(dim);
  proto.set_raw_data(tensor.data.data(), tensor.data.size());
  std::ofstream file(path, std::ios::binary);
  if (!file || !proto.SerializeToOstream(&file)) {
    error = path + ": cannot write: " + std::strerror(errno);
    return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// NumPy .npy
//===----------------------------------------------------------------------===//

namespace {
struct NpyType {
  const char *descr;
  int32_t dtype;
};
// Little-endian descriptors only: every host Sift targets is little-endian.
constexpr NpyType kNpyTypes[] = {
    {"<f4", onnx::TensorProto::FLOAT},   {"<f8", onnx::TensorProto::DOUBLE},
    {"<f2", onnx::TensorProto::FLOAT16}, {"|i1", onnx::TensorProto::INT8},
    {"|u1", onnx::TensorProto::UINT8},   {"<i2", onnx::TensorProto::INT16},
    {"<u2", onnx::TensorProto::UINT16},  {"<i4", onnx::TensorProto::INT32},
    {"<u4", onnx::TensorProto::UINT32},  {"<i8", onnx::TensorProto::INT64},
    {"<u8", onnx::TensorProto::UINT64},  {"|b1", onnx::TensorProto::BOOL},
};
} // namespace

/// The quoted value that follows `'key':` in an npy header dictionary.
static std::string headerField(const std::string &header,
                               const std::string &key) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    return "";
  size_t colon = header.find(':', at);
  if (colon == std::string::npos)
    return "";
  size_t start = header.find_first_not_of(' ', colon + 1);
  if (start == std::string::npos)
    return "";
  char open = header[start];
  char close = open == '(' ? ')' : open == '\'' ? '\'' : ',';
  size_t end = header.find(close, start + 1);
  if (end == std::string::npos)
    return "";
  return header.substr(start, end - start + 1);
}

static bool readNpy(const std::string &path, const std::string &bytes,
                    HostTensor &tensor, std::string &error) {
  static const char magic[] = "\x93NUMPY";
  if (bytes.size() < 10 || bytes.compare(0, 6, magic, 6) != 0) {
    error = path + ": not a NumPy .npy file";
    return false;
  }
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerStart = major == 1 ? 10 : 12;
  if (bytes.size() < headerStart) {
    error = path + ": truncated .npy header";
    return false;
  }
  uint32_t headerLength = 0;
  std::memcpy(&headerLength, bytes.data() + 8, major == 1 ? 2 : 4);
  if (bytes.size() < headerStart + headerLength) {
    error = path + ": truncated .npy header";
    return false;
  }
  std::string header = bytes.substr(headerStart, headerLength);

  std::string descr = headerField(header, "descr");
  tensor.dtype = 0;
  for (const NpyType &type : kNpyTypes)
    if (descr == std::string("'") + type.descr + "'")
      tensor.dtype = type.dtype;
  if (!tensor.dtype) {
    error = path + ": .npy element type " + descr +
            " is not supported (little-endian numbers and bools are)";
    return false;
  }
  if (headerField(header, "fortran_order").rfind("True", 0) == 0) {
    error = path + ": .npy array is in Fortran order; save it C-contiguous";
    return false;
  }
  std::string shape = headerField(header, "shape");
  if (shape.empty() || shape.front() != '(') {
    error = path + ": .npy header has no shape";
    return false;
  }
  tensor.shape.clear();
  for (size_t i = 1; i < shape.size();) {
    if (!std::isdigit(static_cast<unsigned char>(shape[i]))) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < shape.size() && std::isdigit(static_cast<unsigned char>(shape[end])))
      ++end;
    tensor.shape.push_back(std::stoll(shape.substr(i, end - i)));
    i = end;
  }
  size_t dataStart = headerStart + headerLength;
  int64_t bytesNeeded = tensor.numElements() * elementBytes(tensor.dtype);
  if (static_cast<int64_t>(bytes.size() - dataStart) != bytesNeeded) {
    error = path + ": .npy file holds " +
            std::to_string(bytes.size() - dataStart) +
            " bytes of data but its shape needs " + std::to_string(bytesNeeded);
    return false;
  }
  tensor.data.assign(bytes.begin() + dataStart, bytes.end());
  return true;
}

bool sift::runtime::writeNpy(const std::string &path, const HostTensor &tensor,
                             std::string &error) {
  const char *descr = nullptr;
  for (const NpyType &type : kNpyTypes)
    if (type.dtype == tensor.dtype)
      descr = type.descr;
  if (!descr) {
    error = path + ": no .npy type for " + dtypeName(tensor.dtype);
    return false;
  }
  std::string shape = "(";
  for (int64_t dim : tensor.shape)
    shape += std::to_string(dim) + (tensor.shape.size() == 1 ? "," : ", ");
  if (tensor.shape.size() > 1)
    shape.resize(shape.size() - 2);
  shape += ")";
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so that the data starts on a 64-byte boundary, ending in '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream file(path, std::ios::binary);
  uint16_t length = static_cast<uint16_t>(header.size());
  file.write("\x93NUMPY\x01\x00", 8);
  file.write(reinterpret_cast<const char *>(&length), 2);
  file << header;
  file.write(tensor.data.data(), tensor.data.size());
  if (!file) {
    error = path + ": cannot write: " + std::strerror(errno);
    return false;
  }
  return true;
}

bool sift::runtime::readTensorFile(const std::string &path, HostTensor &tensor,
                                   std::string &error) {
  std::string bytes;
  if (!readFile(path, bytes, error))
    return false;
  if (path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0)
    return readNpy(path, bytes, tensor, error);
  return readTensorProto(path, bytes, tensor, error);
}
