//===- Elementwise.cpp - Elementwise ONNX ops and activations -------------===//
//
// Every op here becomes one broadcasting linalg.generic over arith/math.
//
//===----------------------------------------------------------------------===//

#include "../Builders.h"

using namespace mlir;
using namespace sift::onnx_import;

namespace {
/// Binds output 0 to `op(inputs...)` computed elementwise in the type of
/// input 0.
LogicalResult convertSameType(NodeContext &ctx, ScalarBodyBuilder body) {
  SmallVector<Value> operands;
  for (unsigned i = 0; i < ctx.numInputs(); ++i)
    if (ctx.hasInput(i))
      operands.push_back(ctx.input(i));
  Type elementType = ctx.inputType(0).getElementType();
  FailureOr<Value> result = buildElementwise(ctx, operands, elementType, body);
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result, ctx.isUnsigned(0));
  return success();
}
} // namespace

void sift::onnx_import::registerElementwiseConverters(
    OpConverterRegistry &registry) {
  registry.add("Add", [](NodeContext &ctx) {
    return convertSameType(ctx, [](OpBuilder &b, Location loc,
                                   ValueRange args) -> Value {
      if (isa<FloatType>(args[0].getType()))
        return arith::AddFOp::create(b, loc, args[0], args[1]);
      return arith::AddIOp::create(b, loc, args[0], args[1]);
    });
  });
  registry.add("Relu", [](NodeContext &ctx) {
    return convertSameType(ctx, [](OpBuilder &b, Location loc,
                                   ValueRange args) -> Value {
      Value zero = scalarConstant(b, loc, args[0].getType(), 0);
      if (isa<FloatType>(args[0].getType()))
        return arith::MaximumFOp::create(b, loc, args[0], zero);
      return arith::MaxSIOp::create(b, loc, args[0], zero);
    });
  });
}
