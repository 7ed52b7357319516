/* Calls two models compiled with `sparse-compile --emit=lib` from
 * make-runtime-models.py, libdiv.so (y = a / b on int64[3]) and
 * libexpand.so (y = Expand(x, shape)), with inputs that fail at run time
 * and with good ones, in one process: a failed run returns non-zero with a
 * message, zeroes the outputs, frees what it allocated, and the next run
 * works. */
#include "libdiv.h"
#include "libexpand.h"

#include <malloc.h>
#include <pthread.h>
#include <stdio.h>

static int64_t a[3] = {7, -7, 9}, b[3] = {2, 2, 3}, zero[3] = {2, 0, 3};
static int64_t longer[4] = {2, 2, 3, 4};

static void describe(const char *what, int status, const char *error) {
  printf("%s: status %d, error '%s'\n", what, status, error);
}

/* Runs div on a and `divisor` (of `size` elements) and prints the result. */
static int runDiv(const char *what, int64_t *divisor, int64_t size) {
  div_input_0 in0 = {a, a, 0, {3}, {1}};
  div_input_1 in1 = {divisor, divisor, 0, {size}, {1}};
  div_outputs out;
  int status = div_run(&out, &in0, &in1);
  describe(what, status, div_last_error());
  if (status == 0) {
    const int64_t *y = out.output_0.aligned + out.output_0.offset;
    printf("  y: %lld %lld %lld\n", (long long)y[0], (long long)y[1],
           (long long)y[2]);
  } else {
    printf("  outputs zeroed: %d\n",
           !out.output_0.allocated && !out.output_0.aligned);
  }
  div_free_outputs(&out);
  return status;
}

static int runExpand(const char *what, int64_t rows, int64_t columns) {
  float x[1] = {1.5f};
  int64_t shape[2] = {rows, columns};
  expand_input_0 in0 = {x, x, 0, {1}, {1}};
  expand_input_1 in1 = {shape, shape, 0, {2}, {1}};
  expand_outputs out;
  int status = expand_run(&out, &in0, &in1);
  describe(what, status, expand_last_error());
  if (status == 0)
    printf("  y: %lldx%lld, y[5] = %g\n", (long long)out.output_0.sizes[0],
           (long long)out.output_0.sizes[1],
           out.output_0.aligned[out.output_0.offset + 5]);
  expand_free_outputs(&out);
  return status;
}

/* A failure on another thread is that thread's own. */
static void *failOnThread(void *unused) {
  (void)unused;
  runDiv("thread: zero divisor", zero, 3);
  return 0;
}

int main(void) {
  runDiv("good", b, 3);
  runDiv("zero divisor", zero, 3);
  runDiv("good again", b, 3);
  runDiv("wrong size", longer, 4);

  div_input_1 in1 = {b, b, 0, {3}, {1}};
  div_outputs out;
  describe("null input", div_run(&out, 0, &in1), div_last_error());
  div_input_0 noData = {0, 0, 0, {3}, {1}};
  describe("no data", div_run(&out, &noData, &in1), div_last_error());
  describe("null outputs", div_run(0, &noData, &in1), div_last_error());
  div_input_0 in0 = {a, a, 0, {3}, {1}};
  div_input_1 zeroIn = {zero, zero, 0, {3}, {1}};
  void *const inputs[] = {&in0, &zeroIn};
  describe("packed", div_run_packed(&out, inputs), div_last_error());

  runDiv("before the thread", b, 3);
  pthread_t thread;
  pthread_create(&thread, 0, failOnThread, 0);
  pthread_join(thread, 0);
  describe("main thread after", 0, div_last_error());

  /* The output buffer is allocated before the division fails: without the
   * runtime freeing it, every failed run would leak it. */
  size_t before = mallinfo2().uordblks;
  for (int i = 0; i < 100; ++i) {
    div_outputs dropped;
    div_run(&dropped, &in0, &zeroIn);
  }
  printf("bytes kept by 100 failed runs: %zu\n",
         mallinfo2().uordblks - before);

  runExpand("huge", 1ll << 20, 1ll << 40);
  runExpand("negative", 2, -3);
  runExpand("good", 2, 3);
  return 0;
}
