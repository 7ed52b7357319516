#!/usr/bin/env python3
"""The main job on the bundled example: compiles the digits MLP with
sparse-compile dense and with activation gates calibrated to 25% and 50%
sparsity (on the bundled calibration digits), runs every executable on the
held-out test digits, and prints top-1 accuracy, realised sparsity, active
parameters per token and latency (median of repeated runs, with min and max)
side by side.

  examples/digits/run.py [--build DIR] [--repeat N] [--threads T]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "model.onnx")


def compile_model(build, output, *flags):
    subprocess.run([os.path.join(build, "bin", "sparse-compile"), MODEL, "-o", output,
                    *flags], check=True)


def run(exe, inputs, *flags):
    return subprocess.run([exe, *flags, inputs], check=True, capture_output=True,
                          text=True).stdout


def latency(exe, inputs, repeat, threads):
    out = run(exe, inputs, "--repeat", str(repeat), "--warmup", str(max(1, repeat // 10)),
              "--threads", str(threads))
    match = re.search(r"median ([0-9.]+) ms, min ([0-9.]+) ms, max ([0-9.]+) ms", out)
    return tuple(float(v) for v in match.groups())


def micro(milliseconds):
    """The executables report milliseconds; a batch-1 run of this model takes
    microseconds."""
    return milliseconds * 1000


def profile(exe, inputs):
    """Realised sparsity over all gates and active parameters per token."""
    out = run(exe, inputs, "--profile")
    sparsities = [float(s) for s in re.findall(r"^\s+\d+\s+\S+\s+\d+\s+\d+\s+([0-9.]+)%", out, re.M)]
    active = re.search(r"active parameters per token: (\d+) of (\d+)", out)
    return sparsities, int(active.group(1)), int(active.group(2))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(HERE, "..", "..", "build"))
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    build = os.path.abspath(args.build)

    inputs = os.path.join(HERE, "test_inputs.npy")
    calibration = os.path.join(HERE, "calibration_inputs.npy")
    labels = np.load(os.path.join(HERE, "test_labels.npy"))
    rows = []
    with tempfile.TemporaryDirectory(prefix="sift-digits-") as scratch:
        single = os.path.join(scratch, "one_digit.npy")
        np.save(single, np.load(inputs)[:1])
        variants = [("dense", [])] + [
            (f"sparse {int(target * 100)}%",
             [f"--sparsity={target}", f"--calibration={calibration}"])
            for target in (0.25, 0.5)]
        for name, flags in variants:
            exe = os.path.join(scratch, name.replace(" ", "-").replace("%", ""))
            compile_model(build, exe, *flags)
            out_dir = os.path.join(scratch, "out-" + os.path.basename(exe))
            os.makedirs(out_dir)
            run(exe, inputs, "--output-dir", out_dir, "--output-format", "npy")
            logits = np.load(os.path.join(out_dir, "output_0.npy"))
            accuracy = 100.0 * (logits.argmax(axis=1) == labels).mean()
            if flags:
                sparsities, active, total = profile(exe, inputs)
                sparsity = np.mean(sparsities)
            else:
                sparsity, active, total = 0.0, None, None
            rows.append((name, accuracy, sparsity, active, total,
                         latency(exe, single, args.repeat, args.threads),
                         latency(exe, inputs, args.repeat, args.threads)))

    dense_active = rows[1][4]
    print("model: examples/digits/model.onnx (64-256-256-10 MLP trained on scikit-learn digits)")
    print(f"held-out digits: {len(labels)}; threads: {args.threads}; "
          f"latency: median [min, max] of {args.repeat} runs")
    print(f"{'path':<11} {'top-1':>7} {'realised sparsity':>18} {'active params/token':>20} "
          f"{'batch 1 µs':>26} {'batch ' + str(len(labels)) + ' µs':>26}")
    for name, accuracy, sparsity, active, total, one, batch in rows:
        active_text = f"{active if active is not None else dense_active} of {dense_active}"
        print(f"{name:<11} {accuracy:>6.2f}% {sparsity:>17.1f}% {active_text:>20} "
              f"{micro(one[0]):>9.1f} [{micro(one[1]):.1f}, {micro(one[2]):.1f}] "
              f"{micro(batch[0]):>9.1f} [{micro(batch[1]):.1f}, {micro(batch[2]):.1f}]")
    print("realised sparsity: mean over the 3 gates of the share of their input activations that are zero "
          "on the held-out digits (measured by --profile). A gate whose input is already sparser than the "
          "target (blank pixels, Relu zeros) keeps threshold 0, so at 25% the gates add nothing to the "
          "natural zeros; active parameters count every weight and bias.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
