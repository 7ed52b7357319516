#!/usr/bin/env python3
"""ONNX conformance: compiles ONNX backend tests with `sparse-compile`, runs
the executables on every test data set and compares each output with the
expected one.

  check-onnx-node-test.py [--build DIR] [--jobs N] [--expected-failures FILE]
                          TEST_DIR|SUITE_DIR...

TEST_DIR holds model.onnx and test_data_set_*/{input,output}_N.pb, as in
/usr/share/libonnx-testdata/data/node/*; a SUITE_DIR holds such test
directories. Outputs must have the expected type and shape, and match with
rtol 1e-3, atol 1e-5 (exactly for integers and bools; NaN matches NaN).
Exits non-zero when a test fails that is not an expected failure, or an
expected failure passes (XPASS), so the list only shrinks.
"""

import argparse
import concurrent.futures
import glob
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

RTOL, ATOL = 1e-3, 1e-5


def first_error(text):
    """The first error line, joined with the lines that continue it."""
    lines = text.strip().splitlines()
    for i, line in enumerate(lines):
        if "error" in line:
            continued = [l.strip() for l in lines[i + 1:i + 4] if l.startswith(" ")]
            return " ".join([line] + continued)[:300]
    return lines[-1][:300] if lines else ""


def load_tensors(directory, prefix):
    paths = sorted(glob.glob(os.path.join(directory, f"{prefix}_*.pb")),
                   key=lambda p: int(p.rsplit("_", 1)[1][:-3]))
    return paths, [numpy_helper.to_array(onnx.load_tensor(p)) for p in paths]


def compare(index, got, want):
    if got.dtype != want.dtype:
        return f"output {index}: type {got.dtype}, expected {want.dtype}"
    if got.shape != want.shape:
        return f"output {index}: shape {got.shape}, expected {want.shape}"
    if want.dtype.kind in "iub":
        if not np.array_equal(got, want):
            bad = np.argmax((got != want).flatten())
            return f"output {index} differs at flat index {bad}: got {got.flat[bad]}, expected {want.flat[bad]}"
        return ""
    close = np.isclose(got, want, rtol=RTOL, atol=ATOL, equal_nan=True)
    if not close.all():
        bad = np.argmax(~close.flatten())
        return f"output {index} differs at flat index {bad}: got {got.flat[bad]}, expected {want.flat[bad]}"
    return ""


def run_test(test_dir, build, scratch):
    exe = os.path.join(scratch, "model")
    compiled = subprocess.run(
        [os.path.join(build, "bin", "sparse-compile"), os.path.join(test_dir, "model.onnx"),
         "-o", exe], capture_output=True, text=True, timeout=600)
    if compiled.returncode != 0:
        return False, "compile failed: " + first_error(compiled.stderr)
    data_sets = sorted(glob.glob(os.path.join(test_dir, "test_data_set_*")))
    if not data_sets:
        return False, "no test data sets"
    for data_set in data_sets:
        inputs, _ = load_tensors(data_set, "input")
        _, expected = load_tensors(data_set, "output")
        out_dir = os.path.join(scratch, "out")
        shutil.rmtree(out_dir, ignore_errors=True)
        os.makedirs(out_dir)
        ran = subprocess.run([exe, "--output-dir", out_dir] + inputs,
                             capture_output=True, text=True, timeout=600)
        if ran.returncode != 0:
            return False, f"run failed (status {ran.returncode}): " + first_error(ran.stderr)
        for i, want in enumerate(expected):
            path = os.path.join(out_dir, f"output_{i}.pb")
            if not os.path.exists(path):
                return False, f"output {i} missing"
            why = compare(i, numpy_helper.to_array(onnx.load_tensor(path)), want)
            if why:
                return False, why
    return True, ""


def load_expected_failures(path):
    """Reads `name: reason` lines; '#' starts a comment."""
    expected = {}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            name, sep, reason = line.partition(":")
            if not sep or not reason.strip():
                sys.exit(f"{path}:{number}: expected 'test_name: reason'")
            expected[name.strip()] = reason.strip()
    return expected


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--expected-failures", metavar="FILE",
                        help="tests allowed to fail, one 'name: reason' per line; "
                             "one of them passing is an error (XPASS)")
    parser.add_argument("--verbose", action="store_true", help="print passing tests too")
    parser.add_argument("tests", nargs="+", help="test directories (or folders of them)")
    args = parser.parse_args()

    tests = []
    for path in args.tests:
        if os.path.exists(os.path.join(path, "model.onnx")):
            tests.append(path)
        else:
            tests.extend(sorted(os.path.dirname(m) for m in
                                glob.glob(os.path.join(path, "*", "model.onnx"))))
    expected = load_expected_failures(args.expected_failures) if args.expected_failures else {}
    build = os.path.abspath(args.build)

    def check(test):
        with tempfile.TemporaryDirectory(prefix="sift-conformance-") as scratch:
            try:
                return run_test(test, build, scratch)
            except Exception as e:  # noqa: BLE001
                return False, f"harness error: {e}"

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(check, tests))

    counts = {"PASS": 0, "FAIL": 0, "XFAIL": 0, "XPASS": 0}
    for test, (ok, why) in zip(tests, results):
        name = os.path.basename(os.path.normpath(test))
        status = ("XPASS" if ok else "XFAIL") if name in expected else ("PASS" if ok else "FAIL")
        counts[status] += 1
        if status in ("FAIL", "XPASS") or args.verbose:
            detail = why if status in ("FAIL", "XFAIL") else expected.get(name, "")
            print(f"{status} {name}{': ' + detail if detail else ''}")
    summary = ", ".join(f"{counts[k]} {k.lower()}" for k in counts)
    print(f"{len(tests)} tests: {summary}")
    return 1 if counts["FAIL"] or counts["XPASS"] else 0


if __name__ == "__main__":
    sys.exit(main())
