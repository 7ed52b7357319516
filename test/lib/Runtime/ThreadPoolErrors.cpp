//===- ThreadPoolErrors.cpp - Failures inside the runtime's pool ----------===//
//
// Makes a task fail on a worker thread of the pool that the kernels share,
// deterministically: the task that the calling thread claims waits until a
// worker has started the other one, which fails. Each mode prints what the
// calling thread sees.
//
// Usage: sift-thread-pool-errors MODE, MODE one of
//   throw    a worker throws std::bad_alloc: parallelFor rethrows it on the
//            calling thread, and the pool runs the next job
//   kernel   the same inside a kernel: the executable's error and status 2
//   error    a worker calls sift_runtime_error inside a kernel: its message
//            and status 2, as when generated code fails
//   library  the same inside a library's run: the run fails with the
//            message, on the calling thread, and the next run succeeds
//
//===----------------------------------------------------------------------===//

#include "LibraryRun.h"
#include "RuntimeChecks.h"
#include "ThreadPool.h"

#include <atomic>
#include <csetjmp>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <new>
#include <thread>
#include <unistd.h>

using namespace sift::runtime;

namespace {
/// Seconds a mode may take before it counts as a hang.
constexpr unsigned kHangSeconds = 20;

void reportHang(int) {
  static const char message[] = "error: a job did not finish\n";
  (void)!write(STDERR_FILENO, message, sizeof(message) - 1);
  _exit(3);
}

std::atomic<bool> workerStarted{false};
bool useRuntimeError = false;

/// Two tasks: the calling thread's waits for a worker's, which fails.
void failOnWorker() {
  workerStarted = false;
  parallelFor(2, [](int64_t) {
    if (currentThread() == 0) {
      while (!workerStarted.load())
        std::this_thread::yield();
      return;
    }
    workerStarted = true;
    if (useRuntimeError)
      sift_runtime_error("node 'w' (Test): failed on a worker");
    throw std::bad_alloc();
  });
}

void failingKernel() { runKernel("test", failOnWorker); }

/// A job whose tasks all succeed; returns how many ran.
int countTasks() {
  std::atomic<int> ran{0};
  parallelFor(64, [&](int64_t) { ran.fetch_add(1); });
  return ran.load();
}

/// Runs `body` as a library's glue runs a model.
int runAsLibrary(void (*body)()) {
  jmp_buf target;
  if (setjmp(target)) {
    sift_runtime_leave(1);
    return 1;
  }
  sift_runtime_enter(&target);
  body();
  sift_runtime_leave(0);
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s throw|kernel|error|library\n", argv[0]);
    return 2;
  }
  std::signal(SIGALRM, reportHang);
  alarm(kHangSeconds);
  setNumThreads(2);
  const char *mode = argv[1];
  if (!std::strcmp(mode, "throw")) {
    try {
      failOnWorker();
      std::printf("no exception\n");
    } catch (const std::bad_alloc &) {
      std::printf("caught std::bad_alloc on thread %d\n", currentThread());
    }
    std::printf("next job: %d of 64 tasks ran\n", countTasks());
    return 0;
  }
  useRuntimeError = !std::strcmp(mode, "error") || !std::strcmp(mode, "library");
  if (!std::strcmp(mode, "kernel") || !std::strcmp(mode, "error")) {
    failingKernel();
    std::printf("no error\n");
    return 0;
  }
  if (!std::strcmp(mode, "library")) {
    int status = runAsLibrary(failingKernel);
    std::printf("run: status %d, error '%s'\n", status,
                sift_runtime_last_error());
    status = runAsLibrary([] { countTasks(); });
    std::printf("next run: status %d, error '%s'\n", status,
                sift_runtime_last_error());
    return 0;
  }
  std::fprintf(stderr, "unknown mode '%s'\n", mode);
  return 2;
}
