"""conv-kernels.py write DIR | check DIR EXE: a model whose convolutions
exercise the runtime's convolution kernel's edge cases, its inputs, and
numpy's outputs for them (float64, computed here, independently of Sift).

  a = Conv(x, A, bias)  x[N, 64, 9, 11], A [130, 64, 3, 3], pads 1, strides
                        2: 576 x 130 f32 weights do not fit the kernel's
                        cache budget, so the filters run in blocks (112, 18)
  b = Conv(y, B)        y[N, 3, 12, 10], B [5, 3, 5, 3], dilations (2, 1),
                        strides (1, 2), pads (3, 0, 1, 2): output widths that
                        are not multiples of four tokens or sixteen filters

`check` runs EXE on batches of 1 and 3 with 1, 2 and 3 threads and compares
both outputs with numpy's."""
import os
import sys

import numpy as np

from run_and_compare import run_and_compare


def conv(x, w, b, pads, strides, dilations):
    """NCHW convolution; pads are (top, left, bottom, right)."""
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    f, _, kh, kw = w.shape
    oh = (x.shape[2] - dilations[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (x.shape[3] - dilations[1] * (kw - 1) - 1) // strides[1] + 1
    y = np.zeros((x.shape[0], f, oh, ow)) + b[None, :, None, None]
    for i in range(kh):
        for j in range(kw):
            rows = x[:, :, i * dilations[0]:, j * dilations[1]:]
            window = rows[:, :, :oh * strides[0]:strides[0], :ow * strides[1]:strides[1]]
            y += np.einsum("nchw,fc->nfhw", window, w[:, :, i, j])
    return y


def parameters():
    rng = np.random.default_rng(5)
    a = rng.normal(0, 0.1, (130, 64, 3, 3)).astype(np.float32)
    bias = rng.normal(0, 1, 130).astype(np.float32)
    b = rng.normal(0, 1, (5, 3, 5, 3)).astype(np.float32)
    return rng, a, bias, b


def expected(x, y):
    _, a, bias, b = parameters()
    return (conv(x.astype(np.float64), a.astype(np.float64), bias, (1, 1, 1, 1), (2, 2), (1, 1)),
            conv(y.astype(np.float64), b.astype(np.float64), np.zeros(5), (3, 0, 1, 2), (1, 2), (2, 1)))


def write(out):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng, a, bias, b = parameters()
    nodes = [
        helper.make_node("Conv", ["x", "A", "bias"], ["a"], name="blocked",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("Conv", ["y", "B"], ["b"], name="dilated",
                         kernel_shape=[5, 3], pads=[3, 0, 1, 2], strides=[1, 2],
                         dilations=[2, 1]),
    ]
    graph = helper.make_graph(
        nodes, "convs",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 64, 9, 11]),
         helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 3, 12, 10])],
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, ["n", 130, 5, 6]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, ["n", 5, 8, 5])],
        [numpy_helper.from_array(v, n) for v, n in [(a, "A"), (bias, "bias"), (b, "B")]])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "model.onnx"))
    for n in (1, 3):
        np.save(os.path.join(out, f"x{n}.npy"), rng.normal(0, 1, (n, 64, 9, 11)).astype(np.float32))
        np.save(os.path.join(out, f"y{n}.npy"), rng.normal(0, 1, (n, 3, 12, 10)).astype(np.float32))


def check(root, exe):
    runs = 0
    for n in (1, 3):
        files = [os.path.join(root, f"x{n}.npy"), os.path.join(root, f"y{n}.npy")]
        references = expected(*[np.load(f) for f in files])
        for threads in (1, 2, 3):
            run_and_compare(exe, files, references, threads,
                            f"batch {n}, {threads} threads")
            runs += 1
    print(f"{runs} runs match numpy")


if sys.argv[1] == "write":
    write(sys.argv[2])
else:
    check(sys.argv[2], sys.argv[3])
