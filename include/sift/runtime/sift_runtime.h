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

/* The types below are shared with the headers that `sparse-compile
 * --emit=lib` generates, which define them under the same guard. */
#ifndef SIFT_TENSOR_SPEC_DEFINED
#define SIFT_TENSOR_SPEC_DEFINED
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
#endif /* SIFT_TENSOR_SPEC_DEFINED */

extern const int32_t sift_model_num_inputs;
extern const int32_t sift_model_num_outputs;
extern const sift_tensor_spec sift_model_inputs[];
extern const sift_tensor_spec sift_model_outputs[];

/* One gated matmul of the model (see sparse-compile --sparsity): the ONNX
 * node it came from, its activations per token (K) and the weights each
 * activation multiplies (N). */
typedef struct sift_gate_spec {
  const char *node;
  int64_t inputs;
  int64_t outputs;
} sift_gate_spec;

extern const int32_t sift_model_num_gates;
extern const sift_gate_spec sift_model_gates[];
/* The elements of the model's floating-point constants (weights, biases). */
extern const int64_t sift_model_num_parameters;

/* The size and checksum of the model's weights file (see
 * sift/runtime/WeightsFile.h); a size of 0 when its constants are all
 * inside the executable. */
extern const uint64_t sift_model_weights_size;
extern const uint64_t sift_model_weights_checksum;

/* Maps `<file>.weights`, where <file> is the executable (`anchor` null) or
 * the shared library holding `anchor`, checks its size and checksum, and
 * points the model's constants at it. Returns null, or a message saying why
 * the file cannot be used. */
const char *sift_load_weights(const void *anchor, uint64_t size,
                              uint64_t checksum);

/* Runs the model. `inputs[i]` points at input i's memref descriptor;
 * `results` receives the output descriptors one after another (each
 * 3 + 2 * rank 8-byte words). Output buffers are malloc'ed and owned by the
 * caller: they never alias an input or a constant of the model (MLIR's
 * ownership-based buffer deallocation copies those at the function
 * boundary), but two outputs may share one buffer. */
void sift_model_run(void *results, void *const *inputs);

/* Frees the output buffers of one sift_model_run, each distinct buffer once
 * (the `allocated` pointer, word 0 of each descriptor), and clears the
 * descriptors' pointers. */
void sift_model_free_outputs(void *results);

#ifdef __cplusplus
}
#endif

#endif /* SIFT_RUNTIME_SIFT_RUNTIME_H */
