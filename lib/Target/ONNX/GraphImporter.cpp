//===- GraphImporter.cpp - Imports one ONNX graph -------------------------===//

#include "GraphImporter.h"

#include "ModelFile.h"
#include "OpsetHistory.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Path.h"

#include <map>
#include <set>

using namespace mlir;
using namespace sift::onnx_import;

static constexpr int64_t kMinOpset = 7;
static constexpr int64_t kMaxOpset = 17;

static bool isDefaultDomain(StringRef domain) {
  return domain.empty() || domain == "ai.onnx";
}

GraphImporter::GraphImporter(MLIRContext *context,
                             const onnx::ModelProto &model,
                             StringRef modelPath)
    : context(context), model(model), graph(model.graph()),
      path(modelPath.str()), builder(context),
      externalData(llvm::sys::path::parent_path(modelPath).str()) {}

InFlightDiagnostic GraphImporter::emitModelError() {
  return mlir::emitError(FileLineColLoc::get(context, path, 0, 0));
}

StringRef GraphImporter::nodeName(const onnx::NodeProto &node) const {
  auto it = nodeNames.find(&node);
  return it == nodeNames.end() ? StringRef(node.name()) : it->second;
}

//===----------------------------------------------------------------------===//
// Checks made before anything is built
//===----------------------------------------------------------------------===//

LogicalResult GraphImporter::checkOpsets() {
  bool found = false;
  for (const auto &opset : model.opset_import()) {
    if (!isDefaultDomain(opset.domain()))
      continue;
    found = true;
    defaultOpset = opset.version();
  }
  modelOpset = defaultOpset;
  if (!found && model.opset_import_size() == 0 && model.ir_version() < 3) {
    // IR versions before 3 had no opset_import; they predate opset 7.
    return emitModelError() << "model has IR version " << model.ir_version()
                            << " and no opset import; Sift reads opsets "
                            << kMinOpset << " to " << kMaxOpset;
  }
  if (!found)
    return emitModelError()
           << "model imports no opset of the default ONNX domain";
  if (defaultOpset > kMaxOpset)
    return emitModelError() << "model uses opset " << defaultOpset
                            << " of the default ONNX domain; Sift reads opsets "
                            << kMinOpset << " to " << kMaxOpset;
  if (defaultOpset < kMinOpset)
    return checkOlderOpset();
  return success();
}

/// Ops whose opset-7 definition only added to an older one, for the nodes
/// that use them as opset 7 reads them: AveragePool-7 added
/// count_include_pad (default off, the old behaviour); Gemm-7 made the
/// broadcast of C implicit; BatchNormalization-7 dropped is_test, and a node
/// with is_test = 1 computes exactly the inference form of opset 7. Two
/// changes of meaning are imported by their converters, which read the
/// declared opset: the binary ops replaced `broadcast` (B aligned with A's
/// trailing dimensions, or at `axis`) with numpy broadcasting, and PRelu's
/// slope of shape [C] applied per channel (axis 1) before opset 7.
static bool isCompatibleWithOpset7(const onnx::NodeProto &node) {
  StringRef op = node.op_type();
  auto hasAttr = [&](StringRef name, std::optional<int64_t> value) {
    return llvm::any_of(node.attribute(), [&](const onnx::AttributeProto &a) {
      return a.name() == name && (!value || a.i() == *value);
    });
  };
  if (op == "AveragePool" || op == "Gemm" || op == "PRelu")
    return true;
  if (llvm::is_contained({"Add", "Sub", "Mul", "Div", "Pow", "And", "Or",
                          "Xor", "Equal", "Greater", "Less"},
                         op))
    return true;
  if (op == "BatchNormalization")
    return hasAttr("is_test", 1);
  return false;
}

LogicalResult GraphImporter::checkOlderOpset() {
  // An op whose ONNX definition did not change between the model's opset and
  // opset 7 means exactly what it means at opset 7, so such a model imports
  // as opset 7. Ops that did change are refused, all listed at once.
  std::set<std::string> changed;
  for (const auto &node : graph.node()) {
    if (!isDefaultDomain(node.domain()))
      continue;
    std::optional<int> old = definitionSince(node.op_type(), defaultOpset);
    if (!old || (old != definitionSince(node.op_type(), kMinOpset) &&
                 !isCompatibleWithOpset7(node)))
      changed.insert(node.op_type());
  }
  if (changed.empty()) {
    defaultOpset = kMinOpset;
    return success();
  }
  InFlightDiagnostic diag = emitModelError();
  diag << "model uses opset " << defaultOpset
       << " of the default ONNX domain; Sift reads opsets " << kMinOpset
       << " to " << kMaxOpset
       << ", and older models only where every op means what it means at "
          "opset "
       << kMinOpset << ", which does not hold for:";
  for (const std::string &op : changed)
    diag << " " << op;
  return diag;
}

