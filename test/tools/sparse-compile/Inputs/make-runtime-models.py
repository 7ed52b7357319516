"""make-runtime-models.py DIR: writes models whose buffer sizes or divisors
come from their inputs at run time, and inputs that make those sizes
negative or enormous and those divisors zero, for runtime-errors.test.

  expand.onnx    x f32[1], shape i64[2] -> Expand          -> y f32[?, ?]
  fill.onnx      shape i64[1] -> ConstantOfShape            -> y f32[?]
  tile.onnx      x f32[2], repeats i64[1] -> Tile           -> y f32[?]
  pad.onnx       x f32[2], pads i64[2] -> Pad               -> y f32[?]
  div.onnx       a i64[3], b i64[3] -> Div (node 'divide')  -> y i64[3]
  mod.onnx       a i32[3], b i32[3] -> Mod (node 'modulo')  -> y i32[3]
  range.onnx     start, limit, delta i64[] -> Range         -> y i64[?]
  frange.onnx    start, limit, delta f32[] -> Range         -> y f32[?]
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

out = sys.argv[1]


def model(name, node, inputs, outputs):
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info(*i) for i in inputs],
        [helper.make_tensor_value_info(*o) for o in outputs])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(out, name + ".onnx"))


F, I64, I32 = TensorProto.FLOAT, TensorProto.INT64, TensorProto.INT32
model("expand", helper.make_node("Expand", ["x", "shape"], ["y"], name="grow"),
      [("x", F, [1]), ("shape", I64, [2])], [("y", F, ["a", "b"])])
model("fill", helper.make_node("ConstantOfShape", ["shape"], ["y"], name="fill"),
      [("shape", I64, [1])], [("y", F, ["n"])])
model("tile", helper.make_node("Tile", ["x", "repeats"], ["y"], name="tile"),
      [("x", F, [2]), ("repeats", I64, [1])], [("y", F, ["n"])])
model("pad", helper.make_node("Pad", ["x", "pads"], ["y"], name="pad"),
      [("x", F, [2]), ("pads", I64, [2])], [("y", F, ["n"])])
model("div", helper.make_node("Div", ["a", "b"], ["y"], name="divide"),
      [("a", I64, [3]), ("b", I64, [3])], [("y", I64, [3])])
model("mod", helper.make_node("Mod", ["a", "b"], ["y"], name="modulo"),
      [("a", I32, [3]), ("b", I32, [3])], [("y", I32, [3])])
model("range", helper.make_node("Range", ["start", "limit", "delta"], ["y"],
                                name="count"),
      [("start", I64, []), ("limit", I64, []), ("delta", I64, [])],
      [("y", I64, ["n"])])
model("frange", helper.make_node("Range", ["start", "limit", "delta"], ["y"],
                                 name="steps"),
      [("start", F, []), ("limit", F, []), ("delta", F, [])],
      [("y", F, ["n"])])


def save(name, values, dtype):
    np.save(os.path.join(out, name + ".npy"), np.array(values, dtype))


save("one", [1.5], np.float32)
save("two", [1.5, 2.5], np.float32)
save("shape-ok", [2, 3], np.int64)
save("shape-negative", [2, -3], np.int64)
save("shape-huge", [1 << 20, 1 << 40], np.int64)
save("shape-overflow", [1 << 40, 1 << 40], np.int64)
save("length-ok", [4], np.int64)
save("length-negative", [-4], np.int64)
save("length-huge", [1 << 50], np.int64)
save("pads-huge", [1 << 50, 0], np.int64)
save("a64", [7, -7, -(1 << 63)], np.int64)
save("b64", [2, 2, 3], np.int64)
save("b64-zero", [2, 0, 3], np.int64)
save("b64-minus-one", [2, 2, -1], np.int64)
save("a32", [7, -7, 9], np.int32)
save("b32", [2, 2, -4], np.int32)
save("b32-zero", [2, 2, 0], np.int32)
save("zero", 0, np.int64)
save("ten", 10, np.int64)
save("three", 3, np.int64)
save("fzero", 0, np.float32)
save("ften", 10, np.float32)
save("fthree", 3, np.float32)
save("ftiny", 1e-30, np.float32)
