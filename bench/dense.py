#!/usr/bin/env python3
"""The dense-speed benchmark: Sift against ONNX Runtime on real architectures
(issue 11). Not part of the test suite.

  /usr/bin/python3 bench/dense.py [--models a,b] [--rounds 7] [--threads 2]
                                  [--work-dir build/bench/dense] [--build-dir build]
                                  [--ort-dir build/bench/ort] [--regenerate]
  /usr/bin/python3 bench/dense.py --baseline-dir build/bench/dense-before  (also times
                                  that run's executables in the same rounds)
  /usr/bin/python3 bench/dense.py --reprint build/bench/dense/results.json

For each model it
  1. builds it deterministically with torch/torchvision (random weights from
     fixed seeds, batch-norm statistics randomised too, opset 17, batch 1)
     into WORK/models/NAME/model.onnx with a fixed input.npy (skipped when
     the files exist, unless --regenerate);
  2. compiles it with sparse-compile (the compile time is recorded);
  3. runs Sift and ONNX Runtime once on input.npy and checks that their
     outputs agree (relative L2 error under 1e-3);
  4. times both, interleaved: --rounds rounds, each running Sift and ORT once
     (alternating which goes first) with --threads T, the same --repeat R
     (chosen per model so a round takes about --round-seconds) and
     --warmup 2. Each round gives each contestant a median over R runs.

Each round gives a ratio, ORT's median over Sift's (above 1 Sift is faster);
the headline ratio is the median of the rounds' ratios, and "spread" their
range: the noise of this machine (a shared machine's bursts of load move single
rounds). The JSON also holds each contestant's median of round medians and
their ratio. With --baseline-dir, an earlier run's executables (say, of the
commit before a change) take part in the same rounds: the table adds their
ORT/Sift ratio and the per-round speed-up of the new executables over them,
which compares the two under the same load. Prints a table and writes WORK/results.json (and results.txt)
with every number, the CPU (from /proc/cpuinfo) and the date.

ONNX Runtime is onnxruntime-node (bench/package.json), run by bench/ort_run.js;
bench/run.sh installs it into build/bench/ort (`npm install --ignore-scripts`).
"""

import argparse
import datetime
import json
import math
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
LATENCY = re.compile(r"latency over (\d+) runs: median ([0-9.eE+-]+) ms, "
                     r"min ([0-9.eE+-]+) ms, max ([0-9.eE+-]+) ms")


def log(message=""):
    print(message, flush=True)


# ----------------------------------------------------------------------------
# Models
# ----------------------------------------------------------------------------

def randomise_batch_norms(model, seed):
    """Gives every batch-norm non-trivial statistics and affine parameters,
    mild enough that 50 layers of them keep activations O(1): a model fresh
    from torchvision has mean 0, variance 1, scale 1, shift 0, which would
    hide a wrong batch-norm folding."""
    import torch
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            n = m.num_features
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(n, generator=g) * 0.05)
                m.running_var.copy_(0.8 + 0.4 * torch.rand(n, generator=g))
                m.weight.copy_(0.8 + 0.4 * torch.rand(n, generator=g))
                m.bias.copy_(torch.randn(n, generator=g) * 0.05)


def torchvision_model(name):
    def build():
        import torchvision
        return getattr(torchvision.models, name)(weights=None), (1, 3, 224, 224)
    return build


def audio_frontend():
    """A wav2vec2-style 1-D convolution feature encoder over 1 s of 16 kHz
    audio: Conv1d 1->128 (k 10, s 5), four of 128->128 (k 3, s 2), two of
    128->128 (k 2, s 2), each with batch-norm and ReLU."""
    import torch.nn as nn
    layers, cin = [], 1
    for k, s in [(10, 5), (3, 2), (3, 2), (3, 2), (3, 2), (2, 2), (2, 2)]:
        layers += [nn.Conv1d(cin, 128, k, stride=s, bias=False), nn.BatchNorm1d(128), nn.ReLU()]
        cin = 128
    return nn.Sequential(*layers), (1, 1, 16000)


