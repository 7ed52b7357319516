//===- TensorFile.cpp - Tensors in .pb and .npy files ---------------------===//

#include "TensorFile.h"

#include "onnx.pb.h"

#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>

using namespace sift::runtime;

/// Sets `bytes` to the size of a tensor of `shape` and `width`-byte elements;
/// fails when a dimension is negative or the size does not fit in int64 (a
/// file's header may claim anything).
static bool byteSize(const std::vector<int64_t> &shape, int64_t width,
                     int64_t &bytes, std::string &error) {
  bytes = width;
  for (int64_t dim : shape) {
    if (dim < 0) {
      error = "has a negative dimension " + std::to_string(dim);
      return false;
    }
    if (__builtin_mul_overflow(bytes, dim, &bytes)) {
      error = "has shape " + describeShape(shape) +
              ", whose byte size overflows 64 bits";
      return false;
    }
  }
  return true;
}

std::string sift::runtime::describeShape(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t d = 0; d < shape.size(); ++d)
    text += (d ? ", " : "") + std::to_string(shape[d]);
  return text + "]";
}

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

/// The number of values in the typed repeated field of `proto` that holds
/// elements of `dtype`.
static int64_t typedFieldSize(const onnx::TensorProto &proto, int32_t dtype) {
  switch (dtype) {
  case onnx::TensorProto::FLOAT:
    return proto.float_data_size();
  case onnx::TensorProto::DOUBLE:
    return proto.double_data_size();
  case onnx::TensorProto::INT64:
    return proto.int64_data_size();
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    return proto.uint64_data_size();
  default:
    return proto.int32_data_size();
  }
}

/// Copies the typed repeated field of `proto`, which holds exactly
/// `tensor.numElements()` values, into `tensor.data`.
static void unpackTypedFields(const onnx::TensorProto &proto,
                              HostTensor &tensor) {
  int64_t count = tensor.numElements();
  int64_t width = elementBytes(tensor.dtype);
  tensor.data.resize(count * width);
  // An empty field's data() may be null, which memcpy must not be given
  // even for zero bytes.
  if (count == 0)
    return;
  auto put = [&](int64_t i, uint64_t bits) {
    std::memcpy(tensor.data.data() + i * width, &bits, width);
  };
  switch (tensor.dtype) {
  case onnx::TensorProto::FLOAT:
    std::memcpy(tensor.data.data(), proto.float_data().data(), count * 4);
    return;
  case onnx::TensorProto::DOUBLE:
    std::memcpy(tensor.data.data(), proto.double_data().data(), count * 8);
    return;
  case onnx::TensorProto::INT64:
    std::memcpy(tensor.data.data(), proto.int64_data().data(), count * 8);
    return;
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    for (int64_t i = 0; i < count; ++i)
      put(i, proto.uint64_data(i));
    return;
  default:
    for (int64_t i = 0; i < count; ++i)
      put(i, static_cast<uint32_t>(proto.int32_data(i)));
    return;
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
  int64_t bytesNeeded = 0;
  if (!byteSize(tensor.shape, elementBytes(tensor.dtype), bytesNeeded, error)) {
    error = path + ": tensor " + error;
    return false;
  }
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    error = path + ": tensor keeps its data in an external file, which "
                   "input files may not";
    return false;
  }
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
  // Compare before allocating: the shape alone may claim any size.
  int64_t count = typedFieldSize(proto, tensor.dtype);
  if (count != bytesNeeded / elementBytes(tensor.dtype)) {
    error = path + ": tensor holds " + std::to_string(count) +
            " values but its shape " + describeShape(tensor.shape) +
            " needs " + std::to_string(bytesNeeded / elementBytes(tensor.dtype));
    return false;
  }
  unpackTypedFields(proto, tensor);
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

/// Parses an npy shape tuple, "(3, 4)", "(3,)" or "()", into `shape`:
/// decimal integers only, each fitting in int64.
static bool parseNpyShape(const std::string &tuple,
                          std::vector<int64_t> &shape, std::string &error) {
  shape.clear();
  // headerField returns the tuple with both parentheses.
  std::string items = tuple.substr(1, tuple.size() - 2);
  size_t start = 0;
  while (start < items.size()) {
    size_t end = items.find(',', start);
    if (end == std::string::npos)
      end = items.size();
    std::string item = items.substr(start, end - start);
    size_t first = item.find_first_not_of(' ');
    size_t last = item.find_last_not_of(' ');
    // A trailing comma, as in "(3,)", leaves an empty last item.
    if (first == std::string::npos && end == items.size())
      break;
    item = first == std::string::npos ? ""
                                      : item.substr(first, last - first + 1);
    bool negative = !item.empty() && item[0] == '-';
    int64_t dim = 0;
    bool digits = item.size() > size_t(negative);
    for (size_t i = negative; i < item.size() && digits; ++i) {
      digits = std::isdigit(static_cast<unsigned char>(item[i]));
      if (digits && (__builtin_mul_overflow(dim, 10, &dim) ||
                     __builtin_add_overflow(dim, item[i] - '0', &dim))) {
        error = "has dimension " + item + ", which does not fit in 64 bits";
        return false;
      }
    }
    if (!digits) {
      error = "has a malformed shape " + tuple;
      return false;
    }
    shape.push_back(negative ? -dim : dim);
    start = end + 1;
  }
  return true;
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
  if (!parseNpyShape(shape, tensor.shape, error)) {
    error = path + ": .npy header " + error;
    return false;
  }
  int64_t bytesNeeded = 0;
  if (!byteSize(tensor.shape, elementBytes(tensor.dtype), bytesNeeded, error)) {
    error = path + ": .npy array " + error;
    return false;
  }
  size_t dataStart = headerStart + headerLength;
  if (static_cast<uint64_t>(bytes.size() - dataStart) !=
      static_cast<uint64_t>(bytesNeeded)) {
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
