#!/usr/bin/env python3
"""The activation-sparsity benchmark: Sift dense, Sift sparse and ONNX Runtime
on the models of bench/make_models.py. `bash bench/run.sh` sets everything up
and runs this; see bench/README.md.

  bench/run.py [--work-dir build/bench] [--build-dir build] [--threads 2]
               [--repeat 20] [--warmup 5] [--rounds 7] [--models a,b]

For each model it compiles Sift dense and sparse executables, checks their
outputs on held-out inputs (sparse against dense, dense and ONNX Runtime
against numpy), then times every contestant with --threads T --repeat R
--warmup W, interleaved: --rounds rounds, each running every contestant of the
model once, in a rotating order. A contestant's median is the median of its
rounds' medians (each over R timed runs), its min and max the extremes of all
its runs. Ratios against dense compare the medians; the table also shows the
range of the per-round ratios (round r of a contestant against round r of
dense, run minutes apart at most), which is the noise of this machine.
Prints a table; writes WORK/results.json and WORK/results.png.

A contestant that fails to compile or run is reported as failed (with the
error line), never stops the benchmark.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
LATENCY = re.compile(r"latency over (\d+) runs: median ([0-9.eE+-]+) ms, "
                     r"min ([0-9.eE+-]+) ms, max ([0-9.eE+-]+) ms")
GATED_SPARSITIES = [0.0, 0.25, 0.5, 0.7, 0.9]


def log(message):
    print(message, flush=True)


def error_line(text):
    """The line of a failed command's output that says what went wrong."""
    lines = [l.strip() for l in (text or "").splitlines() if l.strip()]
    for pattern in (r"\berror\b", r"unknown|unrecognized|not supported|unsupported|failed|cannot"):
        for line in lines:
            if re.search(pattern, line, re.I):
                return re.sub(r"\s+Try: .*$", "", line)[:200]
    return lines[0][:200] if lines else "no output"


def run(cmd, timeout, cwd=None):
    """Runs cmd; returns (ok, stdout, stderr, seconds). Never raises."""
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
        return p.returncode == 0, p.stdout, p.stderr, time.monotonic() - start
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        return False, out, f"error: timed out after {timeout} s", time.monotonic() - start
    except OSError as e:
        return False, "", f"error: {e}", time.monotonic() - start


def rel_l2(a, b):
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    if a.shape != b.shape:
        return float("inf")
    denom = np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / (denom if denom > 0 else 1.0))


# ----------------------------------------------------------------------------
# Contestants
# ----------------------------------------------------------------------------

class Contestant:
    def __init__(self, model, name, label, kind, sparsity=None):
        self.model, self.name, self.label, self.kind = model, name, label, kind
        self.sparsity = sparsity          # requested sparsity (None: dense/lossless/ORT)
        self.exe = None                   # Sift executable
        self.report = None                # path of the sparsity report JSON
        self.compile_cmd = None
        self.compile_s = None
        self.error = None                 # why the contestant failed, if it did
        self.threads_flag = True          # whether the executable takes --threads
        self.rounds = []                  # [{"median_ms", "min_ms", "max_ms", "runs"}]
        self.accuracy = None              # {"against", "max_rel", "mean_rel", "per_input"}
        self.traffic = None               # from the report: skipped bytes etc.

    @property
    def failed(self):
        return self.error is not None

    def summary(self):
        if not self.rounds:
            return None
        return {
            "median_ms": statistics.median(r["median_ms"] for r in self.rounds),
            "min_ms": min(r["min_ms"] for r in self.rounds),
            "max_ms": max(r["max_ms"] for r in self.rounds),
            "runs": sum(r["runs"] for r in self.rounds),
            "round_medians_ms": [r["median_ms"] for r in self.rounds],
        }


