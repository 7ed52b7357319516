#!/usr/bin/env bash
# The main job on the bundled example: installs what is missing, builds Sift,
# compiles examples/digits/model.onnx dense and with calibrated activation
# gates (25% and 50% sparsity), runs each executable on the held-out test
# digits and prints accuracy, sparsity, active parameters and latency.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SIFT_BUILD_DIR:-$root/build}

bash "$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -G Ninja \
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit
cmake --build "$build" --target sparse-compile sift_runtime sift_runtime_main
/usr/bin/python3 "$root/examples/digits/run.py" --build "$build"
