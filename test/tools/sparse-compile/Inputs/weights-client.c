/* Runs the model of make-weights-model.py, compiled with
 * `sparse-compile --emit=lib --lib-prefix=wts`, on the input file given as
 * its argument (raw float32, 256 values) and prints the 16 outputs, or the
 * library's error (exit status 2). */
#include "libwts.h"

#include <stdio.h>

int main(int argc, char **argv) {
  float x[256];
  FILE *file = argc > 1 ? fopen(argv[1], "rb") : NULL;
  if (!file || fread(x, sizeof(float), 256, file) != 256)
    return 1;
  fclose(file);
  wts_input_0 in = {x, x, 0, {1, 256}, {256, 1}};
  wts_outputs out;
  if (wts_run(&out, &in)) {
    fprintf(stderr, "error: %s\n", wts_last_error());
    return 2;
  }
  const float *y = out.output_0.aligned + out.output_0.offset;
  for (int i = 0; i < 16; ++i)
    printf("%.9g\n", y[i]);
  wts_free_outputs(&out);
  return 0;
}
