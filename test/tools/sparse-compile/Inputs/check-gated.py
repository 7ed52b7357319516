"""check-gated.py DIR REPORT OUTPUT [--input X] [--target S --tolerance T]:
checks a sparse executable's OUTPUT on X (DIR/heldout.npy by default)
against numpy applying the gates of REPORT (|a| <= threshold is zeroed, so
NaN is kept, as the runtime keeps it) to the model of make-mlp.py, NaN and
infinities included, and, with --target, that every gate's calibrated
sparsity is within --tolerance of S."""
import argparse
import json
import os

import numpy as np
import onnx
from onnx import numpy_helper

parser = argparse.ArgumentParser()
parser.add_argument("dir")
parser.add_argument("report")
parser.add_argument("output")
parser.add_argument("--input")
parser.add_argument("--target", type=float)
parser.add_argument("--tolerance", type=float, default=0.01)
args = parser.parse_args()

report = json.load(open(args.report))
gates = {g["node"]: g for g in report["gates"]}
if args.target is not None:
    for g in report["gates"]:
        s = g["calibrated_sparsity"]
        assert abs(s - args.target) <= args.tolerance, f"{g['node']}: sparsity {s}"

weights = {t.name: numpy_helper.to_array(t).astype(np.float64)
           for t in onnx.load(os.path.join(args.dir, "model.onnx")).graph.initializer}


def gate(node, a):
    if node not in gates:
        return a
    return np.where(np.abs(a) <= gates[node]["threshold"], 0.0, a)


x = np.load(args.input or os.path.join(args.dir, "heldout.npy")).astype(np.float64)
# Infinities make inf - inf (NaN) on purpose.
with np.errstate(invalid="ignore"):
    r0 = np.maximum(gate("fc0", x) @ weights["w0"].T + weights["b0"], 0)
    r1 = np.maximum(gate("fc1", r0) @ weights["w1"].T + weights["b1"], 0)
    expected = gate("head", r1) @ weights["w2"]
actual = np.load(args.output)
finite = np.isfinite(expected)
error = np.max(np.abs(actual - expected)[finite], initial=0.0)
# NaN must meet NaN and an infinity the same infinity.
assert np.allclose(actual, expected, rtol=1e-4, atol=1e-5, equal_nan=True), \
    f"max abs error {error}, non-finite at {np.argwhere(~np.isfinite(actual)).tolist()}" \
    f" where numpy has {np.argwhere(~finite).tolist()}"
print(f"gated outputs match numpy: {len(gates)} gate(s), "
      f"{np.count_nonzero(~finite)} non-finite value(s), max abs error {error:.2e}")