def contestants_for(model, args):
    out = [Contestant(model, "dense", "Sift dense", "sift")]
    if model == "gated-mlp":
        for s in args.sparsities:
            out.append(Contestant(model, f"sparse{round(s * 100)}", f"Sift sparsity {s:g}",
                                  "sift", sparsity=s))
    elif model.startswith("relu-mlp"):
        out.append(Contestant(model, "lossless", "Sift lossless", "sift"))
        out.append(Contestant(model, "lossless-unordered", "Sift lossless, unordered", "sift"))
    if not args.skip_ort:
        out.append(Contestant(model, "ort", f"ORT CPU ({args.threads} thr)", "ort"))
    return out


def compile_sift(c, mdir, odir, args):
    """Compiles contestant c with sparse-compile, with cwd = the model's dir so
    the command reads as in the docs (model.onnx, calib.npy)."""
    exe = os.path.join(odir, c.name)
    cmd = [args.compiler, "model.onnx", "-o", exe]
    if c.name.startswith("sparse"):
        c.report = os.path.join(odir, f"report-{c.name}.json")
        cmd += [f"--sparsity={c.sparsity:g}", "--calibration=calib.npy", f"--report={c.report}"]
    elif c.name.startswith("lossless"):
        c.report = os.path.join(odir, f"report-{c.name}.json")
        cmd += ["--lossless", "--calibration=calib.npy", f"--report={c.report}"]
        if c.name == "lossless-unordered":
            cmd += ["--reorder-neurons=false"]
    if c.report and os.path.exists(c.report):
        os.remove(c.report)
    if os.path.exists(exe):
        os.remove(exe)
    c.compile_cmd = f"cd {shlex.quote(mdir)} && " + " ".join(shlex.quote(x) for x in cmd)
    ok, out, err, secs = run(cmd, args.compile_timeout, cwd=mdir)
    c.compile_s = secs
    if not ok or not os.path.exists(exe):
        c.error = "compile: " + error_line(err + "\n" + out)
        log(f"  {c.name:10s} compile FAILED ({secs:.1f} s): {error_line(err + chr(10) + out)}")
        return
    c.exe = exe
    log(f"  {c.name:10s} compiled in {secs:.1f} s")


def sift_cmd(c, args, extra):
    cmd = [c.exe]
    if c.threads_flag:
        cmd += ["--threads", str(args.threads)]
    return cmd + extra


def run_sift(c, args, extra, timeout):
    """Runs a Sift executable; drops --threads once if it is not supported yet."""
    ok, out, err, _ = run(sift_cmd(c, args, extra), timeout)
    if not ok and c.threads_flag and "--threads" in err and "unknown option" in err:
        c.threads_flag = False
        log(f"  note: {c.name} does not take --threads yet; it runs without it")
        ok, out, err, _ = run(sift_cmd(c, args, extra), timeout)
    return ok, out, err


def ort_cmd(args, model_path, extra):
    return ["node", os.path.join(BENCH, "ort_run.js"), "--model", model_path,
            "--ort-dir", args.ort_dir, "--threads", str(args.threads)] + extra


# ----------------------------------------------------------------------------
# Accuracy
# ----------------------------------------------------------------------------

