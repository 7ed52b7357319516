/* A C program that calls a model compiled with `sparse-compile --emit=lib
 * --lib-prefix=multi` from Inputs/outputs.pbtxt, through its generated
 * header alone. It prints every output, checks that outputs never share
 * memory with the inputs, and frees them. */
#include "libmulti.h"

#include <stdio.h>

static void printFloats(const char *name, const float *data, int64_t count) {
  printf("%s:", name);
  for (int64_t i = 0; i < count; ++i)
    printf(" %g", data[i]);
  printf("\n");
}

int main(void) {
  float x[2][3] = {{1, 2, 3}, {4, 5, 6}};
  int64_t n[4] = {1, -2, 3, 40};
  multi_input_0 in0 = {&x[0][0], &x[0][0], 0, {2, 3}, {3, 1}};
  multi_input_1 in1 = {n, n, 0, {4}, {1}};

  printf("inputs %d outputs %d\n", multi_num_inputs, multi_num_outputs);
  for (int i = 0; i < multi_num_outputs; ++i) {
    const sift_tensor_spec *spec = &multi_output_specs[i];
    printf("output %d %s dtype %d rank %d", i, spec->name, spec->dtype,
           spec->rank);
    for (int d = 0; d < spec->rank; ++d)
      printf(" %lld", (long long)spec->shape[d]);
    printf("\n");
  }

  /* Run several times, freeing each run's outputs. */
  multi_outputs out;
  for (int run = 0; run < 3; ++run) {
    multi_run(&out, &in0, &in1);
    if (run < 2)
      multi_free_outputs(&out);
  }
  printFloats("sum", out.output_0.aligned + out.output_0.offset,
              out.output_0.sizes[0] * out.output_0.sizes[1]);
  printf("sum strides %lld %lld\n", (long long)out.output_0.strides[0],
         (long long)out.output_0.strides[1]);
  printFloats("rows", out.output_1.aligned + out.output_1.offset,
              out.output_1.sizes[0]);
  printFloats("total", out.output_2.aligned + out.output_2.offset, 1);
  printFloats("copy", out.output_3.aligned + out.output_3.offset, 6);
  printFloats("konst", out.output_4.aligned + out.output_4.offset, 2);
  printFloats("sum_again", out.output_5.aligned + out.output_5.offset, 6);
  printf("doubled (%lld):", (long long)out.output_6.sizes[0]);
  for (int64_t i = 0; i < out.output_6.sizes[0]; ++i)
    printf(" %lld", (long long)out.output_6.aligned[out.output_6.offset + i]);
  printf("\n");
  printf("copy is a new buffer: %d\n", out.output_3.allocated != &x[0][0]);
  printf("inputs unchanged: %d\n", x[1][2] == 6 && n[3] == 40);

  /* The untyped entry point fills the same layout. */
  multi_outputs packed;
  void *inputs[2] = {&in0, &in1};
  multi_run_packed(&packed, inputs);
  printf("packed rows: %g %g\n", packed.output_1.aligned[0],
         packed.output_1.aligned[1]);

  multi_free_outputs(&out);
  multi_free_outputs(&packed);
  printf("cleared: %d\n", out.output_0.allocated == 0 &&
                              out.output_5.allocated == 0);
  return 0;
}
