//===- LibraryRun.cpp - Errors that a shared library returns --------------===//

#include "LibraryRun.h"

#include "RuntimeChecks.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <unordered_set>

using namespace sift::runtime;

namespace {
/// Per thread: a library's caller may run models on several threads.
thread_local jmp_buf *errorTarget = nullptr;
thread_local char lastError[kMaxErrorMessage] = "";
/// The buffers the run in progress allocated and has not freed; what is
/// left after a successful run is its outputs, which belong to the caller.
thread_local std::unordered_set<void *> runAllocations;
} // namespace

bool sift::runtime::inLibraryRun() { return errorTarget != nullptr; }

void sift::runtime::failLibraryRun(const char *message) {
  std::snprintf(lastError, sizeof(lastError), "%s", message);
  std::longjmp(*errorTarget, 1);
}

bool sift::runtime::trackRunAllocation(void *pointer) {
  try {
    runAllocations.insert(pointer);
    return true;
  } catch (const std::bad_alloc &) {
    return false;
  }
}

void sift::runtime::untrackRunAllocation(void *pointer) {
  runAllocations.erase(pointer);
}

void sift_runtime_enter(jmp_buf *target) {
  errorTarget = target;
  lastError[0] = '\0';
  runAllocations.clear();
  sift_note_alloc_site(nullptr);
}

void sift_runtime_leave(int failed) {
  errorTarget = nullptr;
  if (failed)
    for (void *pointer : runAllocations)
      std::free(pointer);
  runAllocations.clear();
}

const char *sift_runtime_last_error(void) { return lastError; }

void sift_check_input(int32_t index, const sift_tensor_spec *spec,
                      const void *descriptor) {
  const char *name = spec->name ? spec->name : "";
  if (!descriptor)
    fail("input %d '%s' is null", index, name);
  // { allocated, aligned, offset, sizes[rank], strides[rank] }
  const auto *words = static_cast<const int64_t *>(descriptor);
  const int64_t *sizes = words + 3;
  bool empty = false;
  for (int32_t d = 0; d < spec->rank; ++d) {
    if (sizes[d] < 0)
      fail("input %d '%s': dimension %d is %" PRId64 ", a negative size",
           index, name, d, sizes[d]);
    if (spec->shape[d] >= 0 && sizes[d] != spec->shape[d])
      fail("input %d '%s': dimension %d is %" PRId64
           ", the model expects %" PRId64,
           index, name, d, sizes[d], spec->shape[d]);
    empty |= sizes[d] == 0;
  }
  if (!empty && !static_cast<void *const *>(descriptor)[1])
    fail("input %d '%s' has no data (its aligned pointer is null)", index,
         name);
}
