//===- ThreadPool.cpp - The worker threads that kernels share -------------===//

#include "ThreadPool.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
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

class Pool {
public:
  explicit Pool(int threads) {
    for (int i = 1; i < threads; ++i)
      workers.emplace_back([this] { work(); });
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
    if (workers.empty() || count <= 1) {
      for (int64_t i = 0; i < count; ++i)
        fn(ctx, i);
      return;
    }
    task = fn;
    context = ctx;
    total = count;
    next.store(0, std::memory_order_relaxed);
    pending.store(static_cast<int>(workers.size()), std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex);
      generation.fetch_add(1, std::memory_order_release);
    }
    wake.notify_all();
    drain();
    while (pending.load(std::memory_order_acquire) != 0)
      SIFT_CPU_RELAX();
  }

private:
  void drain() {
    for (int64_t i = next.fetch_add(1); i < total; i = next.fetch_add(1))
      task(context, i);
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
      drain();
      pending.fetch_sub(1, std::memory_order_release);
    }
  }

  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake;
  std::atomic<uint64_t> generation{0};
  std::atomic<int64_t> next{0};
  std::atomic<int> pending{0};
  void (*task)(void *, int64_t) = nullptr;
  void *context = nullptr;
  int64_t total = 0;
  bool stopping = false;
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

void setNumThreads(int count) {
  delete pool;
  pool = nullptr;
  requestedThreads = count;
}

void parallelFor(int64_t count, void (*task)(void *, int64_t), void *context) {
  getPool().run(count, task, context);
}

} // namespace sift::runtime
