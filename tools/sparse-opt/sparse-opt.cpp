//===- sparse-opt.cpp - Sift optimizer driver -----------------------------===//
//
// mlir-opt with the upstream dialects and passes plus Sift's own. Plugins
// loaded with --load-pass-plugin / --load-dialect-plugin register into the
// same registries.
//
//===----------------------------------------------------------------------===//

#include "sift/Conversion/Passes.h"
#include "sift/Dialect/Sparsity/IR/Sparsity.h"
#include "sift/Pipelines/Pipelines.h"
#include "sift/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  sift::registerSiftConversionPasses();
  sift::registerSiftTransformsPasses();
  sift::registerSiftPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<sift::sparsity::SparsityDialect>();

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Sift optimizer driver\n", registry));
}
