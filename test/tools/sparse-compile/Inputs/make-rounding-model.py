"""make-rounding-model.py DIR: y = MatMul(x, W) for a weight W of values
that stress rounding to bf16 and f16 (ties, subnormals, the edges of f16's
range), x the identity, so that y is W as the compiled model stores and
widens it. Writes model.onnx, x.npy, and expected-bf16.npy (torch's
rounding) and expected-f16.npy (numpy's); and overflow.onnx, the same with
one weight beyond f16's range. (Infinities and NaN cannot pass through a
product with zeros, and -0 + 0 is +0: those are left out.)"""
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(5)
special = np.array(
    [0.0, 1.0, -2.0, 1.00390625, 1.0 + 2.0**-9, 1.0 + 3 * 2.0**-11,
     65504.0, 65519.0, -65519.0, 2.0**-14, 2.0**-24, 3 * 2.0**-25, 2.0**-25,
     2.0**-26, 1e-30, -1e-38],
    dtype=np.float32)
# Magnitudes from 2^-30 to 2^15: f16's subnormals and every binade it has.
spread = (rng.standard_normal(1000) * 2.0 ** rng.integers(-30, 15, 1000))
values = np.concatenate([special, spread.astype(np.float32)])
k, n = 40, (values.size + 39) // 40
weights = np.zeros(k * n, np.float32)
weights[:values.size] = values
weights = weights.reshape(k, n)



def save_model(weights, name):
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["y"], name="matmul")],
        "rounding",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [k, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [k, n])],
        [numpy_helper.from_array(weights, "W")])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(model, os.path.join(out, name))


save_model(weights, "model.onnx")
overflow = weights.copy()
overflow[3, 4] = 65520.0
save_model(overflow, "overflow.onnx")
np.save(os.path.join(out, "x.npy"), np.eye(k, dtype=np.float32))
bf16 = torch.from_numpy(weights).to(torch.bfloat16).float().numpy()
np.save(os.path.join(out, "expected-bf16.npy"), bf16)
np.save(os.path.join(out, "expected-f16.npy"),
        weights.astype(np.float16).astype(np.float32))
