//===- Registry.cpp - Every ONNX op converter -----------------------------===//

#include "NodeContext.h"

using namespace sift::onnx_import;

const OpConverterRegistry &sift::onnx_import::getOpConverters() {
  static const OpConverterRegistry registry = [] {
    OpConverterRegistry r;
    registerElementwiseConverters(r);
    registerNeuralNetworkConverters(r);
    registerShapeConverters(r);
    registerReductionConverters(r);
    registerRecurrentConverters(r);
    return r;
  }();
  return registry;
}
