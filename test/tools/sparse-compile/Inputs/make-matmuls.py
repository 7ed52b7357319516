"""make-matmuls.py DIR [--weight-type bf16|f16]: a model whose matmuls exercise the runtime kernels'
edge cases (sizes that are not multiples of the vector width or of four
rows, both weight layouts, a bias, a rank-3 input), inputs of 1, 3 and 37
rows, and numpy's outputs for them (float64). With --weight-type, the
outputs are those of the weights rounded to that type (by torch for bf16, by
numpy for f16), as `sparse-compile --weight-type` stores them.

  y = Gemm(x, A, bias, transB=1) -> [rows, 70]   (A is [70, 301])
  z = MatMul(Relu(y), B)         -> [rows, 13]   (B is [70, 13])
  w = MatMul(t, C)               -> [2, rows, 5] (t is [2, rows, 301], C [301, 5])
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--weight-type", choices=["f32", "bf16", "f16"], default="f32")
args = parser.parse_args()
out = args.out


def stored(weights):
    """`weights` as the compiled model multiplies them."""
    if args.weight_type == "f16":
        return weights.astype(np.float16).astype(np.float32)
    if args.weight_type == "bf16":
        import torch
        return torch.from_numpy(weights).to(torch.bfloat16).float().numpy()
    return weights


rng = np.random.default_rng(3)
a = rng.normal(0, 1, (70, 301)).astype(np.float32)
bias = rng.normal(0, 1, 70).astype(np.float32)
b = rng.normal(0, 1, (70, 13)).astype(np.float32)
c = rng.normal(0, 1, (301, 5)).astype(np.float32)
nodes = [
    helper.make_node("Gemm", ["x", "A", "bias"], ["y"], name="gemm", transB=1),
    helper.make_node("Relu", ["y"], ["r"], name="relu"),
    helper.make_node("MatMul", ["r", "B"], ["z"], name="matmul"),
    helper.make_node("MatMul", ["t", "C"], ["w"], name="batched"),
]
graph = helper.make_graph(
    nodes, "matmuls",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 301]),
     helper.make_tensor_value_info("t", TensorProto.FLOAT, [2, "n", 301])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 70]),
     helper.make_tensor_value_info("z", TensorProto.FLOAT, ["n", 13]),
     helper.make_tensor_value_info("w", TensorProto.FLOAT, [2, "n", 5])],
    [numpy_helper.from_array(v, n) for v, n in
     [(a, "A"), (bias, "bias"), (b, "B"), (c, "C")]])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out, "model.onnx"))

for rows in (1, 3, 37):
    x = rng.normal(0, 1, (rows, 301)).astype(np.float32)
    t = rng.normal(0, 1, (2, rows, 301)).astype(np.float32)
    y = x.astype(np.float64) @ stored(a).T + bias
    z = np.maximum(y, 0) @ stored(b)
    w = t.astype(np.float64) @ stored(c)
    d = os.path.join(out, f"rows{rows}")
    os.makedirs(d, exist_ok=True)
    np.save(os.path.join(d, "x.npy"), x)
    np.save(os.path.join(d, "t.npy"), t)
    for i, v in enumerate((y, z, w)):
        np.save(os.path.join(d, f"expected_{i}.npy"), v.astype(np.float32))
