#!/usr/bin/env bash
# The test command: installs what is missing, configures, builds, and runs the
# whole lit suite. Exits non-zero when any test fails; the last line reads
# "N passed, N failed".
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SIFT_BUILD_DIR:-$root/build}
export SIFT_FUZZ_BUILD_DIR=${SIFT_FUZZ_BUILD_DIR:-$root/build-fuzz}

bash "$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -G Ninja \
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
  -DSIFT_FUZZ_BUILD_DIR="$SIFT_FUZZ_BUILD_DIR"
cmake --build "$build"
# The fuzz targets (a second, clang-built tree of the importer and the tensor
# readers: about 3 minutes on 2 cores); test/Fuzz runs each for seconds.
bash "$root/scripts/fuzz-build.sh"

exec bash "$root/scripts/run-lit.sh" "$build"
