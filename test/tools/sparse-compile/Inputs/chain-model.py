"""chain-model.py OUT N: writes OUT/chain.onnx, a chain of N elementwise nodes
(Mul by 0.9, Add 0.1, Tanh, repeated) with a MatMul of constant weights in
the middle, an input OUT/x.npy of shape [2, 33], and OUT/expected.npy, the
chain computed by numpy."""
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
    numpy_helper.from_array(np.array(0.9, np.float32), "scale"),
    numpy_helper.from_array(np.array(0.1, np.float32), "shift"),
    numpy_helper.from_array(weights, "weights"),
]
value, expected = "x", x
for i in range(count):
    name = f"t{i}"
    if i == count // 2:
        nodes.append(helper.make_node("MatMul", [value, "weights"], [name], name=f"n{i}"))
        expected = expected @ weights
    elif i % 3 == 0:
        nodes.append(helper.make_node("Mul", [value, "scale"], [name], name=f"n{i}"))
        expected = expected * np.float32(0.9)
    elif i % 3 == 1:
        nodes.append(helper.make_node("Add", [value, "shift"], [name], name=f"n{i}"))
        expected = expected + np.float32(0.1)
    else:
        nodes.append(helper.make_node("Tanh", [value], [name], name=f"n{i}"))
        expected = np.tanh(expected)
    value = name

graph = helper.make_graph(
    nodes, "chain",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 33])],
    [helper.make_tensor_value_info(value, TensorProto.FLOAT, [2, 33])],
    initializers)
model = helper.make_model(graph, opset_imports=[helper.make_operatorsetid("", 17)])
onnx.save(model, os.path.join(out, "chain.onnx"))
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "expected.npy"), expected.astype(np.float32))
