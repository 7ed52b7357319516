"""half-mlp.py make DIR TYPE | check DIR TYPE OUTPUT.pb

make: an MLP exported in TYPE (f16 or bf16), y = MatMul(Relu(MatMul(x, W1)),
W2) with x [5, 300], W1 [300, 77], W2 [77, 9], weights, activations and
outputs all 16-bit; writes DIR/model.onnx and DIR/x.pb.

check: exits non-zero unless OUTPUT.pb (the executable's y) is within one
unit in the last place of TYPE of the products computed in float64 from the
16-bit values, each rounded to TYPE (by torch). A 16-bit accumulator drifts
further than that over 300 terms."""
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper

command, out, kind = sys.argv[1:4]
onnx_type = TensorProto.FLOAT16 if kind == "f16" else TensorProto.BFLOAT16
torch_type = torch.float16 if kind == "f16" else torch.bfloat16
mantissa_bits = 10 if kind == "f16" else 7


def rounded(values):
    return torch.from_numpy(np.asarray(values, np.float32)).to(torch_type)


def tensor(name, values):
    bits = rounded(values).view(torch.int16).numpy().tobytes()
    return helper.make_tensor(name, onnx_type, values.shape, bits, raw=True)


rng = np.random.default_rng(11)
w1 = rng.standard_normal((300, 77)) * 0.06
w2 = rng.standard_normal((77, 9)) * 0.1
x = rng.standard_normal((5, 300))

if command == "make":
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W1"], ["h"], name="fc1"),
         helper.make_node("Relu", ["h"], ["r"], name="relu"),
         helper.make_node("MatMul", ["r", "W2"], ["y"], name="fc2")],
        "half_mlp",
        [helper.make_tensor_value_info("x", onnx_type, [5, 300])],
        [helper.make_tensor_value_info("y", onnx_type, [5, 9])],
        [tensor("W1", w1), tensor("W2", w2)])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "model.onnx"))
    onnx.save_tensor(tensor("x", x), os.path.join(out, "x.pb"))
    sys.exit(0)

as64 = lambda v: rounded(v).double().numpy()
h = as64(np.maximum(as64(x) @ as64(w1), 0))
expected = as64(h @ as64(w2))
result = onnx.load_tensor(sys.argv[4])
assert result.data_type == onnx_type, result.data_type
actual = torch.frombuffer(bytearray(result.raw_data), dtype=torch.int16) \
    .view(torch_type).double().numpy().reshape(expected.shape)
ulp = 2.0 ** (np.floor(np.log2(np.abs(expected))) - mantissa_bits)
worst = np.max(np.abs(actual - expected) / ulp)
if worst > 1:
    sys.exit(f"{kind}: an output is {worst:.1f} units in the last place off")
print(f"{kind}: within one unit in the last place")
