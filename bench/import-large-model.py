#!/usr/bin/env python3
"""Benchmarks importing a large ONNX model: generates an MLP whose f32
weights total --size-gb gigabytes (stored as ONNX external data, as every
model over 2 GB must be), imports it with `sparse-translate --import-onnx`
several times, and reports the median wall time and peak resident memory
against the size of the weights.

  bench/import-large-model.py [--build DIR] [--size-gb 1.0] [--runs 3]

Writes to a scratch directory under /tmp (removed afterwards unless --keep).
The module is printed with its weight blobs elided (-o /dev/null would be
the same): the time is import plus printing, and MLIR's printer still walks
every blob while eliding it.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

WIDTH = 4096


def build_model(directory, size_gb):
    layer_bytes = WIDTH * WIDTH * 4
    layers = max(1, round(size_gb * 2**30 / layer_bytes))
    rng = np.random.default_rng(0)
    nodes, inits = [], []
    value = "x"
    for i in range(layers):
        weight = rng.standard_normal((WIDTH, WIDTH), dtype=np.float32) * 0.01
        inits.append(numpy_helper.from_array(weight, f"w{i}"))
        nodes.append(helper.make_node("MatMul", [value, f"w{i}"], [f"h{i}"], name=f"fc{i}"))
        nodes.append(helper.make_node("Relu", [f"h{i}"], [f"a{i}"], name=f"relu{i}"))
        value = f"a{i}"
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, WIDTH])],
        [helper.make_tensor_value_info(value, TensorProto.FLOAT, [1, WIDTH])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path = os.path.join(directory, "mlp.onnx")
    onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                    location="mlp.weights", size_threshold=1024)
    return path, layers * layer_bytes


def import_once(translate, model, output):
    start = time.perf_counter()
    child = subprocess.Popen([translate, "--import-onnx", model,
                              "--mlir-elide-resource-strings-if-larger=64", "-o", output])
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"import failed with status {status}")
    return elapsed, usage.ru_maxrss * 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    parser.add_argument("--size-gb", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--generate-into", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_into:
        build_model(args.generate_into, args.size_gb)
        return
    translate = os.path.join(os.path.abspath(args.build), "bin", "sparse-translate")

    scratch = tempfile.mkdtemp(prefix="sift-import-bench-")
    try:
        # Generate in a child process: the measured imports are forked from
        # this one, and must not inherit gigabytes of numpy arrays.
        subprocess.run([sys.executable, __file__, "--size-gb", str(args.size_gb),
                        "--generate-into", scratch], check=True)
        model = os.path.join(scratch, "mlp.onnx")
        weight_bytes = os.path.getsize(os.path.join(scratch, "mlp.weights"))
        output = os.path.join(scratch, "mlp.mlir")
        runs = [import_once(translate, model, output) for _ in range(args.runs)]
        times = [t for t, _ in runs]
        peaks = [m for _, m in runs]
        gib = weight_bytes / 2**30
        print(f"weights: {gib:.2f} GiB in {len(onnx.load(model, load_external_data=False).graph.initializer)} tensors (external data)")
        print(f"import: median {statistics.median(times):.2f} s "
              f"(min {min(times):.2f}, max {max(times):.2f}, {args.runs} runs)")
        print(f"peak resident memory: median {statistics.median(peaks) / 2**30:.2f} GiB "
              f"= {statistics.median(peaks) / weight_bytes:.2f}x the weights")
        print(f"printed module: {os.path.getsize(output) / 2**10:.1f} KiB")
    finally:
        if not args.keep:
            shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
