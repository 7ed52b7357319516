"""make-index-tuples.py DIR: a model of GatherND and ScatterND on index
tuples that numpy checks (float64 reference, written as float32):

  g = GatherND(data [2, 3, 4], gidx [2, n, 1], batch_dims=1)  -> [2, n, 4]
  s = ScatterND(base [4, 3], sidx [2, m, 1], upd [2, m, 3],
                reduction=mul)                                -> [4, 3]

with n and m dynamic (a key/value cache update is a ScatterND of rows), and
negative indices among them.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

out = sys.argv[1]
nodes = [
    helper.make_node("GatherND", ["data", "gidx"], ["g"], name="gather",
                     batch_dims=1),
    helper.make_node("ScatterND", ["base", "sidx", "upd"], ["s"],
                     name="scatter", reduction="mul"),
]
graph = helper.make_graph(
    nodes, "index_tuples",
    [helper.make_tensor_value_info("data", TensorProto.FLOAT, [2, 3, 4]),
     helper.make_tensor_value_info("gidx", TensorProto.INT64, [2, "n", 1]),
     helper.make_tensor_value_info("base", TensorProto.FLOAT, [4, 3]),
     helper.make_tensor_value_info("sidx", TensorProto.INT64, [2, "m", 1]),
     helper.make_tensor_value_info("upd", TensorProto.FLOAT, [2, "m", 3])],
    [helper.make_tensor_value_info("g", TensorProto.FLOAT, [2, "n", 4]),
     helper.make_tensor_value_info("s", TensorProto.FLOAT, [4, 3])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out, "model.onnx"))

rng = np.random.default_rng(4)
data = rng.normal(size=(2, 3, 4)).astype(np.float32)
gidx = np.array([[[2], [0], [-1]], [[1], [1], [-3]]], dtype=np.int64)
base = rng.normal(size=(4, 3)).astype(np.float32)
sidx = np.array([[[3], [0]], [[-1], [1]]], dtype=np.int64)  # -1 is row 3 again
upd = rng.normal(size=(2, 2, 3)).astype(np.float32)
for name, value in [("data", data), ("gidx", gidx), ("base", base),
                    ("sidx", sidx), ("upd", upd)]:
    np.save(os.path.join(out, f"{name}.npy"), value)

g = np.stack([data[b][gidx[b, :, 0]] for b in range(2)])
s = base.astype(np.float64)
for t, row in zip(sidx.reshape(-1), upd.reshape(-1, 3)):
    s[t] = s[t] * row
np.save(os.path.join(out, "expected-g.npy"), g)
np.save(os.path.join(out, "expected-s.npy"), s.astype(np.float32))
