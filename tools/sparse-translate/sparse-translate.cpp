//===- sparse-translate.cpp - Sift translation driver ---------------------===//
//
// mlir-translate for Sift: ONNX to MLIR (--import-onnx), gated MLIR back to
// ONNX (--export-onnx) and MLIR to LLVM IR.
//
//===----------------------------------------------------------------------===//

#include "sift/Target/ONNX/ExportONNX.h"
#include "sift/Target/ONNX/ImportONNX.h"

#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::registerToLLVMIRTranslation();
  sift::registerImportONNXTranslation();
  sift::registerExportONNXTranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "Sift translation driver\n"));
}
