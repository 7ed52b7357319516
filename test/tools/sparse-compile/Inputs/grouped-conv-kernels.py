"""grouped-conv-kernels.py write DIR | check DIR EXE: a model whose
convolutions exercise the runtime's grouped (depthwise included) and 1-D
convolution kernels, its inputs, and numpy's outputs for them (float64,
computed here, independently of Sift).

  a = Conv(x, A, bias)  depthwise 3x3, 24 channels, pads 1, stride 1 on
                        x[N, 24, 13, 17]: the direct kernel, taps of 3
  b = Conv(x, B)        depthwise 5x5 with 2 filters per channel (group 24,
                        48 filters), pads 2, strides 2: taps of 5 at stride 2
  c = Conv(x, C, cbias) group 4 of 6 channels and 8 filters, 3x3 kernel
                        dilated (2, 2), strides (2, 1), pads (1, 2, 3, 0):
                        the direct kernel's general taps
  d = Conv(x, D)        group 2 of 12 channels and 16 filters, 3x3, pads 1:
                        the 2-D matmul kernel group by group
  e = Conv(s, E, ebias) 1-D, s[N, 3, 400], 20 filters of 10 taps, stride 5,
                        pads (2, 3): one row split into stretches
  f = Conv(s, F)        1-D, 7 filters of 3 taps dilated 2, pads 2

`check` runs EXE on batches of 1 and 3 with 1, 2 and 3 threads and compares
every output with numpy's."""
import os
import sys

import numpy as np

from run_and_compare import run_and_compare


def conv(x, w, b, pads, strides, dilations, group):
    """N-C-spatial convolution, 1-D or 2-D; pads are ONNX's (begins, ends)."""
    spatial = x.ndim - 2
    x = np.pad(x, [(0, 0), (0, 0)] + [(pads[i], pads[i + spatial]) for i in range(spatial)])
    if spatial == 1:
        x, w = x[:, :, None, :], w[:, :, None, :]
        strides, dilations = (1, strides[0]), (1, dilations[0])
    f, cg, kh, kw = w.shape
    oh = (x.shape[2] - dilations[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (x.shape[3] - dilations[1] * (kw - 1) - 1) // strides[1] + 1
    fg = f // group
    y = np.zeros((x.shape[0], f, oh, ow)) + b[None, :, None, None]
    for g in range(group):
        xs = x[:, g * cg:(g + 1) * cg]
        ws = w[g * fg:(g + 1) * fg]
        for i in range(kh):
            for j in range(kw):
                rows = xs[:, :, i * dilations[0]:, j * dilations[1]:]
                window = rows[:, :, :oh * strides[0]:strides[0], :ow * strides[1]:strides[1]]
                y[:, g * fg:(g + 1) * fg] += np.einsum("nchw,fc->nfhw", window, ws[:, :, i, j])
    return y[:, :, 0, :] if spatial == 1 else y


# name, input, filter shape, bias?, kernel_shape, pads, strides, dilations, group
CONVS = [
    ("a", "x", (24, 1, 3, 3), True, [3, 3], [1, 1, 1, 1], [1, 1], [1, 1], 24),
    ("b", "x", (48, 1, 5, 5), False, [5, 5], [2, 2, 2, 2], [2, 2], [1, 1], 24),
    ("c", "x", (32, 6, 3, 3), True, [3, 3], [1, 2, 3, 0], [2, 1], [2, 2], 4),
    ("d", "x", (32, 12, 3, 3), False, [3, 3], [1, 1, 1, 1], [1, 1], [1, 1], 2),
    ("e", "s", (20, 3, 10), True, [10], [2, 3], [5], [1], 1),
    ("f", "s", (7, 3, 3), False, [3], [2, 2], [1], [2], 1),
]
SHAPES = {"x": (24, 13, 17), "s": (3, 400)}


def parameters():
    rng = np.random.default_rng(11)
    weights = {}
    for name, _, shape, bias, *_ in CONVS:
        weights[name.upper()] = rng.normal(0, 0.3, shape).astype(np.float32)
        if bias:
            weights[name + "bias"] = rng.normal(0, 1, shape[0]).astype(np.float32)
    return rng, weights


def expected(inputs):
    _, weights = parameters()
    out = []
    for name, source, shape, bias, _, pads, strides, dilations, group in CONVS:
        b = weights[name + "bias"].astype(np.float64) if bias else np.zeros(shape[0])
        out.append(conv(inputs[source].astype(np.float64), weights[name.upper()].astype(np.float64),
                        b, pads, strides, dilations, group))
    return out


def write(out):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng, weights = parameters()
    shapes = [r.shape[1:] for r in expected({k: np.zeros((1, *v)) for k, v in SHAPES.items()})]
    nodes, outputs = [], []
    for name, source, shape, bias, kernel, pads, strides, dilations, group in CONVS:
        inputs = [source, name.upper()] + ([name + "bias"] if bias else [])
        nodes.append(helper.make_node("Conv", inputs, [name], name=name, kernel_shape=kernel,
                                      pads=pads, strides=strides, dilations=dilations,
                                      group=group))
        outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT,
                                                     ["n", *shapes[len(outputs)]]))
    graph = helper.make_graph(
        nodes, "grouped_convs",
        [helper.make_tensor_value_info(k, TensorProto.FLOAT, ["n", *v]) for k, v in SHAPES.items()],
        outputs, [numpy_helper.from_array(v, k) for k, v in weights.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "model.onnx"))
    for n in (1, 3):
        for k, v in SHAPES.items():
            np.save(os.path.join(out, f"{k}{n}.npy"), rng.normal(0, 1, (n, *v)).astype(np.float32))


def check(root, exe):
    runs = 0
    for n in (1, 3):
        files = [os.path.join(root, f"{k}{n}.npy") for k in SHAPES]
        references = expected({k: np.load(f) for k, f in zip(SHAPES, files)})
        for threads in (1, 2, 3):
            run_and_compare(exe, files, references, threads,
                            f"batch {n}, {threads} threads",
                            [conv[0] for conv in CONVS])
            runs += 1
    print(f"{runs} runs match numpy")


if sys.argv[1] == "write":
    write(sys.argv[2])
else:
    check(sys.argv[2], sys.argv[3])
