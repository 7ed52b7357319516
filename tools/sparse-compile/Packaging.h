//===- Packaging.h - Objects to executables and libraries -------*- C++ -*-===//

#ifndef SIFT_TOOLS_SPARSE_COMPILE_PACKAGING_H
#define SIFT_TOOLS_SPARSE_COMPILE_PACKAGING_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"

#include <string>

namespace sift {

/// C source that describes `entry`'s signature (sift_model_inputs/outputs)
/// and defines sift_model_run over its C interface, as sift_runtime.h
/// declares. Fails on argument types the runtime cannot carry.
llvm::Expected<std::string> generateModelGlue(mlir::func::FuncOp entry);

/// Links the model object and its glue with the runtime into a standalone
/// executable at `output`.
llvm::Error linkExecutable(llvm::StringRef object, llvm::StringRef glue,
                           llvm::StringRef output);

} // namespace sift

#endif // SIFT_TOOLS_SPARSE_COMPILE_PACKAGING_H
