//===- LibraryRun.h - Errors that a shared library returns ------*- C++ -*-===//
//
// A shared library made by `sparse-compile --emit=lib` runs inside someone
// else's process, which an error in the model's data must not end. The
// library's run function (its glue, generated C) calls setjmp and hands the
// jmp_buf to sift_runtime_enter; until sift_runtime_leave, an error on that
// thread (sift::runtime::fail) keeps its message and longjmps back, and the
// run function returns non-zero. An executable never enters a run, so its
// errors still print and exit.
//
// The longjmp only crosses frames that own nothing: the generated model code,
// the glue, and fail() itself. Kernels catch what their C++ code throws
// before they report it (runKernel), and errors inside a task of the thread
// pool are exceptions that the pool carries to the calling thread, so no
// thread ever jumps into another's stack.
//
// What the longjmp skips is the model's own frees: every buffer that the
// generated code allocates during a run is recorded, and a failed run frees
// those it had not freed yet, so a failed run leaks nothing.
//
//===----------------------------------------------------------------------===//

#ifndef SIFT_LIB_RUNTIME_LIBRARYRUN_H
#define SIFT_LIB_RUNTIME_LIBRARYRUN_H

#include "sift/runtime/sift_runtime.h"

#include <csetjmp>
#include <cstdint>

extern "C" {
/// Starts a run on this thread: errors longjmp to `target` until
/// sift_runtime_leave, and the thread's last error is cleared. Runs do not
/// nest.
void sift_runtime_enter(jmp_buf *target);
/// Ends the run; after a failure (`failed` non-zero, once `target` was
/// reached), frees the buffers the run allocated and did not free.
void sift_runtime_leave(int failed);
/// The message of this thread's last failed run, "" when its last run
/// succeeded or it ran none.
const char *sift_runtime_last_error(void);
/// Fails unless `descriptor`, a memref descriptor, fits input `index` of
/// the model described by `spec`: not null, no negative size, every static
/// dimension as `spec` says, and data unless it holds no elements.
void sift_check_input(int32_t index, const sift_tensor_spec *spec,
                      const void *descriptor);
}

namespace sift::runtime {
/// Whether a library run is in progress on this thread.
bool inLibraryRun();
/// Ends the run in progress with `message`.
[[noreturn]] void failLibraryRun(const char *message);
/// Records a buffer the run allocated; false when memory runs out.
bool trackRunAllocation(void *pointer);
/// Forgets a buffer the run freed.
void untrackRunAllocation(void *pointer);
} // namespace sift::runtime

#endif // SIFT_LIB_RUNTIME_LIBRARYRUN_H
