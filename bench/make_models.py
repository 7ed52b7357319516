#!/usr/bin/env python3
"""Builds the activation-sparsity benchmark's models and their inputs.

  bench/make_models.py [--out build/bench] [--calib-rows 64] [--heldout 8] [--force]

Everything is generated from fixed seeds with numpy and onnx.helper (nothing
is downloaded), so two runs write the same files. For each model it writes,
under OUT/models/NAME/:

  model.onnx        the model; f32 weights stored as initializers
  calib.npy         calibration inputs, [ROWS, features] (one batch-1 input a row)
  input.npy         a held-out row, [1, features]
  stream.npy        all held-out rows, [heldout, features]: the timed runs
                    take one row each, in turn (--split-batch)
  heldout_NN.npy    held-out inputs, [1, features] each, never used to calibrate
  ref_NN.npy        numpy's output for heldout_NN.npy (a check of the compilers)

and OUT/models/manifest.json describing them (shapes, weight bytes, the
fraction of zero activations measured with numpy). The generation is skipped
when the manifest was written by this same script (same sha256) unless
--force.

Models:

  gated-mlp  LLaMA-style gated MLP block, d=2048, ffn=5632, batch 1:
             y = MatMul(Mul(Silu(MatMul(x, Wg)), MatMul(x, Wu)), Wd),
             Silu(v) = v * Sigmoid(v); weights input-major [in, out].
             x ~ N(0, 1) (like RMS-normalised hidden states), weights
             ~ N(0, 1/sqrt(fan_in)) so every pre-activation is O(1).
  relu-mlp   x[1,256] -> Gemm 256->4096 -> Relu -> Gemm 4096->4096 -> Relu
             -> Gemm 4096->4096 -> Relu -> Gemm 4096->256, Gemm with
             transB=1 (weights [out, in], as PyTorch's Linear exports).
             Each hidden neuron's bias is minus the 90th percentile of its
             pre-activation over a fitting sample, so ~90% of every hidden
             Relu output is exactly zero on typical inputs; each layer is
             then rescaled (Relu is positively homogeneous, the zero
             pattern is unchanged) so its active outputs are O(1).
  relu-mlp-skewed  the same, but each neuron's firing rate is drawn from a
             log-normal distribution (mean 10%): a few neurons fire often,
             most rarely, as in trained models. Ordering neurons by
             frequency (--reorder-neurons) matters here.
  conv-net   x[1,64,56,56] -> Conv 3x3 64->64 (pads 1, bias) -> Relu
             -> Conv 3x3 64->64 -> Relu -> Conv 1x1 64->64, a ResNet stage's
             shapes: the dense path on convolutions, which are compute-,
             not memory-bound (0.49 GFLOP a run). Weights ~ N(0, 2/fan_in).
"""

import argparse
import hashlib
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
SEED = 20261123
RELU_TARGET_ZERO = 0.90


def silu(v):
    return v / (1.0 + np.exp(-v))


# ----------------------------------------------------------------------------
# gated-mlp
# ----------------------------------------------------------------------------

