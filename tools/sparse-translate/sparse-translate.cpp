//===- sparse-translate.cpp - Sift translation driver ---------------------===//
//
// mlir-translate for Sift: ONNX to MLIR (--import-onnx) and MLIR to LLVM IR.
//
//===----------------------------------------------------------------------===//

#include "sift/Target/ONNX/ImportONNX.h"

#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::registerToLLVMIRTranslation();
  sift::registerImportONNXTranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "Sift translation driver\n"));
}
