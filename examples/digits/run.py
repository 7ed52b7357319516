#!/usr/bin/env python3
"""The main job on the bundled example: compiles the digits MLP with
sparse-compile, runs the executable on the held-out test digits, and prints
its accuracy and latency (median of repeated runs, with min and max).

  examples/digits/run.py [--build DIR] [--repeat N]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def compile_model(build, output):
    subprocess.run([os.path.join(build, "bin", "sparse-compile"),
                    os.path.join(HERE, "model.onnx"), "-o", output], check=True)


def run(exe, inputs, *flags):
    return subprocess.run([exe, *flags, inputs], check=True, capture_output=True,
                          text=True).stdout


def latency(exe, inputs, repeat):
    out = run(exe, inputs, "--repeat", str(repeat), "--warmup", str(max(1, repeat // 10)))
    match = re.search(r"median ([0-9.]+) ms, min ([0-9.]+) ms, max ([0-9.]+) ms", out)
    return tuple(float(v) for v in match.groups())


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(HERE, "..", "..", "build"))
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    build = os.path.abspath(args.build)

    inputs = os.path.join(HERE, "test_inputs.npy")
    labels = np.load(os.path.join(HERE, "test_labels.npy"))
    with tempfile.TemporaryDirectory(prefix="sift-digits-") as scratch:
        exe = os.path.join(scratch, "digits")
        compile_model(build, exe)
        out_dir = os.path.join(scratch, "out")
        os.makedirs(out_dir)
        run(exe, inputs, "--output-dir", out_dir, "--output-format", "npy")
        logits = np.load(os.path.join(out_dir, "output_0.npy"))
        correct = int((logits.argmax(axis=1) == labels).sum())

        single = os.path.join(scratch, "one_digit.npy")
        np.save(single, np.load(inputs)[:1])
        batch_ms = latency(exe, inputs, args.repeat)
        single_ms = latency(exe, single, args.repeat)

    print(f"model: examples/digits/model.onnx (64-256-256-10 MLP trained on scikit-learn digits)")
    print(f"held-out digits: {len(labels)}")
    print(f"{'path':<8} {'top-1 accuracy':>16} {'batch 1 ms (median [min, max])':>34} "
          f"{'batch ' + str(len(labels)) + ' ms (median [min, max])':>36}")
    print(f"{'dense':<8} {100.0 * correct / len(labels):>15.2f}% "
          f"{single_ms[0]:>15.4f} [{single_ms[1]:.4f}, {single_ms[2]:.4f}]"
          f"{batch_ms[0]:>17.4f} [{batch_ms[1]:.4f}, {batch_ms[2]:.4f}]")
    print(f"latency: {args.repeat} timed runs each; accuracy: {correct}/{len(labels)} correct")
    return 0


if __name__ == "__main__":
    sys.exit(main())
