"""batchnorm-folding.py write DIR | check DIR EXE: a model whose
BatchNormalizations follow convolutions, its inputs, and numpy's outputs for
them (float64, computed here, independently of Sift).

  a = Relu(BN(Conv(x, A, abias)))  2-D 3x3, pads 1: folded into the conv
  d = Add(c, BN(c)), c = Conv(x, C) no bias: folded into a copy of the conv,
                                    the original stays for the Add
  f = BN(Conv(s, F, fbias))         1-D, stride 2: folded
  g = BN(Conv(x, G, group=3))       grouped: not folded (elementwise)

`check` runs EXE on batches of 1 and 2 and compares every output with
numpy's."""
import os
import sys

import numpy as np

from run_and_compare import run_and_compare


def conv(x, w, b, pads, stride, group=1):
    """N-C-spatial convolution (1-D or 2-D), symmetric pads."""
    spatial = x.ndim - 2
    x = np.pad(x, [(0, 0), (0, 0)] + [(pads, pads)] * spatial)
    if spatial == 1:
        x, w = x[:, :, None, :], w[:, :, None, :]
    f, cg, kh, kw = w.shape
    sh = 1 if spatial == 1 else stride
    oh = (x.shape[2] - kh) // sh + 1
    ow = (x.shape[3] - kw) // stride + 1
    fg = f // group
    y = np.zeros((x.shape[0], f, oh, ow)) + b[None, :, None, None]
    for g in range(group):
        for i in range(kh):
            for j in range(kw):
                window = x[:, g * cg:(g + 1) * cg, i:i + oh * sh:sh, j:j + ow * stride:stride]
                y[:, g * fg:(g + 1) * fg] += np.einsum("nchw,fc->nfhw", window,
                                                       w[g * fg:(g + 1) * fg, :, i, j])
    return y[:, :, 0, :] if spatial == 1 else y


def batchnorm(y, p, eps):
    scale, bias, mean, var = p
    shape = (1, -1) + (1,) * (y.ndim - 2)
    return (y - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * \
        scale.reshape(shape) + bias.reshape(shape)


def parameters():
    rng = np.random.default_rng(3)
    f32 = lambda *s: rng.normal(0, 0.5, s).astype(np.float32)
    stats = lambda n: [rng.uniform(0.5, 1.5, n).astype(np.float32), f32(n), f32(n),
                       rng.uniform(0.2, 2.0, n).astype(np.float32)]
    w = {"A": f32(8, 3, 3, 3), "abias": f32(8), "C": f32(6, 3, 1, 1), "F": f32(5, 2, 4),
         "fbias": f32(5), "G": f32(6, 1, 3, 3)}
    for name, n in (("a", 8), ("c", 6), ("f", 5), ("g", 6)):
        for suffix, v in zip(("scale", "B", "mean", "var"), stats(n)):
            w[name + suffix] = v
    return rng, w


def stats(w, name):
    return [w[name + s].astype(np.float64) for s in ("scale", "B", "mean", "var")]


def expected(x, s):
    _, w = parameters()
    d = {k: v.astype(np.float64) for k, v in w.items()}
    a = np.maximum(batchnorm(conv(x, d["A"], d["abias"], 1, 1), stats(d, "a"), 1e-5), 0)
    c = conv(x, d["C"], np.zeros(6), 0, 1)
    dd = c + batchnorm(c, stats(d, "c"), 1e-3)
    f = batchnorm(conv(s, d["F"], d["fbias"], 1, 2), stats(d, "f"), 1e-5)
    g = batchnorm(conv(x, d["G"], np.zeros(6), 1, 1, group=3), stats(d, "g"), 1e-5)
    return [a, dd, f, g]


def write(out):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng, w = parameters()
    bn = lambda x, name, y, eps=1e-5: helper.make_node(
        "BatchNormalization", [x] + [name + s for s in ("scale", "B", "mean", "var")], [y],
        epsilon=eps)
    nodes = [
        helper.make_node("Conv", ["x", "A", "abias"], ["a0"], kernel_shape=[3, 3], pads=[1] * 4),
        bn("a0", "a", "a1"), helper.make_node("Relu", ["a1"], ["a"]),
        helper.make_node("Conv", ["x", "C"], ["c"], kernel_shape=[1, 1]),
        bn("c", "c", "c1", 1e-3), helper.make_node("Add", ["c", "c1"], ["d"]),
        helper.make_node("Conv", ["s", "F", "fbias"], ["f0"], kernel_shape=[4], pads=[1, 1],
                         strides=[2]),
        bn("f0", "f", "f"),
        helper.make_node("Conv", ["x", "G"], ["g0"], kernel_shape=[3, 3], pads=[1] * 4, group=3),
        bn("g0", "g", "g"),
    ]
    shapes = [r.shape[1:] for r in expected(np.zeros((1, 3, 7, 6)), np.zeros((1, 2, 21)))]
    graph = helper.make_graph(
        nodes, "batchnorms",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, 7, 6]),
         helper.make_tensor_value_info("s", TensorProto.FLOAT, ["n", 2, 21])],
        [helper.make_tensor_value_info(k, TensorProto.FLOAT, ["n", *v])
         for k, v in zip("adfg", shapes)],
        [numpy_helper.from_array(v, k) for k, v in w.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "model.onnx"))
    for n in (1, 2):
        np.save(os.path.join(out, f"x{n}.npy"), rng.normal(0, 1, (n, 3, 7, 6)).astype(np.float32))
        np.save(os.path.join(out, f"s{n}.npy"), rng.normal(0, 1, (n, 2, 21)).astype(np.float32))


def check(root, exe):
    for n in (1, 2):
        files = [os.path.join(root, f"{k}{n}.npy") for k in "xs"]
        references = expected(*[np.load(f).astype(np.float64) for f in files])
        run_and_compare(exe, files, references, 2, f"batch {n}", "adfg")
    print("2 batches match numpy")


if sys.argv[1] == "write":
    write(sys.argv[2])
else:
    check(sys.argv[2], sys.argv[3])
