//===- ModelFile.cpp - Reading ONNX model files ---------------------------===//

#include "ModelFile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <climits>

using llvm::StringRef;

/// How deeply messages may nest. Each subgraph (an If or Loop body) costs
/// three levels (graph, node, attribute); the parsers recurse once per level,
/// so an unbounded depth would overflow the stack on a hostile model.
static constexpr int kMaxMessageDepth = 100;

/// Protobuf text starts with a field name or a comment; binary protobuf
/// starts with a field tag byte, which is never printable in a ModelProto.
static bool looksLikeText(StringRef bytes) {
  StringRef head = bytes.take_front(256).ltrim();
  return !head.empty() &&
         llvm::all_of(head, [](char c) {
           return llvm::isPrint(c) || llvm::isSpace(c);
         });
}

namespace {
/// Collects protobuf's text-format parse errors instead of printing them.
class TextErrorCollector : public google::protobuf::io::ErrorCollector {
public:
  void AddError(int line, int column, const std::string &message) override {
    if (first.empty())
      first = "line " + std::to_string(line + 1) + ":" +
              std::to_string(column + 1) + ": " + message;
  }
  std::string first;
};
} // namespace

std::optional<std::string>
sift::onnx_import::parseModel(StringRef bytes, StringRef modelPath,
                              onnx::ModelProto &model) {
  if (looksLikeText(bytes)) {
    google::protobuf::TextFormat::Parser parser;
    parser.SetRecursionLimit(kMaxMessageDepth);
    TextErrorCollector errors;
    parser.RecordErrorsTo(&errors);
    if (!parser.ParseFromString(bytes.str(), &model))
      return modelPath.str() +
             ": not a valid ONNX model in protobuf text format: " +
             errors.first;
    return std::nullopt;
  }
  google::protobuf::io::ArrayInputStream stream(
      bytes.data(),
      static_cast<int>(std::min<size_t>(bytes.size(), INT32_MAX)));
  google::protobuf::io::CodedInputStream coded(&stream);
  coded.SetRecursionLimit(kMaxMessageDepth);
  if (bytes.size() > INT32_MAX || !model.ParseFromCodedStream(&coded))
    return modelPath.str() +
           ": not a valid binary ONNX model (truncated or corrupt protobuf, "
           "or messages nested more than " +
           std::to_string(kMaxMessageDepth) + " deep" +
           (bytes.size() > INT32_MAX
                ? "; a model over 2 GB must keep its weights as external data"
                : "") +
           ")";
  return std::nullopt;
}

std::string sift::onnx_import::nodeNameAt(const onnx::NodeProto &node,
                                          size_t index) {
  return node.name().empty() ? node.op_type() + "_" + std::to_string(index)
                             : node.name();
}