def check_accuracy(model, contestants, mdir, odir, entry, args):
    n = entry["heldout"]
    inputs = [os.path.join(mdir, f"heldout_{i:02d}.npy") for i in range(n)]
    refs = [np.load(os.path.join(mdir, f"ref_{i:02d}.npy")) for i in range(n)]
    outputs = {}
    for c in contestants:
        if c.failed:
            continue
        adir = os.path.join(odir, "outputs", c.name)
        shutil.rmtree(adir, ignore_errors=True)
        os.makedirs(adir)
        got = []
        if c.kind == "sift":
            for i, x in enumerate(inputs):
                d = os.path.join(adir, f"{i:02d}")
                os.makedirs(d)
                ok, out, err = run_sift(c, args, ["--output-dir", d, "--output-format", "npy", x],
                                        args.run_timeout)
                path = os.path.join(d, "output_0.npy")
                if not ok or not os.path.exists(path):
                    c.error = "run: " + error_line(err + "\n" + out)
                    break
                got.append(np.load(path))
        else:
            evals = []
            for i, x in enumerate(inputs):
                evals += ["--eval", f"{x}:{os.path.join(adir, f'{i:02d}.npy')}"]
            ok, out, err, _ = run(ort_cmd(args, os.path.join(mdir, "model.onnx"),
                                          ["--input", inputs[0], "--repeat", "1", "--warmup", "0"] + evals),
                                  args.run_timeout)
            if not ok:
                c.error = "run: " + error_line(err + "\n" + out)
            else:
                got = [np.load(os.path.join(adir, f"{i:02d}.npy")) for i in range(n)]
        if c.failed:
            log(f"  {c.name:10s} run FAILED: {c.error}")
            continue
        outputs[c.name] = got

    dense = outputs.get("dense")
    for c in contestants:
        if c.name not in outputs:
            continue
        # Sparse executables against Sift dense (what the sparsity costs);
        # dense and ORT against numpy (are the compilers right at all).
        if c.name in ("dense", "ort") or dense is None:
            against, base = "numpy", refs
        else:
            against, base = "Sift dense", dense
        errs = [rel_l2(a, b) for a, b in zip(outputs[c.name], base)]
        c.accuracy = {"against": against, "max_rel": max(errs),
                      "mean_rel": float(np.mean(errs)), "per_input": errs}


# ----------------------------------------------------------------------------
# Timing
# ----------------------------------------------------------------------------

def time_once(c, mdir, args):
    x = os.path.join(mdir, "stream.npy")
    timing = ["--repeat", str(args.repeat), "--warmup", str(args.warmup), "--split-batch"]
    if c.kind == "sift":
        ok, out, err = run_sift(c, args, timing + [x], args.run_timeout)
        m = LATENCY.search(out) if ok else None
        if not m:
            c.error = "timing: " + (error_line(err + "\n" + out) if not ok else "no latency line in output")
            return
        c.rounds.append({"runs": int(m.group(1)), "median_ms": float(m.group(2)),
                         "min_ms": float(m.group(3)), "max_ms": float(m.group(4))})
    else:
        ok, out, err, _ = run(ort_cmd(args, os.path.join(mdir, "model.onnx"),
                                      ["--input", x] + timing), args.run_timeout)
        try:
            r = json.loads(out.strip().splitlines()[-1]) if ok else None
        except (ValueError, IndexError):
            r = None
        if not r:
            c.error = "timing: " + error_line(err + "\n" + out)
            return
        c.ort_version = r.get("onnxruntime_node")
        c.rounds.append({k: r[k] for k in ("runs", "median_ms", "min_ms", "max_ms")})


def time_model(contestants, mdir, args):
    live = [c for c in contestants if not c.failed]
    for r in range(args.rounds):
        k = r % max(1, len(live))
        order = live[k:] + live[:k]
        for c in order:
            if c.failed:
                continue
            time_once(c, mdir, args)
            s = c.rounds[-1] if (c.rounds and not c.failed) else None
            log(f"  round {r + 1}/{args.rounds} {c.name:10s} " +
                (f"median {s['median_ms']:.3f} ms (min {s['min_ms']:.3f}, max {s['max_ms']:.3f})"
                 if s else f"FAILED: {c.error}"))


# ----------------------------------------------------------------------------
# Weight traffic, from the sparsity report
# ----------------------------------------------------------------------------

