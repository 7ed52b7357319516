#!/usr/bin/env python3
"""LLM decoding: one decode step of a Llama-shaped decoder (bench/make_llama.py,
random weights) with Sift in f32, bf16 and f16 weights, dense and gated,
against ONNX Runtime (f32), all in the same run.

  bench/decode.py [--layers 16] [--d 2048] [--ffn 5632] [--vocab 32000]
                  [--past 127] [--sparsity 0.5] [--threads 2] [--rounds 5]
                  [--repeat 10] [--weight-types f32,bf16]
                  [--work-dir build/bench/decode] [--build-dir build]
                  [--ort-dir build/bench/ort] [--no-ort]

A decode step reads every weight once, so it runs at the speed of memory:
the default model (16 layers, 3.1 GB of f32 matrices, 1.5 GB in bf16) is
more than twice the largest last-level cache of the machines this project
runs on. Each contestant is timed with --repeat R in --rounds interleaved
rounds, in a rotating order; its time is the median of its round medians,
and the ranges of per-round ratios show the machine's noise. Gated builds
are calibrated on 16 random steps at a uniform --sparsity: this measures
speed, not quality (examples/ has a trained model for quality). Outputs are
checked first: Sift f32 dense against ONNX Runtime, and each other build
against Sift f32 dense (relative L2 error of the logits).

Prints a markdown table (naming the CPU and the date) and writes
WORK/results.json.
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile

import numpy as np

from make_llama import add_shape_arguments, count_matrix_params, shape_command_line

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
LATENCY = re.compile(r"latency over (\d+) runs: median ([0-9.eE+-]+) ms")


def log(message=""):
    print(message, flush=True)


def run(command, timeout=3600):
    result = subprocess.run(command, capture_output=True, text=True,
                            timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}:\n{result.stderr[-2000:]}")
    return result.stdout


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def rel_l2(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


def make_inputs(args, model_dir):
    """A decode step's inputs (x, past keys, past values) and 16 calibration
    steps of each, stacked along dimension 0."""
    rng = np.random.default_rng(7)
    head_dim = args.d // args.heads
    shapes = {"x": (1, 1, args.d),
              "past-k": (args.layers, args.kv_heads, args.past, head_dim),
              "past-v": (args.layers, args.kv_heads, args.past, head_dim)}
    inputs, calibration = [], []
    for name, shape in shapes.items():
        path = os.path.join(model_dir, f"{name}.npy")
        np.save(path, rng.standard_normal(shape).astype(np.float32))
        inputs.append(path)
        stacked = os.path.join(model_dir, f"calibration-{name}.npy")
        np.save(stacked, rng.standard_normal((16 * shape[0],) + shape[1:])
                .astype(np.float32))
        calibration.append(stacked)
    return inputs, calibration


def matrix_bytes(args, weight_type):
    return count_matrix_params(args) * (4 if weight_type == "f32" else 2)


def time_sift(exe, inputs, args):
    out = run([exe, *inputs, "--threads", str(args.threads), "--repeat",
               str(args.repeat), "--warmup", "2"])
    return float(LATENCY.search(out).group(2))


def ort_command(model, inputs, args, *options):
    """bench/ort_run.js on `model` with one --input per graph input."""
    command = ["node", os.path.join(BENCH, "ort_run.js"), "--model", model,
               "--ort-dir", args.ort_dir, "--threads", str(args.threads),
               *options]
    for path in inputs:
        command += ["--input", path]
    return command


def time_ort(model, inputs, args):
    out = run(ort_command(model, inputs, args, "--repeat", str(args.repeat),
                          "--warmup", "2"))
    return json.loads(out.strip().splitlines()[-1])["median_ms"]


def first_output(exe, inputs):
    with tempfile.TemporaryDirectory() as out:
        run([exe, *inputs, "--output-dir", out, "--output-format", "npy"])
        return np.load(os.path.join(out, "output_0.npy"))


def ort_output(model, inputs, args):
    with tempfile.TemporaryDirectory() as out:
        path = os.path.join(out, "logits.npy")
        run(ort_command(model, inputs, args, "--repeat", "1", "--warmup", "0",
                        "--eval", ",".join(inputs) + ":" + path))
        return np.load(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_shape_arguments(parser, layers=16)
    parser.add_argument("--sparsity", type=float, default=0.5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--weight-types", default="f32,bf16")
    parser.add_argument("--work-dir", default=os.path.join(ROOT, "build", "bench", "decode"))
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--ort-dir", default=os.path.join(ROOT, "build", "bench", "ort"))
    parser.add_argument("--no-ort", action="store_true")
    args = parser.parse_args()

    compiler = os.path.join(args.build_dir, "bin", "sparse-compile")
    name = f"l{args.layers}-d{args.d}-f{args.ffn}-v{args.vocab}-p{args.past}"
    model_dir = os.path.join(args.work_dir, name)
    os.makedirs(model_dir, exist_ok=True)
    model = os.path.join(model_dir, "decoder.onnx")
    if not os.path.exists(model):
        log(f"making {model}")
        run([sys.executable, os.path.join(BENCH, "make_llama.py"), model,
             *shape_command_line(args)])
    inputs, calibration = make_inputs(args, model_dir)

    contestants = []  # (label, executable, weight type, gated)
    for weight_type in args.weight_types.split(","):
        for gated in (False, True):
            label = f"Sift {weight_type}" + (f", {args.sparsity:.0%} gates" if gated else "")
            exe = os.path.join(model_dir, f"{weight_type}{'-gated' if gated else ''}")
            command = [compiler, model, "-o", exe, f"--weight-type={weight_type}"]
            if gated:
                command += [f"--sparsity={args.sparsity}",
                            "--calibration=" + ",".join(calibration)]
            log(f"compiling {label}")
            run(command)
            contestants.append((label, exe, weight_type, gated))

    reference = first_output(contestants[0][1], inputs)
    errors = {}
    if not args.no_ort:
        errors["ONNX Runtime"] = rel_l2(reference, ort_output(model, inputs, args))
    for label, exe, _, _ in contestants[1:]:
        errors[label] = rel_l2(first_output(exe, inputs), reference)
    for label, error in errors.items():
        log(f"{label}: logits' relative L2 error against Sift f32 dense {error:.2e}")

    labels = [c[0] for c in contestants] + ([] if args.no_ort else ["ONNX Runtime"])
    rounds = {label: [] for label in labels}
    for r in range(args.rounds):
        order = labels[r % len(labels):] + labels[:r % len(labels)]
        for label in order:
            if label == "ONNX Runtime":
                rounds[label].append(time_ort(model, inputs, args))
            else:
                exe = next(c[1] for c in contestants if c[0] == label)
                rounds[label].append(time_sift(exe, inputs, args))
        log(f"round {r + 1}/{args.rounds}: " +
            ", ".join(f"{label} {rounds[label][-1]:.1f} ms" for label in labels))

    base = contestants[0][0]
    date = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    log(f"\n{name}: {matrix_bytes(args, 'f32') / 1e9:.2f} GB of f32 matrices; "
        f"{cpu_name()}, {os.cpu_count()} cores, {args.threads} threads, {date}; "
        f"medians of {args.rounds} rounds of {args.repeat} runs\n")
    log(f"| contestant | median ms | weight GB/s | speed-up over {base} (range over rounds) "
        f"| logits' relative error |")
    log("| --- | --- | --- | --- | --- |")
    results = []
    for label in labels:
        median = statistics.median(rounds[label])
        ratios = [b / t for b, t in zip(rounds[base], rounds[label])]
        contestant = next((c for c in contestants if c[0] == label), None)
        bandwidth = (f"{matrix_bytes(args, contestant[2]) / median / 1e6:.1f}"
                     if contestant and not contestant[3] else
                     "n/a" if contestant else
                     f"{matrix_bytes(args, 'f32') / median / 1e6:.1f}")
        error = errors.get(label)
        log(f"| {label} | {median:.3g} | {bandwidth} | "
            f"{statistics.median(ratios):.2f}× ({min(ratios):.2f}–{max(ratios):.2f}) | "
            f"{'reference' if error is None else f'{error:.1e}'} |")
        results.append({"contestant": label, "rounds_ms": rounds[label],
                        "median_ms": median, "speedup_rounds": ratios,
                        "relative_l2_vs_f32_dense": errors.get(label)})
    with open(os.path.join(args.work_dir, "results.json"), "w") as f:
        json.dump({"model": name, "cpu": cpu_name(), "date": date,
                   "threads": args.threads, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
