//===- MatmulKernels.cpp - Dense and gated matmul kernels -----------------===//
//
// The kernels that compiled models call for f32 matmuls (see
// `--convert-sparsity-to-kernel-calls` and `--convert-matmul-to-kernel-calls`).
// At batch 1 a matmul reads every weight once and does two flops per weight,
// so it runs at the speed of memory; what matters is to read each weight row
// in long, contiguous streams, on every thread, and to read no row twice.
//
// Input-major weights [K, N] let a gated matmul read only the rows of its
// active inputs: y += x[k] * W[k, :] for active k. Few tokens (small M): the
// threads claim chunks of the active rows, each streaming them into partial
// sums of its own. Many tokens: the tokens are split instead, and every
// thread reads all active rows (the union over its tokens), from cache and
// register-tiled when they fit there. With all rows active this is the
// dense kernel, so a gate costs only its scan.
//
// Weights come in f32, bf16 or f16 (`--weight-type`): every kernel is a
// template over the weight type, widening 16-bit weights to f32 as it loads
// them and accumulating in f32, so a 16-bit model reads half the bytes.
//
//===----------------------------------------------------------------------===//

#include "MatmulKernels.h"

#include "GateStats.h"
#include "RuntimeChecks.h"
#include "ThreadPool.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <vector>

using namespace sift::runtime;

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define SIFT_HAVE_AVX2_KERNELS
#include <immintrin.h>
#endif

namespace {
/// A row-major matrix with unit column stride.
template <typename Element = float> struct Matrix {
  const Element *data;
  int64_t rows, cols, rowStride;
  const Element *row(int64_t i) const { return data + i * rowStride; }
};

/// A view of `memref` with unit column stride, packing it into `storage`
/// when its layout has none.
template <typename Element>
Matrix<Element> viewOf(const Memref<2, Element> &memref,
                       std::vector<Element> &storage) {
  const Element *base = memref.aligned + memref.offset;
  int64_t rows = memref.sizes[0], cols = memref.sizes[1];
  if (memref.strides[1] == 1 || cols <= 1)
    return {base, rows, cols, memref.strides[0]};
  storage.resize(rows * cols);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      storage[i * cols + j] =
          base[i * memref.strides[0] + j * memref.strides[1]];
  return {storage.data(), rows, cols, cols};
}

/// One weight as f32 (for the ends of rows that fill no vector).
inline float widen(float w) { return w; }
inline float widen(BFloat16 w) {
  uint32_t bits = static_cast<uint32_t>(w.bits) << 16;
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}
inline float widen(Float16 w) {
  uint32_t magnitude = static_cast<uint32_t>(w.bits & 0x7fff) << 13;
  float scaled;
  std::memcpy(&scaled, &magnitude, sizeof(scaled));
  scaled *= 0x1p112f;
  uint32_t bits;
  std::memcpy(&bits, &scaled, sizeof(bits));
  if ((w.bits & 0x7c00) == 0x7c00)
    bits = magnitude | 0x7f800000;
  bits |= static_cast<uint32_t>(w.bits & 0x8000) << 16;
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}
/// Calls group(std::integral_constant<int, T>(), t) for consecutive groups
/// of T <= 4 of `tokens` tokens, t the first of each: the kernels keep a
/// group's sums in registers, so T must be known when they are compiled.
template <typename Group> void forTokenGroups(int64_t tokens, Group group) {
  for (int64_t t = 0; t < tokens; t += 4) {
    switch (std::min<int64_t>(4, tokens - t)) {
    case 4:
      group(std::integral_constant<int, 4>(), t);
      break;
    case 3:
      group(std::integral_constant<int, 3>(), t);
      break;
    case 2:
      group(std::integral_constant<int, 2>(), t);
      break;
    default:
      group(std::integral_constant<int, 1>(), t);
      break;
    }
  }
}

/// dst = the values of src whose channel is used, in order.
void compact(const float *__restrict src, const uint8_t *__restrict used,
             int64_t k, float *__restrict dst) {
  int64_t next = 0;
  for (int64_t c = 0; c < k; ++c) {
    dst[next] = src[c];
    next += used[c];
  }
}

/// The thresholds a gate applies: the compiled ones or their override.
const float *effectiveThresholds(const Memref<1> &compiled, int64_t gate,
                                 int64_t &count) {
  const GateObserver &observer = gateObserver();
  if (gate >= 0 && static_cast<size_t>(gate) < observer.overrides.size() &&
      !observer.overrides[gate].empty()) {
    count = static_cast<int64_t>(observer.overrides[gate].size());
    return observer.overrides[gate].data();
  }
  count = compiled.sizes[0];
  return compiled.aligned + compiled.offset;
}

void recordMagnitudes(int64_t gate, const Matrix<> &x) {
  GateObserver &observer = gateObserver();
  if (observer.magnitudes.size() <= static_cast<size_t>(gate))
    observer.magnitudes.resize(gate + 1);
  std::vector<float> &values = observer.magnitudes[gate];
  for (int64_t m = 0; m < x.rows; ++m)
    for (int64_t k = 0; k < x.cols; ++k)
      values.push_back(std::fabs(x.row(m)[k]));
}

void count(int64_t gate, int64_t tokens, int64_t activations, int64_t zeroed,
           int64_t rowsRead) {
  GateObserver &observer = gateObserver();
  if (observer.counters.size() <= static_cast<size_t>(gate))
    observer.counters.resize(gate + 1);
  GateCounters &counters = observer.counters[gate];
  counters.calls += 1;
  counters.tokens += tokens;
  counters.activations += activations;
  counters.zeroed += zeroed;
  counters.rowsRead += rowsRead;
}
} // namespace

