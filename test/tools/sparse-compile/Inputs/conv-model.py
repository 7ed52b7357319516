"""conv-model.py write DIR: writes a small convolutional model, its
calibration and held-out inputs, and its outputs on the held-out inputs
computed with numpy (float64), independently of Sift.

  model.onnx       x[1, 8, 5, 5] -> conv0 (3x3, pads 1, 8->8, bias) -> Relu
                   -> proj (1x1, 8->6, bias) -> y[1, 6, 5, 5]
  calibration.npy  [48, 8, 5, 5]   heldout.npy [16, 8, 5, 5]
  expected.npy     [16, 6, 5, 5]
  model-dynamic.onnx  the same model with a dynamic batch x[N, 8, 5, 5]

conv-model.py check REPORT OUTPUT [--target S --tolerance T]: checks a
sparse executable's OUTPUT on the held-out inputs against numpy applying the
gate of REPORT to proj's input (|a| <= threshold is zeroed). With --target,
also checks that the Relu alone zeroes less than S (so the threshold does
the work) and that the gate's calibrated sparsity is within T of S and of
what numpy measures on the calibration data with the same threshold.
"""
import argparse
import json
import os

import numpy as np


def conv(x, w, b, pad):
    """NCHW convolution with unit strides, in float64."""
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    kh, kw = w.shape[2:]
    h, wd = x.shape[2] - kh + 1, x.shape[3] - kw + 1
    y = np.zeros((x.shape[0], w.shape[0], h, wd))
    for i in range(kh):
        for j in range(kw):
            y += np.einsum("nchw,fc->nfhw", x[:, :, i:i + h, j:j + wd],
                           w[:, :, i, j])
    return y + b[None, :, None, None]


def parameters():
    rng = np.random.default_rng(11)
    w0 = rng.normal(0, 0.2, (8, 8, 3, 3)).astype(np.float32)
    # A positive bias keeps the Relu's own zeros well below half.
    b0 = rng.normal(0.4, 0.1, 8).astype(np.float32)
    w1 = rng.normal(0, 0.5, (6, 8, 1, 1)).astype(np.float32)
    b1 = rng.normal(0, 0.1, 6).astype(np.float32)
    calibration = rng.normal(0, 1, (48, 8, 5, 5)).astype(np.float32)
    heldout = rng.normal(0, 1, (16, 8, 5, 5)).astype(np.float32)
    return w0, b0, w1, b1, calibration, heldout


def proj_input(x, w0, b0):
    return np.maximum(conv(x.astype(np.float64), w0.astype(np.float64), b0, 1),
                      0)


def write(out):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    w0, b0, w1, b1, calibration, heldout = parameters()
    nodes = [
        helper.make_node("Conv", ["x", "w0", "b0"], ["h"], name="conv0",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["h"], ["r"], name="relu0"),
        helper.make_node("Conv", ["r", "w1", "b1"], ["y"], name="proj",
                         kernel_shape=[1, 1]),
    ]
    for batch, name in [(1, "model.onnx"), ("N", "model-dynamic.onnx")]:
        graph = helper.make_graph(
            nodes, "conv",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                           [batch, 8, 5, 5])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT,
                                           [batch, 6, 5, 5])],
            [numpy_helper.from_array(a, n) for a, n in
             [(w0, "w0"), (b0, "b0"), (w1, "w1"), (b1, "b1")]])
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", 13)])
        onnx.checker.check_model(model)
        onnx.save(model, os.path.join(out, name))
    np.save(os.path.join(out, "calibration.npy"), calibration)
    np.save(os.path.join(out, "heldout.npy"), heldout)
    expected = conv(proj_input(heldout, w0, b0), w1.astype(np.float64), b1, 0)
    np.save(os.path.join(out, "expected.npy"), expected.astype(np.float32))


def check(args):
    w0, b0, w1, b1, calibration, heldout = parameters()
    gates = json.load(open(args.report))["gates"]
    assert [g["node"] for g in gates] == ["proj"], f"gates: {gates}"
    threshold = gates[0]["threshold"]
    if args.target is not None:
        activations = proj_input(calibration, w0, b0)
        natural = np.mean(activations == 0)
        assert natural < args.target - args.tolerance, f"Relu zeroes {natural}"
        calibrated = gates[0]["calibrated_sparsity"]
        measured = np.mean(np.abs(activations) <= threshold)
        assert abs(calibrated - args.target) <= args.tolerance, \
            f"calibrated sparsity {calibrated}"
        assert abs(calibrated - measured) <= args.tolerance, \
            f"calibrated sparsity {calibrated}, numpy measures {measured}"
    a = proj_input(heldout, w0, b0)
    gated = np.where(np.abs(a) > threshold, a, 0.0)
    expected = conv(gated, w1.astype(np.float64), b1, 0)
    actual = np.load(args.output)
    error = np.max(np.abs(actual - expected))
    assert np.allclose(actual, expected, rtol=1e-4, atol=1e-5), \
        f"max abs error {error}"
    print(f"gated outputs match numpy: threshold {threshold:.4g}, "
          f"max abs error {error:.2e}")


parser = argparse.ArgumentParser()
commands = parser.add_subparsers(dest="command", required=True)
commands.add_parser("write").add_argument("dir")
checker = commands.add_parser("check")
checker.add_argument("report")
checker.add_argument("output")
checker.add_argument("--target", type=float)
checker.add_argument("--tolerance", type=float, default=0.01)
args = parser.parse_args()
if args.command == "write":
    write(args.dir)
else:
    check(args)
