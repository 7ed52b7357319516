//===- Shape.cpp - Shape ONNX ops -------------------------------------===//

#include "../Builders.h"

using namespace mlir;
using namespace sift::onnx_import;

void sift::onnx_import::registerShapeConverters(OpConverterRegistry &registry) {}
