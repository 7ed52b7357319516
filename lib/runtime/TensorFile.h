//===- TensorFile.h - Tensors in .pb and .npy files -------------*- C++ -*-===//
//
// The runtime of a compiled model reads its inputs from ONNX TensorProto
// files (.pb, as in ONNX test data) or NumPy .npy files and writes its
// outputs the same way.
//
//===----------------------------------------------------------------------===//

#ifndef SIFT_LIB_RUNTIME_TENSORFILE_H
#define SIFT_LIB_RUNTIME_TENSORFILE_H

#include <cstdint>
#include <string>
#include <vector>

namespace sift::runtime {

/// A dense row-major tensor; `dtype` is an ONNX TensorProto.DataType.
struct HostTensor {
  int32_t dtype = 0;
  std::vector<int64_t> shape;
  std::vector<char> data;

  int64_t numElements() const;
};

/// Bytes per element of an ONNX data type, or 0 for types Sift lacks.
int64_t elementBytes(int32_t dtype);
/// ONNX's name of a data type ("FLOAT", "INT64", ...).
const char *dtypeName(int32_t dtype);
/// A shape as text: "[3, 4, 5]".
std::string describeShape(const std::vector<int64_t> &shape);

/// Reads a tensor from `path` (.pb or .npy); on failure returns false and
/// sets `error` to a message naming the file.
bool readTensorFile(const std::string &path, HostTensor &tensor,
                    std::string &error);

/// Writes `tensor` as an ONNX TensorProto named `name`.
bool writeTensorProto(const std::string &path, const std::string &name,
                      const HostTensor &tensor, std::string &error);
/// Writes `tensor` as a NumPy .npy file.
bool writeNpy(const std::string &path, const HostTensor &tensor,
              std::string &error);

} // namespace sift::runtime

#endif // SIFT_LIB_RUNTIME_TENSORFILE_H