LogicalResult GraphImporter::checkValueNames() {
  // Where each name comes from, to report duplicates by both producers.
  llvm::StringMap<std::string> producers;
  auto define = [&](StringRef name, std::string producer) -> LogicalResult {
    if (name.empty())
      return success();
    auto [it, inserted] = producers.try_emplace(name, producer);
    if (inserted)
      return success();
    // ONNX IR < 4 lists every initializer as a graph input too.
    if (StringRef(it->second).starts_with("initializer") &&
        StringRef(producer).starts_with("graph input"))
      return success();
    return emitModelError() << "value '" << name << "' is defined twice: by "
                            << it->second << " and by " << producer;
  };
  for (const auto &init : graph.initializer()) {
    if (failed(define(init.name(), "initializer '" + init.name() + "'")))
      return failure();
    initializers[init.name()] = &init;
  }
  if (graph.sparse_initializer_size())
    return emitModelError() << "model has sparse initializers, which Sift "
                               "does not support";
  for (const auto &input : graph.input())
    if (failed(define(input.name(), "graph input '" + input.name() + "'")))
      return failure();
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    std::string name = nodeNameAt(node, index);
    nodeNames[&node] = name;
    for (const auto &output : node.output())
      if (failed(define(output, "node '" + name + "' (" + node.op_type() +
                                    ")")))
        return failure();
  }
  for (const auto &node : graph.node())
    for (const auto &input : node.input())
      if (!input.empty() && !producers.count(input))
        return emitModelError()
               << "node '" << nodeName(node) << "' (" << node.op_type()
               << ") reads value '" << input
               << "', which no node, initializer or graph input defines";
  for (const auto &output : graph.output())
    if (!producers.count(output.name()))
      return emitModelError() << "graph output '" << output.name()
                              << "' is not defined by any node, initializer "
                                 "or graph input";
  return success();
}

LogicalResult GraphImporter::checkSupported() {
  // Unsupported ops are all reported at once, grouped by op.
  std::map<std::string, std::vector<std::string>> unsupported;
  const OpConverterRegistry &converters = getOpConverters();
  for (const auto &node : graph.node()) {
    std::string key = node.op_type();
    if (!isDefaultDomain(node.domain()))
      key = node.domain() + "." + node.op_type();
    else if (!definitionSince(node.op_type(), defaultOpset))
      key += " (not defined in opset " + std::to_string(defaultOpset) + ")";
    else if (converters.lookup(node.op_type()))
      continue;
    unsupported[key].push_back(nodeName(node).str());
  }
  if (unsupported.empty())
    return success();
  InFlightDiagnostic diag = emitModelError();
  diag << "model uses " << unsupported.size()
       << " unsupported op type(s):";
  for (const auto &[op, nodes] : unsupported) {
    diag << "\n  " << op << " (" << nodes.size() << " node"
         << (nodes.size() == 1 ? "" : "s") << ": ";
    for (auto [i, name] : llvm::enumerate(nodes)) {
      if (i == 3) {
        diag << ", ...";
        break;
      }
      diag << (i ? ", '" : "'") << name << "'";
    }
    diag << ")";
  }
  return diag;
}

LogicalResult GraphImporter::sortNodes() {
  // Kahn's algorithm over the value dependencies; ONNX requires a
  // topological order already, but a model may break the rule.
  llvm::StringMap<const onnx::NodeProto *> producer;
  for (const auto &node : graph.node())
    for (const auto &output : node.output())
      if (!output.empty())
        producer[output] = &node;
  llvm::DenseMap<const onnx::NodeProto *, unsigned> pending;
  llvm::DenseMap<const onnx::NodeProto *,
                 llvm::SmallVector<const onnx::NodeProto *>>
      users;
  std::vector<const onnx::NodeProto *> ready;
  for (const auto &node : graph.node()) {
    unsigned count = 0;
    for (const auto &input : node.input()) {
      auto it = producer.find(input);
      if (input.empty() || it == producer.end())
        continue;
      ++count;
      users[it->second].push_back(&node);
    }
    pending[&node] = count;
    if (count == 0)
      ready.push_back(&node);
  }
  for (size_t next = 0; next < ready.size(); ++next) {
    sortedNodes.push_back(ready[next]);
    for (const onnx::NodeProto *user : users[ready[next]])
      if (--pending[user] == 0)
        ready.push_back(user);
  }
  if (sortedNodes.size() == static_cast<size_t>(graph.node_size()))
    return success();
  for (const auto &node : graph.node())
    if (pending[&node] != 0)
      return emitModelError()
             << "graph has a cycle through node '" << nodeName(node) << "' ("
             << node.op_type() << ")";
  return failure();
}

