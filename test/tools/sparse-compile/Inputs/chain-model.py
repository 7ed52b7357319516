"""chain-model.py OUT N: writes OUT/chain.onnx, a chain of N elementwise nodes
in steps of three, t <- (t + tanh(t)) * 0.5, with a MatMul of constant
weights in the middle, an input OUT/x.npy of shape [2, 33], and
OUT/expected.npy, the chain computed by numpy. Each t has two readers, so
elementwise fusion leaves one loop nest per step."""
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
    numpy_helper.from_array(np.array(0.5, np.float32), "half"),
    numpy_helper.from_array(weights, "weights"),
]
value, expected = "x", x
for i in range(0, count, 3):
    if i // 3 == count // 6:
        nodes.append(helper.make_node("MatMul", [value, "weights"], [f"m{i}"], name=f"n{i}"))
        value, expected = f"m{i}", expected @ weights
    nodes.append(helper.make_node("Tanh", [value], [f"a{i}"], name=f"n{i}a"))
    nodes.append(helper.make_node("Add", [value, f"a{i}"], [f"b{i}"], name=f"n{i}b"))
    nodes.append(helper.make_node("Mul", [f"b{i}", "half"], [f"t{i}"], name=f"n{i}c"))
    value = f"t{i}"
    expected = (expected + np.tanh(expected)) * np.float32(0.5)

graph = helper.make_graph(
    nodes, "chain",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 33])],
    [helper.make_tensor_value_info(value, TensorProto.FLOAT, [2, 33])],
    initializers)
model = helper.make_model(graph, opset_imports=[helper.make_operatorsetid("", 17)])
onnx.save(model, os.path.join(out, "chain.onnx"))
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "expected.npy"), expected.astype(np.float32))