def ocr_convnet():
    """A small CRNN-style 3x3 conv net on a 76x32 text-line crop (1 channel):
    conv-bn-relu blocks with pooling, then a per-column classifier."""
    import torch
    import torch.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            def block(cin, cout):
                return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
            self.features = nn.Sequential(
                *block(1, 32), nn.MaxPool2d(2),
                *block(32, 64), nn.MaxPool2d(2),
                *block(64, 128), *block(128, 128), nn.MaxPool2d((2, 1)),
                *block(128, 256))
            self.classifier = nn.Linear(256 * 9, 37)

        def forward(self, x):
            f = self.features(x)                      # [1, 256, 9, 8]
            f = f.permute(0, 3, 1, 2).flatten(2)      # [1, 8, 256 * 9]
            return self.classifier(f)

    return Net(), (1, 1, 76, 32)


def bert_encoder():
    """Two BERT-base-sized encoder layers: d=768, 12 heads, ffn 3072, GELU,
    post-norm, sequence 128."""
    import torch.nn as nn
    layer = nn.TransformerEncoderLayer(768, 12, 3072, dropout=0.0, activation="gelu",
                                       batch_first=True)
    return nn.TransformerEncoder(layer, 2, enable_nested_tensor=False), (1, 128, 768)


MODELS = {
    "resnet50": torchvision_model("resnet50"),
    "mobilenet_v3_small": torchvision_model("mobilenet_v3_small"),
    "efficientnet_b0": torchvision_model("efficientnet_b0"),
    "squeezenet1_1": torchvision_model("squeezenet1_1"),
    "shufflenet_v2_x1_0": torchvision_model("shufflenet_v2_x1_0"),
    "audio_conv1d": audio_frontend,
    "ocr_convnet": ocr_convnet,
    "bert_encoder_2l": bert_encoder,
}


def make_model(name, mdir):
    import torch
    seed = sorted(MODELS).index(name) + 1
    torch.manual_seed(seed)
    model, shape = MODELS[name]()
    randomise_batch_norms(model, seed)
    model.eval()
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    os.makedirs(mdir, exist_ok=True)
    path = os.path.join(mdir, "model.onnx")
    # Gradients stay enabled: under no_grad PyTorch 1.13 takes the fused
    # attention fast path, which cannot be exported.
    torch.onnx.export(model, torch.from_numpy(x), path, opset_version=17,
                      input_names=["x"], output_names=["y"], do_constant_folding=True)
    np.save(os.path.join(mdir, "input.npy"), x)


# ----------------------------------------------------------------------------
# Running
# ----------------------------------------------------------------------------

def run(cmd, timeout, cwd=None):
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
        return p.returncode == 0, p.stdout, p.stderr, time.monotonic() - start
    except subprocess.TimeoutExpired:
        return False, "", f"error: timed out after {timeout} s", time.monotonic() - start


def last_error(text):
    lines = [l for l in text.splitlines() if l.strip()]
    for l in lines:
        if "error" in l.lower():
            return l.strip()[:200]
    return lines[-1].strip()[:200] if lines else "no output"


def cpu_seconds():
    r = os.times()
    return r.children_user + r.children_system


def sift_cmd(exe, args, extra):
    return [exe, "--threads", str(args.threads)] + extra


def ort_cmd(args, model, extra):
    return ["node", os.path.join(BENCH, "ort_run.js"), "--model", model,
            "--ort-dir", args.ort_dir, "--threads", str(args.threads)] + extra


def rel_l2(a, b):
    a = np.asarray(a, np.float64).ravel()
    b = np.asarray(b, np.float64).ravel()
    if a.shape != b.shape:
        return float("inf")
    d = np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / (d if d > 0 else 1.0))


