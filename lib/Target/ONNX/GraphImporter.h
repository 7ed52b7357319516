//===- GraphImporter.h - Imports one ONNX graph -----------------*- C++ -*-===//

#ifndef SIFT_LIB_TARGET_ONNX_GRAPHIMPORTER_H
#define SIFT_LIB_TARGET_ONNX_GRAPHIMPORTER_H

#include "NodeContext.h"
#include "TensorData.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

namespace sift::onnx_import {

/// Checks a model, then builds `func.func @main_graph` from its graph, one
/// node at a time in dependency order.
class GraphImporter {
public:
  GraphImporter(mlir::MLIRContext *context, const onnx::ModelProto &model,
                llvm::StringRef modelPath);

  mlir::OwningOpRef<mlir::ModuleOp> import();

  //===--- Used by NodeContext --------------------------------------------===//

  int64_t opset() const { return defaultOpset; }
  int64_t declaredOpset() const { return modelOpset; }
  llvm::StringRef modelPath() const { return path; }
  llvm::StringRef nodeName(const onnx::NodeProto &node) const;
  /// The value bound to an ONNX name; constants materialise on first use.
  mlir::Value lookup(llvm::StringRef name);
  bool isUnsigned(mlir::Value value) const {
    return unsignedValues.contains(value);
  }
  void bind(llvm::StringRef name, mlir::Value value, bool isUnsigned);
  mlir::ElementsAttr convertTensor(const onnx::TensorProto &tensor,
                                   std::string &error);

private:
  mlir::LogicalResult checkOpsets();
  mlir::LogicalResult checkOlderOpset();
  mlir::LogicalResult checkValueNames();
  mlir::LogicalResult checkSupported();
  mlir::LogicalResult sortNodes();
  mlir::FailureOr<mlir::RankedTensorType>
  convertValueType(const onnx::ValueInfoProto &info, llvm::StringRef role,
                   bool &isUnsigned);
  mlir::LogicalResult checkOutputType(const onnx::ValueInfoProto &info,
                                      mlir::Value value);
  mlir::InFlightDiagnostic emitModelError();

  mlir::MLIRContext *context;
  const onnx::ModelProto &model;
  const onnx::GraphProto &graph;
  std::string path;
  mlir::OpBuilder builder;
  ExternalDataFiles externalData;
  int64_t defaultOpset = 0;
  /// The opset the model declares; defaultOpset is 7 for older ones.
  int64_t modelOpset = 0;

  /// Nodes in an order where every producer comes before its users.
  std::vector<const onnx::NodeProto *> sortedNodes;
  /// Node names, synthesized as "<OpType>_<index>" where the model has none.
  llvm::DenseMap<const onnx::NodeProto *, std::string> nodeNames;
  llvm::StringMap<const onnx::TensorProto *> initializers;
  llvm::StringMap<mlir::Value> values;
  llvm::DenseSet<mlir::Value> unsignedValues;
  mlir::Block *entryBlock = nullptr;
};

} // namespace sift::onnx_import

#endif // SIFT_LIB_TARGET_ONNX_GRAPHIMPORTER_H
