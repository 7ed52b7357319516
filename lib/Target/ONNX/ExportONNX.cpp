//===- ExportONNX.cpp - Gated models back to ONNX -------------------------===//
//
// Sift's gates are calibrated on the imported model; exporting them as
// Shrink nodes into the original ONNX file lets any ONNX runtime measure the
// accuracy of exactly this gating. The export edits the original model
// rather than translating the IR back, so everything Sift did not touch
// stays as the model's author wrote it.
//
//===----------------------------------------------------------------------===//

#include "sift/Target/ONNX/ExportONNX.h"

#include "ModelFile.h"

#include "sift/Dialect/Sparsity/IR/Sparsity.h"
#include "sift/Utils/NodeNames.h"

#include "mlir/InitAllDialects.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"

#include <map>

using namespace mlir;

namespace {
/// A gate to export: the node whose activation input it gates.
struct GateToExport {
  std::string node;
  float threshold;
  Location loc;
};

/// The gates of `module` (fused or not), or failure after reporting a gate
/// that Shrink cannot express.
FailureOr<std::vector<GateToExport>> collectGates(ModuleOp module) {
  std::vector<GateToExport> gates;
  bool invalid = false;
  auto add = [&](Operation *op, ArrayRef<float> thresholds) {
    StringRef node = sift::getNodeName(op->getLoc());
    if (node.empty()) {
      op->emitError("has no ONNX node name in its location to export to");
      invalid = true;
    } else if (thresholds.size() != 1) {
      op->emitError("has per-channel thresholds, which ONNX's Shrink (one "
                    "'lambd') cannot express");
      invalid = true;
    } else {
      gates.push_back({node.str(), thresholds.front(), op->getLoc()});
    }
  };
  module.walk([&](Operation *op) {
    if (auto gated = dyn_cast<sift::sparsity::GatedMatmulOp>(op))
      add(op, gated.getThreshold());
    else if (auto gate = dyn_cast<sift::sparsity::GateOp>(op))
      add(op, gate.getThreshold());
  });
  if (invalid)
    return failure();
  return gates;
}
} // namespace

LogicalResult sift::exportGatedONNX(ModuleOp module, StringRef sourcePath,
                                    raw_ostream &os) {
  Location moduleLoc = module.getLoc();
  if (sourcePath.empty())
    return emitError(moduleLoc)
           << "--export-onnx needs --onnx-source=MODEL.onnx, the model the "
              "gates were computed for";
  auto buffer = llvm::MemoryBuffer::getFile(sourcePath);
  if (!buffer)
    return emitError(moduleLoc) << "cannot read '" << sourcePath
                                << "': " << buffer.getError().message();
  onnx::ModelProto model;
  if (std::optional<std::string> error = onnx_import::parseModel(
          (*buffer)->getBuffer(), sourcePath, model))
    return emitError(moduleLoc) << *error;

  FailureOr<std::vector<GateToExport>> gates = collectGates(module);
  if (failed(gates))
    return failure();

  // Node names as the importer gives them.
  onnx::GraphProto *graph = model.mutable_graph();
  std::map<std::string, int> nodeIndex;
  for (int i = 0; i < graph->node_size(); ++i)
    nodeIndex[onnx_import::nodeNameAt(graph->node(i), i)] = i;
  std::map<int, const GateToExport *> gateOfNode;
  for (const GateToExport &gate : *gates) {
    auto it = nodeIndex.find(gate.node);
    if (it == nodeIndex.end())
      return emitError(gate.loc) << "gated node '" << gate.node
                                 << "' is not in '" << sourcePath << "'";
    if (graph->node(it->second).input_size() == 0)
      return emitError(gate.loc)
             << "gated node '" << gate.node << "' has no input to gate";
    gateOfNode[it->second] = &gate;
  }

  // Rebuild the node list with each Shrink right before the node it gates.
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  for (int i = 0; i < graph->node_size(); ++i) {
    onnx::NodeProto node = graph->node(i);
    if (auto it = gateOfNode.find(i); it != gateOfNode.end()) {
      const GateToExport &gate = *it->second;
      std::string gated = node.input(0) + "/sift_gate/" + gate.node;
      onnx::NodeProto *shrink = nodes.Add();
      shrink->set_name(gate.node + "/sift_gate");
      shrink->set_op_type("Shrink");
      shrink->add_input(node.input(0));
      shrink->add_output(gated);
      onnx::AttributeProto *lambd = shrink->add_attribute();
      lambd->set_name("lambd");
      lambd->set_type(onnx::AttributeProto::FLOAT);
      lambd->set_f(gate.threshold);
      onnx::AttributeProto *bias = shrink->add_attribute();
      bias->set_name("bias");
      bias->set_type(onnx::AttributeProto::FLOAT);
      bias->set_f(0.0f);
      node.set_input(0, gated);
    }
    *nodes.Add() = std::move(node);
  }
  graph->mutable_node()->Swap(&nodes);

  std::string bytes;
  if (!model.SerializeToString(&bytes))
    return emitError(moduleLoc) << "serializing the gated model failed (a "
                                   "model over 2 GB needs external data)";
  os << bytes;
  return success();
}

static llvm::cl::opt<std::string> onnxSource(
    "onnx-source",
    llvm::cl::desc("With --export-onnx: the ONNX model the gated IR came "
                   "from"),
    llvm::cl::value_desc("model.onnx"));

void sift::registerExportONNXTranslation() {
  TranslateFromMLIRRegistration registration(
      "export-onnx",
      "Write the gates of a gated module into its source ONNX model as "
      "Shrink nodes",
      [](ModuleOp module, raw_ostream &os) {
        return exportGatedONNX(module, onnxSource, os);
      },
      [](DialectRegistry &registry) {
        registerAllDialects(registry);
        registry.insert<sift::sparsity::SparsityDialect>();
      });
}