/// Checks the node's inputs against its ONNX schema: every required input
/// present (an empty name omits only an optional one), a variadic input with
/// at least its minimum count, and no more inputs than the schema declares.
/// Converters then read required inputs without checking for them.
static LogicalResult checkInputArity(NodeContext &ctx) {
  std::optional<std::vector<FormalInput>> formals =
      formalInputs(ctx.opType(), ctx.opset());
  if (!formals)
    return success();
  // Trailing empty names omit optional inputs, as if not listed.
  unsigned listed = ctx.numInputs();
  while (listed > 0 && !ctx.hasInput(listed - 1))
    --listed;
  auto missing = [&](unsigned index, StringRef name) {
    return ctx.emitError() << "input " << index << " '" << name
                           << "' is required";
  };
  unsigned index = 0;
  for (const FormalInput &formal : *formals) {
    switch (formal.kind) {
    case FormalInput::Kind::Optional:
      break;
    case FormalInput::Kind::Required:
      if (!ctx.hasInput(index))
        return missing(index, formal.name);
      break;
    case FormalInput::Kind::Variadic:
      // A variadic input is the schema's last; it takes the rest.
      for (unsigned i = index;
           i < std::max<unsigned>(listed, index + formal.minArity); ++i)
        if (!ctx.hasInput(i))
          return missing(i, formal.name);
      return success();
    }
    ++index;
  }
  if (listed > formals->size())
    return ctx.emitError() << "takes at most " << formals->size()
                           << " inputs; got " << listed;
  return success();
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

FailureOr<RankedTensorType>
GraphImporter::convertValueType(const onnx::ValueInfoProto &info,
                                StringRef role, bool &isUnsigned) {
  const onnx::TypeProto &type = info.type();
  if (!type.has_tensor_type()) {
    StringRef kind = type.has_sequence_type()   ? "a sequence"
                     : type.has_map_type()      ? "a map"
                     : type.has_optional_type() ? "an optional"
                     : type.has_sparse_tensor_type() ? "a sparse tensor"
                                                     : "no tensor type";
    return emitModelError() << role << " '" << info.name() << "' is " << kind
                            << "; Sift imports dense tensors only";
  }
  const onnx::TypeProto::Tensor &tensor = type.tensor_type();
  Type elementType = convertElementType(tensor.elem_type(), context);
  if (!elementType)
    return emitModelError() << role << " '" << info.name() << "' has type "
                            << elementTypeName(tensor.elem_type())
                            << ", which Sift does not support";
  if (!tensor.has_shape())
    return emitModelError() << role << " '" << info.name()
                            << "' has no shape (unknown rank); Sift needs "
                               "the rank of every graph input and output";
  SmallVector<int64_t> shape;
  for (const auto &dim : tensor.shape().dim()) {
    if (dim.has_dim_value() && dim.dim_value() < 0)
      return emitModelError()
             << role << " '" << info.name() << "' has a negative dimension "
             << dim.dim_value();
    shape.push_back(dim.has_dim_value() ? dim.dim_value()
                                        : ShapedType::kDynamic);
  }
  // Later size computations multiply the static sizes; they must not wrap.
  int64_t elements = 1;
  for (int64_t size : shape)
    if (!ShapedType::isDynamic(size) && size != 0 &&
        llvm::MulOverflow(elements, size, elements))
      return emitModelError() << role << " '" << info.name()
                              << "' has more elements than fit in 64 bits";
  isUnsigned = isUnsignedType(tensor.elem_type());
  return RankedTensorType::get(shape, elementType);
}

ElementsAttr GraphImporter::convertTensor(const onnx::TensorProto &tensor,
                                          std::string &error) {
  return sift::onnx_import::convertTensor(tensor, context, externalData,
                                          error);
}

Value GraphImporter::lookup(StringRef name) {
  if (name.empty())
    return nullptr;
  auto it = values.find(name);
  if (it != values.end())
    return it->second;
  auto init = initializers.find(name);
  if (init == initializers.end())
    return nullptr;
  // Initializers materialise at the top of the function on first use, so
  // unused weights never enter the module.
  std::string error;
  ElementsAttr attr = convertTensor(*init->second, error);
  if (!attr) {
    emitModelError() << "initializer '" << name << "' " << error;
    return nullptr;
  }
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(entryBlock);
  Location loc = NameLoc::get(builder.getStringAttr(name));
  Value constant = arith::ConstantOp::create(builder, loc, attr);
  bind(name, constant, isUnsignedType(init->second->data_type()));
  return constant;
}

void GraphImporter::bind(StringRef name, Value value, bool isUnsigned) {
  values[name] = value;
  if (isUnsigned)
    unsignedValues.insert(value);
}

LogicalResult GraphImporter::checkOutputType(const onnx::ValueInfoProto &info,
                                             Value value) {
  // The model's declared output type, where it gives one, must agree with
  // what the importer computed: a mismatch means a wrong import.
  const onnx::TypeProto &type = info.type();
  if (!type.has_tensor_type())
    return success();
  auto actual = cast<RankedTensorType>(value.getType());
  const onnx::TypeProto::Tensor &tensor = type.tensor_type();
  Type declared = convertElementType(tensor.elem_type(), context);
  bool shapeMatches = true;
  if (tensor.has_shape()) {
    if (tensor.shape().dim_size() != actual.getRank()) {
      shapeMatches = false;
    } else {
      for (auto [d, dim] : llvm::enumerate(tensor.shape().dim()))
        if (dim.has_dim_value() && !actual.isDynamicDim(d) &&
            dim.dim_value() != actual.getDimSize(d))
          shapeMatches = false;
    }
  }
  if ((!declared || declared == actual.getElementType()) && shapeMatches)
    return success();
  InFlightDiagnostic diag = emitModelError();
  diag << "graph output '" << info.name() << "' is declared as "
       << elementTypeName(tensor.elem_type()) << " [";
  for (auto [d, dim] : llvm::enumerate(tensor.shape().dim()))
    diag << (d ? ", " : "")
         << (dim.has_dim_value() ? std::to_string(dim.dim_value())
                                 : dim.dim_param().empty() ? "?"
                                                           : dim.dim_param());
  diag << "] but imports as " << actual;
  return diag;
}

//===----------------------------------------------------------------------===//
// Import
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> GraphImporter::import() {
  if (failed(checkOpsets()) || failed(checkValueNames()) ||
      failed(checkSupported()) || failed(sortNodes()))
    return nullptr;

  Location moduleLoc = FileLineColLoc::get(context, path, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(moduleLoc);
  builder.setInsertionPointToEnd(module->getBody());

  // Graph inputs that are initializers (IR < 4) are weights, not arguments.
  SmallVector<Type> argTypes;
  SmallVector<const onnx::ValueInfoProto *> args;
  SmallVector<bool> argUnsigned;
  for (const auto &input : graph.input()) {
    if (initializers.count(input.name()))
      continue;
    bool isUnsigned = false;
    FailureOr<RankedTensorType> type =
        convertValueType(input, "graph input", isUnsigned);
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
    args.push_back(&input);
    argUnsigned.push_back(isUnsigned);
  }

  auto func = func::FuncOp::create(builder, moduleLoc, "main_graph",
                                   builder.getFunctionType(argTypes, {}));
  entryBlock = func.addEntryBlock();
  // MLIR integers are signless; `onnx.unsigned` keeps ONNX's unsigned types
  // visible to the runtime at the model's boundary.
  for (auto [index, info] : llvm::enumerate(args)) {
    func.setArgAttr(index, "onnx.name", builder.getStringAttr(info->name()));
    if (argUnsigned[index])
      func.setArgAttr(index, "onnx.unsigned", builder.getUnitAttr());
    bind(info->name(), entryBlock->getArgument(index), argUnsigned[index]);
  }
  builder.setInsertionPointToEnd(entryBlock);

  for (const onnx::NodeProto *node : sortedNodes) {
    StringRef name = nodeName(*node);
    Location loc = NameLoc::get(
        builder.getStringAttr(name),
        NameLoc::get(builder.getStringAttr(node->op_type())));
    NodeContext ctx(*this, *node, loc, builder);
    if (failed(checkInputArity(ctx)))
      return nullptr;
    // Every listed input must resolve (initializers may fail to convert).
    for (unsigned i = 0; i < ctx.numInputs(); ++i)
      if (ctx.hasInput(i) && !lookup(node->input(i)))
        return nullptr;
    const OpConverter *convert = getOpConverters().lookup(node->op_type());
    if (failed((*convert)(ctx)))
      return nullptr;
    for (unsigned i = 0; i < ctx.numOutputs(); ++i)
      if (ctx.hasOutput(i) && !values.count(node->output(i))) {
        ctx.emitError() << "produced no value for output #" << i << " ('"
                        << node->output(i) << "')";
        return nullptr;
      }
  }

  SmallVector<Value> results;
  for (const auto &output : graph.output()) {
    Value value = lookup(output.name());
    if (!value || failed(checkOutputType(output, value)))
      return nullptr;
    results.push_back(value);
  }
  func::ReturnOp::create(builder, moduleLoc, results);
  func.setFunctionType(
      builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [index, output] : llvm::enumerate(graph.output())) {
    func.setResultAttr(index, "onnx.name",
                       builder.getStringAttr(output.name()));
    if (isUnsigned(results[index]))
      func.setResultAttr(index, "onnx.unsigned", builder.getUnitAttr());
  }
  return module;
}
