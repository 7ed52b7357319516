//===- NodeNames.cpp - The ONNX node an op came from ----------------------===//

#include "sift/Utils/NodeNames.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

StringRef sift::getNodeName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().getValue();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (StringRef name = getNodeName(inner); !name.empty())
        return name;
  return {};
}

StringRef sift::getNodeOpType(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    if (auto opType = dyn_cast<NameLoc>(name.getChildLoc()))
      return opType.getName().getValue();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (StringRef opType = getNodeOpType(inner); !opType.empty())
        return opType;
  return {};
}
