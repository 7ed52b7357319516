//===- Codegen.h - LLVM IR to native code -----------------------*- C++ -*-===//

#ifndef SIFT_TOOLS_SPARSE_COMPILE_CODEGEN_H
#define SIFT_TOOLS_SPARSE_COMPILE_CODEGEN_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>

namespace llvm {
class Module;
class raw_pwrite_stream;
} // namespace llvm

namespace sift {

/// A TargetMachine for `triple` and `cpu`; an empty triple or "native" CPU
/// means the host, with the host's features.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(llvm::StringRef triple, llvm::StringRef cpu,
                    unsigned optLevel);

/// Runs LLVM's optimisation pipeline at `optLevel` over `module`.
llvm::Error optimizeModule(llvm::Module &module, llvm::TargetMachine &machine,
                           unsigned optLevel);

/// Writes `module` as an object file.
llvm::Error emitObject(llvm::Module &module, llvm::TargetMachine &machine,
                       llvm::raw_pwrite_stream &output);

} // namespace sift

#endif // SIFT_TOOLS_SPARSE_COMPILE_CODEGEN_H