def number(v):
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def weight_traffic(c, entry):
    """Bytes of weights one run reads: all of them for dense and ORT; for a
    sparse executable, all minus what its report says the gates skip. Reads
    the report defensively: gates[].weight_bytes_skipped_per_token first,
    then model.active_params_per_token / model.total_params, then
    gates[].calibrated_sparsity x gates[].weight_bytes."""
    total = entry["weight_bytes"]
    if c.report is None:
        return {"weight_bytes": total, "read_bytes": total, "skipped_fraction": 0.0,
                "source": "all weights"}
    t = {"weight_bytes": total, "read_bytes": None, "skipped_fraction": None,
         "source": None, "gates": None, "calibrated_sparsity": None}
    try:
        with open(c.report) as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        t["source"] = f"no report ({e.__class__.__name__})"
        return t
    if not isinstance(report, dict):
        t["source"] = "report is not a JSON object"
        return t
    gates = report.get("gates") if isinstance(report.get("gates"), list) else []
    gates = [g for g in gates if isinstance(g, dict)]
    model = report.get("model") if isinstance(report.get("model"), dict) else {}
    t["gates"] = len(gates)
    sparsities = [number(g.get("calibrated_sparsity")) for g in gates]
    sparsities = [s for s in sparsities if s is not None]
    if sparsities:
        t["calibrated_sparsity"] = sparsities

    skipped = [number(g.get("weight_bytes_skipped_per_token")) for g in gates]
    skipped = [s for s in skipped if s is not None]
    active, params = number(model.get("active_params_per_token")), number(model.get("total_params"))
    if skipped:
        t["source"] = "gates[].weight_bytes_skipped_per_token"
        skip = sum(skipped)
    elif active is not None and params:
        t["source"] = "model.active_params_per_token / total_params"
        skip = total * (1.0 - active / params)
    else:
        pairs = [(number(g.get("calibrated_sparsity")), number(g.get("weight_bytes"))) for g in gates]
        pairs = [(s, b) for s, b in pairs if s is not None and b is not None]
        if not pairs:
            t["source"] = "report has no per-gate traffic"
            return t
        t["source"] = "gates[].calibrated_sparsity x weight_bytes"
        skip = sum(s * b for s, b in pairs)
    skip = min(max(skip, 0.0), float(total))
    t["read_bytes"] = total - skip
    t["skipped_fraction"] = skip / total
    return t


# ----------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------

def fmt_ms(v):
    return f"{v:.3f}" if v < 10 else f"{v:.2f}" if v < 100 else f"{v:.1f}"


def round_ratios(dense, s):
    """dense/contestant for each round both completed."""
    if not dense:
        return []
    return [d / m for d, m in zip(dense["round_medians_ms"], s["round_medians_ms"]) if m > 0]


def print_table(models, bandwidth):
    bw = bandwidth.get("best_gbps") if bandwidth else None
    head = (f"{'model':10s} {'contestant':20s} {'median ms':>10s} {'(min - max)':>21s} "
            f"{'vs dense':>8s} {'per round':>11s} {'vs ORT':>7s} {'skipped':>7s} {'read MB':>8s} "
            f"{'GB/s':>6s} {'of BW':>6s}")
    log("")
    log(head)
    log("-" * len(head))
    for model, cs in models.items():
        by = {c.name: c.summary() for c in cs}
        dense, ort = by.get("dense"), by.get("ort")
        for c in cs:
            s = c.summary()
            if c.failed or s is None:
                log(f"{model:10s} {c.label:20s} FAILED  {c.error}")
                continue
            vs_dense = f"{dense['median_ms'] / s['median_ms']:.2f}x" if dense else "-"
            vs_ort = f"{ort['median_ms'] / s['median_ms']:.2f}x" if ort else "-"
            paired = round_ratios(dense, s)
            per_round = f"{min(paired):.2f}-{max(paired):.2f}" if paired else "-"
            t = c.traffic or {}
            if t.get("read_bytes") is not None:
                gbps = t["read_bytes"] / (s["median_ms"] * 1e-3) / 1e9
                skipped = f"{t['skipped_fraction']:.0%}"
                read = f"{t['read_bytes'] / 1e6:.1f}"
                g = f"{gbps:.2f}"
                of = f"{gbps / bw:.0%}" if bw else "-"
            else:
                skipped = read = g = of = "n/a"
            mm = f"({fmt_ms(s['min_ms'])} - {fmt_ms(s['max_ms'])})"
            log(f"{model:10s} {c.label:20s} {fmt_ms(s['median_ms']):>10s} {mm:>21s} "
                f"{vs_dense:>8s} {per_round:>11s} {vs_ort:>7s} {skipped:>7s} {read:>8s} {g:>6s} {of:>6s}")
    if bw:
        log(f"measured read bandwidth: {bw:.2f} GB/s ({bandwidth['threads']} threads, "
            f"best of {bandwidth['passes']} passes over {bandwidth['bytes'] / 2**30:.0f} GiB)")


