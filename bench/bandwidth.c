/* Measures the machine's memory read bandwidth: T threads (default 2) each
 * sum their slice of a float array (default 1 GiB, far larger than any
 * cache), several times; prints the best pass as one line of JSON.
 *
 *   cc -O3 -march=native -ffast-math -pthread bench/bandwidth.c -o bandwidth
 *   ./bandwidth [--threads 2] [--mib 1024] [--passes 7]
 *
 * Each thread keeps 64 partial sums, which the compiler vectorises, so the
 * loop is limited by memory rather than by the latency of its adds; the sums
 * are printed so the reads cannot be optimised away.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LANES 64

typedef struct {
  const float *data;
  size_t count;
  double sum;
  pthread_barrier_t *start;
} Slice;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *sumSlice(void *arg) {
  Slice *s = (Slice *)arg;
  pthread_barrier_wait(s->start);
  /* 64 independent partial sums (8 AVX registers' worth): one running sum
   * would make the loop wait on the latency of each add instead of memory. */
  float acc[LANES] = {0};
  const float *p = s->data;
  size_t blocks = s->count / LANES;
  for (size_t b = 0; b < blocks; ++b, p += LANES)
    for (int l = 0; l < LANES; ++l)
      acc[l] += p[l];
  float total = 0.0f;
  for (size_t i = blocks * LANES; i < s->count; ++i)
    total += s->data[i];
  for (int l = 0; l < LANES; ++l)
    total += acc[l];
  s->sum = total;
  return NULL;
}

static void *fillSlice(void *arg) {
  Slice *s = (Slice *)arg;
  float *p = (float *)s->data;
  for (size_t i = 0; i < s->count; ++i)
    p[i] = (float)(i & 1023) * 0.001f;
  return NULL;
}

int main(int argc, char **argv) {
  int threads = 2, passes = 7;
  size_t mib = 1024;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--threads") && i + 1 < argc)
      threads = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--mib") && i + 1 < argc)
      mib = (size_t)atol(argv[++i]);
    else if (!strcmp(argv[i], "--passes") && i + 1 < argc)
      passes = atoi(argv[++i]);
    else {
      fprintf(stderr, "usage: %s [--threads T] [--mib M] [--passes P]\n", argv[0]);
      return 2;
    }
  }
  if (threads < 1 || passes < 1 || mib < 1) {
    fprintf(stderr, "error: --threads, --mib and --passes must be >= 1\n");
    return 2;
  }
  size_t bytes = mib << 20, count = bytes / sizeof(float);
  float *data = NULL;
  if (posix_memalign((void **)&data, 4096, bytes)) {
    fprintf(stderr, "error: cannot allocate %zu MiB\n", mib);
    return 1;
  }
  pthread_t *tids = calloc(threads, sizeof(pthread_t));
  Slice *slices = calloc(threads, sizeof(Slice));
  pthread_barrier_t barrier;
  size_t per = count / threads;
  /* First touch from the reading threads (NUMA placement, page faults). */
  for (int t = 0; t < threads; ++t) {
    slices[t].data = data + t * per;
    slices[t].count = t == threads - 1 ? count - t * per : per;
    pthread_create(&tids[t], NULL, fillSlice, &slices[t]);
  }
  for (int t = 0; t < threads; ++t)
    pthread_join(tids[t], NULL);

  double best = 1e30, worst = 0, total = 0, checksum = 0;
  for (int p = 0; p < passes; ++p) {
    pthread_barrier_init(&barrier, NULL, threads + 1);
    for (int t = 0; t < threads; ++t) {
      slices[t].start = &barrier;
      pthread_create(&tids[t], NULL, sumSlice, &slices[t]);
    }
    pthread_barrier_wait(&barrier);
    double t0 = now();
    for (int t = 0; t < threads; ++t)
      pthread_join(tids[t], NULL);
    double dt = now() - t0;
    pthread_barrier_destroy(&barrier);
    for (int t = 0; t < threads; ++t)
      checksum += slices[t].sum;
    if (dt < best) best = dt;
    if (dt > worst) worst = dt;
    total += dt;
  }
  printf("{\"threads\": %d, \"bytes\": %zu, \"passes\": %d, \"best_gbps\": %.2f, "
         "\"mean_gbps\": %.2f, \"worst_gbps\": %.2f, \"checksum\": %.6g}\n",
         threads, bytes, passes, bytes / best / 1e9, bytes * passes / total / 1e9,
         bytes / worst / 1e9, checksum);
  free(slices);
  free(tids);
  free(data);
  return 0;
}
