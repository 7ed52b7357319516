// Registers Sift's dialect and passes from an installed Sift, parses IR with
// a sparsity op and runs one of Sift's passes on it (find-package.test).

#include "sift/Dialect/Sparsity/IR/Sparsity.h"
#include "sift/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

int main() {
  mlir::DialectRegistry registry;
  registry.insert<sift::sparsity::SparsityDialect, mlir::arith::ArithDialect,
                  mlir::func::FuncDialect, mlir::linalg::LinalgDialect,
                  mlir::tensor::TensorDialect>();
  sift::registerSiftTransformsPasses();
  mlir::MLIRContext context(registry);

  const char *source = R"mlir(
    func.func @f(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
      %0 = sparsity.gate %x threshold [0.0, 0.5] : tensor<4x2xf32>
      return %0 : tensor<4x2xf32>
    }
  )mlir";
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  if (!module)
    return 1;

  mlir::PassManager pm(&context);
  if (mlir::failed(mlir::parsePassPipeline(
          "builtin.module(sparsity-insert-gates)", pm, llvm::errs())) ||
      mlir::failed(pm.run(*module)))
    return 1;
  llvm::outs() << "dialect: "
               << sift::sparsity::SparsityDialect::getDialectNamespace()
               << "\n";
  module->print(llvm::outs());
  return 0;
}