def time_sift(exe, x, repeat, args):
    ok, out, err, _ = run(sift_cmd(exe, args, ["--repeat", str(repeat), "--warmup", "2", x]),
                          args.run_timeout)
    m = LATENCY.search(out) if ok else None
    if not m:
        raise RuntimeError("sift timing: " + last_error(err + out))
    return {"runs": int(m.group(1)), "median_ms": float(m.group(2)),
            "min_ms": float(m.group(3)), "max_ms": float(m.group(4))}


def time_ort(model, x, repeat, args):
    ok, out, err, _ = run(ort_cmd(args, model, ["--input", x, "--repeat", str(repeat),
                                                "--warmup", "2"]), args.run_timeout)
    if not ok:
        raise RuntimeError("ort timing: " + last_error(err + out))
    r = json.loads(out.strip().splitlines()[-1])
    return {k: r[k] for k in ("runs", "median_ms", "min_ms", "max_ms")} | {
        "version": r.get("onnxruntime_node")}


def bench_model(name, args):
    mdir = os.path.join(args.work_dir, "models", name)
    model = os.path.join(mdir, "model.onnx")
    x = os.path.join(mdir, "input.npy")
    entry = {"model": name}
    if args.regenerate or not (os.path.exists(model) and os.path.exists(x)):
        log(f"{name}: exporting")
        make_model(name, mdir)
    entry["model_bytes"] = os.path.getsize(model)

    exe = os.path.join(args.work_dir, "out", name, "sift")
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    if os.path.exists(exe):
        os.remove(exe)
    before = cpu_seconds()
    ok, out, err, secs = run([args.compiler, model, "-o", exe], args.compile_timeout)
    entry["compile_s"] = secs
    entry["compile_cpu_s"] = cpu_seconds() - before
    if not ok:
        entry["error"] = "compile: " + last_error(err + out)
        log(f"{name}: compile FAILED: {entry['error']}")
        return entry
    log(f"{name}: compiled in {secs:.1f} s ({entry['compile_cpu_s']:.1f} s CPU)")

    # Outputs agree?
    with tempfile.TemporaryDirectory() as tmp:
        ok, out, err, secs = run(sift_cmd(exe, args, ["--output-dir", tmp, "--output-format", "npy", x]),
                                 args.run_timeout)
        if not ok:
            entry["error"] = "run: " + last_error(err + out)
            log(f"{name}: Sift run FAILED: {entry['error']}")
            return entry
        sift_y = np.load(os.path.join(tmp, "output_0.npy"))
        ort_path = os.path.join(tmp, "ort.npy")
        ok, out, err, _ = run(ort_cmd(args, model, ["--input", x, "--repeat", "1", "--warmup", "0",
                                                    "--eval", f"{x}:{ort_path}"]), args.run_timeout)
        if not ok:
            entry["error"] = "ort: " + last_error(err + out)
            log(f"{name}: ORT run FAILED: {entry['error']}")
            return entry
        ort_y = np.load(ort_path)
    entry["rel_l2_vs_ort"] = rel_l2(sift_y, ort_y)
    entry["max_abs_vs_ort"] = float(np.max(np.abs(sift_y.astype(np.float64) - ort_y))) \
        if sift_y.shape == ort_y.shape else float("inf")
    entry["outputs_agree"] = entry["rel_l2_vs_ort"] < 1e-3
    log(f"{name}: outputs {'agree' if entry['outputs_agree'] else 'DIFFER'} "
        f"(relative L2 {entry['rel_l2_vs_ort']:.2e})")

    # A repeat count that makes a round last about --round-seconds.
    probe = time_sift(exe, x, 2, args)["median_ms"]
    repeat = int(min(args.max_repeat, max(args.min_repeat, args.round_seconds * 1e3 / max(probe, 1e-3))))
    entry["repeat"] = repeat
    baseline = os.path.join(args.baseline_dir, "out", name, "sift") if args.baseline_dir else None
    if baseline and not os.path.exists(baseline):
        log(f"{name}: no baseline executable {baseline}")
        baseline = None
    sift_rounds, ort_rounds, base_rounds = [], [], []
    who_all = ["sift", "ort"] + (["base"] if baseline else [])
    for r in range(args.rounds):
        k = r % len(who_all)
        order = who_all[k:] + who_all[:k]
        try:
            for who in order:
                if who == "sift":
                    sift_rounds.append(time_sift(exe, x, repeat, args))
                elif who == "base":
                    base_rounds.append(time_sift(baseline, x, repeat, args))
                else:
                    ort_rounds.append(time_ort(model, x, repeat, args))
        except RuntimeError as e:
            entry["error"] = str(e)
            log(f"{name}: timing FAILED: {e}")
            return entry
        log(f"  round {r + 1}/{args.rounds}: Sift {sift_rounds[-1]['median_ms']:.3f} ms, "
            f"ORT {ort_rounds[-1]['median_ms']:.3f} ms" +
            (f", baseline Sift {base_rounds[-1]['median_ms']:.3f} ms" if baseline else ""))
    if baseline:
        entry["baseline_exe"] = baseline
        entry["baseline_rounds"] = base_rounds
        entry["baseline_round_ratios"] = [o["median_ms"] / b["median_ms"]
                                          for b, o in zip(base_rounds, ort_rounds)]
        entry["speedup_rounds"] = [b["median_ms"] / s["median_ms"]
                                   for b, s in zip(base_rounds, sift_rounds)]
        entry["baseline_ratio"] = statistics.median(entry["baseline_round_ratios"])
        entry["speedup"] = statistics.median(entry["speedup_rounds"])
    entry["ort_version"] = ort_rounds[0].get("version")
    for o in ort_rounds:
        o.pop("version", None)
    entry["sift_rounds"], entry["ort_rounds"] = sift_rounds, ort_rounds
    sift_ms = statistics.median(s["median_ms"] for s in sift_rounds)
    ort_ms = statistics.median(o["median_ms"] for o in ort_rounds)
    per_round = [o["median_ms"] / s["median_ms"] for s, o in zip(sift_rounds, ort_rounds)]
    entry.update({"sift_median_ms": sift_ms, "ort_median_ms": ort_ms,
                  "ratio_of_medians": ort_ms / sift_ms, "round_ratios": per_round})
    summarise(entry)
    return entry


