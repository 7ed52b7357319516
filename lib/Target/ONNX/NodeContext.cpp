//===- NodeContext.cpp - What an ONNX op converter sees -------------------===//

#include "NodeContext.h"
#include "GraphImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace sift::onnx_import;

NodeContext::NodeContext(GraphImporter &graph, const onnx::NodeProto &node,
                         Location loc, OpBuilder &builder)
    : builder(builder), loc(loc), graph(graph), nodeProto(node) {}

StringRef NodeContext::name() const { return graph.nodeName(nodeProto); }

int64_t NodeContext::opset() const { return graph.opset(); }

int64_t NodeContext::declaredOpset() const { return graph.declaredOpset(); }

Value NodeContext::input(unsigned i) const {
  return hasInput(i) ? graph.lookup(nodeProto.input(i)) : Value();
}

RankedTensorType NodeContext::inputType(unsigned i) const {
  Value value = input(i);
  return value ? cast<RankedTensorType>(value.getType()) : nullptr;
}

bool NodeContext::isUnsigned(unsigned i) const {
  Value value = input(i);
  return value && graph.isUnsigned(value);
}

ElementsAttr NodeContext::constantWeight(unsigned i) const {
  Value value = input(i);
  ElementsAttr attr;
  if (value && matchPattern(value, m_Constant(&attr)))
    return attr;
  return nullptr;
}

DenseElementsAttr NodeContext::constantInput(unsigned i) const {
  return dyn_cast_if_present<DenseElementsAttr>(constantWeight(i));
}

std::optional<SmallVector<int64_t>>
NodeContext::constantInts(unsigned i) const {
  DenseElementsAttr attr = constantInput(i);
  if (!attr || !isa<IntegerType>(attr.getElementType()))
    return std::nullopt;
  bool isUnsignedInput = isUnsigned(i);
  SmallVector<int64_t> result;
  for (const APInt &v : attr.getValues<APInt>())
    result.push_back(isUnsignedInput || v.getBitWidth() == 1
                         ? static_cast<int64_t>(v.getZExtValue())
                         : v.getSExtValue());
  return result;
}

std::optional<SmallVector<double>>
NodeContext::constantFloats(unsigned i) const {
  DenseElementsAttr attr = constantInput(i);
  if (!attr)
    return std::nullopt;
  SmallVector<double> result;
  if (isa<FloatType>(attr.getElementType())) {
    for (const APFloat &v : attr.getValues<APFloat>()) {
      APFloat wide = v;
      bool losesInfo;
      wide.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                   &losesInfo);
      result.push_back(wide.convertToDouble());
    }
    return result;
  }
  std::optional<SmallVector<int64_t>> ints = constantInts(i);
  if (!ints)
    return std::nullopt;
  for (int64_t v : *ints)
    result.push_back(static_cast<double>(v));
  return result;
}

void NodeContext::setOutput(unsigned i, Value value, bool isUnsigned) {
  if (hasOutput(i))
    graph.bind(nodeProto.output(i), value, isUnsigned);
}

void NodeContext::setConstantOutput(unsigned i, DenseElementsAttr value,
                                    bool isUnsigned) {
  setOutput(i, arith::ConstantOp::create(builder, loc, value), isUnsigned);
}

const onnx::AttributeProto *NodeContext::attr(StringRef name) const {
  for (const auto &attribute : nodeProto.attribute())
    if (attribute.name() == name)
      return &attribute;
  return nullptr;
}

bool NodeContext::hasAttr(StringRef name) const { return attr(name); }

std::optional<int64_t> NodeContext::getOptionalInt(StringRef name) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return std::nullopt;
  return a->i();
}

int64_t NodeContext::getInt(StringRef name, int64_t defaultValue) const {
  return getOptionalInt(name).value_or(defaultValue);
}

float NodeContext::getFloat(StringRef name, float defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->f() : defaultValue;
}

std::string NodeContext::getString(StringRef name,
                                   StringRef defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->s() : defaultValue.str();
}

SmallVector<int64_t> NodeContext::getInts(StringRef name) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return {};
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

SmallVector<float> NodeContext::getFloats(StringRef name) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return {};
  return SmallVector<float>(a->floats().begin(), a->floats().end());
}

const onnx::TensorProto *NodeContext::getTensor(StringRef name) const {
  const onnx::AttributeProto *a = attr(name);
  return a && a->has_t() ? &a->t() : nullptr;
}

ElementsAttr NodeContext::tensorAttr(const onnx::TensorProto &tensor) {
  std::string error;
  ElementsAttr attr = graph.convertTensor(tensor, error);
  if (!attr)
    emitError() << "tensor '" << tensor.name() << "' " << error;
  return attr;
}

InFlightDiagnostic NodeContext::emitError() const {
  InFlightDiagnostic diag = mlir::emitError(loc);
  diag << graph.modelPath() << ": node '" << name() << "' (" << opType()
       << "): ";
  return diag;
}
