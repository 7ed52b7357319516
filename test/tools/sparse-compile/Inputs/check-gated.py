"""check-gated.py DIR REPORT OUTPUT [--target S --tolerance T]: checks a
sparse executable's OUTPUT on DIR/heldout.npy against numpy applying the
gates of REPORT (|a| <= threshold is zeroed) to the model of make-mlp.py,
and, with --target, that every gate's calibrated sparsity is within
--tolerance of S."""
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
    return np.where(np.abs(a) > gates[node]["threshold"], a, 0.0)


x = np.load(os.path.join(args.dir, "heldout.npy")).astype(np.float64)
r0 = np.maximum(gate("fc0", x) @ weights["w0"].T + weights["b0"], 0)
r1 = np.maximum(gate("fc1", r0) @ weights["w1"].T + weights["b1"], 0)
expected = gate("head", r1) @ weights["w2"]
actual = np.load(args.output)
error = np.max(np.abs(actual - expected))
assert np.allclose(actual, expected, rtol=1e-4, atol=1e-5), f"max abs error {error}"
print(f"gated outputs match numpy: {len(gates)} gate(s), max abs error {error:.2e}")
