//===- Weights.cpp - Mapping a model's weights file -----------------------===//

#include "sift/runtime/WeightsFile.h"
#include "sift/runtime/sift_runtime.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

extern "C" {
const unsigned char *sift_weights = nullptr;
}

namespace {
/// The message of the last failure; loading happens once per process (or
/// per library), before any model runs.
std::string lastError;

const char *failure(const std::string &path, const std::string &why) {
  lastError = "the weights file '" + path + "' " + why;
  return lastError.c_str();
}

/// The file of the executable or shared library that holds `anchor`; the
/// executable itself when `anchor` is null.
std::string moduleFile(const void *anchor) {
  if (!anchor) {
    char buffer[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
    return length > 0 ? std::string(buffer, length) : std::string();
  }
  Dl_info info;
  if (!dladdr(anchor, &info) || !info.dli_fname)
    return {};
  return info.dli_fname;
}

const char *mapWeights(const std::string &path, uint64_t size,
                       uint64_t checksum) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return failure(path, std::string("cannot be opened (") +
                             std::strerror(errno) +
                             "): it is written beside the executable or "
                             "library by sparse-compile and must stay there");
  struct stat status;
  if (fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
    close(fd);
    return failure(path, "is not a regular file");
  }
  if (static_cast<uint64_t>(status.st_size) != size) {
    close(fd);
    return failure(path, "holds " + std::to_string(status.st_size) +
                             " bytes, but the model was compiled with " +
                             std::to_string(size) +
                             ": it belongs to another compilation");
  }
  // The checksum reads every page anyway: populate the mapping at once.
  void *mapping =
      mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  close(fd);
  if (mapping == MAP_FAILED)
    return failure(path, std::string("cannot be mapped (") +
                             std::strerror(errno) + ")");
  const auto *bytes = static_cast<const unsigned char *>(mapping);
  uint64_t recordedSize, recordedChecksum;
  std::memcpy(&recordedSize, bytes + 8, sizeof(recordedSize));
  std::memcpy(&recordedChecksum, bytes + 16, sizeof(recordedChecksum));
  sift::weights::Checksum actual;
  actual.update(bytes + sift::weights::kHeaderBytes,
                size - sift::weights::kHeaderBytes);
  const char *problem = nullptr;
  if (std::memcmp(bytes, sift::weights::kMagic, sizeof(sift::weights::kMagic)))
    problem = "is not a Sift weights file";
  else if (recordedSize != size || recordedChecksum != checksum)
    problem = "belongs to another compilation of the model";
  else if (actual.value() != checksum)
    problem = "is damaged: its checksum does not match";
  if (problem) {
    munmap(mapping, size);
    return failure(path, problem);
  }
  sift_weights = bytes;
  return nullptr;
}
} // namespace

const char *sift_load_weights(const void *anchor, uint64_t size,
                              uint64_t checksum) {
  if (size < sift::weights::kHeaderBytes)
    return failure("", "size in the compiled model is invalid");
  std::string file = moduleFile(anchor);
  if (file.empty())
    return failure("<unknown>", "cannot be found: the path of the "
                                "executable or library is unknown");
  return mapWeights(file + ".weights", size, checksum);
}
