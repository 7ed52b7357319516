#!/usr/bin/env bash
# The activation-sparsity benchmark in one command (see bench/README.md):
#
#   bash bench/run.sh [bench/run.py options, e.g. --rounds 5 --models relu-mlp]
#
# Installs what is missing (Sift's build packages through
# scripts/install-deps.sh; python3-matplotlib, and nodejs and npm when there is
# no node), builds sparse-compile with Ninja in build/ (nothing to do when it is
# up to date), installs the peer (onnxruntime-node, CPU) into build/bench/ort,
# generates the models into build/bench/models and runs bench/run.py, which
# prints the table and writes build/bench/results.{json,png,txt}.
#
# Environment: SIFT_BUILD_DIR (default build/), SIFT_BENCH_DIR (default
# $SIFT_BUILD_DIR/bench), NINJA_JOBS (Ninja's -j), PYTHON (default
# /usr/bin/python3).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SIFT_BUILD_DIR:-$root/build}
work=${SIFT_BENCH_DIR:-$build/bench}
python=${PYTHON:-/usr/bin/python3}
[ -x "$python" ] || python=python3

# 1. Packages: the build's and the benchmark's own (Debian's); nothing is
#    installed, and the network is not touched, when everything is present.
packages=(python3-matplotlib)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
bash "$root/scripts/install-deps.sh" "${packages[@]}"

# 2. The compiler (and the runtime it links into executables).
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit
fi
ninja ${NINJA_JOBS:+-j "$NINJA_JOBS"} -C "$build" sparse-compile

# 3. The peer: ONNX Runtime's CPU library for Node. --ignore-scripts skips the
#    package's install script (it only downloads optional GPU libraries); the
#    CPU library ships inside the package. Reinstalled when bench/package.json
#    changes.
ort="$work/ort"
if [ ! -f "$ort/node_modules/onnxruntime-node/package.json" ] || ! cmp -s "$root/bench/package.json" "$ort/package.json"; then
  echo "bench: installing onnxruntime-node into $ort"
  mkdir -p "$ort"
  cp "$root/bench/package.json" "$ort/package.json"
  (cd "$ort" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
node "$root/bench/ort_run.js" --check --ort-dir "$ort" >/dev/null ||
  { echo "bench: onnxruntime-node does not load from $ort" >&2; exit 1; }

# 4. The models (skipped when up to date), then the benchmark.
"$python" "$root/bench/make_models.py" --out "$work"
"$python" "$root/bench/run.py" --build-dir "$build" --work-dir "$work" --ort-dir "$ort" "$@" |
  tee "$work/results.txt"
