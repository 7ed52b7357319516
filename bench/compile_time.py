#!/usr/bin/env python3
"""Compile time and memory of sparse-compile as a model grows.

Builds chains of N elementwise nodes (Relu and Neg alternating on a [1, 64]
tensor, so that nothing folds away) for each N given, and takes any ONNX
files given with --models (e.g. torchvision's resnet50, or a decoder from
bench/make_llama.py); compiles each with `sparse-compile --mlir-timing`, and
prints wall and CPU time, peak resident memory, and the five costliest steps
of each compile. CPU (user + system) time is the figure to compare across
runs on a busy machine; wall time is what a user waits.

    python3 bench/compile_time.py [--build build] [--nodes 1000 2000 4000 8000]
                                  [--models a.onnx ...]
                                  [-- extra sparse-compile options]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import onnx
from onnx import TensorProto, helper


def chain_model(count, path):
    nodes, value = [], "x"
    for i in range(count):
        op = "Relu" if i % 2 == 0 else "Neg"
        nodes.append(helper.make_node(op, [value], [f"t{i}"], name=f"n{i}"))
        value = f"t{i}"
    graph = helper.make_graph(
        nodes, f"chain{count}",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info(value, TensorProto.FLOAT, [1, 64])])
    onnx.save(helper.make_model(
        graph, opset_imports=[helper.make_operatorsetid("", 17)]), path)


def costliest_steps(timing_report, count=5):
    steps = []
    for line in timing_report.splitlines():
        # One "seconds (share)" column, or user and wall columns: the last
        # is wall time.
        match = re.match(r"\s*(?:([0-9.]+) \(\s*[0-9.]+%\)\s+)+(\S.*)$", line)
        if match and match.group(2) not in ("Total", "Rest"):
            steps.append((float(match.group(1)), match.group(2)))
    return sorted(steps, reverse=True)[:count]


def compile_once(compiler, model, output, extra):
    """Compiles `model`: (wall s, CPU s, peak MB, timing report)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [compiler, model, "-o", output, "--mlir-timing", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    report = process.stderr.read()
    # wait4 gives this child's own usage (RUSAGE_CHILDREN would give the
    # largest peak of every child so far).
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"sparse-compile failed on {model}:\n{report}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(
        os.path.dirname(__file__), "..", "build"))
    parser.add_argument("--nodes", type=int, nargs="*",
                        default=[1000, 2000, 4000, 8000])
    parser.add_argument("--models", nargs="*", default=[])
    parser.add_argument("extra", nargs="*")
    args = parser.parse_args()
    compiler = os.path.join(args.build, "bin", "sparse-compile")
    print(f"{'model':>16} {'wall s':>8} {'cpu s':>8} {'peak MB':>8}  costliest steps (wall s)")
    with tempfile.TemporaryDirectory() as scratch:
        models = []
        for count in args.nodes:
            model = os.path.join(scratch, f"chain{count}.onnx")
            chain_model(count, model)
            models.append((f"chain {count}", model))
        # bench/dense.py writes models/NAME/model.onnx: name them by folder.
        models += [(os.path.basename(os.path.dirname(m))
                    if os.path.basename(m) == "model.onnx"
                    else os.path.basename(m), m) for m in args.models]
        for label, model in models:
            wall, cpu, peak, report = compile_once(
                compiler, model, os.path.join(scratch, "model"), args.extra)
            steps = ", ".join(f"{name} {seconds:.1f}"
                              for seconds, name in costliest_steps(report))
            print(f"{label:>16} {wall:>8.1f} {cpu:>8.1f} {peak:>8.0f}  {steps}",
                  flush=True)


if __name__ == "__main__":
    main()
