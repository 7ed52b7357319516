//===- MatmulKernels.h - What the kernels share -----------------*- C++ -*-===//

#ifndef SIFT_RUNTIME_MATMULKERNELS_H
#define SIFT_RUNTIME_MATMULKERNELS_H

#include <cstdint>

namespace sift::runtime {

/// A memref descriptor as MLIR passes it to a C interface.
template <int Rank, typename Element = float> struct Memref {
  Element *allocated;
  Element *aligned;
  int64_t offset;
  int64_t sizes[Rank];
  int64_t strides[Rank];
};

/// The most weight bytes a kernel expects to stay in one core's cache while
/// activations stream past (half of this machine's 512 KiB L2).
constexpr int64_t kCachedWeightBytes = 256 * 1024;

/// 16-bit weight elements, stored as their bits: kernels widen them to f32
/// (exactly) as they load them, and accumulate in f32.
struct BFloat16 {
  uint16_t bits;
};
struct Float16 {
  uint16_t bits;
};

/// y[t, 0:n) += sum over r < count of coef(t, r) * rows[r][0:n) for
/// `tokens` rows of y, yStride apart, where coef(t, r) is
/// coef[t * tokenStride + r * rowStride]: sixteen columns of four tokens at
/// a time in registers, for rows that stay in cache (a small matrix).
void accumulateCachedRows(float *y, int64_t yStride, int64_t tokens,
                          const float *coef, int64_t tokenStride,
                          int64_t rowStride, const float *const *rows,
                          int64_t count, int64_t n);

} // namespace sift::runtime

#endif // SIFT_RUNTIME_MATMULKERNELS_H
