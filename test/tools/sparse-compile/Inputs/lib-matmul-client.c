/* Calls a MatMul compiled with `sparse-compile --emit=lib -o libmm.so` from
 * Inputs/matmul.pbtxt, whose code runs in the runtime's matmul kernel. */
#include "libmm.h"

#include <stdio.h>

int main(void) {
  float x[2][3] = {{1, 2, 3}, {4, 5, 6}};
  mm_input_0 in = {&x[0][0], &x[0][0], 0, {2, 3}, {3, 1}};
  for (int run = 0; run < 3; ++run) {
    mm_outputs out;
    mm_run(&out, &in);
    const float *y = out.output_0.aligned + out.output_0.offset;
    printf("y %lldx%lld: %g %g %g %g\n", (long long)out.output_0.sizes[0],
           (long long)out.output_0.sizes[1], y[0], y[1], y[2], y[3]);
    mm_free_outputs(&out);
  }
  return 0;
}