def print_accuracy(models):
    log("")
    log("accuracy on held-out inputs (relative L2 error of each output, max and mean over inputs):")
    head = (f"{'model':10s} {'contestant':20s} {'against':>11s} {'max rel err':>12s} {'mean rel err':>13s}"
            f"  {'gate sparsity (calibrated, from the report)':s}")
    log(head)
    log("-" * len(head))
    for model, cs in models.items():
        for c in cs:
            a = c.accuracy
            if a is None:
                log(f"{model:10s} {c.label:20s} {'-':>11s} {'failed' if c.failed else '-':>12s}")
                continue
            sp = (c.traffic or {}).get("calibrated_sparsity")
            gates = (f"{len(sp)} gates, mean {np.mean(sp):.1%} (" +
                     ", ".join(f"{x:.0%}" for x in sp[:6]) + (", ..." if len(sp) > 6 else "") + ")"
                     ) if sp else ("-" if c.report is None else "n/a")
            log(f"{model:10s} {c.label:20s} {a['against']:>11s} {a['max_rel']:12.3e} {a['mean_rel']:13.3e}  {gates}")


def write_chart(path, models, bandwidth):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("chart: matplotlib is not installed (bench/run.sh installs python3-matplotlib); no PNG")
        return False
    fig, axes = plt.subplots(1, len(models), figsize=(6.5 * len(models), 4.8), squeeze=False)
    for ax, (model, cs) in zip(axes[0], models.items()):
        labels, med, lo, hi, colors = [], [], [], [], []
        dense = next((c.summary() for c in cs if c.name == "dense" and c.summary()), None)
        for c in cs:
            s = c.summary()
            labels.append(c.label)
            if s and not c.failed:
                med.append(s["median_ms"])
                lo.append(s["median_ms"] - s["min_ms"])
                hi.append(s["max_ms"] - s["median_ms"])
            else:
                med.append(0.0)
                lo.append(0.0)
                hi.append(0.0)
            colors.append("#888888" if c.kind == "ort" else "#1f77b4" if c.name == "dense" else "#2ca02c")
        ys = range(len(labels))
        ax.barh(ys, med, xerr=[lo, hi], color=colors, capsize=3)
        ax.set_yticks(list(ys))
        ax.set_yticklabels(labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("latency, ms (median; bars: min-max)")
        ax.set_title(model)
        for y, m, h in zip(ys, med, hi):
            if m > 0:
                note = f" {m:.2f} ms" + (f", {dense['median_ms'] / m:.2f}x vs dense" if dense else "")
                ax.text(m + h, y, note, va="center", fontsize=7)
            else:
                ax.text(0, y, " failed", va="center", fontsize=7, color="#b00000")
        ax.set_xlim(0, max([m + h for m, h in zip(med, hi)] + [1e-3]) * 1.45)
    bw = f"; read bandwidth {bandwidth['best_gbps']:.1f} GB/s" if bandwidth else ""
    fig.suptitle(f"Sift vs ONNX Runtime, batch 1{bw}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# ----------------------------------------------------------------------------
# Setup
# ----------------------------------------------------------------------------

def measure_bandwidth(args):
    src = os.path.join(BENCH, "bandwidth.c")
    exe = os.path.join(args.work_dir, "bin", "bandwidth")
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        cc = os.environ.get("CC", "cc")
        ok, out, err, _ = run([cc, "-O3", "-march=native", "-ffast-math", "-pthread", src, "-o", exe], 300)
        if not ok:
            log(f"bandwidth: cannot compile {src}: {error_line(err)}")
            return None
    ok, out, err, _ = run([exe, "--threads", str(args.threads), "--mib", str(args.bandwidth_mib)], 600)
    if not ok:
        log(f"bandwidth: {error_line(err)}")
        return None
    r = json.loads(out.strip().splitlines()[-1])
    log(f"bandwidth: {r['best_gbps']:.2f} GB/s best, {r['mean_gbps']:.2f} mean "
        f"({r['threads']} threads summing {r['bytes'] / 2**30:.0f} GiB, {r['passes']} passes)")
    return r


def l3_bytes():
    """The largest (last-level) cache's size, from sysfs; None if unknown."""
    best = None
    base = "/sys/devices/system/cpu/cpu0/cache"
    try:
        for d in os.listdir(base):
            try:
                with open(os.path.join(base, d, "level")) as f:
                    level = int(f.read())
                with open(os.path.join(base, d, "size")) as f:
                    text = f.read().strip()
            except (OSError, ValueError):
                continue
            mult = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1:], 1)
            size = int(text.rstrip("KMG")) * mult
            if level >= 2 and (best is None or size > best):
                best = size
    except (OSError, ValueError):
        return None
    return best


