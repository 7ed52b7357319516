#!/usr/bin/env python3
"""The Llama example end to end: compiles prefill.onnx and decode.onnx
dense and with activation gates calibrated to 50% sparsity (on the
windows of training text in calibration.npy; the decode graph on one step
after the first 64 bytes of each), as executables
(for perplexity and --profile) and as shared libraries (for generate.c,
built here with the system's cc), then prints:

- held-out perplexity per byte of each prefill executable on the held-out
  tenth of the license texts, and the sparsity the gates realise there with
  the active parameters per token (--profile);
- greedy generations of each build, and decode tokens per second (median
  of --repeat interleaved runs, min and max).

  examples/llama/run.py [--build DIR] [--repeat N] [--sparsity S]
"""

import argparse
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import train  # noqa: E402

PROMPT = "This License applies to any "
GENERATED = 100  # prompt + generated stay within the trained context (128)
DECODE_PAST = 64


def compile_graph(build, graph, output, flags, emit_lib=False):
    command = [os.path.join(build, "bin", "sparse-compile"),
               os.path.join(HERE, graph + ".onnx"), "-o", output, *flags]
    if emit_lib:
        command.append("--emit=lib")
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def decode_calibration(prefill_exe, scratch):
    """Inputs for calibrating the decode graph, one step per calibration
    window: its first DECODE_PAST bytes' cache (from the dense prefill
    executable), the byte after them and its position."""
    windows = np.load(os.path.join(HERE, "calibration.npy"))
    prompts = os.path.join(scratch, "calibration-prompts.npy")
    np.save(prompts, windows[:, :DECODE_PAST])
    out = os.path.join(scratch, "calibration-cache")
    subprocess.run([prefill_exe, prompts, "--split-batch", "--output-dir", out,
                    "--output-format", "npy"], check=True, stdout=subprocess.DEVNULL)
    token = os.path.join(scratch, "calibration-token.npy")
    position = os.path.join(scratch, "calibration-position.npy")
    np.save(token, windows[:, DECODE_PAST:DECODE_PAST + 1])
    np.save(position, np.full(len(windows), DECODE_PAST, dtype=np.int64))
    # The outputs stack the runs along dimension 0, as the inputs must.
    return [token, os.path.join(out, "output_1.npy"),
            os.path.join(out, "output_2.npy"), position]


def calibration_flags(data, sparsity, report):
    return [f"--sparsity={sparsity}", "--calibration=" + ",".join(data),
            f"--report={report}"]


def held_out_windows():
    """The windows of train.perplexity: CONTEXT + 1 bytes every CONTEXT."""
    _, held_out = train.read_texts()
    data = np.frombuffer(held_out, dtype=np.uint8).astype(np.int64)
    starts = range(0, len(data) - train.CONTEXT, train.CONTEXT)
    return np.stack([data[s:s + train.CONTEXT + 1] for s in starts])


def perplexity(prefill_exe, windows, scratch):
    inputs = os.path.join(scratch, "held-out-inputs.npy")
    np.save(inputs, windows[:, :-1])
    out = os.path.join(scratch, "held-out-" + os.path.basename(prefill_exe))
    subprocess.run([prefill_exe, inputs, "--split-batch", "--output-dir", out,
                    "--output-format", "npy"], check=True, stdout=subprocess.DEVNULL)
    logits = np.load(os.path.join(out, "output_0.npy")).astype(np.float64)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    targets = windows[:, 1:]
    picked = np.take_along_axis(log_probs, targets[..., None], axis=-1)
    return math.exp(-picked.mean())


def profile(prefill_exe, windows, scratch):
    """Realised sparsity (mean over gates) and active parameters per token
    of the gated prefill on the held-out windows."""
    inputs = os.path.join(scratch, "held-out-inputs.npy")
    np.save(inputs, windows[:, :-1])
    out = subprocess.run([prefill_exe, inputs, "--split-batch", "--profile"],
                         check=True, capture_output=True, text=True).stdout
    sparsities = [float(s) for s in
                  re.findall(r"^\s+\d+\s+\S+\s+\d+\s+\d+\s+([0-9.]+)%", out, re.M)]
    active = re.search(r"active parameters per token: (\d+) of (\d+)", out)
    return statistics.mean(sparsities), int(active.group(1)), int(active.group(2))


def build_generator(lib_dir):
    exe = os.path.join(lib_dir, "generate")
    subprocess.run(["cc", "-std=c99", "-O2", "-Wall", "-Wextra", "-I", lib_dir,
                    os.path.join(HERE, "generate.c"), "-L", lib_dir, "-lprefill",
                    "-ldecode", f"-Wl,-rpath,{lib_dir}", "-lm", "-o", exe], check=True)
    return exe


