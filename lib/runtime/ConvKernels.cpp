//===- ConvKernels.cpp - 2-D convolutions for compiled models -------------===//
//
// The kernel that compiled models call for f32 NCHW convolutions (see
// `--convert-conv-to-kernel-calls`). A convolution is a matmul of its output
// pixels' input windows by the filter; here each task takes one output row
// of one image, gathers its windows into a small matrix that stays in cache,
// multiplies it by the filter with the register-tiled matmul kernel, and
// writes the row back in NCHW plus the init (the bias). Every step runs on
// all threads, and no window matrix of the whole image is ever built.
//
//===----------------------------------------------------------------------===//

#include "MatmulKernels.h"
#include "RuntimeChecks.h"
#include "ThreadPool.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

using namespace sift::runtime;

namespace {
/// Element (i, j, k, l) of an NCHW memref.
inline float *at(const Memref<4> &m, int64_t i, int64_t j, int64_t k,
                 int64_t l) {
  return m.aligned + m.offset + i * m.strides[0] + j * m.strides[1] +
         k * m.strides[2] + l * m.strides[3];
}

/// `filter` [F, C, KH, KW] input-major in blocks of `blockFilters`:
/// [block][C * KH * KW][filters of the block], written into `packed` from
/// its first 64-byte boundary (the kernel loads whole vectors, which must
/// not straddle cache lines); returns where the packing starts.
const float *pack(const Memref<4> &filter, int64_t blockFilters,
                  std::vector<float> &packed) {
  int64_t filters = filter.sizes[0], channels = filter.sizes[1];
  int64_t kernelH = filter.sizes[2], kernelW = filter.sizes[3];
  int64_t window = channels * kernelH * kernelW;
  constexpr size_t kLine = 64 / sizeof(float);
  packed.resize(filters * window + kLine);
  size_t skip = (kLine - reinterpret_cast<uintptr_t>(packed.data()) /
                             sizeof(float) % kLine) %
                kLine;
  float *start = packed.data() + skip;
  for (int64_t first = 0; first < filters; first += blockFilters) {
    int64_t count = std::min(blockFilters, filters - first);
    float *block = start + first * window;
    for (int64_t f = 0; f < count; ++f)
      for (int64_t c = 0; c < channels; ++c)
        for (int64_t kh = 0; kh < kernelH; ++kh)
          for (int64_t kw = 0; kw < kernelW; ++kw)
            block[((c * kernelH + kh) * kernelW + kw) * count + f] =
                *at(filter, first + f, c, kh, kw);
  }
  return start;
}

/// Where the calling thread packs filters that are not constants.
std::vector<float> &scratchWeights() {
  thread_local std::vector<float> weights;
  return weights;
}

/// pack() of a filter that is a compile-time constant, done on its first
/// use and kept: a constant's data never changes, so its address names it
/// (a filter computed at run time may reuse a freed address, and is packed
/// on every call instead).
const float *packedConstant(const Memref<4> &filter, int64_t blockFilters) {
  static std::mutex mutex;
  static std::map<const float *, std::pair<std::vector<float>, const float *>>
      packed;
  std::lock_guard<std::mutex> lock(mutex);
  const float *key = filter.aligned + filter.offset;
  auto [it, inserted] = packed.try_emplace(key);
  if (inserted)
    it->second.second = pack(filter, blockFilters, it->second.first);
  return it->second.second;
}
} // namespace

/// out[n, f, oh, ow] = init[n, f, oh, ow] + sum over c, kh, kw of
/// filter[f, c, kh, kw] * input[n, c, oh * sh + kh * dh, ow * sw + kw * dw],
/// for an input padded already. `constantFilter` says the filter is a
/// compile-time constant, whose packing can be kept between calls.
static void conv2d(Memref<4> *input, Memref<4> *filter, Memref<4> *init,
                   Memref<4> *out, int64_t strideH, int64_t strideW,
                   int64_t dilationH, int64_t dilationW,
                   int64_t constantFilter) {
  int64_t images = out->sizes[0], filters = out->sizes[1];
  int64_t outH = out->sizes[2], outW = out->sizes[3];
  int64_t channels = filter->sizes[1];
  int64_t kernelH = filter->sizes[2], kernelW = filter->sizes[3];
  int64_t window = channels * kernelH * kernelW;
  if (images == 0 || filters == 0 || outH == 0 || outW == 0)
    return;

  // The filter input-major, one row per window element, in blocks of
  // filters small enough to stay in a core's cache while a row's windows
  // stream past: [block][window][blockFilters].
  int64_t blockFilters = std::max<int64_t>(
      16, kCachedWeightBytes / (window * sizeof(float)) / 16 * 16);
  blockFilters = std::min(blockFilters, filters);
  int64_t blocks = (filters + blockFilters - 1) / blockFilters;
  const float *weights =
      constantFilter ? packedConstant(*filter, blockFilters)
                     : pack(*filter, blockFilters, scratchWeights());
  std::vector<const float *> rows(blocks * window);
  for (int64_t block = 0; block < blocks; ++block) {
    int64_t first = block * blockFilters;
    int64_t count = std::min(blockFilters, filters - first);
    for (int64_t k = 0; k < window; ++k)
      rows[block * window + k] = &weights[first * window + k * count];
  }

  parallelFor(images * outH, [&](int64_t task) {
    int64_t n = task / outH, oh = task % outH;
    // windows[k][ow] (each window element's values along the output row)
    // and the row's result [ow][f], reused by the thread.
    thread_local std::vector<float> windowStorage, rowStorage;
    std::vector<float> &windows = windowStorage, &result = rowStorage;
    windows.resize(window * outW);
    result.assign(outW * filters, 0.0f);
    // Along the output row, a window element walks one input row: with unit
    // strides, a copy of outW contiguous values.
    int64_t step = strideW * input->strides[3];
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t kh = 0; kh < kernelH; ++kh) {
        const float *line = at(*input, n, c, oh * strideH + kh * dilationH, 0);
        for (int64_t kw = 0; kw < kernelW; ++kw) {
          const float *source = line + kw * dilationW * input->strides[3];
          float *destination =
              &windows[((c * kernelH + kh) * kernelW + kw) * outW];
          for (int64_t ow = 0; ow < outW; ++ow)
            destination[ow] = source[ow * step];
        }
      }
    for (int64_t block = 0; block < blocks; ++block) {
      int64_t first = block * blockFilters;
      accumulateCachedRows(result.data() + first, filters, outW,
                           windows.data(), /*tokenStride=*/1,
                           /*rowStride=*/outW, &rows[block * window], window,
                           std::min(blockFilters, filters - first));
    }
    for (int64_t f = 0; f < filters; ++f) {
      const float *bias = at(*init, n, f, oh, 0);
      float *destination = at(*out, n, f, oh, 0);
      for (int64_t ow = 0; ow < outW; ++ow)
        destination[ow * out->strides[3]] =
            bias[ow * init->strides[3]] + result[ow * filters + f];
    }
  });
}

extern "C" void _mlir_ciface_sift_conv2d_f32(
    Memref<4> *input, Memref<4> *filter, Memref<4> *init, Memref<4> *out,
    int64_t strideH, int64_t strideW, int64_t dilationH, int64_t dilationW,
    int64_t constantFilter) {
  runKernel("convolution", [&] {
    conv2d(input, filter, init, out, strideH, strideW, dilationH, dilationW,
           constantFilter);
  });
}
