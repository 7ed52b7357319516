//===- ConvKernels.cpp - 2-D convolutions for compiled models -------------===//
//
// The kernels that compiled models call for f32 convolutions (see
// `--convert-conv-to-kernel-calls`):
//
// - 2-D NCHW (and 1-D NCW, as 2-D with one row): a convolution is a matmul of
//   its output pixels' input windows by the filter; here each task takes a
//   stretch of one output row of one image, gathers its windows into a small
//   matrix that stays in cache, multiplies it by the filter with the
//   register-tiled matmul kernel, and writes the stretch back in NCHW plus
//   the init (the bias). Every step runs on all threads, and no window
//   matrix of the whole image is ever built.
// - grouped 2-D (NGCHW, depthwise included): groups of few input channels
//   have too little reuse for a matmul; each task computes output rows of
//   one output channel directly, a multiply-add of whole input rows per
//   filter tap, vectorised along the row. Groups of many channels run the
//   2-D kernel group by group.
//
//===----------------------------------------------------------------------===//

#include "MatmulKernels.h"
#include "RuntimeChecks.h"
#include "ThreadPool.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

using namespace sift::runtime;

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
// AVX2+FMA where the CPU has it, picked once when the program loads.
#define SIFT_CONV_MULTIVERSION                                                 \
  __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define SIFT_CONV_MULTIVERSION
#endif

