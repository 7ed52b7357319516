//===- InputShapes.cpp - Fixing a graph's input dimensions ----------------===//

#include "InputShapes.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

using namespace sift;

namespace {
std::string describe(const onnx::TensorShapeProto &shape) {
  std::string text = "[";
  for (int d = 0; d < shape.dim_size(); ++d) {
    const onnx::TensorShapeProto::Dimension &dim = shape.dim(d);
    text += d ? ", " : "";
    text += dim.has_dim_value()        ? std::to_string(dim.dim_value())
            : dim.dim_param().empty() ? std::string("?")
                                      : dim.dim_param();
  }
  return text + "]";
}

/// The input `shape` names: by name first, else by position among the
/// graph's real inputs.
onnx::ValueInfoProto *findInput(onnx::GraphProto &graph,
                                const llvm::StringSet<> &initializers,
                                llvm::StringRef name) {
  std::vector<onnx::ValueInfoProto *> inputs;
  for (onnx::ValueInfoProto &input : *graph.mutable_input())
    if (!initializers.contains(input.name())) {
      if (input.name() == name)
        return &input;
      inputs.push_back(&input);
    }
  unsigned index;
  if (!name.getAsInteger(10, index) && index < inputs.size())
    return inputs[index];
  return nullptr;
}
} // namespace

std::optional<std::string>
onnx_import::applyInputShapes(onnx::GraphProto &graph,
                              llvm::ArrayRef<InputShape> shapes) {
  llvm::StringSet<> initializers;
  for (const onnx::TensorProto &initializer : graph.initializer())
    initializers.insert(initializer.name());
  llvm::StringMap<int64_t> symbols;
  for (const InputShape &fixed : shapes) {
    onnx::ValueInfoProto *input = findInput(graph, initializers, fixed.name);
    if (!input) {
      std::string known;
      for (const onnx::ValueInfoProto &info : graph.input())
        if (!initializers.contains(info.name()))
          known += (known.empty() ? "'" : ", '") + info.name() + "'";
      return "--input-shape names '" + fixed.name +
             "', which is neither a graph input nor an input's position "
             "(the inputs: " +
             (known.empty() ? std::string("none") : known) + ")";
    }
    if (!input->type().has_tensor_type())
      return "--input-shape: graph input '" + input->name() +
             "' is not a tensor";
    onnx::TensorShapeProto *shape =
        input->mutable_type()->mutable_tensor_type()->mutable_shape();
    std::string declared = describe(*shape);
    if (shape->dim_size() != static_cast<int>(fixed.dims.size()))
      return "--input-shape gives graph input '" + input->name() + "' " +
             std::to_string(fixed.dims.size()) + " dimensions, but it has " +
             std::to_string(shape->dim_size()) + ": " + declared;
    for (auto [d, size] : llvm::enumerate(fixed.dims)) {
      onnx::TensorShapeProto::Dimension *dim = shape->mutable_dim(d);
      if (dim->has_dim_value() && dim->dim_value() != size)
        return "--input-shape gives graph input '" + input->name() +
               "' size " + std::to_string(size) + " in dimension " +
               std::to_string(d) + ", which the model fixes at " +
               std::to_string(dim->dim_value()) + ": " + declared;
      if (!dim->dim_param().empty()) {
        auto [it, inserted] = symbols.try_emplace(dim->dim_param(), size);
        if (!inserted && it->second != size)
          return "--input-shape fixes the symbolic dimension '" +
                 dim->dim_param() + "' at both " +
                 std::to_string(it->second) + " and " + std::to_string(size);
      }
      dim->set_dim_value(size);
    }
  }
  // Dimensions that share a symbol are the same size wherever they are.
  auto fixSymbols = [&](onnx::ValueInfoProto &info) {
    if (!info.type().has_tensor_type() ||
        !info.type().tensor_type().has_shape())
      return;
    for (onnx::TensorShapeProto::Dimension &dim :
         *info.mutable_type()->mutable_tensor_type()->mutable_shape()
              ->mutable_dim()) {
      auto found = symbols.find(dim.dim_param());
      if (!dim.dim_param().empty() && found != symbols.end())
        dim.set_dim_value(found->second);
    }
  };
  for (onnx::ValueInfoProto &input : *graph.mutable_input())
    fixSymbols(input);
  for (onnx::ValueInfoProto &output : *graph.mutable_output())
    fixSymbols(output);
  return std::nullopt;
}

std::optional<InputShape> sift::parseInputShape(llvm::StringRef text,
                                                std::string &error) {
  auto [name, dims] = text.rsplit('=');
  if (name.empty() || dims.empty() || name == text) {
    error = "--input-shape expects NAME=D0xD1x... (e.g. x=1x3x224x224), got '" +
            text.str() + "'";
    return std::nullopt;
  }
  InputShape shape;
  shape.name = name.str();
  if (dims != "scalar") {
    llvm::SmallVector<llvm::StringRef> parts;
    dims.split(parts, 'x');
    for (llvm::StringRef part : parts) {
      int64_t size;
      if (part.getAsInteger(10, size) || size < 0 || size > (int64_t{1} << 40)) {
        error = "--input-shape: '" + part.str() + "' in '" + text.str() +
                "' is not a dimension (0 to 2^40)";
        return std::nullopt;
      }
      shape.dims.push_back(size);
    }
  }
  return shape;
}
