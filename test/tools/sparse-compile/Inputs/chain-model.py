"""chain-model.py OUT N: writes OUT/chain.onnx, a chain of N nodes in steps
of two, t <- tanh(t @ W) with W constant [33, 33] weights, an input OUT/x.npy
of shape [2, 33], and OUT/expected.npy, the chain computed by numpy. The
matmuls are kernel calls, which elementwise fusion cannot merge across: one
loop nest per step remains."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out, count = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(7)
weights = rng.standard_normal((33, 33)).astype(np.float32) / 6
x = rng.standard_normal((2, 33)).astype(np.float32)

nodes = []
initializers = [
    numpy_helper.from_array(weights, "weights"),
]
value, expected = "x", x
for i in range(0, count, 2):
    nodes.append(helper.make_node("MatMul", [value, "weights"], [f"m{i}"], name=f"n{i}"))
    nodes.append(helper.make_node("Tanh", [f"m{i}"], [f"t{i}"], name=f"n{i + 1}"))
    value = f"t{i}"
    expected = np.tanh(expected @ weights)

graph = helper.make_graph(
    nodes, "chain",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 33])],
    [helper.make_tensor_value_info(value, TensorProto.FLOAT, [2, 33])],
    initializers)
model = helper.make_model(graph, opset_imports=[helper.make_operatorsetid("", 17)])
onnx.save(model, os.path.join(out, "chain.onnx"))
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "expected.npy"), expected.astype(np.float32))