namespace {
/// Element (i, j, k, l) of an NCHW memref.
inline float *at(const Memref<4> &m, int64_t i, int64_t j, int64_t k,
                 int64_t l) {
  return m.aligned + m.offset + i * m.strides[0] + j * m.strides[1] +
         k * m.strides[2] + l * m.strides[3];
}

/// `count` filters rounded up to the matmul kernel's tile of sixteen
/// columns: its columns past the last whole tile are scalar, eight times
/// slower than a tile of zeros.
inline int64_t paddedFilters(int64_t count) { return (count + 15) / 16 * 16; }

/// `filter` [F, C, KH, KW] input-major in blocks of `blockFilters` (a
/// multiple of 16, or all filters in one block): [block][C * KH * KW][filters
/// of the block, zeros up to a multiple of 16], written into `packed` from
/// its first 64-byte boundary (the kernel loads whole vectors, which must
/// not straddle cache lines); returns where the packing starts.
const float *pack(const Memref<4> &filter, int64_t blockFilters,
                  std::vector<float> &packed) {
  int64_t filters = filter.sizes[0], channels = filter.sizes[1];
  int64_t kernelH = filter.sizes[2], kernelW = filter.sizes[3];
  int64_t window = channels * kernelH * kernelW;
  constexpr size_t kLine = 64 / sizeof(float);
  packed.assign(paddedFilters(filters) * window + kLine, 0.0f);
  size_t skip = (kLine - reinterpret_cast<uintptr_t>(packed.data()) /
                             sizeof(float) % kLine) %
                kLine;
  float *start = packed.data() + skip;
  for (int64_t first = 0; first < filters; first += blockFilters) {
    int64_t count = std::min(blockFilters, filters - first);
    int64_t padded = paddedFilters(count);
    float *block = start + first * window;
    for (int64_t f = 0; f < count; ++f)
      for (int64_t c = 0; c < channels; ++c)
        for (int64_t kh = 0; kh < kernelH; ++kh)
          for (int64_t kw = 0; kw < kernelW; ++kw)
            block[((c * kernelH + kh) * kernelW + kw) * padded + f] =
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

/// The most bytes of gathered windows a task works on: they stay in a
/// core's cache while the filter's blocks stream over them.
constexpr int64_t kWindowBytes = 128 * 1024;

/// out[n, f, oh, ow] = init[n, f, oh, ow] + sum over c, kh, kw of
/// filter[f, c, kh, kw] * input[n, c, oh * sh + kh * dh, ow * sw + kw * dw],
/// for an input padded already. `constantFilter` says the filter is a
/// compile-time constant, whose packing can be kept between calls.
static void conv2d(const Memref<4> *input, const Memref<4> *filter,
                   const Memref<4> *init, const Memref<4> *out,
                   int64_t strideH, int64_t strideW, int64_t dilationH,
                   int64_t dilationW, int64_t constantFilter) {
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
    int64_t padded = paddedFilters(std::min(blockFilters, filters - first));
    for (int64_t k = 0; k < window; ++k)
      rows[block * window + k] = &weights[first * window + k * padded];
  }
  // The result's rows hold the padded filters too.
  int64_t resultStride = paddedFilters(filters);

  // A task is a stretch of an output row: short enough that its windows
  // stay in cache, and rows split further when there are too few of them to
  // keep every thread busy (a 1-D convolution has one row per image).
  int64_t stretch = std::max<int64_t>(
      16, kWindowBytes / (window * int64_t(sizeof(float))) / 4 * 4);
  int64_t stretches = (outW + stretch - 1) / stretch;
  int64_t wanted = 4 * numThreads();
  if (images * outH * stretches < wanted)
    stretches = std::min((outW + 15) / 16,
                         (wanted + images * outH - 1) / (images * outH));
  stretches = std::max<int64_t>(stretches, 1);
  stretch = ((outW + stretches - 1) / stretches + 3) / 4 * 4;
  stretches = (outW + stretch - 1) / stretch;

  parallelFor(images * outH * stretches, [&](int64_t task) {
    int64_t n = task / (outH * stretches);
    int64_t oh = task / stretches % outH;
    int64_t first = task % stretches * stretch;
    int64_t width = std::min(stretch, outW - first);
    // windows[k][ow] (each window element's values along the stretch) and
    // the stretch's result [ow][f], reused by the thread.
    thread_local std::vector<float> windowStorage, rowStorage;
    std::vector<float> &windows = windowStorage, &result = rowStorage;
    windows.resize(window * width);
    result.assign(width * resultStride, 0.0f);
    // Along the output row, a window element walks one input row: with unit
    // strides, a copy of `width` contiguous values.
    int64_t step = strideW * input->strides[3];
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t kh = 0; kh < kernelH; ++kh) {
        const float *line = at(*input, n, c, oh * strideH + kh * dilationH, 0);
        for (int64_t kw = 0; kw < kernelW; ++kw) {
          const float *source = line + kw * dilationW * input->strides[3] +
                                first * step;
          float *destination =
              &windows[((c * kernelH + kh) * kernelW + kw) * width];
          for (int64_t ow = 0; ow < width; ++ow)
            destination[ow] = source[ow * step];
        }
      }
    for (int64_t block = 0; block < blocks; ++block) {
      int64_t firstFilter = block * blockFilters;
      accumulateCachedRows(
          result.data() + firstFilter, resultStride, width, windows.data(),
          /*tokenStride=*/1, /*rowStride=*/width, &rows[block * window],
          window, paddedFilters(std::min(blockFilters, filters - firstFilter)));
    }
    for (int64_t f = 0; f < filters; ++f) {
      const float *bias = at(*init, n, f, oh, first);
      float *destination = at(*out, n, f, oh, first);
      for (int64_t ow = 0; ow < width; ++ow)
        destination[ow * out->strides[3]] =
            bias[ow * init->strides[3]] + result[ow * resultStride + f];
    }
  });
}

/// A 3-D NCW memref as a 4-D NCHW one with one row.
static Memref<4> withOneRow(const Memref<3> &m) {
  return {m.allocated,
          m.aligned,
          m.offset,
          {m.sizes[0], m.sizes[1], 1, m.sizes[2]},
          {m.strides[0], m.strides[1], m.sizes[2] * m.strides[2],
           m.strides[2]}};
}

/// The 4-D memref of index `index` along dimension `dim` of a 5-D one:
/// group g of an NGCHW tensor (dim 1) or of a GFCHW filter (dim 0).
static Memref<4> sliceAlong(const Memref<5> &m, int dim, int64_t index) {
  Memref<4> slice{m.allocated, m.aligned, m.offset + index * m.strides[dim],
                  {}, {}};
  for (int d = 0, kept = 0; d < 5; ++d)
    if (d != dim) {
      slice.sizes[kept] = m.sizes[d];
      slice.strides[kept++] = m.strides[d];
    }
  return slice;
}

namespace {
/// acc[0:n) += sum over kw < KW of w[kw] * line[ow * STEP + kw * dilation]
/// (STEP 0: `step`, KW 0: `kernelW`, known only at run time): one row of
/// one filter's taps along an output row, vectorised along the row.
template <int STEP, int KW>
SIFT_CONV_MULTIVERSION void
accumulateTaps(float *__restrict acc, const float *__restrict line,
               const float *__restrict w, int64_t n, int64_t step,
               int64_t kernelW, int64_t dilation) {
  const int64_t s = STEP ? STEP : step;
  const int64_t taps = KW ? KW : kernelW;
  if (KW) {
    float wk[KW > 0 ? KW : 1];
    for (int k = 0; k < KW; ++k)
      wk[k] = w[k];
    for (int64_t ow = 0; ow < n; ++ow) {
      float sum = acc[ow];
      for (int k = 0; k < KW; ++k)
        sum += wk[k] * line[ow * s + k * dilation];
      acc[ow] = sum;
    }
    return;
  }
  for (int64_t k = 0; k < taps; ++k) {
    float wk = w[k];
    const float *__restrict source = line + k * dilation;
    for (int64_t ow = 0; ow < n; ++ow)
      acc[ow] += wk * source[ow * s];
  }
}

using TapsFn = void (*)(float *, const float *, const float *, int64_t,
                        int64_t, int64_t, int64_t);

/// The accumulateTaps specialised for a stride and kernel width.
TapsFn tapsFor(int64_t step, int64_t kernelW) {
  if (step == 1) {
    if (kernelW == 3)
      return accumulateTaps<1, 3>;
    if (kernelW == 5)
      return accumulateTaps<1, 5>;
    return accumulateTaps<1, 0>;
  }
  if (step == 2) {
    if (kernelW == 3)
      return accumulateTaps<2, 3>;
    if (kernelW == 5)
      return accumulateTaps<2, 5>;
    return accumulateTaps<2, 0>;
  }
  return accumulateTaps<0, 0>;
}
} // namespace

/// The grouped convolution of an NGCHW input, a GFCHW filter and an NGFHW
/// init, directly: out[n, g, f] rows are accumulated tap by tap from whole
/// input rows, on all threads (tasks of a few rows of one output channel).
static void groupedDirect(const Memref<5> &input, const Memref<5> &filter,
                          const Memref<5> &init, const Memref<5> &out,
                          int64_t strideH, int64_t strideW, int64_t dilationH,
                          int64_t dilationW) {
  int64_t images = out.sizes[0], groups = out.sizes[1];
  int64_t filters = out.sizes[2], outH = out.sizes[3], outW = out.sizes[4];
  int64_t channels = filter.sizes[2];
  int64_t kernelH = filter.sizes[3], kernelW = filter.sizes[4];
  int64_t planes = images * groups * filters;
  if (planes == 0 || outH == 0 || outW == 0)
    return;
  // Rows per task: about 16K multiply-adds, and enough tasks for every
  // thread.
  int64_t rowWork = std::max<int64_t>(1, outW * channels * kernelH * kernelW);
  int64_t rowsPerTask = std::clamp<int64_t>((1 << 14) / rowWork, 1, outH);
  int64_t wanted = 4 * numThreads();
  if (planes * ((outH + rowsPerTask - 1) / rowsPerTask) < wanted)
    rowsPerTask = std::max<int64_t>(1, outH * planes / wanted);
  int64_t rowTasks = (outH + rowsPerTask - 1) / rowsPerTask;
  // A unit column stride lets the taps read input rows as they are.
  int64_t step = strideW * input.strides[4];
  int64_t tapStride = dilationW * input.strides[4];
  TapsFn taps = tapsFor(step, kernelW);
  bool packedTaps = filter.strides[4] == 1;

  parallelFor(planes * rowTasks, [&](int64_t task) {
    int64_t plane = task / rowTasks;
    int64_t firstRow = task % rowTasks * rowsPerTask;
    int64_t lastRow = std::min(outH, firstRow + rowsPerTask);
    int64_t n = plane / (groups * filters);
    int64_t g = plane / filters % groups, f = plane % filters;
    thread_local std::vector<float> accStorage, tapStorage;
    std::vector<float> &acc = accStorage, &w = tapStorage;
    acc.resize(outW);
    w.resize(kernelW);
    for (int64_t oh = firstRow; oh < lastRow; ++oh) {
      const float *bias = init.aligned + init.offset + n * init.strides[0] +
                          g * init.strides[1] + f * init.strides[2] +
                          oh * init.strides[3];
      if (init.strides[4] == 1)
        std::memcpy(acc.data(), bias, outW * sizeof(float));
      else
        for (int64_t ow = 0; ow < outW; ++ow)
          acc[ow] = bias[ow * init.strides[4]];
      for (int64_t c = 0; c < channels; ++c)
        for (int64_t kh = 0; kh < kernelH; ++kh) {
          const float *weights = filter.aligned + filter.offset +
                                 g * filter.strides[0] +
                                 f * filter.strides[1] +
                                 c * filter.strides[2] +
                                 kh * filter.strides[3];
          if (!packedTaps) {
            for (int64_t kw = 0; kw < kernelW; ++kw)
              w[kw] = weights[kw * filter.strides[4]];
            weights = w.data();
          }
          const float *line = input.aligned + input.offset +
                              n * input.strides[0] + g * input.strides[1] +
                              c * input.strides[2] +
                              (oh * strideH + kh * dilationH) *
                                  input.strides[3];
          taps(acc.data(), line, weights, outW, step, kernelW, tapStride);
        }
      float *destination = out.aligned + out.offset + n * out.strides[0] +
                           g * out.strides[1] + f * out.strides[2] +
                           oh * out.strides[3];
      if (out.strides[4] == 1)
        std::memcpy(destination, acc.data(), outW * sizeof(float));
      else
        for (int64_t ow = 0; ow < outW; ++ow)
          destination[ow * out.strides[4]] = acc[ow];
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

/// A 1-D NCW convolution is the 2-D kernel's on one row.
extern "C" void _mlir_ciface_sift_conv1d_f32(Memref<3> *input,
                                              Memref<3> *filter,
                                              Memref<3> *init, Memref<3> *out,
                                              int64_t stride, int64_t dilation,
                                              int64_t constantFilter) {
  runKernel("convolution", [&] {
    Memref<4> input4 = withOneRow(*input), filter4 = withOneRow(*filter),
              init4 = withOneRow(*init), out4 = withOneRow(*out);
    conv2d(&input4, &filter4, &init4, &out4, /*strideH=*/1, stride,
           /*dilationH=*/1, dilation, constantFilter);
  });
}

/// Groups of this many input channels or fewer, or of fewer than
/// kMatmulGroupFilters filters, are computed directly; larger ones have
/// enough reuse for the 2-D kernel's matmul.
constexpr int64_t kDirectGroupChannels = 4;
constexpr int64_t kMatmulGroupFilters = 8;

extern "C" void _mlir_ciface_sift_conv2d_grouped_f32(
    Memref<5> *input, Memref<5> *filter, Memref<5> *init, Memref<5> *out,
    int64_t strideH, int64_t strideW, int64_t dilationH, int64_t dilationW,
    int64_t constantFilter) {
  runKernel("convolution", [&] {
    if (filter->sizes[2] <= kDirectGroupChannels ||
        filter->sizes[1] < kMatmulGroupFilters) {
      groupedDirect(*input, *filter, *init, *out, strideH, strideW, dilationH,
                    dilationW);
      return;
    }
    for (int64_t g = 0; g < out->sizes[1]; ++g) {
      Memref<4> input4 = sliceAlong(*input, 1, g),
                filter4 = sliceAlong(*filter, 0, g),
                init4 = sliceAlong(*init, 1, g), out4 = sliceAlong(*out, 1, g);
      conv2d(&input4, &filter4, &init4, &out4, strideH, strideW, dilationH,
             dilationW, constantFilter);
    }
  });
}
