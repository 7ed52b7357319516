//===- sparse-translate.cpp - Sift translation driver ---------------------===//
//
// mlir-translate for Sift: MLIR to LLVM IR now; the ONNX importer and
// exporter register themselves here as they land.
//
//===----------------------------------------------------------------------===//

#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::registerToLLVMIRTranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "Sift translation driver\n"));
}
