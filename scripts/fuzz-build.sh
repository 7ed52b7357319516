#!/usr/bin/env bash
# Configures and builds the fuzz targets in build-fuzz/ (a clang-22 tree with
# -DSIFT_ENABLE_FUZZERS=ON; clang-22 and libclang-rt-22-dev, which has
# libFuzzer and the sanitizers' runtimes, are in scripts/install-deps.sh's
# list). scripts/fuzz.sh runs it first; scripts/test.sh runs it so that the
# suite runs the targets.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SIFT_FUZZ_BUILD_DIR:-$root/build-fuzz}

bash "$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -G Ninja \
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
  -DSIFT_ENABLE_FUZZERS=ON
cmake --build "$build" --target sift-fuzzers
