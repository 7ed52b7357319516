"""make-mlp.py DIR: writes a small ReLU MLP as PyTorch exports it (Gemm with
transB=1 and a bias, Relu; a final MatMul), its calibration and held-out
inputs, and its outputs on the held-out inputs computed with numpy (float64),
independently of Sift.

  model.onnx       x[?, 16] -> fc0 (16->32) -> Relu -> fc1 (32->32) -> Relu
                   -> head (MatMul 32->4) -> y[?, 4]
  calibration.npy  [64, 16]     heldout.npy  [32, 16]     expected.npy [32, 4]
  model-batch1.onnx  the same model with a static batch of 1
  model-outputs.onnx the same model with two more outputs: label (ArgMax of
                   y, int64) and r1 (the last hidden activations, f32)
  first8.npy       [8, 16]      the first eight held-out rows
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(7)
w0 = rng.normal(0, 0.5, (32, 16)).astype(np.float32)  # [out, in]: transB=1
b0 = rng.normal(0.4, 0.1, 32).astype(np.float32)
w1 = rng.normal(0, 0.3, (32, 32)).astype(np.float32)
b1 = rng.normal(0.3, 0.1, 32).astype(np.float32)
w2 = rng.normal(0, 0.3, (32, 4)).astype(np.float32)   # [in, out]: MatMul

nodes = [
    helper.make_node("Gemm", ["x", "w0", "b0"], ["h0"], name="fc0", transB=1),
    helper.make_node("Relu", ["h0"], ["r0"], name="relu0"),
    helper.make_node("Gemm", ["r0", "w1", "b1"], ["h1"], name="fc1", transB=1),
    helper.make_node("Relu", ["h1"], ["r1"], name="relu1"),
    helper.make_node("MatMul", ["r1", "w2"], ["y"], name="head"),
]
for batch, name in [("batch", "model.onnx"), (1, "model-batch1.onnx")]:
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 4])],
        [numpy_helper.from_array(a, n) for a, n in
         [(w0, "w0"), (b0, "b0"), (w1, "w1"), (b1, "b1"), (w2, "w2")]])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, name))

graph = helper.make_graph(
    nodes + [helper.make_node("ArgMax", ["y"], ["label"], name="label",
                              axis=1, keepdims=0)], "mlp",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 16])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4]),
     helper.make_tensor_value_info("label", TensorProto.INT64, ["batch"]),
     helper.make_tensor_value_info("r1", TensorProto.FLOAT, ["batch", 32])],
    [numpy_helper.from_array(a, n) for a, n in
     [(w0, "w0"), (b0, "b0"), (w1, "w1"), (b1, "b1"), (w2, "w2")]])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out, "model-outputs.onnx"))

calibration = rng.normal(0, 1, (64, 16)).astype(np.float32)
heldout = rng.normal(0, 1, (32, 16)).astype(np.float32)
np.save(os.path.join(out, "calibration.npy"), calibration)
np.save(os.path.join(out, "heldout.npy"), heldout)
np.save(os.path.join(out, "first8.npy"), heldout[:8])

x = heldout.astype(np.float64)
r0 = np.maximum(x @ w0.T.astype(np.float64) + b0, 0)
r1 = np.maximum(r0 @ w1.T.astype(np.float64) + b1, 0)
np.save(os.path.join(out, "expected.npy"), (r1 @ w2).astype(np.float32))
