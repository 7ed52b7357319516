//===- ThreadPool.cpp - The worker threads that kernels share -------------===//

#include "ThreadPool.h"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SIFT_CPU_RELAX() _mm_pause()
#else
#define SIFT_CPU_RELAX() std::this_thread::yield()
#endif

namespace sift::runtime {
namespace {
/// How long an idle worker polls for the next job before it sleeps: about
/// a millisecond, longer than the gap between two kernels of one model run.
constexpr int kSpinIterations = 1 << 15;

/// A cursor value no job matches: job tags start at 1.
constexpr uint64_t kClosedCursor = 0;

/// The cursor's low half counts tasks, so a job has fewer than 2^32.
constexpr int64_t kMaxTasksPerJob = 0xffffffffLL;

/// The job's tag in the cursor's high half: never 0 (the closed cursor), and
/// still distinct from the previous job's after the generation passes 2^32.
uint64_t cursorTag(uint64_t job) { return job % 0xffffffffULL + 1; }

/// The calling thread's index in the pool: 0 for the thread that calls
/// parallelFor, 1.. for the workers.
thread_local int threadIndex = 0;

/// Whether this thread is running a task (see inParallelTask).
thread_local bool runningTask = false;

/// Marks the calling thread as running a task while it lives.
class TaskScope {
public:
  TaskScope() { runningTask = true; }
  ~TaskScope() { runningTask = false; }
};

/// Tasks are claimed from a cursor that holds the job's generation in its
/// high half and the next task index in its low half, so a worker that wakes
/// late can never claim a task of another job. The caller claims tasks too
/// and waits only for the tasks to be done, never for a worker to wake: on a
/// busy machine a descheduled worker costs nothing.
///
/// Before a new job's task count is written, the cursor is closed (no job
/// owns it). Otherwise a worker still draining the finished job could read
/// the next job's larger count, pass the bound check with the finished job's
/// cursor, claim an index past its end, run the new task with it, and push
/// the completion count past its target: the caller would then wait forever.
///
/// An exception that escapes a worker's thread function calls
/// std::terminate, and one thread cannot unwind another's stack, so a task's
/// exception is caught where it was thrown, kept, and rethrown by the caller
/// once the job is done.
class Pool {
public:
  explicit Pool(int threads) {
    // When the system has no thread left to give, the pool keeps the
    // workers it has: fewer threads, not a failure (std::thread throws).
    try {
      for (int i = 1; i < threads; ++i)
        workers.emplace_back([this, i] {
          threadIndex = i;
          work();
        });
    } catch (const std::system_error &) {
    }
  }

  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
      generation.fetch_add(1, std::memory_order_release);
    }
    wake.notify_all();
    for (std::thread &worker : workers)
      worker.join();
  }

  int size() const { return static_cast<int>(workers.size()) + 1; }

  void run(int64_t count, void (*fn)(void *, int64_t), void *ctx) {
    if (workers.empty() || count <= 1 || count > kMaxTasksPerJob) {
      TaskScope scope;
      for (int64_t i = 0; i < count; ++i)
        fn(ctx, i);
      return;
    }
    cursor.store(kClosedCursor, std::memory_order_relaxed);
    task.store(fn, std::memory_order_relaxed);
    context.store(ctx, std::memory_order_relaxed);
    completed.store(0, std::memory_order_relaxed);
    failed.store(false, std::memory_order_relaxed);
    // Release: a worker that reads this count also sees the closed cursor,
    // so its claim on the finished job fails.
    total.store(count, std::memory_order_release);
    uint64_t job;
    {
      std::lock_guard<std::mutex> lock(mutex);
      job = generation.load(std::memory_order_relaxed) + 1;
      cursor.store(cursorTag(job) << 32, std::memory_order_release);
      generation.store(job, std::memory_order_release);
    }
    wake.notify_all();
    drain(job);
    while (completed.load(std::memory_order_acquire) != count)
      SIFT_CPU_RELAX();
    // The acquire above sees the failure that a task stored before its
    // completion was counted.
    if (failed.load(std::memory_order_relaxed))
      std::rethrow_exception(std::exchange(failure, nullptr));
  }

private:
  /// Runs tasks of `job` until none is left to claim.
  void drain(uint64_t job) {
    uint64_t tag = cursorTag(job);
    while (true) {
      uint64_t claim = cursor.load(std::memory_order_acquire);
      if (claim >> 32 != tag)
        return;
      int64_t index = static_cast<int64_t>(claim & 0xffffffffu);
      if (index >= total.load(std::memory_order_acquire))
        return;
      if (!cursor.compare_exchange_weak(claim, claim + 1,
                                        std::memory_order_acq_rel))
        continue;
      // After a failure the job's result is lost anyway: skip its tasks.
      if (!failed.load(std::memory_order_relaxed))
        runTask(index);
      completed.fetch_add(1, std::memory_order_release);
    }
  }

  /// Runs one task, keeping the job's first exception for the caller.
  void runTask(int64_t index) {
    TaskScope scope;
    try {
      task.load(std::memory_order_relaxed)(
          context.load(std::memory_order_relaxed), index);
    } catch (...) {
      if (!failed.exchange(true, std::memory_order_relaxed))
        failure = std::current_exception();
    }
  }

  void work() {
    uint64_t seen = 0;
    while (true) {
      uint64_t current = generation.load(std::memory_order_acquire);
      for (int spin = 0; current == seen && spin < kSpinIterations; ++spin) {
        SIFT_CPU_RELAX();
        current = generation.load(std::memory_order_acquire);
      }
      if (current == seen) {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] {
          return generation.load(std::memory_order_acquire) != seen;
        });
        current = generation.load(std::memory_order_acquire);
      }
      seen = current;
      if (stopping)
        return;
      drain(current);
    }
  }

  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake;
  std::atomic<uint64_t> generation{0};
  std::atomic<uint64_t> cursor{0};
  std::atomic<int64_t> total{0};
  std::atomic<int64_t> completed{0};
  std::atomic<void (*)(void *, int64_t)> task{nullptr};
  std::atomic<void *> context{nullptr};
  std::atomic<bool> stopping{false};
  /// Whether a task of the current job threw; the first such task stores
  /// its exception in `failure`, which the caller reads after the job.
  std::atomic<bool> failed{false};
  std::exception_ptr failure;
};

int requestedThreads = 0;
Pool *pool = nullptr;

Pool &getPool() {
  if (!pool) {
    int count = requestedThreads;
    if (count <= 0)
      count = static_cast<int>(std::thread::hardware_concurrency());
    pool = new Pool(count > 0 ? count : 1);
  }
  return *pool;
}
} // namespace

int numThreads() { return getPool().size(); }

int currentThread() { return threadIndex; }

bool inParallelTask() { return runningTask; }

void setNumThreads(int count) {
  delete pool;
  pool = nullptr;
  requestedThreads = count;
}

void parallelFor(int64_t count, void (*task)(void *, int64_t), void *context) {
  getPool().run(count, task, context);
}

} // namespace sift::runtime
