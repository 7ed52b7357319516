/* Generates text with the Llama example through the shared libraries that
 * `sparse-compile --emit=lib` builds from prefill.onnx and decode.onnx:
 * the prompt's bytes go through prefill once, then each new byte through
 * decode, with the key/value cache that a step returns passed as the next
 * step's past.
 *
 *   cc -O2 -I DIR generate.c -L DIR -lprefill -ldecode -Wl,-rpath,DIR -lm
 *   ./generate [--tokens N] [--temperature T --seed S] [--report R.json]
 *              PROMPT
 *
 * Prints the prompt and the generated text, then the prompt's prefill
 * time, the decode steps' tokens per second (all steps, wall clock) and
 * median time per step, and with --report (the JSON
 * that sparse-compile --report wrote for the decode library) its active
 * parameters per token. Greedy by default; with a temperature, bytes are
 * sampled from softmax(logits / T) with a seeded generator, so a run
 * repeats exactly.
 *
 * The cache is not copied by this program: the present buffers of one step
 * are the next step's past inputs. The model itself still copies it once
 * per step (its Concat writes the past and the new position into the new
 * present buffer), since the library's API returns every output in a new
 * buffer and cannot update an input in place. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include "libdecode.h"
#include "libprefill.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { VOCAB = 256 };

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* splitmix64: a small generator whose sequence is the same everywhere. */
static uint64_t next_random(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int choose(const float *logits, double temperature, uint64_t *rng) {
  int best = 0;
  for (int i = 1; i < VOCAB; ++i)
    if (logits[i] > logits[best])
      best = i;
  if (temperature <= 0)
    return best;
  double weights[VOCAB], total = 0;
  for (int i = 0; i < VOCAB; ++i)
    total += weights[i] = exp((logits[i] - logits[best]) / temperature);
  double target = (next_random(rng) >> 11) * 0x1.0p-53 * total;
  for (int i = 0; i < VOCAB; ++i)
    if ((target -= weights[i]) < 0)
      return i;
  return best;
}

/* A cache output of one library as the other's input: the descriptors of
 * both are { float *allocated, *aligned; int64_t offset, sizes[4],
 * strides[4]; }. */
#define AS_PAST(dst, src)                                                      \
  do {                                                                         \
    (dst).allocated = (src).allocated;                                         \
    (dst).aligned = (src).aligned;                                             \
    (dst).offset = (src).offset;                                               \
    memcpy((dst).sizes, (src).sizes, sizeof (dst).sizes);                      \
    memcpy((dst).strides, (src).strides, sizeof (dst).strides);               \
  } while (0)

/* The active parameters per token from sparse-compile's JSON report: the
 * numbers after "total_params" and "active_params_per_token". */
static int read_report(const char *path, double *active, double *total) {
  FILE *file = fopen(path, "r");
  if (!file)
    return 0;
  static char text[1 << 20];
  size_t length = fread(text, 1, sizeof text - 1, file);
  fclose(file);
  text[length] = '\0';
  const char *a = strstr(text, "\"active_params_per_token\":");
  const char *t = strstr(text, "\"total_params\":");
  if (!a || !t)
    return 0;
  *active = strtod(strchr(a, ':') + 1, NULL);
  *total = strtod(strchr(t, ':') + 1, NULL);
  return 1;
}

static void usage(const char *program) {
  fprintf(stderr,
          "usage: %s [--tokens N] [--temperature T] [--seed S] "
          "[--report R.json] PROMPT\n",
          program);
  exit(2);
}

int main(int argc, char **argv) {
  long count = 200;
  double temperature = 0;
  uint64_t rng = 0;
  const char *prompt = NULL, *report = NULL;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--tokens") && i + 1 < argc)
      count = strtol(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--temperature") && i + 1 < argc)
      temperature = strtod(argv[++i], NULL);
    else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
      rng = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--report") && i + 1 < argc)
      report = argv[++i];
    else if (argv[i][0] == '-' || prompt)
      usage(argv[0]);
    else
      prompt = argv[i];
  }
  if (!prompt || !*prompt || count < 1)
    usage(argv[0]);

  int64_t length = (int64_t)strlen(prompt);
  int64_t *tokens = malloc(length * sizeof *tokens);
  for (int64_t i = 0; i < length; ++i)
    tokens[i] = (unsigned char)prompt[i];
  prefill_input_0 prompt_tokens = {tokens, tokens, 0, {1, length}, {length, 1}};
  prefill_outputs prefilled;
  double start = now_seconds();
  if (prefill_run(&prefilled, &prompt_tokens) != 0) {
    fprintf(stderr, "prefill: %s\n", prefill_last_error());
    return 1;
  }
  double prefill_seconds = now_seconds() - start;
  const float *last = prefilled.output_0.aligned + prefilled.output_0.offset +
                      (length - 1) * VOCAB;
  int64_t token = choose(last, temperature, &rng);
  free(tokens);

  fputs(prompt, stdout);
  putchar((int)token);
  decode_input_0 token_input = {&token, &token, 0, {1, 1}, {1, 1}};
  decode_input_1 past_k;
  decode_input_2 past_v;
  AS_PAST(past_k, prefilled.output_1);
  AS_PAST(past_v, prefilled.output_2);
  int64_t position = length;
  decode_input_3 position_input = {&position, &position, 0, {1}, {1}};
  decode_outputs previous, step;
  int have_previous = 0;
  double *step_seconds = malloc(count * sizeof *step_seconds);
  start = now_seconds();
  for (long generated = 1; generated < count; ++generated, ++position) {
    double step_start = now_seconds();
    if (decode_run(&step, &token_input, &past_k, &past_v, &position_input) !=
        0) {
      fprintf(stderr, "decode: %s\n", decode_last_error());
      return 1;
    }
    step_seconds[generated - 1] = now_seconds() - step_start;
    /* The past buffers belong to the previous outputs, now read. */
    if (have_previous)
      decode_free_outputs(&previous);
    else
      prefill_free_outputs(&prefilled);
    previous = step;
    have_previous = 1;
    token = choose(step.output_0.aligned + step.output_0.offset, temperature,
                   &rng);
    putchar((int)token);
    AS_PAST(past_k, step.output_1);
    AS_PAST(past_v, step.output_2);
  }
  double decode_seconds = now_seconds() - start;
  if (have_previous)
    decode_free_outputs(&previous);
  else
    prefill_free_outputs(&prefilled);

  printf("\n---\nprefill: %lld tokens in %.2f ms (the first call: with the "
         "library's one-time setup)\n",
         (long long)length, prefill_seconds * 1e3);
  if (count > 1) {
    qsort(step_seconds, count - 1, sizeof *step_seconds, compare_doubles);
    printf("decode: %ld tokens in %.3f s, %.1f tokens/s; a step's median "
           "%.3f ms\n",
           count - 1, decode_seconds, (count - 1) / decode_seconds,
           step_seconds[(count - 2) / 2] * 1e3);
  }
  free(step_seconds);
  double active, total;
  if (report) {
    if (!read_report(report, &active, &total)) {
      fprintf(stderr, "cannot read the parameter counts of '%s'\n", report);
      return 1;
    }
    printf("active parameters per token: %.0f of %.0f (%.1f%%)\n", active,
           total, 100 * active / total);
  } else {
    printf("active parameters per token: all (no --report: a dense build)\n");
  }
  return 0;
}
