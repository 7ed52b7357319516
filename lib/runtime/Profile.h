//===- Profile.h - What --profile prints ------------------------*- C++ -*-===//

#ifndef SIFT_RUNTIME_PROFILE_H
#define SIFT_RUNTIME_PROFILE_H

namespace sift::runtime {

/// Prints each gate's realised sparsity over the timed runs and the model's
/// measured active parameters per token.
void printProfile();

} // namespace sift::runtime

#endif // SIFT_RUNTIME_PROFILE_H
