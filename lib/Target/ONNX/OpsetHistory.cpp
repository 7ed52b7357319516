//===- OpsetHistory.cpp - When ONNX op definitions changed ----------------===//
//
// ONNX's schema headers need C++ exceptions, unlike the rest of Sift; this
// file alone is compiled with them and keeps them behind a plain interface.
//
//===----------------------------------------------------------------------===//

#include "OpsetHistory.h"

#include "onnx/defs/schema.h"

std::optional<int> sift::onnx_import::definitionSince(llvm::StringRef opType,
                                                      int opset) {
  const onnx::OpSchema *schema =
      onnx::OpSchemaRegistry::Schema(opType.str(), opset);
  if (!schema)
    return std::nullopt;
  return schema->SinceVersion();
}

std::optional<std::vector<sift::onnx_import::FormalInput>>
sift::onnx_import::formalInputs(llvm::StringRef opType, int opset) {
  const onnx::OpSchema *schema =
      onnx::OpSchemaRegistry::Schema(opType.str(), opset);
  if (!schema)
    return std::nullopt;
  std::vector<FormalInput> inputs;
  for (const onnx::OpSchema::FormalParameter &input : schema->inputs()) {
    FormalInput::Kind kind = FormalInput::Kind::Required;
    if (input.GetOption() == onnx::OpSchema::Optional)
      kind = FormalInput::Kind::Optional;
    else if (input.GetOption() == onnx::OpSchema::Variadic)
      kind = FormalInput::Kind::Variadic;
    inputs.push_back({input.GetName(), kind, input.GetMinArity()});
  }
  return inputs;
}
