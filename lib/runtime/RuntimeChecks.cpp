//===- RuntimeChecks.cpp - Run-time errors of compiled models -------------===//

#include "RuntimeChecks.h"

#include "LibraryRun.h"
#include "ThreadPool.h"

#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>

using namespace sift::runtime;

namespace {
constexpr int kInputError = 2;

/// The node whose allocation comes next, noted by the check just before it;
/// null for allocations of static size. Per thread: a library's caller may
/// run models on several threads.
thread_local const char *pendingAllocSite = nullptr;

bool isNamed(const char *site) { return site && *site; }

[[noreturn]] void reportOutOfMemory(uint64_t bytes, const char *site) {
  fail("out of memory allocating %" PRIu64 " bytes%s%s", bytes,
       isNamed(site) ? " for " : "", isNamed(site) ? site : "");
}
} // namespace

void sift::runtime::fail(const char *format, ...) {
  // On the stack: a longjmp leaves nothing to release.
  char message[kMaxErrorMessage];
  va_list args;
  va_start(args, format);
  std::vsnprintf(message, sizeof(message), format, args);
  va_end(args);
  if (inParallelTask())
    throw RuntimeError(message);
  if (inLibraryRun())
    failLibraryRun(message);
  std::fprintf(stderr, "error: %s\n", message);
  std::exit(kInputError);
}

void sift_runtime_error(const char *message) { fail("%s", message); }

void KernelFailure::describeCurrentException() {
  auto keep = [&](const char *text) {
    std::snprintf(reason, sizeof(reason), "%s", text);
  };
  try {
    throw;
  } catch (const RuntimeError &error) {
    keep(error.what());
    isRuntimeError = true;
  } catch (const std::bad_alloc &) {
    keep("out of memory");
  } catch (const std::exception &error) {
    keep(error.what());
  } catch (...) {
    keep("an exception that is not a std::exception");
  }
}

void KernelFailure::report(const char *kernel) const {
  if (isRuntimeError)
    fail("%s", reason);
  fail("the %s kernel failed: %s", kernel, reason);
}

int64_t sift_alloc_bytes(int64_t bytes, int64_t dim, const char *site) {
  if (dim < 0)
    fail("%s%snegative dimension %" PRId64 " in a run-time shape",
         isNamed(site) ? site : "", isNamed(site) ? ": " : "", dim);
  int64_t product;
  if (__builtin_mul_overflow(bytes, dim, &product))
    fail("out of memory allocating more than %" PRId64 " bytes%s%s",
         INT64_MAX, isNamed(site) ? " for " : "", isNamed(site) ? site : "");
  pendingAllocSite = site;
  return product;
}

void sift_note_alloc_site(const char *site) { pendingAllocSite = site; }

void *_mlir_memref_to_llvm_alloc(size_t size) {
  const char *site = pendingAllocSite;
  pendingAllocSite = nullptr;
  void *pointer = std::malloc(size);
  // malloc(0) may return null and still succeed.
  if (!pointer && size)
    reportOutOfMemory(size, site);
  if (pointer && inLibraryRun() && !trackRunAllocation(pointer)) {
    std::free(pointer);
    reportOutOfMemory(size, site);
  }
  return pointer;
}

void _mlir_memref_to_llvm_free(void *pointer) {
  if (inLibraryRun())
    untrackRunAllocation(pointer);
  std::free(pointer);
}
