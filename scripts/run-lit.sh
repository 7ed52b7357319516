#!/usr/bin/env bash
# run-lit.sh BUILD [LIT ARGS...]: runs the lit suite of the build tree BUILD,
# ends with "N passed, N failed, N skipped", and exits non-zero when any test
# fails. scripts/test.sh and scripts/sanitize.sh share it.
set -euo pipefail

build=$1
shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
/usr/lib/llvm-22/bin/lit -sv "$@" "$build/test" 2>&1 | tee "$log" || status=$?

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