def generate(exe, *flags):
    out = subprocess.run([exe, "--tokens", str(GENERATED), *flags, PROMPT],
                         check=True, capture_output=True, text=True,
                         errors="replace").stdout
    text, stats = out.rsplit("\n---\n", 1)
    rate = float(re.search(r"([0-9.]+) tokens/s", stats).group(1))
    step_ms = float(re.search(r"a step's median ([0-9.]+) ms", stats).group(1))
    prefill_ms = float(re.search(r"prefill: \d+ tokens in ([0-9.]+) ms", stats).group(1))
    return text, rate, step_ms, prefill_ms


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(HERE, "..", "..", "build"))
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--sparsity", type=float, default=0.5)
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    windows = held_out_windows()

    with tempfile.TemporaryDirectory(prefix="sift-llama-") as scratch:
        builds = {}
        for name in ("dense", "gated"):
            directory = os.path.join(scratch, name)
            os.makedirs(directory)
            calibration = {"prefill": [os.path.join(HERE, "calibration.npy")]}
            if name == "gated":
                calibration["decode"] = decode_calibration(
                    os.path.join(builds["dense"]["dir"], "prefill"), scratch)
            for graph in ("prefill", "decode"):
                flags = []
                if name == "gated":
                    flags = calibration_flags(calibration[graph], args.sparsity,
                                              os.path.join(directory, graph + ".json"))
                compile_graph(build, graph, os.path.join(directory, graph), flags)
                compile_graph(build, graph, os.path.join(directory, f"lib{graph}.so"),
                              flags, emit_lib=True)
            builds[name] = {"dir": directory,
                            "generate": build_generator(directory),
                            "perplexity": perplexity(os.path.join(directory, "prefill"),
                                                     windows, scratch)}
        gated = builds["gated"]
        gated["sparsity"], gated["active"], total = profile(
            os.path.join(gated["dir"], "prefill"), windows, scratch)
        builds["dense"].update(sparsity=0.0, active=total)

        # Interleaved rounds, so that both builds see the same machine load.
        for round_ in range(args.repeat):
            for name, entry in builds.items():
                report = ([] if name == "dense" else
                          ["--report", os.path.join(entry["dir"], "decode.json")])
                text, rate, step_ms, prefill_ms = generate(entry["generate"], *report)
                entry.setdefault("rates", []).append(rate)
                entry.setdefault("step_ms", []).append(step_ms)
                entry.setdefault("prefill_ms", []).append(prefill_ms)
                entry["text"] = text
        sampled = generate(gated["generate"], "--temperature", "0.8", "--seed", "1")[0]

    for name, entry in builds.items():
        print(f"{name} (greedy): {entry['text']!r}")
    print(f"gated, sampled at temperature 0.8, seed 1: {sampled!r}")
    print()
    print(f"model: examples/llama ({total} parameters: 4 layers, d=128, 4 query and "
          f"2 key/value heads, SwiGLU 384, byte tokens)")
    print(f"held-out text: {windows.size - len(windows)} bytes predicted, in "
          f"{len(windows)} windows of {train.CONTEXT}; tokens/s: median [min, max] of "
          f"{args.repeat} runs of {GENERATED - 1} decode steps after a "
          f"{len(PROMPT)}-byte prompt, all cores")
    print(f"{'build':<12} {'perplexity':>10} {'sparsity':>9} {'active params/token':>22} "
          f"{'decode tokens/s':>20} {'step ms':>8} {'1st prefill ms':>15}")
    for name, entry in builds.items():
        rates = entry["rates"]
        label = name if name == "dense" else f"gated {args.sparsity:.0%}"
        print(f"{label:<12} {entry['perplexity']:>10.3f} {entry['sparsity']:>8.1f}% "
              f"{entry['active']:>10} of {total:<8} "
              f"{statistics.median(rates):>7.0f} [{min(rates):.0f}, {max(rates):.0f}]"
              f"{statistics.median(entry['step_ms']):>9.3f}"
              f"{statistics.median(entry['prefill_ms']):>16.1f}")
    print("perplexity: per byte, through each build's prefill executable; sparsity "
          "and active parameters: the gated prefill's --profile on the held-out "
          "text (sparsity: mean over its gates); tokens/s: all decode steps of a "
          "run, wall clock; step ms: median step of a run (median over runs); "
          "1st prefill: the libraries' first call, with their one-time setup.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
