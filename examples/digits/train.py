#!/usr/bin/env python3
"""Trains the bundled example: a 64-256-256-10 ReLU MLP on scikit-learn's
handwritten digits (8x8 images, 1797 samples), deterministically, with
numpy alone, and exports it to ONNX as PyTorch's exporter would write a
stack of Linear layers (Gemm with transB=1).

  examples/digits/train.py OUTPUT_DIR

Writes OUTPUT_DIR/model.onnx, the held-out test set as
OUTPUT_DIR/test_inputs.npy (float32 [N, 64]) and OUTPUT_DIR/test_labels.npy
(int64 [N]), and a calibration set as OUTPUT_DIR/calibration_inputs.npy.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_digits

SIZES = [64, 256, 256, 10]
EPOCHS = 60
BATCH = 32
LEARNING_RATE = 0.05


def split(rng):
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    test = len(x) // 5
    calibration = 128
    return (x[test + calibration:], y[test + calibration:],
            x[test:test + calibration], x[:test], y[:test])


def forward(params, x):
    activations = [x]
    for i, (w, b) in enumerate(params):
        z = activations[-1] @ w.T + b
        activations.append(np.maximum(z, 0) if i + 1 < len(params) else z)
    return activations


def train(x, y, rng):
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = np.sqrt(6.0 / fan_in)
        params.append([rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
                       np.zeros(fan_out, np.float32)])
    for _ in range(EPOCHS):
        order = rng.permutation(len(x))
        for start in range(0, len(x), BATCH):
            batch = order[start:start + BATCH]
            acts = forward(params, x[batch])
            logits = acts[-1]
            probs = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs /= probs.sum(axis=1, keepdims=True)
            grad = probs
            grad[np.arange(len(batch)), y[batch]] -= 1
            grad /= len(batch)
            for i in reversed(range(len(params))):
                w, b = params[i]
                grad_w = grad.T @ acts[i]
                grad_b = grad.sum(axis=0)
                if i:
                    grad = (grad @ w) * (acts[i] > 0)
                params[i][0] = w - LEARNING_RATE * grad_w
                params[i][1] = b - LEARNING_RATE * grad_b
    return params


def export(params, path):
    nodes, inits = [], []
    value = "input"
    for i, (w, b) in enumerate(params):
        inits += [numpy_helper.from_array(w, f"fc{i}.weight"),
                  numpy_helper.from_array(b, f"fc{i}.bias")]
        out = f"fc{i}_out" if i + 1 < len(params) else "logits"
        nodes.append(helper.make_node("Gemm", [value, f"fc{i}.weight", f"fc{i}.bias"], [out],
                                      name=f"/fc{i}/Gemm", transB=1))
        value = out
        if i + 1 < len(params):
            nodes.append(helper.make_node("Relu", [value], [f"relu{i}_out"], name=f"/relu{i}/Relu"))
            value = f"relu{i}_out"
    graph = helper.make_graph(
        nodes, "digits_mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", SIZES[0]])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", SIZES[-1]])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="sift-examples")
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    x_train, y_train, x_cal, x_test, y_test = split(rng)
    params = train(x_train, y_train, rng)
    accuracy = (forward(params, x_test)[-1].argmax(axis=1) == y_test).mean()
    export(params, os.path.join(out, "model.onnx"))
    np.save(os.path.join(out, "test_inputs.npy"), x_test)
    np.save(os.path.join(out, "test_labels.npy"), y_test)
    np.save(os.path.join(out, "calibration_inputs.npy"), x_cal)
    print(f"trained {'-'.join(map(str, SIZES))} MLP: numpy test accuracy {accuracy:.4f} "
          f"on {len(y_test)} held-out digits")


if __name__ == "__main__":
    main()