namespace {
namespace portable {
#include "MatmulKernels.inc"
} // namespace portable
} // namespace

#ifdef SIFT_HAVE_AVX2_KERNELS
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
namespace {
namespace avx2 {
#define SIFT_AVX2_LOADS
#include "MatmulKernels.inc"
#undef SIFT_AVX2_LOADS
} // namespace avx2
} // namespace
#pragma GCC pop_options

/// Whether to run the AVX2 kernels: the CPU has AVX2, FMA and F16C, and
/// SIFT_KERNELS does not ask for the portable ones (which tests use to
/// check them on any machine). Decided once.
static bool useAvx2Kernels() {
  static const bool avx2 = [] {
    const char *choice = std::getenv("SIFT_KERNELS");
    if (choice && std::strcmp(choice, "portable") == 0)
      return false;
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           __builtin_cpu_supports("f16c");
  }();
  return avx2;
}
#define SIFT_KERNEL(CALL) (useAvx2Kernels() ? avx2::CALL : portable::CALL)
#else
#define SIFT_KERNEL(CALL) portable::CALL
#endif

void sift::runtime::accumulateCachedRows(float *y, int64_t yStride,
                                         int64_t tokens, const float *coef,
                                         int64_t tokenStride,
                                         int64_t rowStride,
                                         const float *const *rows,
                                         int64_t count, int64_t n) {
  SIFT_KERNEL(accumulateCachedTokens(y, yStride, tokens, coef, tokenStride,
                                     rowStride, rows, count, n));
}

// One entry point per weight type; the name says it (f32 activations and
// results throughout).
#define SIFT_MATMUL_KERNELS(NAME, WEIGHT)                                      \
  extern "C" void _mlir_ciface_sift_matmul_##NAME(                             \
      Memref<2> *a, Memref<2, WEIGHT> *b, Memref<2> *out,                      \
      int64_t transposedB) {                                                   \
    runKernel("matmul",                                                        \
              [&] { SIFT_KERNEL(matmul(a, b, out, transposedB)); });           \
  }                                                                            \
  extern "C" void _mlir_ciface_sift_gated_matmul_##NAME(                       \
      Memref<2> *input, Memref<2, WEIGHT> *weight, Memref<1> *bias,            \
      Memref<1> *thresholds, Memref<2> *out, int64_t gate) {                   \
    runKernel("gated matmul", [&] {                                            \
      SIFT_KERNEL(gatedMatmul(input, weight, bias, thresholds, out, gate));    \
    });                                                                        \
  }

SIFT_MATMUL_KERNELS(f32, float)
SIFT_MATMUL_KERNELS(bf16, BFloat16)
SIFT_MATMUL_KERNELS(f16, Float16)
