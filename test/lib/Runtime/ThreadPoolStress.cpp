//===- ThreadPoolStress.cpp - Back-to-back jobs on the runtime's pool -----===//
//
// Runs many jobs of uneven sizes and task lengths back to back on the pool
// that the kernels share, at several thread counts, and checks that every
// job ran each of its tasks exactly once. A job that does not finish within
// a time limit is reported as a hang (the pool once livelocked when a late
// worker claimed a task of the next job).
//
// Usage: sift-thread-pool-stress JOBS THREADS...
//
//===----------------------------------------------------------------------===//

#include "ThreadPool.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <vector>

namespace {
/// Seconds one job may take before it counts as a hang: a job takes
/// microseconds, but the machine may be busy.
constexpr unsigned kHangSeconds = 20;

void reportHang(int) {
  static const char message[] = "error: the pool stopped making progress\n";
  (void)!write(STDERR_FILENO, message, sizeof(message) - 1);
  _exit(3);
}

struct Job {
  std::vector<std::atomic<int>> runs;
  std::atomic<int64_t> outOfRange{0};
  int64_t spin = 0;
};

/// Busy work whose length differs from task to task, so workers fall behind
/// the caller by different amounts.
void runTask(void *context, int64_t index) {
  auto &job = *static_cast<Job *>(context);
  if (index < 0 || index >= static_cast<int64_t>(job.runs.size())) {
    job.outOfRange.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  volatile int64_t sink = 0;
  for (int64_t i = 0; i < (index % 7) * job.spin; ++i)
    sink = sink + i;
  job.runs[index].fetch_add(1, std::memory_order_relaxed);
}

/// Returns the number of jobs with a task that ran other than once.
int64_t runJobs(int64_t jobs, unsigned seed) {
  int64_t failures = 0;
  for (int64_t j = 0; j < jobs; ++j) {
    seed = seed * 1103515245u + 12345u;
    // Mostly tiny jobs, which finish while a worker may still be waking up
    // from the previous one, with a large one now and then.
    int64_t count = (seed >> 16) % 8 == 0 ? 2 + (seed >> 8) % 509
                                          : 2 + (seed >> 20) % 5;
    alarm(kHangSeconds);
    Job job;
    job.runs = std::vector<std::atomic<int>>(count);
    job.spin = (seed >> 4) % 3 * 20;
    sift::runtime::parallelFor(count, runTask, &job);
    bool ok = job.outOfRange.load() == 0;
    for (auto &runs : job.runs)
      ok &= runs.load() == 1;
    failures += !ok;
  }
  return failures;
}
} // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s JOBS THREADS...\n", argv[0]);
    return 2;
  }
  int64_t jobs = std::atoll(argv[1]);
  std::signal(SIGALRM, reportHang);
  int status = 0;
  for (int i = 2; i < argc; ++i) {
    int threads = std::atoi(argv[i]);
    sift::runtime::setNumThreads(threads);
    int64_t failures = runJobs(jobs, /*seed=*/static_cast<unsigned>(i));
    alarm(0);
    std::printf("%d threads: %lld jobs, %lld with a task not run exactly "
                "once\n",
                threads, static_cast<long long>(jobs),
                static_cast<long long>(failures));
    status |= failures != 0;
  }
  return status;
}