def machine_info():
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    git = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                         capture_output=True, text=True)
    return {"cpu": cpu, "cpus": os.cpu_count(), "llc_bytes": l3_bytes(), "loadavg_start": os.getloadavg(),
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "sift_git": git.stdout.strip() or None, "python": platform.python_version()}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--work-dir", default=None, help="default: BUILD_DIR/bench")
    p.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    p.add_argument("--compiler", default=None, help="default: BUILD_DIR/bin/sparse-compile")
    p.add_argument("--ort-dir", default=None, help="where onnxruntime-node is installed (default WORK/ort)")
    p.add_argument("--models", default="gated-mlp,relu-mlp,relu-mlp-skewed,conv-net")
    p.add_argument("--sparsities", default=",".join(f"{s:g}" for s in GATED_SPARSITIES),
                   help="gated-mlp's sparsities (default 0,0.25,0.5,0.7,0.9)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--rounds", type=int, default=7, help="interleaved rounds per contestant")
    p.add_argument("--bandwidth-mib", type=int, default=1024)
    p.add_argument("--skip-ort", action="store_true")
    p.add_argument("--compile-timeout", type=int, default=3600)
    p.add_argument("--run-timeout", type=int, default=1800)
    args = p.parse_args()
    args.build_dir = os.path.abspath(args.build_dir)
    args.work_dir = os.path.abspath(args.work_dir or os.path.join(args.build_dir, "bench"))
    args.compiler = os.path.abspath(args.compiler or os.path.join(args.build_dir, "bin", "sparse-compile"))
    args.ort_dir = os.path.abspath(args.ort_dir or os.path.join(args.work_dir, "ort"))
    args.sparsities = [float(s) for s in args.sparsities.split(",") if s]
    if args.repeat * args.rounds < 10:
        p.error("--repeat x --rounds must be at least 10 timed runs per contestant")
    return args


