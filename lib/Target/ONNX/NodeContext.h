//===- NodeContext.h - What an ONNX op converter sees -----------*- C++ -*-===//
//
// A converter turns one ONNX node into MLIR. It reads the node's operands and
// attributes through NodeContext and binds each of its outputs to a value.
// Every op it builds carries the node's location (node name, op type).
//
//===----------------------------------------------------------------------===//

#ifndef SIFT_LIB_TARGET_ONNX_NODECONTEXT_H
#define SIFT_LIB_TARGET_ONNX_NODECONTEXT_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <optional>
#include <string>

#include "onnx/onnx_pb.h"

namespace sift::onnx_import {

class GraphImporter;

class NodeContext {
public:
  NodeContext(GraphImporter &graph, const onnx::NodeProto &node,
              mlir::Location loc, mlir::OpBuilder &builder);

  mlir::OpBuilder &builder;
  mlir::Location loc;

  const onnx::NodeProto &node() const { return nodeProto; }
  llvm::StringRef opType() const { return nodeProto.op_type(); }
  /// The node's name, or "<OpType>_<index>" when the model gives none.
  llvm::StringRef name() const;
  /// The opset version of the default domain that the model imports; a
  /// model of an older opset imports as opset 7 (see checkOlderOpset).
  int64_t opset() const;
  /// The default-domain opset the model declares, older than opset() where
  /// a pre-7 model imports as opset 7: converters of the ops whose meaning
  /// changed at 7 (legacy `broadcast`/`axis`, PRelu's per-channel slope)
  /// read it.
  int64_t declaredOpset() const;
  mlir::MLIRContext *getContext() const { return builder.getContext(); }

  //===--- Operands -------------------------------------------------------===//

  /// Number of inputs the node lists, empty (omitted optional) ones included.
  unsigned numInputs() const { return nodeProto.input_size(); }
  /// Whether input `i` is listed and not omitted with an empty name.
  bool hasInput(unsigned i) const {
    return i < numInputs() && !nodeProto.input(i).empty();
  }
  mlir::Value input(unsigned i) const;
  mlir::RankedTensorType inputType(unsigned i) const;
  /// Whether input `i` holds unsigned integers (MLIR integers are signless).
  bool isUnsigned(unsigned i) const;
  /// The value of input `i` when it is a compile-time constant held inline
  /// (small tensors; shape computations), else null.
  mlir::DenseElementsAttr constantInput(unsigned i) const;
  /// The value of input `i` when it is any compile-time constant, including
  /// large weights held in resource blobs, else null.
  mlir::ElementsAttr constantWeight(unsigned i) const;
  /// Input `i` as integers, when it is a constant integer tensor.
  std::optional<llvm::SmallVector<int64_t>> constantInts(unsigned i) const;
  /// Input `i` as doubles, when it is a constant numeric tensor.
  std::optional<llvm::SmallVector<double>> constantFloats(unsigned i) const;

  //===--- Results --------------------------------------------------------===//

  unsigned numOutputs() const { return nodeProto.output_size(); }
  bool hasOutput(unsigned i) const {
    return i < numOutputs() && !nodeProto.output(i).empty();
  }
  void setOutput(unsigned i, mlir::Value value, bool isUnsigned = false);
  /// Binds output `i` to an arith.constant holding `value`.
  void setConstantOutput(unsigned i, mlir::DenseElementsAttr value,
                         bool isUnsigned = false);

  //===--- Attributes -----------------------------------------------------===//

  bool hasAttr(llvm::StringRef name) const;
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  int64_t getInt(llvm::StringRef name, int64_t defaultValue) const;
  std::optional<int64_t> getOptionalInt(llvm::StringRef name) const;
  float getFloat(llvm::StringRef name, float defaultValue) const;
  std::string getString(llvm::StringRef name,
                        llvm::StringRef defaultValue) const;
  llvm::SmallVector<int64_t> getInts(llvm::StringRef name) const;
  llvm::SmallVector<float> getFloats(llvm::StringRef name) const;
  const onnx::TensorProto *getTensor(llvm::StringRef name) const;

  /// Converts a TensorProto held by the model (an attribute's value) into an
  /// attribute; reports and returns null on bad data.
  mlir::ElementsAttr tensorAttr(const onnx::TensorProto &tensor);

  //===--- Diagnostics ----------------------------------------------------===//

  /// An error that names the model file, this node and its op type.
  mlir::InFlightDiagnostic emitError() const;

private:
  GraphImporter &graph;
  const onnx::NodeProto &nodeProto;
};

/// Converts one node; reports through ctx.emitError() and fails on input it
/// cannot handle.
using OpConverter = std::function<mlir::LogicalResult(NodeContext &)>;

class OpConverterRegistry {
public:
  void add(llvm::StringRef opType, OpConverter converter) {
    converters[opType] = std::move(converter);
  }
  const OpConverter *lookup(llvm::StringRef opType) const {
    auto it = converters.find(opType);
    return it == converters.end() ? nullptr : &it->second;
  }

private:
  llvm::StringMap<OpConverter> converters;
};

/// Each op family registers its converters.
void registerElementwiseConverters(OpConverterRegistry &registry);
void registerNeuralNetworkConverters(OpConverterRegistry &registry);
void registerShapeConverters(OpConverterRegistry &registry);
void registerReductionConverters(OpConverterRegistry &registry);
void registerRecurrentConverters(OpConverterRegistry &registry);

/// The registry with every family in it.
const OpConverterRegistry &getOpConverters();

} // namespace sift::onnx_import

#endif // SIFT_LIB_TARGET_ONNX_NODECONTEXT_H
