//===- SplitFunctions.h - One large function into many small ones -*- C++ -*-===//
//
// A model lowers to one function: a long chain of loop nests, one per op.
// LLVM's loop passes and scalar evolution walk and update the dominator tree
// of the whole function for each loop, so optimising and compiling it grows
// quadratically with the number of ops. Splitting the chain into functions of
// bounded size, which the inliner must leave alone, makes that linear.
//
//===----------------------------------------------------------------------===//

#ifndef SIFT_TOOLS_SPARSE_COMPILE_SPLITFUNCTIONS_H
#define SIFT_TOOLS_SPARSE_COMPILE_SPLITFUNCTIONS_H

namespace llvm {
class Module;
} // namespace llvm

namespace sift {

/// Moves the straight-line stretches of each function with more than
/// `regionInstructions` instructions into functions of about that many
/// instructions (never fewer), called in their place and never inlined.
/// Returns the number of functions made.
unsigned splitLargeFunctions(llvm::Module &module, unsigned regionInstructions);

} // namespace sift

#endif // SIFT_TOOLS_SPARSE_COMPILE_SPLITFUNCTIONS_H
