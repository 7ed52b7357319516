#!/usr/bin/env python3
"""Imports an ONNX backend test, runs it through Sift's dense reference path
(sparse-translate --import-onnx, sparse-opt --sift-lower-to-llvm,
mlir-runner) and compares every output with the expected one.

  check-onnx-node-test.py [--build DIR] [--jobs N] [--expected-failures FILE]
                          TEST_DIR|SUITE_DIR...

TEST_DIR holds model.onnx and test_data_set_0/{input,output}_N.pb, as in
/usr/share/libonnx-testdata/data/node/*; a SUITE_DIR holds such test
directories. Outputs are compared with rtol 1e-3, atol 1e-5 (exactly for
integers and bools). Exits non-zero when a test fails that is not an
expected failure, or an expected failure passes.
"""

import argparse
import concurrent.futures
import glob
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

MLIR_TYPES = {
    np.dtype("float32"): "f32", np.dtype("float64"): "f64",
    np.dtype("float16"): "f16", np.dtype("int8"): "i8", np.dtype("uint8"): "i8",
    np.dtype("int16"): "i16", np.dtype("uint16"): "i16", np.dtype("int32"): "i32",
    np.dtype("uint32"): "i32", np.dtype("int64"): "i64", np.dtype("uint64"): "i64",
    np.dtype("bool"): "i1",
}
LLVM_LIB = "/usr/lib/llvm-22/lib"
RUNNER = "/usr/lib/llvm-22/bin/mlir-runner"


def tensor_type(array):
    dims = "x".join(str(d) for d in array.shape)
    elem = MLIR_TYPES[array.dtype]
    return f"tensor<{dims}x{elem}>" if dims else f"tensor<{elem}>"


def literal(array):
    if array.dtype == np.bool_:
        return _nested_bool(array)
    return 'dense<"0x' + np.ascontiguousarray(array).tobytes().hex().upper() + '">'


def _nested_bool(array):
    def rec(a):
        if a.ndim == 0:
            return "true" if a else "false"
        return "[" + ", ".join(rec(x) for x in a) + "]"
    return "dense<" + rec(array) + ">"


def to_f64_body(elem, unsigned):
    if elem == "f64":
        return None
    if elem.startswith("f"):
        return f"arith.extf %in : {elem} to f64"
    op = "arith.uitofp" if unsigned or elem == "i1" else "arith.sitofp"
    return f"{op} %in : {elem} to f64"


def build_main(inputs, output_types):
    lines = ["func.func private @printMemrefF64(tensor<*xf64>)", "func.func @main() {"]
    args = []
    for i, array in enumerate(inputs):
        lines.append(f"  %in{i} = arith.constant {literal(array)} : {tensor_type(array)}")
        args.append(f"%in{i}")
    arg_types = ", ".join(tensor_type(a) for a in inputs)
    res_types = ", ".join(t for t, _ in output_types)
    results = ", ".join(f"%out{i}" for i in range(len(output_types)))
    call = f"call @main_graph({', '.join(args)}) : ({arg_types}) -> ({res_types})"
    lines.append(f"  {results} = {call}" if output_types else f"  {call}")
    for i, (ttype, unsigned) in enumerate(output_types):
        m = re.match(r"tensor<(.*?)x?([a-z]+[0-9]+)>$", ttype)
        shape, elem = m.group(1), m.group(2)
        dims = [d for d in shape.split("x") if d] if shape else []
        rank = len(dims)
        wide = f"tensor<{shape + 'x' if shape else ''}f64>"
        body = to_f64_body(elem, unsigned)
        value = f"%out{i}"
        if body:
            dyn = [f"%d{i}_{k}" for k, d in enumerate(dims) if d == "?"]
            for k, d in enumerate(dims):
                if d == "?":
                    lines.append(f"  %c{i}_{k} = arith.constant {k} : index")
                    lines.append(f"  %d{i}_{k} = tensor.dim %out{i}, %c{i}_{k} : {ttype}")
            idx = ", ".join(f"d{k}" for k in range(rank))
            amap = f"affine_map<({idx}) -> ({idx})>"
            lines.append(f"  %e{i} = tensor.empty({', '.join(dyn)}) : {wide}")
            iterators = ", ".join(['"parallel"'] * rank)
            lines.append(
                f"  %w{i} = linalg.generic {{indexing_maps = [{amap}, {amap}], "
                f"iterator_types = [{iterators}]}} "
                f"ins(%out{i} : {ttype}) outs(%e{i} : {wide}) {{\n"
                f"  ^bb0(%in: {elem}, %o: f64):\n    %v = {body}\n    linalg.yield %v : f64\n"
                f"  }} -> {wide}")
            value = f"%w{i}"
        lines.append(f"  %u{i} = tensor.cast {value} : {wide} to tensor<*xf64>")
        lines.append(f"  call @printMemrefF64(%u{i}) : (tensor<*xf64>) -> ()")
    lines.append("  return")
    lines.append("}")
    return "\n".join(lines)