def main():
    args = parse_args()
    if not os.access(args.compiler, os.X_OK):
        sys.exit(f"error: no compiler at {args.compiler} (build it: ninja -C {args.build_dir} sparse-compile)")
    manifest_path = os.path.join(args.work_dir, "models", "manifest.json")
    ok, out, err, _ = run([sys.executable, os.path.join(BENCH, "make_models.py"), "--out", args.work_dir],
                          7200)
    sys.stdout.write(out)
    if not ok:
        sys.exit(f"error: make_models.py failed: {error_line(err)}")
    with open(manifest_path) as f:
        manifest = json.load(f)

    info = machine_info()
    log(f"machine: {info['cpu']}, {info['cpus']} CPUs, load average {info['loadavg_start'][0]:.2f}; "
        f"Sift {info['sift_git']}")
    bandwidth = measure_bandwidth(args)

    models = {}
    for model in args.models.split(","):
        entry = manifest["entries"].get(model)
        if entry is None:
            log(f"{model}: not in {manifest_path}; skipped")
            continue
        mdir = os.path.join(args.work_dir, "models", model)
        odir = os.path.join(args.work_dir, "out", model)
        os.makedirs(odir, exist_ok=True)
        log(f"\n== {model}: {entry['total_params'] / 1e6:.1f} M params, "
            f"{entry['weight_bytes'] / 1e6:.1f} MB of weights")
        cs = contestants_for(model, args)
        for c in cs:
            if c.kind == "sift":
                compile_sift(c, mdir, odir, args)
        log("  checking outputs on held-out inputs")
        check_accuracy(model, cs, mdir, odir, entry, args)
        for c in cs:
            if not c.failed and not entry.get("compute_bound"):
                c.traffic = weight_traffic(c, entry)
        log(f"  timing: {args.rounds} rounds x (--threads {args.threads} --repeat {args.repeat} "
            f"--warmup {args.warmup}), interleaved")
        time_model(cs, mdir, args)
        models[model] = cs

    info["loadavg_end"] = os.getloadavg()
    print_table(models, bandwidth)
    print_accuracy(models)
    notes = []
    if any(not c.threads_flag for cs in models.values() for c in cs):
        notes.append("Sift executables without --threads ran on one thread (the flag was not supported).")
    la = (info["loadavg_start"][0], info["loadavg_end"][0])
    if max(la) > (os.cpu_count() or 1) * 0.75:
        notes.append(f"the machine was busy (load average {la[0]:.1f} at start, {la[1]:.1f} at end "
                     f"on {os.cpu_count()} CPUs): timings are noisy.")
    llc = info.get("llc_bytes")
    cached = [f"{m} {c.name}" for m, cs in models.items() for c in cs
              if not c.failed and c.traffic and c.traffic.get("read_bytes") is not None
              and llc and c.traffic["read_bytes"] <= llc]
    if cached:
        notes.append(f"{', '.join(cached)} read at most {llc / 2**20:.0f} MiB of weights, the size of the "
                     "last-level cache: rows active for consecutive tokens can stay cached, so their GB/s "
                     "can exceed the measured (DRAM) bandwidth.")
    for n in notes:
        log(f"note: {n}")

    results = {
        "machine": info, "bandwidth": bandwidth, "notes": notes,
        "settings": {k: getattr(args, k) for k in ("threads", "repeat", "warmup", "rounds", "compiler")},
        "models": {},
    }
    for model, cs in models.items():
        results["models"][model] = {
            "weight_bytes": manifest["entries"][model]["weight_bytes"],
            "total_params": manifest["entries"][model]["total_params"],
            "contestants": [{
                "name": c.name, "label": c.label, "kind": c.kind, "sparsity": c.sparsity,
                "failed": c.failed, "error": c.error, "compile_cmd": c.compile_cmd,
                "compile_s": c.compile_s, "threads_flag": c.threads_flag if c.kind == "sift" else True,
                "report": c.report, "timing": c.summary(), "rounds": c.rounds,
                "accuracy": c.accuracy, "traffic": c.traffic,
                "onnxruntime_node": getattr(c, "ort_version", None),
            } for c in cs],
        }
    json_path = os.path.join(args.work_dir, "results.json")
    with open(json_path, "w") as f:
        json.dump(results, f, indent=1)
    png_path = os.path.join(args.work_dir, "results.png")
    charted = write_chart(png_path, models, bandwidth)
    log(f"\nwrote {json_path}" + (f" and {png_path}" if charted else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
