//===- RuntimeChecks.cpp - Run-time errors of compiled models -------------===//

#include "RuntimeChecks.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>

namespace {
constexpr int kInputError = 2;

/// The node whose allocation comes next, noted by the check just before it;
/// null for allocations of static size. Per thread: a library's caller may
/// run models on several threads.
thread_local const char *pendingAllocSite = nullptr;

bool isNamed(const char *site) { return site && *site; }

[[noreturn]] void reportOutOfMemory(uint64_t bytes, const char *site) {
  std::fprintf(stderr, "error: out of memory allocating %" PRIu64 " bytes%s%s\n",
               bytes, isNamed(site) ? " for " : "", isNamed(site) ? site : "");
  std::exit(kInputError);
}
} // namespace

void sift_runtime_error(const char *message) {
  std::fprintf(stderr, "error: %s\n", message);
  std::exit(kInputError);
}

void sift::runtime::reportKernelFailure(const char *kernel,
                                        const char *reason) {
  std::fprintf(stderr, "error: the %s kernel failed: %s\n", kernel, reason);
  std::exit(kInputError);
}

int64_t sift_alloc_bytes(int64_t bytes, int64_t dim, const char *site) {
  if (dim < 0) {
    std::fprintf(stderr,
                 "error: %s%snegative dimension %" PRId64
                 " in a run-time shape\n",
                 isNamed(site) ? site : "", isNamed(site) ? ": " : "", dim);
    std::exit(kInputError);
  }
  int64_t product;
  if (__builtin_mul_overflow(bytes, dim, &product)) {
    std::fprintf(stderr,
                 "error: out of memory allocating more than %" PRId64
                 " bytes%s%s\n",
                 INT64_MAX, isNamed(site) ? " for " : "",
                 isNamed(site) ? site : "");
    std::exit(kInputError);
  }
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
  return pointer;
}

void _mlir_memref_to_llvm_free(void *pointer) { std::free(pointer); }
