//===- TensorFileFuzzer.cpp - Feeding bytes to the tensor readers ---------===//

#include "TensorFileFuzzer.h"

#include "TensorFile.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

void sift::fuzz::readTensor(const char *suffix, const uint8_t *data,
                            size_t size) {
  // One file per process (parallel jobs each have their own), in memory
  // where /dev/shm exists; removed at exit.
  static const std::string path = [&] {
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    if (const char *tmp = std::getenv("TMPDIR"))
      dir = tmp;
    std::atexit([] { std::remove(path.c_str()); });
    return std::string(dir) + "/sift-fuzz-" + std::to_string(getpid()) +
           suffix;
  }();
  FILE *file = std::fopen(path.c_str(), "wb");
  if (!file || std::fwrite(data, 1, size, file) != size) {
    std::perror(path.c_str());
    std::abort();
  }
  std::fclose(file);
  sift::runtime::HostTensor tensor;
  std::string error;
  sift::runtime::readTensorFile(path, tensor, error);
}