def gated_mlp(rng, d=2048, ffn=5632):
    wg = (rng.standard_normal((d, ffn), dtype=np.float32) / np.sqrt(d)).astype(np.float32)
    wu = (rng.standard_normal((d, ffn), dtype=np.float32) / np.sqrt(d)).astype(np.float32)
    wd = (rng.standard_normal((ffn, d), dtype=np.float32) / np.sqrt(ffn)).astype(np.float32)

    nodes = [
        helper.make_node("MatMul", ["x", "w_gate"], ["gate"], name="gate_proj"),
        helper.make_node("Sigmoid", ["gate"], ["gate_sigmoid"], name="silu_sigmoid"),
        helper.make_node("Mul", ["gate", "gate_sigmoid"], ["gate_silu"], name="silu_mul"),
        helper.make_node("MatMul", ["x", "w_up"], ["up"], name="up_proj"),
        helper.make_node("Mul", ["gate_silu", "up"], ["hidden"], name="gate_mul_up"),
        helper.make_node("MatMul", ["hidden", "w_down"], ["y"], name="down_proj"),
    ]
    graph = helper.make_graph(
        nodes, "gated_mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, d])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, d])],
        initializer=[numpy_helper.from_array(wg, "w_gate"),
                     numpy_helper.from_array(wu, "w_up"),
                     numpy_helper.from_array(wd, "w_down")])

    w64 = [w.astype(np.float64) for w in (wg, wu, wd)]

    def forward(x):
        x = x.astype(np.float64)
        h = silu(x @ w64[0]) * (x @ w64[1])
        return (h @ w64[2]).astype(np.float32), [h]

    def sample(n):
        return rng.standard_normal((n, d), dtype=np.float32)

    matmuls = [
        {"node": "gate_proj", "weight": "w_gate", "shape": [d, ffn], "input": "x"},
        {"node": "up_proj", "weight": "w_up", "shape": [d, ffn], "input": "x"},
        {"node": "down_proj", "weight": "w_down", "shape": [ffn, d], "input": "hidden"},
    ]
    return graph, forward, sample, matmuls, d


# ----------------------------------------------------------------------------
# relu-mlp
# ----------------------------------------------------------------------------

def relu_mlp(rng, d_in=256, hidden=4096, layers=3, fit_rows=512, skewed=False):
    dims = [d_in] + [hidden] * layers + [d_in]

    def sample(n):
        return rng.standard_normal((n, d_in), dtype=np.float32)

    # Fit the biases on a sample of its own (not the calibration or held-out
    # rows), in float32 to keep generation quick.
    h = sample(fit_rows)
    weights, biases = [], []
    for i in range(len(dims) - 1):
        fan_in, fan_out = dims[i], dims[i + 1]
        w = (rng.standard_normal((fan_out, fan_in), dtype=np.float32) / np.sqrt(fan_in)).astype(np.float32)
        if i == len(dims) - 2:
            b = (0.01 * rng.standard_normal(fan_out)).astype(np.float32)
        else:
            pre = h @ w.T
            # Each neuron fires on ~10% of typical inputs (on average, with
            # skewed=True: a few neurons fire often, most rarely, as in
            # trained models)...
            rate = np.full(fan_out, 1.0 - RELU_TARGET_ZERO)
            if skewed:
                s = rng.lognormal(0.0, 1.5, fan_out)
                rate = np.clip(rate * s / s.mean(), 0.002, 0.9)
            ranked = np.sort(pre, axis=0)
            rows = np.minimum((1.0 - rate) * (len(pre) - 1), len(pre) - 1).astype(int)
            b = -ranked[rows, np.arange(fan_out)].astype(np.float32)
            act = np.maximum(pre + b, 0.0)
            # ...and its active outputs have an RMS of about 1.
            nz = act[act > 0]
            scale = np.float32(1.0 / np.sqrt(np.mean(nz * nz))) if nz.size else np.float32(1.0)
            w, b, h = w * scale, b * scale, act * scale
        weights.append(w.astype(np.float32))
        biases.append(b.astype(np.float32))
    weights64 = [w.astype(np.float64) for w in weights]

    nodes, inits = [], []
    value = "x"
    matmuls = []
    for i, (w, b) in enumerate(zip(weights, biases)):
        last = i == len(weights) - 1
        out = "y" if last else f"fc{i}"
        nodes.append(helper.make_node("Gemm", [value, f"fc{i}.weight", f"fc{i}.bias"], [out],
                                      name=f"fc{i}", transB=1))
        inits += [numpy_helper.from_array(w, f"fc{i}.weight"),
                  numpy_helper.from_array(b, f"fc{i}.bias")]
        matmuls.append({"node": f"fc{i}", "weight": f"fc{i}.weight",
                        "shape": list(w.shape), "input": value})
        if not last:
            nodes.append(helper.make_node("Relu", [out], [f"relu{i}"], name=f"relu{i}"))
            value = f"relu{i}"
    graph = helper.make_graph(
        nodes, "relu_mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, d_in])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, d_in])],
        initializer=inits)

    def forward(x):
        h = x.astype(np.float64)
        hidden = []
        for i, (w, b) in enumerate(zip(weights64, biases)):
            h = h @ w.T + b
            if i < len(weights) - 1:
                h = np.maximum(h, 0.0)
                hidden.append(h)
        return h.astype(np.float32), hidden

    return graph, forward, sample, matmuls, d_in