NUMBER = re.compile(r"-?nan|-?inf|[-+]?\d+(?:\.\d*)?(?:e[-+]?\d+)?", re.I)


def parse_printed(text, count):
    chunks = text.split("Unranked Memref")[1:]
    if len(chunks) != count:
        raise RuntimeError(f"expected {count} printed outputs, got {len(chunks)}")
    arrays = []
    for chunk in chunks:
        data = chunk.split("data =", 1)[1]
        arrays.append(np.array([float(v) for v in NUMBER.findall(data)]))
    return arrays


def run_test(test_dir, build):
    model_path = os.path.join(test_dir, "model.onnx")
    model = onnx.load(model_path)
    data_dir = sorted(glob.glob(os.path.join(test_dir, "test_data_set_*")))[0]
    inputs, expected = [], []
    for i in range(len(glob.glob(os.path.join(data_dir, "input_*.pb")))):
        inputs.append(numpy_helper.to_array(onnx.load_tensor(os.path.join(data_dir, f"input_{i}.pb"))))
    for i in range(len(glob.glob(os.path.join(data_dir, "output_*.pb")))):
        expected.append(numpy_helper.to_array(onnx.load_tensor(os.path.join(data_dir, f"output_{i}.pb"))))
    imported = subprocess.run(
        [os.path.join(build, "bin/sparse-translate"), "--import-onnx", model_path],
        capture_output=True, text=True)
    if imported.returncode != 0:
        return False, "import failed: " + imported.stderr.strip().splitlines()[0][:300]
    func = re.search(r"func.func @main_graph\(.*?\) -> \((.*?)\) \{|func.func @main_graph\(.*?\) -> (tensor<[^>]*>) \{", imported.stdout)
    if func:
        res = func.group(1) or func.group(2)
        output_types = re.findall(r"tensor<[^>]*>", res)
    else:
        output_types = []
    unsigned = [o.type.tensor_type.elem_type in (2, 4, 12, 13) for o in model.graph.output]
    module = imported.stdout.rstrip()
    assert module.endswith("}")
    module = module[:-1] + build_main(inputs, list(zip(output_types, unsigned))) + "\n}\n"
    lowered = subprocess.run(
        [os.path.join(build, "bin/sparse-opt"), "--sift-lower-to-llvm"],
        input=module, capture_output=True, text=True)
    if lowered.returncode != 0:
        return False, "lowering failed: " + lowered.stderr.strip()[:400]
    ran = subprocess.run(
        [RUNNER, "-e", "main", "-entry-point-result=void",
         f"-shared-libs={LLVM_LIB}/libmlir_runner_utils.so,{LLVM_LIB}/libmlir_c_runner_utils.so"],
        input=lowered.stdout, capture_output=True, text=True, timeout=300)
    if ran.returncode != 0:
        return False, "run failed: " + ran.stderr.strip()[:400]
    try:
        actual = parse_printed(ran.stdout, len(expected))
    except Exception as e:  # noqa: BLE001
        return False, str(e)
    for i, (got, want) in enumerate(zip(actual, expected)):
        want_flat = want.astype(np.float64).flatten()
        if got.shape != want_flat.shape:
            return False, f"output {i}: {got.size} values, expected {want_flat.size}"
        if want.dtype.kind in "iub":
            ok = np.array_equal(got, want_flat)
        else:
            ok = np.allclose(got, want_flat, rtol=1e-3, atol=1e-5, equal_nan=True)
        if not ok:
            bad = np.argmax(~np.isclose(got, want_flat, rtol=1e-3, atol=1e-5, equal_nan=True))
            return False, f"output {i} differs at flat index {bad}: got {got[bad]}, expected {want_flat[bad]}"
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
        try:
            return run_test(test, build)
        except Exception as e:  # noqa: BLE001
            return False, f"harness error: {e}"

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(check, tests))

    counts = {"PASS": 0, "FAIL": 0, "XFAIL": 0, "XPASS": 0}
    for test, (ok, why) in zip(tests, results):
        name = os.path.basename(os.path.normpath(test))
        status = ("XPASS" if ok else "XFAIL") if name in expected else ("PASS" if ok else "FAIL")
        counts[status] += 1
        detail = why if status == "FAIL" else (expected[name] if status == "XPASS" else "")
        if status != "XFAIL" and (status != "PASS" or len(tests) <= 20):
            print(f"{status} {name}{': ' + detail if detail else ''}")
    summary = ", ".join(f"{counts[k]} {k.lower()}" for k in counts)
    print(f"{len(tests)} tests: {summary}")
    return 1 if counts["FAIL"] or counts["XPASS"] else 0


if __name__ == "__main__":
    sys.exit(main())
