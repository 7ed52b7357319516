"""make-weights-model.py DIR: a model with one constant large enough for the
weights file (a 256x128 f32 matrix, 128 KiB) and one too small (128x16,
8 KiB), its input, and numpy's output for it (float64).

  model.onnx    x[1, 256] -> MatMul W1 -> Relu -> MatMul W2 -> Add c -> y[1, 16]
  other.onnx    the same graph with other values in W1 (a weights file of
                the same size, from another compilation)
  x.npy, x.bin (raw float32), expected.npy
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(11)
w2 = rng.normal(0, 0.3, (128, 16)).astype(np.float32)
c = rng.normal(0, 1, 16).astype(np.float32)
x = rng.normal(0, 1, (1, 256)).astype(np.float32)


def save(w1, name):
    nodes = [
        helper.make_node("MatMul", ["x", "W1"], ["h"], name="up"),
        helper.make_node("Relu", ["h"], ["r"], name="relu"),
        helper.make_node("MatMul", ["r", "W2"], ["p"], name="down"),
        helper.make_node("Add", ["p", "c"], ["y"], name="bias"),
    ]
    graph = helper.make_graph(
        nodes, "weights",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 256])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 16])],
        [numpy_helper.from_array(w1, "W1"), numpy_helper.from_array(w2, "W2"),
         numpy_helper.from_array(c, "c")])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, name))


w1 = rng.normal(0, 0.1, (256, 128)).astype(np.float32)
save(w1, "model.onnx")
save(rng.normal(0, 0.1, (256, 128)).astype(np.float32), "other.onnx")
np.save(os.path.join(out, "x.npy"), x)
x.tofile(os.path.join(out, "x.bin"))
h = np.maximum(x.astype(np.float64) @ w1, 0)
np.save(os.path.join(out, "expected.npy"),
        (h @ w2 + c).astype(np.float32))
