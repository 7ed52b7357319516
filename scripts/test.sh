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

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
/usr/lib/llvm-22/bin/lit -sv "$build/test" 2>&1 | tee "$log" || status=$?

# lit closes with lines such as "  Passed: 12"; absent lines count as 0.
count() {
  local n
  n=$(sed -n "s/^ *$1 *: *\([0-9]*\).*$/\1/p" "$log" | tail -n 1)
  echo "${n:-0}"
}
passed=$(( $(count Passed) + $(count 'Expectedly Failed') ))
failed=$(( $(count Failed) + $(count 'Unexpectedly Passed') + $(count Unresolved) + $(count 'Timed Out') ))
skipped=$(( $(count Unsupported) + $(count Skipped) ))
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
