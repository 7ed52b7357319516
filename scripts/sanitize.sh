#!/usr/bin/env bash
# The sanitizer build: configures build-sanitize/ with ASan and UBSan
# (-DSIFT_SANITIZE=address,undefined; g++, like the default build), which
# instruments the tools, the plugin and the runtime that compiled executables
# link, builds it, and runs the whole lit suite in it. Any sanitizer finding
# aborts the process that made it, so the test fails. Exits non-zero when any
# test fails; the last line reads "N passed, N failed, N skipped".
#
#   scripts/sanitize.sh [lit arguments...]   e.g. scripts/sanitize.sh --filter ONNX
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SIFT_SANITIZE_BUILD_DIR:-$root/build-sanitize}
suppressions=$root/scripts/sanitize

bash "$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -G Ninja \
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
  -DSIFT_SANITIZE=address,undefined
cmake --build "$build"

# Suppressions cover findings outside Sift's own code only (Debian's
# uninstrumented libMLIR/LLVM and protobuf); see each file. The tests' C
# clients link a sanitized --emit=lib library without -fsanitize, so ASan's
# runtime is not first in their library list (verify_asan_link_order=0).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:verify_asan_link_order=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$suppressions/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:abort_on_error=1:suppressions=$suppressions/ubsan.supp}

exec bash "$root/scripts/run-lit.sh" "$build" "$@"