def summarise(entry):
    """The headline ratio: the median of the per-round ratios (each pairs
    two medians taken moments apart, so a burst of load from elsewhere that
    hits one round of one contestant moves one ratio, not the headline)."""
    r = entry["round_ratios"]
    entry.update({"ratio": statistics.median(r), "ratio_min": min(r), "ratio_max": max(r)})


def machine():
    cpu = "unknown"
    flags = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and cpu == "unknown":
                cpu = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = line
    isa = [x for x in ("avx2", "fma", "avx512f") if f" {x}" in flags]
    git = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip()
    return {"cpu": cpu, "isa": isa, "cpus": os.cpu_count(),
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "loadavg_start": os.getloadavg(), "sift_git": git or None}


def print_table(entries, info, args):
    lines = [f"dense speed, {info['date']}, {info['cpu']} ({', '.join(info['isa'])}), "
             f"{info['cpus']} CPUs, {args.threads} threads, {args.rounds} rounds, Sift {info['sift_git']}",
             f"{'model':20s} {'Sift ms':>9s} {'ORT ms':>9s} {'ORT/Sift':>9s} {'spread':>13s} "
             f"{'rel L2':>9s} {'compile s':>10s}" +
             (f" {'baseline ORT/Sift':>18s} {'speed-up':>16s}"
              if any("baseline_ratio" in e for e in entries) else ""),
             "-" * 86]
    ratios = []
    for e in entries:
        if "ratio" not in e:
            lines.append(f"{e['model']:20s} FAILED: {e.get('error', '?')}")
            continue
        ratios.append(e["ratio"])
        lines.append(f"{e['model']:20s} {e['sift_median_ms']:9.3f} {e['ort_median_ms']:9.3f} "
                     f"{e['ratio']:9.2f} {e['ratio_min']:6.2f}-{e['ratio_max']:<6.2f} "
                     f"{e['rel_l2_vs_ort']:9.1e} {e['compile_s']:10.1f}" +
                     (f" {e['baseline_ratio']:18.2f} {e['speedup']:6.2f}x "
                      f"({min(e['speedup_rounds']):.2f}-{max(e['speedup_rounds']):.2f})"
                      if "baseline_ratio" in e else ""))
    if ratios:
        geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        lines.append(f"geometric mean of ORT/Sift over {len(ratios)} models: {geo:.2f}")
    base = [e["baseline_ratio"] for e in entries if "baseline_ratio" in e]
    if base:
        geo = math.exp(sum(math.log(r) for r in base) / len(base))
        lines.append(f"geometric mean of ORT/Sift for the baseline executables: {geo:.2f}")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--round-seconds", type=float, default=1.0)
    p.add_argument("--min-repeat", type=int, default=5)
    p.add_argument("--max-repeat", type=int, default=200)
    p.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    p.add_argument("--work-dir", default=None, help="default: BUILD_DIR/bench/dense")
    p.add_argument("--ort-dir", default=None, help="default: BUILD_DIR/bench/ort")
    p.add_argument("--compiler", default=None, help="default: BUILD_DIR/bin/sparse-compile")
    p.add_argument("--compile-timeout", type=int, default=1800)
    p.add_argument("--run-timeout", type=int, default=600)
    p.add_argument("--regenerate", action="store_true", help="export the models again")
    p.add_argument("--baseline-dir", default=None,
                   help="an earlier run's work dir: its executables (DIR/out/NAME/sift) are "
                        "timed in the same rounds, for a before/after speed-up")
    p.add_argument("--reprint", metavar="RESULTS_JSON",
                   help="print the table of an earlier run's results.json and exit")
    args = p.parse_args()
    if args.reprint:
        with open(args.reprint) as f:
            old = json.load(f)
        for e in old["models"]:
            if "round_ratios" in e:
                summarise(e)
        args.threads, args.rounds = old["threads"], old["rounds"]
        log(print_table(old["models"], old["machine"], args))
        return 0
    args.work_dir = args.work_dir or os.path.join(args.build_dir, "bench", "dense")
    args.ort_dir = args.ort_dir or os.path.join(args.build_dir, "bench", "ort")
    args.compiler = args.compiler or os.path.join(args.build_dir, "bin", "sparse-compile")
    names = [m for m in args.models.split(",") if m]
    unknown = [m for m in names if m not in MODELS]
    if unknown:
        p.error(f"unknown models {unknown}; known: {', '.join(MODELS)}")
    os.makedirs(args.work_dir, exist_ok=True)

    info = machine()
    entries = [bench_model(n, args) for n in names]
    table = print_table(entries, info, args)
    log()
    log(table)
    info["loadavg_end"] = os.getloadavg()
    ratios = [e["ratio"] for e in entries if "ratio" in e]
    result = {"machine": info, "threads": args.threads, "rounds": args.rounds,
              "geomean_ratio": math.exp(sum(map(math.log, ratios)) / len(ratios)) if ratios else None,
              "models": entries}
    with open(os.path.join(args.work_dir, "results.json"), "w") as f:
        json.dump(result, f, indent=1)
    with open(os.path.join(args.work_dir, "results.txt"), "w") as f:
        f.write(table + "\n")
    log(f"wrote {os.path.join(args.work_dir, 'results.json')}")
    return 0 if all("ratio" in e and e["outputs_agree"] for e in entries) else 1


if __name__ == "__main__":
    sys.exit(main())
