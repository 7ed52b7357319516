#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-22, ASan + UBSan) in build-fuzz/ and
# fuzzes each for a while:
#
#   scripts/fuzz.sh [--time SECONDS] [--jobs N] [target...]
#
# Targets: import-binary import-text tensor-npy tensor-pb (default: all).
# Each runs for SECONDS (default 60) with N parallel jobs (default 1),
# starting from its corpus (build-fuzz/corpus/<target>, kept between runs)
# and seeds that scripts/fuzz/seeds.py assembles from the ONNX backend test
# data. Crashes, timeouts and out-of-memory inputs land in
# build-fuzz/findings/<target>/, one per crash site (the first frame in
# Sift's sources), crashes with a minimised copy (*.min); commit it under
# test/Fuzz/Inputs/<target>/ once its bug is fixed.
# Ends with a line per target: seconds, executions, coverage, findings; the
# lines are also appended to build-fuzz/fuzz-totals.txt.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SIFT_FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=60
jobs=1
targets=()
while [ $# -gt 0 ]; do
  case $1 in
    --time) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [ ${#targets[@]} -eq 0 ]; then
  targets=(import-binary import-text tensor-npy tensor-pb)
fi

bash "$root/scripts/fuzz-build.sh"

seeds=$build/seeds
/usr/bin/python3 "$root/scripts/fuzz/seeds.py" "$seeds"
/usr/bin/python3 "$root/scripts/fuzz/text-dict.py" > "$build/import-text.dict"

# Where an input crashes the current target: the first frame in Sift's
# sources, else the report's summary line.
crash_site() {
  local report site
  report=$("$binary" -rss_limit_mb=2048 "$1" 2>&1 || true)
  site=$(grep -oE "$root/[^ :]+:[0-9]+" <<<"$report" | head -n 1 || true)
  site=${site#"$root/"}
  echo "${site:-$(grep -m 1 '^SUMMARY' <<<"$report" || echo unknown)}"
}

summary=()
for target in "${targets[@]}"; do
  binary=$build/bin/sift-fuzz-$target
  if [ ! -x "$binary" ]; then
    echo "fuzz.sh: no target '$target'" >&2
    exit 2
  fi
  corpus=$build/corpus/$target
  findings=$build/findings/$target
  log=$build/logs/$target-$(date +%Y%m%d-%H%M%S).log
  mkdir -p "$corpus" "$findings" "$(dirname "$log")"
  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048
    -artifact_prefix="$findings/")
  if [ "$target" = import-text ]; then
    options+=(-dict="$build/import-text.dict")
  fi
  # Fork mode keeps going after a crash, so that one run can find several.
  echo "== $target: ${seconds}s, $jobs job(s); log $log"
  before=$(ls "$findings" | grep -v '\.min$' | sort || true)
  "$binary" "${options[@]}" -fork="$jobs" -ignore_crashes=1 -ignore_ooms=1 \
    -ignore_timeouts=1 "$corpus" "$seeds/$target" > "$log" 2>&1 || true

  # Fork mode's status lines read
  # "#EXECS: cov: C ft: F corp: N exec/s: E oom/timeout/crash: O/T/X time: S".
  last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -n 1 || true)
  if [ -z "$last" ]; then
    echo "fuzz.sh: $target printed no status; the end of its log:" >&2
    tail -n 5 "$log" >&2
  fi
  execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
  cov=$(sed -E 's/.* cov: ([0-9]+).*/\1/' <<<"$last")
  ft=$(sed -E 's/.* ft: ([0-9]+).*/\1/' <<<"$last")
  oom_timeout_crash=$(sed -E 's|.* oom/timeout/crash: ([0-9/]+).*|\1|' <<<"$last")

  # Fork mode saves every crashing input; keep one per crash site.
  declare -A seen=()
  for finding in $(comm -13 <(echo "$before") \
      <(ls "$findings" | grep -v '\.min$' | sort)); do
    case $finding in
      crash-*|oom-*) ;;
      *) echo "   $findings/$finding"; continue ;;
    esac
    site=$(crash_site "$findings/$finding")
    if [ -n "${seen[$site]:-}" ]; then
      rm "$findings/$finding"
      continue
    fi
    seen[$site]=1
    # Minimising keeps any crash, not this one: keep the result only when
    # it crashes at the same site.
    if [[ $finding == crash-* ]]; then
      "$binary" -minimize_crash=1 -max_total_time=30 -timeout=10 \
        -exact_artifact_path="$findings/$finding.min" \
        "$findings/$finding" >> "$log" 2>&1 || true
      if [ -f "$findings/$finding.min" ] &&
          [ "$(crash_site "$findings/$finding.min")" != "$site" ]; then
        rm "$findings/$finding.min"
      fi
    fi
    echo "   $site: $findings/$finding"
  done
  unset seen
  line="$(date -u +%F) $(git -C "$root" rev-parse --short HEAD) $target:"
  line+=" ${seconds}s x $jobs, ${execs:-0} executions, cov ${cov:-0},"
  line+=" ft ${ft:-0}, oom/timeout/crash ${oom_timeout_crash:-0/0/0}"
  summary+=("$line")
done

printf '%s\n' "${summary[@]}" | tee -a "$build/fuzz-totals.txt"
