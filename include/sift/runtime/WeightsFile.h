//===- WeightsFile.h - The file that holds a model's large constants ------===//
//
// `sparse-compile` can keep a model's large constants out of the executable
// or library, in a weights file beside it (`<output>.weights`), which the
// runtime maps read-only when the model starts. The file is a 64-byte header
// and the constants, each at a 64-byte-aligned offset from the file's start:
//
//   bytes 0-7    "SIFTWGT1"
//   bytes 8-15   the file's size in bytes, little-endian
//   bytes 16-23  checksum() of the bytes after the header
//   bytes 24-63  zero
//
// The compiled code holds the same size and checksum: a file from another
// compilation, or a truncated or damaged one, is refused at start.
//
// Shared by the compiler (which writes the file) and the runtime (which
// reads it), so it is plain C++ with no dependencies.
//
//===----------------------------------------------------------------------===//

#ifndef SIFT_RUNTIME_WEIGHTSFILE_H
#define SIFT_RUNTIME_WEIGHTSFILE_H

#include <cstdint>
#include <cstring>

namespace sift::weights {

constexpr char kMagic[8] = {'S', 'I', 'F', 'T', 'W', 'G', 'T', '1'};
constexpr uint64_t kHeaderBytes = 64;
constexpr uint64_t kAlignment = 64;

/// A 64-bit checksum of a byte stream, fed in chunks of any size. Four
/// independent lanes over 32-byte blocks keep it at memory speed.
class Checksum {
public:
  void update(const unsigned char *data, uint64_t size) {
    total += size;
    while (size && pendingSize) {
      pending[pendingSize++] = *data++;
      --size;
      if (pendingSize == 32) {
        block(pending);
        pendingSize = 0;
      }
    }
    for (; size >= 32; data += 32, size -= 32)
      block(data);
    std::memcpy(pending, data, size);
    pendingSize = static_cast<unsigned>(size);
  }

  uint64_t value() const {
    uint64_t result = total * kPrime2;
    for (unsigned i = 0; i < pendingSize; ++i)
      result = round(result, pending[i]);
    for (uint64_t lane : lanes)
      result = round(result ^ (result >> 29), lane);
    return result ^ (result >> 32);
  }

private:
  static constexpr uint64_t kPrime1 = 0x9E3779B185EBCA87ULL;
  static constexpr uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;

  static uint64_t round(uint64_t acc, uint64_t word) {
    acc += word * kPrime2;
    acc = (acc << 31) | (acc >> 33);
    return acc * kPrime1;
  }
  void block(const unsigned char *bytes) {
    for (int lane = 0; lane < 4; ++lane) {
      uint64_t word;
      std::memcpy(&word, bytes + 8 * lane, sizeof(word));
      lanes[lane] = round(lanes[lane], word);
    }
  }

  uint64_t lanes[4] = {kPrime1, kPrime2, ~kPrime1, ~kPrime2};
  uint64_t total = 0;
  unsigned char pending[32] = {};
  unsigned pendingSize = 0;
};

/// `offset` rounded up to the alignment of every constant in the file.
constexpr uint64_t alignOffset(uint64_t offset) {
  return (offset + kAlignment - 1) / kAlignment * kAlignment;
}

} // namespace sift::weights

#endif // SIFT_RUNTIME_WEIGHTSFILE_H
