//===- RuntimeChecks.h - Run-time errors of compiled models -----*- C++ -*-===//
//
// Compiled models report the errors that only their data can cause (a
// division by zero, a negative or huge run-time dimension, memory running
// out) through these functions. In an executable that is `error: ...` on
// stderr and exit status 2, like its other input errors; in a shared
// library (LibraryRun.h) the run that failed returns the message instead.
// `sift-insert-runtime-checks` emits the calls; `finalize-memref-to-llvm`
// (use-generic-functions) allocates through `_mlir_memref_to_llvm_alloc`,
// defined here.
//
//===----------------------------------------------------------------------===//

#ifndef SIFT_LIB_RUNTIME_RUNTIMECHECKS_H
#define SIFT_LIB_RUNTIME_RUNTIMECHECKS_H

#include <cstddef>
#include <cstdint>
#include <stdexcept>

extern "C" {
/// Fails with MESSAGE (see sift::runtime::fail).
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
/// The longest message an error keeps; longer ones are cut.
constexpr size_t kMaxErrorMessage = 1024;

/// An error raised inside a task of parallelFor. Only the thread that
/// started a run may end it, so such an error travels to that thread as an
/// exception (see ThreadPool.h) and is reported there by runKernel.
class RuntimeError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Fails with the printf-style message: throws a RuntimeError inside a task
/// of parallelFor, ends the library run in progress on this thread if there
/// is one, and otherwise prints "error: MESSAGE" and exits with status 2.
[[noreturn]] void fail(const char *format, ...)
    __attribute__((format(printf, 1, 2)));

/// What a kernel threw, described inside the handler and reported after it:
/// reporting may longjmp out of a library's run, which must not leave a
/// handler (its exception would never be released).
class KernelFailure {
public:
  /// Describes the exception being handled; call only inside a handler.
  void describeCurrentException();
  /// Fails with "the KERNEL kernel failed: REASON", or with a RuntimeError's
  /// own message.
  [[noreturn]] void report(const char *kernel) const;

private:
  char reason[kMaxErrorMessage] = {};
  bool isRuntimeError = false;
};

/// Runs `body`, a kernel that compiled code calls: C++ exceptions cannot
/// unwind through that code, so memory or threads running out become errors
/// instead of std::terminate.
template <typename Body>
void runKernel(const char *kernel, Body body) {
  KernelFailure failure;
  try {
    body();
    return;
  } catch (...) {
    failure.describeCurrentException();
  }
  failure.report(kernel);
}
} // namespace sift::runtime

#endif // SIFT_LIB_RUNTIME_RUNTIMECHECKS_H
