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
#include <cstring>
#include <type_traits>
#include <vector>

using namespace sift::runtime;

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
// AVX2+FMA where the CPU has it, picked once when the program loads.
#define SIFT_MULTIVERSION                                                      \
  __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define SIFT_MULTIVERSION
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

/// Eight floats in one vector register (two on CPUs without AVX).
typedef float Vec8 __attribute__((vector_size(32)));

inline Vec8 load8(const float *p) {
  Vec8 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

typedef uint16_t Bits16x8 __attribute__((vector_size(16)));
typedef uint32_t Bits32x8 __attribute__((vector_size(32)));

inline Bits32x8 loadBits8(const void *p) {
  Bits16x8 bits;
  std::memcpy(&bits, p, sizeof(bits));
  return __builtin_convertvector(bits, Bits32x8);
}

inline Vec8 asFloats(Bits32x8 bits) {
  Vec8 v;
  std::memcpy(&v, &bits, sizeof(v));
  return v;
}

/// bf16 is the upper half of an f32.
inline Vec8 load8(const BFloat16 *p) { return asFloats(loadBits8(p) << 16); }

/// f16's exponent and mantissa moved into an f32's place, then scaled by
/// 2^112 (the difference of the exponent biases), which also normalises
/// subnormals; infinities and NaN keep an all-ones exponent. Exact, and
/// with no instruction a baseline x86-64 lacks.
inline Vec8 load8(const Float16 *p) {
  Bits32x8 bits = loadBits8(p);
  Bits32x8 magnitude = (bits & 0x7fff) << 13;
  Vec8 scaled = asFloats(magnitude) * 0x1p112f;
  Bits32x8 finite;
  std::memcpy(&finite, &scaled, sizeof(finite));
  Bits32x8 widened = (bits & 0x7c00) == 0x7c00 ? (magnitude | 0x7f800000)
                                                : finite;
  return asFloats(widened | (bits & 0x8000) << 16);
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

inline void store8(float *p, Vec8 v) { std::memcpy(p, &v, sizeof(v)); }

inline float sum8(Vec8 v) {
  float sum = 0;
  for (int l = 0; l < 8; ++l)
    sum += v[l];
  return sum;
}

/// y[m, 0:n) += sum over r of coef[m][r] * rows[r][0, n), for TOKENS rows
/// of y (coef is [TOKENS][count], row-major). Four weight rows are
/// streamed at once so that each pass over y does four rows' work, and each
/// weight vector loaded (and widened) serves every token.
template <int TOKENS, typename Weight>
SIFT_MULTIVERSION void accumulateRows(float *y, int64_t yStride,
                                      const float *coef, int64_t coefStride,
                                      const Weight *const *rows,
                                      int64_t count, int64_t n) {
  int64_t r = 0;
  for (; r + 4 <= count; r += 4) {
    const Weight *__restrict w0 = rows[r], *__restrict w1 = rows[r + 1],
                              *__restrict w2 = rows[r + 2],
                              *__restrict w3 = rows[r + 3];
    float c[TOKENS][4];
    for (int t = 0; t < TOKENS; ++t)
      for (int i = 0; i < 4; ++i)
        c[t][i] = coef[t * coefStride + r + i];
    int64_t j = 0;
    for (; j + 8 <= n; j += 8) {
      Vec8 v0 = load8(w0 + j), v1 = load8(w1 + j), v2 = load8(w2 + j),
           v3 = load8(w3 + j);
      for (int t = 0; t < TOKENS; ++t) {
        float *out = y + t * yStride + j;
        store8(out, load8(out) + (c[t][0] * v0 + c[t][1] * v1 +
                                  c[t][2] * v2 + c[t][3] * v3));
      }
    }
    for (; j < n; ++j)
      for (int t = 0; t < TOKENS; ++t)
        y[t * yStride + j] += c[t][0] * widen(w0[j]) +
                              c[t][1] * widen(w1[j]) +
                              c[t][2] * widen(w2[j]) + c[t][3] * widen(w3[j]);
  }
  for (; r < count; ++r) {
    const Weight *__restrict w = rows[r];
    for (int t = 0; t < TOKENS; ++t) {
      float c = coef[t * coefStride + r];
      float *__restrict out = y + t * yStride;
      int64_t j = 0;
      for (; j + 8 <= n; j += 8)
        store8(out + j, load8(out + j) + c * load8(w + j));
      for (; j < n; ++j)
        out[j] += c * widen(w[j]);
    }
  }
}

/// What accumulateRows computes, sixteen columns at a time with the sums of
/// all TOKENS tokens in registers, so that each weight vector loaded serves
/// every token and y is read and written once; coefficient (t, r) is
/// coef[t * tokenStride + r * rowStride]. For weights that stay in cache
/// (many tokens over a small matrix, as convolutions are), where streaming
/// whole rows would be bound by the loads and stores of y.
template <int TOKENS, typename Weight>
SIFT_MULTIVERSION void
accumulateColumnTiles(float *y, int64_t yStride, const float *coef,
                      int64_t tokenStride, int64_t rowStride,
                      const Weight *const *rows, int64_t count, int64_t n) {
  int64_t j = 0;
  for (; j + 16 <= n; j += 16) {
    Vec8 sums[TOKENS][2];
    for (int t = 0; t < TOKENS; ++t) {
      sums[t][0] = load8(y + t * yStride + j);
      sums[t][1] = load8(y + t * yStride + j + 8);
    }
    for (int64_t r = 0; r < count; ++r) {
      Vec8 low = load8(rows[r] + j), high = load8(rows[r] + j + 8);
      const float *c = coef + r * rowStride;
      for (int t = 0; t < TOKENS; ++t) {
        sums[t][0] += c[t * tokenStride] * low;
        sums[t][1] += c[t * tokenStride] * high;
      }
    }
    for (int t = 0; t < TOKENS; ++t) {
      store8(y + t * yStride + j, sums[t][0]);
      store8(y + t * yStride + j + 8, sums[t][1]);
    }
  }
  for (; j < n; ++j)
    for (int t = 0; t < TOKENS; ++t) {
      float sum = y[t * yStride + j];
      for (int64_t r = 0; r < count; ++r)
        sum += coef[t * tokenStride + r * rowStride] * widen(rows[r][j]);
      y[t * yStride + j] = sum;
    }
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

/// What accumulateCachedRows computes, for weights of any type.
template <typename Weight>
void accumulateCachedTokens(float *y, int64_t yStride, int64_t tokens,
                            const float *coef, int64_t tokenStride,
                            int64_t rowStride, const Weight *const *rows,
                            int64_t count, int64_t n) {
  forTokenGroups(tokens, [&](auto size, int64_t t) {
    accumulateColumnTiles<decltype(size)::value>(
        y + t * yStride, yStride, coef + t * tokenStride, tokenStride,
        rowStride, rows, count, n);
  });
}
} // namespace

void sift::runtime::accumulateCachedRows(float *y, int64_t yStride,
                                         int64_t tokens, const float *coef,
                                         int64_t tokenStride,
                                         int64_t rowStride,
                                         const float *const *rows,
                                         int64_t count, int64_t n) {
  accumulateCachedTokens(y, yStride, tokens, coef, tokenStride, rowStride,
                         rows, count, n);
}

namespace {
/// accumulateRows for any number of tokens, four at a time; or, when the
/// weights stay in cache, accumulateCachedTokens.
template <typename Weight>
void accumulateTokens(float *y, int64_t yStride, int64_t tokens,
                      const float *coef, int64_t coefStride,
                      const Weight *const *rows, int64_t count, int64_t n,
                      bool cachedWeights) {
  if (cachedWeights) {
    accumulateCachedTokens(y, yStride, tokens, coef, coefStride, 1, rows,
                           count, n);
    return;
  }
  forTokenGroups(tokens, [&](auto size, int64_t t) {
    accumulateRows<decltype(size)::value>(y + t * yStride, yStride,
                                          coef + t * coefStride, coefStride,
                                          rows, count, n);
  });
}

/// y[m, :] = sum over active k of x[m, k] * W[k, :] (+ bias), where `coef`
/// holds x's columns gathered in active order ([M][active]).
template <typename Weight>
void inputMajorProduct(const std::vector<float> &coef,
                       const std::vector<const Weight *> &rows, int64_t tokens,
                       int64_t n, const float *bias, float *y,
                       int64_t yStride) {
  int64_t active = static_cast<int64_t>(rows.size());
  auto initialise = [&](float *out) {
    if (bias)
      std::memcpy(out, bias, n * sizeof(float));
    else
      std::memset(out, 0, n * sizeof(float));
  };
  int threads = numThreads();
  // Split the tokens when every thread gets a few; otherwise the rows.
  if (tokens >= 4 * threads || active < 8 * threads || threads == 1) {
    constexpr int64_t kTokensPerTask = 4;
    // Every task reads all active rows: when they fit in a core's cache,
    // they come from there, and registers decide the speed.
    bool cachedWeights =
        active * n * static_cast<int64_t>(sizeof(Weight)) <= kCachedWeightBytes;
    int64_t tasks = (tokens + kTokensPerTask - 1) / kTokensPerTask;
    parallelFor(tasks, [&](int64_t task) {
      int64_t first = task * kTokensPerTask;
      int64_t count = std::min(kTokensPerTask, tokens - first);
      float *ys = y + first * yStride;
      for (int64_t t = 0; t < count; ++t)
        initialise(ys + t * yStride);
      accumulateTokens(ys, yStride, count, coef.data() + first * active,
                       active, rows.data(), active, n, cachedWeights);
    });
    return;
  }
  // The active rows are cut into chunks that the threads claim as they go,
  // each thread summing into partials of its own (thread 0's are y). A fixed
  // share per thread would leave one idle whenever the other is descheduled
  // or its rows come slower from memory, and one core alone cannot draw the
  // machine's bandwidth.
  constexpr int64_t kChunksPerThread = 8;
  int64_t chunkRows = (active + kChunksPerThread * threads - 1) /
                      (kChunksPerThread * threads);
  chunkRows = (chunkRows + 3) / 4 * 4;
  int64_t chunks = (active + chunkRows - 1) / chunkRows;
  thread_local std::vector<float> partialStorage;
  thread_local std::vector<uint8_t> startedStorage;
  std::vector<float> &partials = partialStorage;
  std::vector<uint8_t> &started = startedStorage;
  partials.resize(static_cast<size_t>(threads - 1) * tokens * n);
  started.assign(threads, 0);
  auto sums = [&](int thread) {
    return thread == 0 ? y : partials.data() + (thread - 1) * tokens * n;
  };
  auto sumsStride = [&](int thread) { return thread == 0 ? yStride : n; };
  parallelFor(chunks, [&](int64_t chunk) {
    int thread = currentThread();
    float *out = sums(thread);
    int64_t outStride = sumsStride(thread);
    if (!started[thread]) {
      for (int64_t t = 0; t < tokens; ++t) {
        if (thread == 0)
          initialise(out + t * outStride);
        else
          std::memset(out + t * outStride, 0, n * sizeof(float));
      }
      started[thread] = 1;
    }
    int64_t begin = chunk * chunkRows;
    int64_t end = std::min(active, begin + chunkRows);
    accumulateTokens(out, outStride, tokens, coef.data() + begin, active,
                     rows.data() + begin, end - begin, n,
                     /*cachedWeights=*/false);
  });
  for (int64_t t = 0; t < tokens; ++t) {
    float *__restrict out = y + t * yStride;
    if (!started[0])
      initialise(out);
    for (int thread = 1; thread < threads; ++thread) {
      if (!started[thread])
        continue;
      const float *__restrict part = sums(thread) + t * n;
      for (int64_t j = 0; j < n; ++j)
        out[j] += part[j];
    }
  }
}

/// out[r] = x[0, k) · rows[r][0, k) for four rows at once: four streams of
/// weights in flight, and each load of x serves all four.
template <typename Weight>
SIFT_MULTIVERSION void dot4(const float *__restrict x,
                            const Weight *const *rows, int64_t k,
                            float *out) {
  const Weight *w0 = rows[0], *w1 = rows[1], *w2 = rows[2], *w3 = rows[3];
  Vec8 a0 = {}, a1 = {}, a2 = {}, a3 = {};
  int64_t i = 0;
  for (; i + 8 <= k; i += 8) {
    Vec8 v = load8(x + i);
    a0 += v * load8(w0 + i);
    a1 += v * load8(w1 + i);
    a2 += v * load8(w2 + i);
    a3 += v * load8(w3 + i);
  }
  float s0 = sum8(a0), s1 = sum8(a1), s2 = sum8(a2), s3 = sum8(a3);
  for (; i < k; ++i) {
    s0 += x[i] * widen(w0[i]);
    s1 += x[i] * widen(w1[i]);
    s2 += x[i] * widen(w2[i]);
    s3 += x[i] * widen(w3[i]);
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

/// y = x · Wᵀ for output-major W [N, K]: dot products of four outputs at a
/// time, outputs split between the threads in contiguous blocks of W.
template <typename Weight>
void outputMajorProduct(const Matrix<> &x, const Matrix<Weight> &w, float *y,
                        int64_t yStride) {
  constexpr int64_t kOutputsPerTask = 64;
  int64_t n = w.rows;
  int64_t tasks = (n + kOutputsPerTask - 1) / kOutputsPerTask;
  parallelFor(tasks, [&](int64_t task) {
    int64_t begin = task * kOutputsPerTask;
    int64_t end = std::min(n, begin + kOutputsPerTask);
    for (int64_t j = begin; j < end; j += 4) {
      const Weight *rows[4];
      for (int r = 0; r < 4; ++r)
        rows[r] = w.row(std::min(j + r, end - 1));
      for (int64_t m = 0; m < x.rows; ++m) {
        float out[4];
        dot4(x.row(m), rows, x.cols, out);
        for (int64_t r = 0; r < 4 && j + r < end; ++r)
          y[m * yStride + j + r] = out[r];
      }
    }
  });
}

/// dst = x with every activation the gate drops set to 0, and used[c] set
/// where x[c] survives; returns how many were dropped. Branch-free: which
/// activations survive is data, and at half sparsity a branch on it would
/// mispredict every other channel.
SIFT_MULTIVERSION int64_t gateRow(const float *__restrict x,
                                  const float *__restrict threshold,
                                  int64_t k, float *__restrict dst,
                                  uint8_t *__restrict used) {
  int64_t kept = 0;
  for (int64_t c = 0; c < k; ++c) {
    float v = x[c];
    // NaN fails every comparison, so it is kept.
    bool keep = !(std::fabs(v) <= threshold[c]) & (v != 0.0f);
    dst[c] = keep ? v : 0.0f;
    used[c] |= keep;
    kept += keep;
  }
  return k - kept;
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

/// out[M, N] = A[M, K] · B, with B [K, N], or [N, K] when `transposedB`.
template <typename Weight>
static void matmul(Memref<2> *a, Memref<2, Weight> *b, Memref<2> *out,
                   int64_t transposedB) {
  std::vector<float> aStorage;
  std::vector<Weight> bStorage;
  Matrix<> x = viewOf(*a, aStorage);
  Matrix<Weight> w = viewOf(*b, bStorage);
  float *y = out->aligned + out->offset;
  int64_t n = out->sizes[1];
  if (x.rows == 0 || n == 0)
    return;
  if (transposedB) {
    outputMajorProduct(x, w, y, out->strides[0]);
    return;
  }
  // Reused from call to call, as the gated kernel's: a model calls this
  // once per layer and token.
  thread_local std::vector<const Weight *> rowStorage;
  thread_local std::vector<float> coefStorage;
  std::vector<const Weight *> &rows = rowStorage;
  std::vector<float> &coef = coefStorage;
  rows.resize(w.rows);
  for (int64_t k = 0; k < w.rows; ++k)
    rows[k] = w.row(k);
  coef.resize(x.rows * x.cols);
  for (int64_t m = 0; m < x.rows; ++m)
    std::memcpy(&coef[m * x.cols], x.row(m), x.cols * sizeof(float));
  inputMajorProduct(coef, rows, x.rows, n, nullptr, y, out->strides[0]);
}

/// out[M, N] = gate(X[M, K], thresholds) · W[K, N] + bias, where an empty
/// `bias` means none and `thresholds` holds one value or one per channel.
template <typename Weight>
static void gatedMatmul(Memref<2> *input, Memref<2, Weight> *weight,
                        Memref<1> *bias, Memref<1> *thresholds,
                        Memref<2> *out, int64_t gate) {
  std::vector<float> xStorage;
  std::vector<Weight> wStorage;
  Matrix<> x = viewOf(*input, xStorage);
  Matrix<Weight> w = viewOf(*weight, wStorage);
  int64_t tokens = x.rows, k = x.cols, n = w.cols;
  float *y = out->aligned + out->offset;
  if (tokens == 0 || n == 0)
    return;
  GateObserver &observer = gateObserver();
  if (observer.recording)
    recordMagnitudes(gate, x);

  int64_t thresholdCount;
  const float *threshold = effectiveThresholds(*thresholds, gate,
                                               thresholdCount);
  // A row of W is read when its activation survives the gate in any token.
  thread_local std::vector<float> gatedStorage, coefStorage, thresholdStorage;
  thread_local std::vector<uint8_t> usedStorage;
  thread_local std::vector<const Weight *> rowStorage;
  std::vector<float> &gated = gatedStorage, &coef = coefStorage;
  std::vector<uint8_t> &used = usedStorage;
  std::vector<const Weight *> &rows = rowStorage;
  if (thresholdCount == 1) {
    thresholdStorage.assign(k, threshold[0]);
    threshold = thresholdStorage.data();
  }
  gated.resize(tokens * k);
  used.assign(k, 0);
  int64_t zeroed = 0;
  for (int64_t m = 0; m < tokens; ++m)
    zeroed += gateRow(x.row(m), threshold, k, &gated[m * k], used.data());
  rows.resize(k);
  int64_t active = 0;
  for (int64_t c = 0; c < k; ++c) {
    rows[active] = w.row(c);
    active += used[c];
  }
  rows.resize(active);
  coef.resize(tokens * std::max<int64_t>(active, 1) + k);
  for (int64_t m = 0; m < tokens; ++m)
    compact(&gated[m * k], used.data(), k, &coef[m * active]);
  if (observer.counting)
    count(gate, tokens, tokens * k, zeroed, active);
  const float *biasData =
      bias->sizes[0] ? bias->aligned + bias->offset : nullptr;
  inputMajorProduct(coef, rows, tokens, n, biasData, y, out->strides[0]);
}

// One entry point per weight type; the name says it (f32 activations and
// results throughout).
#define SIFT_MATMUL_KERNELS(NAME, WEIGHT)                                      \
  extern "C" void _mlir_ciface_sift_matmul_##NAME(                             \
      Memref<2> *a, Memref<2, WEIGHT> *b, Memref<2> *out,                      \
      int64_t transposedB) {                                                   \
    runKernel("matmul", [&] { matmul(a, b, out, transposedB); });             \
  }                                                                            \
  extern "C" void _mlir_ciface_sift_gated_matmul_##NAME(                       \
      Memref<2> *input, Memref<2, WEIGHT> *weight, Memref<1> *bias,            \
      Memref<1> *thresholds, Memref<2> *out, int64_t gate) {                   \
    runKernel("gated matmul", [&] {                                            \
      gatedMatmul(input, weight, bias, thresholds, out, gate);                 \
    });                                                                        \
  }

SIFT_MATMUL_KERNELS(f32, float)
SIFT_MATMUL_KERNELS(bf16, BFloat16)
SIFT_MATMUL_KERNELS(f16, Float16)
