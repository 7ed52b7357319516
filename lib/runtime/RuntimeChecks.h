//===- RuntimeChecks.h - Run-time errors of compiled models -----*- C++ -*-===//
//
// Compiled models report the errors that only their data can cause (a
// division by zero, a negative or huge run-time dimension, memory running
// out) through these functions: `error: ...` on stderr and exit status 2,
// like the executable's other input errors. `sift-insert-runtime-checks`
// emits the calls; `finalize-memref-to-llvm` (use-generic-functions)
// allocates through `_mlir_memref_to_llvm_alloc`, defined here.
//
//===----------------------------------------------------------------------===//

#ifndef SIFT_LIB_RUNTIME_RUNTIMECHECKS_H
#define SIFT_LIB_RUNTIME_RUNTIMECHECKS_H

#include <cstddef>
#include <cstdint>
#include <new>
#include <system_error>

extern "C" {
/// Prints "error: MESSAGE" and exits with status 2.
[[noreturn]] void sift_runtime_error(const char *message);
/// Returns `bytes` * `dim`, the size of a buffer with one more dimension;
/// fails naming `site` ("node 'X' (Op)") when `dim` is negative or the
/// size overflows, and makes `site` the node of the next allocation.
int64_t sift_alloc_bytes(int64_t bytes, int64_t dim, const char *site);
/// Makes `site` the node of the next allocation.
void sift_note_alloc_site(const char *site);
/// malloc, failing with "out of memory allocating N bytes for node ..."
/// instead of returning null.
void *_mlir_memref_to_llvm_alloc(size_t size);
/// free: outputs that the caller frees with free() come from malloc too.
void _mlir_memref_to_llvm_free(void *pointer);
}

namespace sift::runtime {
/// Fails with "the KERNEL kernel failed: REASON".
[[noreturn]] void reportKernelFailure(const char *kernel, const char *reason);

/// Runs `body`, a kernel that compiled code calls: C++ exceptions cannot
/// unwind through that code, so memory or threads running out become errors
/// instead of std::terminate.
template <typename Body>
void runKernel(const char *kernel, Body body) {
  try {
    body();
  } catch (const std::bad_alloc &) {
    reportKernelFailure(kernel, "out of memory");
  } catch (const std::system_error &error) {
    reportKernelFailure(kernel, error.what());
  }
}
} // namespace sift::runtime

#endif // SIFT_LIB_RUNTIME_RUNTIMECHECKS_H
