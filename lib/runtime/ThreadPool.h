//===- ThreadPool.h - The worker threads that kernels share -----*- C++ -*-===//
//
// Kernels split one call into tasks and run them on a fixed set of workers.
// A model calls many short kernels in a row (a batch-1 layer takes tens of
// microseconds), so workers spin briefly between calls before they sleep:
// waking a sleeping thread costs more than such a kernel.
//
//===----------------------------------------------------------------------===//

#ifndef SIFT_RUNTIME_THREADPOOL_H
#define SIFT_RUNTIME_THREADPOOL_H

#include <cstdint>

namespace sift::runtime {

/// The number of threads kernels use, the caller included (at least 1).
int numThreads();

/// The calling thread's index in [0, numThreads()): 0 for the thread that
/// calls parallelFor, so tasks can keep per-thread state in an array.
int currentThread();

/// Sets the number of threads; 0 means one per available core.
void setNumThreads(int count);

/// Runs `task(context, i)` for every i in [0, count), spread over the
/// threads; returns when all are done. Not reentrant: tasks must not call it.
/// A task that throws ends the job: the tasks not yet started are skipped,
/// and the first exception is rethrown on the calling thread once every
/// started task is done (an exception that left a worker would call
/// std::terminate).
void parallelFor(int64_t count, void (*task)(void *context, int64_t index),
                 void *context);

/// Whether the calling thread is running a task of parallelFor (the caller
/// included): errors there must be thrown, to reach the caller through the
/// pool, never longjmp'ed or exited from another thread's job.
bool inParallelTask();

/// parallelFor over a callable.
template <typename Fn> void parallelFor(int64_t count, Fn &&fn) {
  parallelFor(
      count,
      [](void *context, int64_t index) { (*static_cast<Fn *>(context))(index); },
      &fn);
}

} // namespace sift::runtime

#endif // SIFT_RUNTIME_THREADPOOL_H