def conv2d(x, w, b, pad):
    """NCHW convolution with unit strides, in float64."""
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    kh, kw = w.shape[2:]
    h, wd = x.shape[2] - kh + 1, x.shape[3] - kw + 1
    y = np.zeros((x.shape[0], w.shape[0], h, wd)) + b[None, :, None, None]
    for i in range(kh):
        for j in range(kw):
            y += np.einsum("nchw,fc->nfhw", x[:, :, i:i + h, j:j + wd], w[:, :, i, j])
    return y


def conv_net(rng, channels=64, size=56):
    shapes = [(channels, channels, 3, 3), (channels, channels, 3, 3), (channels, channels, 1, 1)]
    weights = [(rng.standard_normal(s) * np.sqrt(2.0 / np.prod(s[1:]))).astype(np.float32)
               for s in shapes]
    biases = [(0.1 * rng.standard_normal(channels)).astype(np.float32) for _ in shapes]
    nodes, inits, value = [], [], "x"
    for i, (w, b) in enumerate(zip(weights, biases)):
        pad = w.shape[2] // 2
        inits += [numpy_helper.from_array(w, f"conv{i}.weight"),
                  numpy_helper.from_array(b, f"conv{i}.bias")]
        out = "y" if i == len(weights) - 1 else f"conv{i}"
        nodes.append(helper.make_node("Conv", [value, f"conv{i}.weight", f"conv{i}.bias"], [out],
                                      name=f"conv{i}", kernel_shape=list(w.shape[2:]),
                                      pads=[pad] * 4))
        value = out
        if i < len(weights) - 1:
            nodes.append(helper.make_node("Relu", [value], [f"relu{i}"], name=f"relu{i}"))
            value = f"relu{i}"
    shape = [1, channels, size, size]
    graph = helper.make_graph(
        nodes, "conv_net", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)], initializer=inits)
    matmuls = [{"node": f"conv{i}", "weight": f"conv{i}.weight"} for i in range(len(weights))]

    def sample(n):
        return rng.standard_normal([n] + shape[1:], dtype=np.float32)

    def forward(x):
        h, hidden = x.astype(np.float64), []
        for i, (w, b) in enumerate(zip(weights, biases)):
            h = conv2d(h, w.astype(np.float64), b, w.shape[2] // 2)
            if i < len(weights) - 1:
                h = np.maximum(h, 0.0)
                hidden.append(h)
        return h.astype(np.float32), hidden

    return graph, forward, sample, matmuls, shape[1:]


# Models whose time goes to arithmetic, not to reading weights: the
# benchmark shows no weight bandwidth for them.
COMPUTE_BOUND = {"conv-net"}

MODELS = {
    "gated-mlp": gated_mlp,
    "relu-mlp": relu_mlp,
    "relu-mlp-skewed": lambda rng: relu_mlp(rng, skewed=True),
    "conv-net": conv_net,
}


def zero_fractions(hidden):
    return [float(np.mean(h == 0.0)) for h in hidden]


def small_fractions(hidden, rel=0.01):
    """Fraction of |h| under rel * mean|h| per activation (a smooth activation
    such as the gated MLP's has almost no exact zeros)."""
    return [float(np.mean(np.abs(h) < rel * np.mean(np.abs(h)))) for h in hidden]


def build(name, directory, calib_rows, heldout):
    # One seed per model, so a model does not change when another is added.
    seed = SEED + sum(map(ord, name))
    rng = np.random.default_rng(seed)
    graph, forward, sample, matmuls, features = MODELS[name](rng)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="sift-bench")
    model.ir_version = 8
    onnx.checker.check_model(model)
    os.makedirs(directory, exist_ok=True)
    onnx.save(model, os.path.join(directory, "model.onnx"))

    calib = sample(calib_rows)
    held = sample(heldout)
    np.save(os.path.join(directory, "calib.npy"), calib)
    np.save(os.path.join(directory, "input.npy"), held[:1])
    # Timed runs cycle through every held-out row, one per run, so that each
    # run gates a different token (the same input every run would let a
    # sparse model's few active rows stay in the last-level cache).
    np.save(os.path.join(directory, "stream.npy"), held)
    for i in range(heldout):
        np.save(os.path.join(directory, f"heldout_{i:02d}.npy"), held[i:i + 1])
        y, _ = forward(held[i:i + 1])
        np.save(os.path.join(directory, f"ref_{i:02d}.npy"), y)

    _, calib_hidden = forward(calib)
    _, held_hidden = forward(held)
    init_bytes = {t.name: int(np.prod(t.dims)) * 4 for t in graph.initializer}
    for m in matmuls:
        m["weight_bytes"] = init_bytes[m["weight"]]
    info = {
        "path": os.path.relpath(os.path.join(directory, "model.onnx"), os.path.dirname(directory)),
        "seed": seed,
        "input_name": "x",
        "input_shape": [1] + (list(features) if isinstance(features, list) else [features]),
        "calib_shape": list(calib.shape),
        "heldout": heldout,
        "matmuls": matmuls,
        "compute_bound": name in COMPUTE_BOUND,
        "total_params": sum(b // 4 for b in init_bytes.values()),
        "weight_bytes": sum(init_bytes.values()),
        "hidden_zero_fraction_calib": zero_fractions(calib_hidden),
        "hidden_zero_fraction_heldout": zero_fractions(held_hidden),
        "hidden_small_fraction_heldout": small_fractions(held_hidden),
    }
    return info


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="build/bench", help="work dir (default build/bench)")
    parser.add_argument("--calib-rows", type=int, default=64)
    parser.add_argument("--heldout", type=int, default=8)
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated subset")
    parser.add_argument("--force", action="store_true", help="regenerate even if up to date")
    args = parser.parse_args()

    root = os.path.join(args.out, "models")
    manifest_path = os.path.join(root, "manifest.json")
    with open(__file__, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    wanted = args.models.split(",")
    key = {"generator_sha256": digest, "calib_rows": args.calib_rows,
           "heldout": args.heldout, "models": wanted}
    if not args.force and os.path.exists(manifest_path):
        with open(manifest_path) as f:
            old = json.load(f)
        if all(old.get(k) == v for k, v in key.items()) and all(
                os.path.exists(os.path.join(root, n, "model.onnx")) for n in wanted):
            print(f"make_models: {manifest_path} is up to date")
            return 0

    manifest = dict(key)
    manifest["entries"] = {}
    for name in wanted:
        if name not in MODELS:
            sys.exit(f"make_models: unknown model '{name}' (have {', '.join(MODELS)})")
        info = build(name, os.path.join(root, name), args.calib_rows, args.heldout)
        manifest["entries"][name] = info
        zc = ", ".join(f"{z:.1%}" for z in info["hidden_zero_fraction_calib"])
        zh = ", ".join(f"{z:.1%}" for z in info["hidden_zero_fraction_heldout"])
        sh = ", ".join(f"{z:.1%}" for z in info["hidden_small_fraction_heldout"])
        print(f"make_models: {name}: {info['total_params'] / 1e6:.1f} M params, "
              f"{info['weight_bytes'] / 2**20:.1f} MiB of f32 weights")
        print(f"  exact zeros in hidden activations: calibration [{zc}], held-out [{zh}]")
        print(f"  |h| < 1% of mean|h| (held-out): [{sh}]")
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"make_models: wrote {manifest_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
