/*===- sift_runtime.h - Interface of a compiled Sift model --------*- C -*-===*
 *
 * What `sparse-compile` emits for a model, as seen from C: the model's
 * signature and one entry point. Tensors cross the boundary as MLIR memref
 * descriptors: { T *allocated; T *aligned; int64_t offset;
 * int64_t sizes[rank]; int64_t strides[rank]; } with row-major strides.
 *
 *===----------------------------------------------------------------------===*/

#ifndef SIFT_RUNTIME_SIFT_RUNTIME_H
#define SIFT_RUNTIME_SIFT_RUNTIME_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Element types, numbered as ONNX's TensorProto.DataType. */
enum sift_dtype {
  SIFT_FLOAT = 1,
  SIFT_UINT8 = 2,
  SIFT_INT8 = 3,
  SIFT_UINT16 = 4,
  SIFT_INT16 = 5,
  SIFT_INT32 = 6,
  SIFT_INT64 = 7,
  SIFT_BOOL = 9,
  SIFT_FLOAT16 = 10,
  SIFT_DOUBLE = 11,
  SIFT_UINT32 = 12,
  SIFT_UINT64 = 13,
  SIFT_BFLOAT16 = 16
};

/* One graph input or output; a dimension of -1 is dynamic. */
typedef struct sift_tensor_spec {
  const char *name;
  int32_t dtype;
  int32_t rank;
  const int64_t *shape;
} sift_tensor_spec;

extern const int32_t sift_model_num_inputs;
extern const int32_t sift_model_num_outputs;
extern const sift_tensor_spec sift_model_inputs[];
extern const sift_tensor_spec sift_model_outputs[];

/* Runs the model. `inputs[i]` points at input i's memref descriptor;
 * `results` receives the output descriptors one after another (each
 * 3 + 2 * rank 8-byte words). Output buffers are malloc'ed and owned by the
 * caller. */
void sift_model_run(void *results, void *const *inputs);

#ifdef __cplusplus
}
#endif

#endif /* SIFT_RUNTIME_SIFT_RUNTIME_H */
