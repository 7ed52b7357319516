//===- MemrefCopy.cpp - The copy routine lowered memref.copy calls --------===//
//
// `finalize-memref-to-llvm` turns a memref.copy between non-contiguous
// buffers (a padded or sliced view) into a call to `memrefCopy`, passing the
// element size and two unranked descriptors. Compiled models link it from
// here.
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstring>

namespace {
/// The layout MLIR gives an unranked memref: its rank and a pointer to the
/// ranked descriptor { allocated, aligned, offset, sizes[rank],
/// strides[rank] }.
struct UnrankedDescriptor {
  int64_t rank;
  void *descriptor;
};

struct RankedView {
  char *aligned;
  int64_t offset;
  const int64_t *sizes;
  const int64_t *strides;
};

RankedView view(const UnrankedDescriptor &memref) {
  auto *words = static_cast<int64_t *>(memref.descriptor);
  RankedView result;
  std::memcpy(&result.aligned, &words[1], sizeof(char *));
  result.offset = words[2];
  result.sizes = words + 3;
  result.strides = words + 3 + memref.rank;
  return result;
}

/// Copies the elements of dimension `dim` onward, recursing outward-in; the
/// innermost dimension copies a contiguous run in one memcpy when it can.
void copyDimension(int64_t rank, int64_t dim, int64_t elementSize,
                   const RankedView &src, const char *srcBase,
                   const RankedView &dst, char *dstBase) {
  if (dim == rank) {
    std::memcpy(dstBase, srcBase, elementSize);
    return;
  }
  int64_t size = src.sizes[dim];
  if (dim == rank - 1 && src.strides[dim] == 1 && dst.strides[dim] == 1) {
    std::memcpy(dstBase, srcBase, size * elementSize);
    return;
  }
  for (int64_t i = 0; i < size; ++i)
    copyDimension(rank, dim + 1, elementSize, src,
                  srcBase + i * src.strides[dim] * elementSize, dst,
                  dstBase + i * dst.strides[dim] * elementSize);
}
} // namespace

extern "C" void memrefCopy(int64_t elementSize, UnrankedDescriptor *source,
                           UnrankedDescriptor *target) {
  RankedView src = view(*source);
  RankedView dst = view(*target);
  for (int64_t d = 0; d < source->rank; ++d)
    if (src.sizes[d] == 0)
      return;
  copyDimension(source->rank, 0, elementSize, src,
                src.aligned + src.offset * elementSize, dst,
                dst.aligned + dst.offset * elementSize);
}
