#!/usr/bin/env python3
"""Imports every model.onnx of the ONNX backend test data and sorts the
results: imported, refused with a clear error, or crashed/hung.

  import-onnx-testdata.py --translate PATH [--data DIR] [--jobs N] [--list]
                          [--min-imported N]

A clear error is exit status 1 with an `error:` line on stderr that names the
model file. Anything else (a signal, a time-out, a silent failure) is a crash.
Prints one summary line per category and exits non-zero when anything
crashed or fewer than --min-imported models imported.
"""

import argparse
import concurrent.futures
import glob
import os
import subprocess
import sys


def import_model(translate, path):
    try:
        run = subprocess.run([translate, "--import-onnx", path, "-o", os.devnull],
                             capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return "crashed", "timed out after 120 s"
    if run.returncode == 0:
        return "imported", ""
    first_error = next((line for line in run.stderr.splitlines() if "error:" in line), "")
    if run.returncode == 1 and path in first_error:
        return "refused", first_error.split("error:", 1)[1].strip()
    return "crashed", f"exit status {run.returncode}: {run.stderr.strip()[:300]}"


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--translate", required=True)
    parser.add_argument("--data", default="/usr/share/libonnx-testdata/data")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--list", action="store_true", help="print every model's result")
    parser.add_argument("--min-imported", type=int, default=0,
                        help="fail when fewer models import (coverage only grows)")
    args = parser.parse_args()

    models = sorted(glob.glob(os.path.join(args.data, "*", "*", "model.onnx")))
    if not models:
        print(f"no models under {args.data}", file=sys.stderr)
        return 2
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda m: import_model(args.translate, m), models))

    counts = {"imported": 0, "refused": 0, "crashed": 0}
    for model, (kind, detail) in zip(models, results):
        counts[kind] += 1
        name = os.path.relpath(os.path.dirname(model), args.data)
        if args.list or kind == "crashed":
            print(f"{kind.upper()} {name}{': ' + detail if detail else ''}")
    print(f"models: {len(models)}")
    for kind, count in counts.items():
        print(f"{kind}: {count}")
    if counts["imported"] < args.min_imported:
        print(f"error: only {counts['imported']} models imported, expected at least "
              f"{args.min_imported}", file=sys.stderr)
        return 1
    return 1 if counts["crashed"] else 0


if __name__ == "__main__":
    sys.exit(main())
