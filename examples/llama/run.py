#!/usr/bin/env python3
"""The Llama example end to end: compiles prefill.onnx and decode.onnx
dense and with activation gates calibrated to 50% sparsity (on the
windows of training text in calibration.npy; the decode graph on one step
after the first 64 bytes of each), as executables
(for perplexity and --profile) and as shared libraries (for generate.c,
built here with the system's cc), then prints:

- held-out perplexity per byte on the held-out tenth of the license texts,
  of each prefill executable (every byte of 128-byte windows) and of each
  decode executable (single steps at a few positions of each window), and
  the sparsity the prefill's gates realise there with the active
  parameters per token (--profile);
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
DECODE_PAST = 64  # the decode graph's calibration steps
DECODE_POSITIONS = (16, 48, 80, 112)  # decode perplexity's steps


def compile_graph(build, graph, output, flags, emit_lib=False):
    command = [os.path.join(build, "bin", "sparse-compile"),
               os.path.join(HERE, graph + ".onnx"), "-o", output, *flags]
    if emit_lib:
        command.append("--emit=lib")
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def run_steps(exe, inputs, scratch):
    """Runs `exe` once per row of the stacked `inputs` (--split-batch) and
    returns the paths of its stacked outputs."""
    directory = tempfile.mkdtemp(dir=scratch)
    paths = []
    for i, value in enumerate(inputs):
        paths.append(os.path.join(directory, f"input_{i}.npy"))
        np.save(paths[-1], value)
    out = os.path.join(directory, "outputs")
    subprocess.run([exe, *paths, "--split-batch", "--output-dir", out,
                    "--output-format", "npy"], check=True, stdout=subprocess.DEVNULL)
    return [os.path.join(out, f"output_{i}.npy") for i in range(3)]


def decode_inputs(prefill_exe, windows, past, scratch):
    """One decode step per window: the cache of its first `past` bytes (from
    `prefill_exe`), the byte after them and its position; the outputs of
    the prefill runs are stacked along dimension 0 as the decode inputs
    must be."""
    _, keys, values = run_steps(prefill_exe, [windows[:, :past]], scratch)
    return [windows[:, past:past + 1], np.load(keys), np.load(values),
            np.full(len(windows), past, dtype=np.int64)]


def decode_calibration(prefill_exe, scratch):
    """The decode graph's calibration steps: after the first DECODE_PAST
    bytes of each calibration window."""
    windows = np.load(os.path.join(HERE, "calibration.npy"))
    paths = []
    for name, value in zip(["token", "past-k", "past-v", "position"],
                           decode_inputs(prefill_exe, windows, DECODE_PAST, scratch)):
        paths.append(os.path.join(scratch, f"calibration-{name}.npy"))
        np.save(paths[-1], value)
    return paths


def calibration_flags(data, sparsity, report):
    return [f"--sparsity={sparsity}", "--calibration=" + ",".join(data),
            f"--report={report}"]


def held_out_windows():
    """The windows of train.perplexity: CONTEXT + 1 bytes every CONTEXT."""
    _, held_out = train.read_texts()
    data = np.frombuffer(held_out, dtype=np.uint8).astype(np.int64)
    starts = range(0, len(data) - train.CONTEXT, train.CONTEXT)
    return np.stack([data[s:s + train.CONTEXT + 1] for s in starts])


def log_likelihoods(logits, targets):
    logits = logits.astype(np.float64)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return np.take_along_axis(log_probs, targets[..., None], axis=-1)


def perplexity(prefill_exe, windows, scratch):
    """Per byte, every byte of each window predicted by one prefill run."""
    logits, _, _ = run_steps(prefill_exe, [windows[:, :-1]], scratch)
    return math.exp(-log_likelihoods(np.load(logits), windows[:, 1:]).mean())


def decode_perplexity(decode_exe, dense_prefill_exe, windows, scratch):
    """Per byte, through the decode graph: the byte after DECODE_POSITIONS
    of each window, each predicted by one decode step after the dense
    prefill's cache of the bytes before, so that only the decode graph's
    gates differ between builds."""
    likelihoods = []
    for past in DECODE_POSITIONS:
        inputs = decode_inputs(dense_prefill_exe, windows, past, scratch)
        logits, _, _ = run_steps(decode_exe, inputs, scratch)
        likelihoods.append(log_likelihoods(np.load(logits)[:, 0],
                                           windows[:, past + 1]))
    return math.exp(-np.mean(likelihoods))


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
            dense_prefill = os.path.join(builds.get("dense", {"dir": directory})["dir"],
                                         "prefill")
            builds[name] = {
                "dir": directory,
                "generate": build_generator(directory),
                "perplexity": perplexity(os.path.join(directory, "prefill"),
                                         windows, scratch),
                "decode_perplexity": decode_perplexity(
                    os.path.join(directory, "decode"), dense_prefill, windows, scratch)}
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
    print(f"{'build':<12} {'perplexity':>10} {'decode ppl':>10} {'sparsity':>9} "
          f"{'active params/token':>22} "
          f"{'decode tokens/s':>20} {'step ms':>8} {'1st prefill ms':>15}")
    for name, entry in builds.items():
        rates = entry["rates"]
        label = name if name == "dense" else f"gated {args.sparsity:.0%}"
        print(f"{label:<12} {entry['perplexity']:>10.3f} {entry['decode_perplexity']:>10.3f} "
              f"{entry['sparsity']:>8.1f}% "
              f"{entry['active']:>10} of {total:<8} "
              f"{statistics.median(rates):>7.0f} [{min(rates):.0f}, {max(rates):.0f}]"
              f"{statistics.median(entry['step_ms']):>9.3f}"
              f"{statistics.median(entry['prefill_ms']):>16.1f}")
    print("perplexity: per byte, through each build's prefill executable; decode ppl: "
          f"per byte, the byte after positions {', '.join(map(str, DECODE_POSITIONS))} "
          "of each window through each build's decode executable after the dense "
          "prefill's cache; sparsity "
          "and active parameters: the gated prefill's --profile on the held-out "
          "text (sparsity: mean over its gates); tokens/s: all decode steps of a "
          "run, wall clock; step ms: median step of a run (median over runs); "
          "1st prefill: the libraries' first call, with their one-time setup.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
