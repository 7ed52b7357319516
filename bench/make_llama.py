#!/usr/bin/env python3
"""A Llama-shaped decoder's decode step as ONNX, with random weights.

One new token attends to a key/value cache of `--past` positions. Each layer:
RMSNorm, q/k/v projections with grouped-query attention (`--kv-heads` heads
shared by `--heads` query heads), rotary position embedding on q and k,
softmax attention over the cache and the new token, the output projection,
a residual, RMSNorm, a SwiGLU MLP (gate, up, down) and a residual; after the
last layer an RMSNorm and the vocabulary head. Weights are N(0, 1/fan_in),
input-major ([in, out]) as PyTorch's exporter writes a Linear's MatMul,
drawn from a fixed seed, so two runs write the same model. Large models go
to ONNX external data (`NAME.onnx.data` beside it).

    python3 bench/make_llama.py OUT.onnx [--layers 8] [--d 2048] [--ffn 5632]
        [--heads 32] [--kv-heads 4] [--vocab 32000] [--past 127]

Inputs: x [1, 1, d] (the token's embedding), past_k and past_v
[layers, kv_heads, past, head_dim]. Output: logits [1, 1, vocab].
The defaults hold 8 layers of 44.1 M parameters and a 65.5 M-parameter head:
1.67 GB of f32.
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


SHAPE_OPTIONS = ("layers", "d", "ffn", "heads", "kv_heads", "vocab", "past")


def add_shape_arguments(parser, layers=8):
    """The decoder's shape options (bench/decode.py takes them too)."""
    parser.add_argument("--layers", type=int, default=layers)
    parser.add_argument("--d", type=int, default=2048)
    parser.add_argument("--ffn", type=int, default=5632)
    parser.add_argument("--heads", type=int, default=32)
    parser.add_argument("--kv-heads", type=int, default=4)
    parser.add_argument("--vocab", type=int, default=32000)
    parser.add_argument("--past", type=int, default=127)


def shape_command_line(args):
    """The shape options of `args` as this script's command line."""
    return [f"--{name.replace('_', '-')}={getattr(args, name)}"
            for name in SHAPE_OPTIONS]


def count_matrix_params(args):
    """Elements of the weight matrices (the projections, MLPs and head)."""
    kv_width = args.kv_heads * (args.d // args.heads)
    return args.layers * (2 * args.d * args.d + 2 * args.d * kv_width
                          + 3 * args.d * args.ffn) + args.d * args.vocab


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    add_shape_arguments(parser)
    args = parser.parse_args()
    d, heads, kv_heads = args.d, args.heads, args.kv_heads
    head_dim = d // heads
    group = heads // kv_heads
    rng = np.random.default_rng(0)
    initializers, nodes = [], []
    matrix_params = count_matrix_params(args)
    # Past 1 GiB (protobuf's limit is 2 GiB) tensors go straight to the
    # external data file, so that memory holds one matrix at a time.
    data_name = os.path.basename(args.output) + ".data"
    data = (open(os.path.join(os.path.dirname(args.output) or ".",
                              data_name), "wb")
            if matrix_params * 4 > 1 << 30 else None)

    def const(name, array):
        if data is None or array.nbytes < 1024:
            initializers.append(numpy_helper.from_array(array, name))
            return name
        offset = data.tell()
        data.write(array.tobytes())
        tensor = onnx.TensorProto(
            name=name, dims=array.shape,
            data_type=onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[array.dtype],
            data_location=onnx.TensorProto.EXTERNAL)
        for key, value in [("location", data_name), ("offset", offset),
                           ("length", array.nbytes)]:
            entry = tensor.external_data.add()
            entry.key, entry.value = key, str(value)
        initializers.append(tensor)
        return name

    def weight(name, fan_in, fan_out):
        w = rng.standard_normal((fan_in, fan_out), dtype=np.float32)
        w *= np.float32(1 / np.sqrt(fan_in))
        return const(name, w)

    def node(op, inputs, name, **attrs):
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def ints(name, values):
        return const(name, np.array(values, dtype=np.int64))

    eps = const("eps", np.array(1e-5, dtype=np.float32))
    two = const("two", np.array(2, dtype=np.float32))
    scale = const("scale", np.array(1 / np.sqrt(head_dim), dtype=np.float32))
    # Rotary embedding at position `past`: cos and sin per head dimension,
    # and rotate_half(v) = concat(-v[half:], v[:half]).
    inv = 1.0 / (10000 ** (np.arange(0, head_dim, 2) / head_dim))
    angle = np.concatenate([args.past * inv, args.past * inv])
    cos = const("rope_cos", np.cos(angle).astype(np.float32))
    sin = const("rope_sin", np.sin(angle).astype(np.float32))
    half = head_dim // 2
    starts_lo, ends_lo = ints("lo_start", [0]), ints("lo_end", [half])
    starts_hi, ends_hi = ints("hi_start", [half]), ints("hi_end", [head_dim])
    last_axis = ints("last_axis", [3])
    q_shape = ints("q_shape", [1, 1, heads, head_dim])
    kv_shape = ints("kv_shape", [1, 1, kv_heads, head_dim])
    out_shape = ints("out_shape", [1, 1, d])
    cache_shape = ints("cache_shape", [1, kv_heads, 1, args.past + 1, head_dim])
    expand_shape = ints("expand_shape", [1, kv_heads, group, args.past + 1,
                                         head_dim])
    grouped_shape = ints("grouped_shape", [1, heads, args.past + 1, head_dim])
    layer_index = {}

    def rms_norm(value, prefix):
        square = node("Pow", [value, two], f"{prefix}.square")
        mean = node("ReduceMean", [square], f"{prefix}.mean", axes=[-1])
        root = node("Sqrt", [node("Add", [mean, eps], f"{prefix}.add")],
                    f"{prefix}.sqrt")
        normed = node("Div", [value, root], f"{prefix}.div")
        gain = const(f"{prefix}.weight",
                     (1 + 0.1 * rng.standard_normal(d)).astype(np.float32))
        return node("Mul", [normed, gain], f"{prefix}.mul")

    def rope(value, prefix):
        lo = node("Slice", [value, starts_lo, ends_lo, last_axis], f"{prefix}.lo")
        hi = node("Slice", [value, starts_hi, ends_hi, last_axis], f"{prefix}.hi")
        rotated = node("Concat", [node("Neg", [hi], f"{prefix}.neg"), lo],
                       f"{prefix}.rot", axis=3)
        return node("Add", [node("Mul", [value, cos], f"{prefix}.cos"),
                            node("Mul", [rotated, sin], f"{prefix}.sin")],
                    f"{prefix}.rope")

    def cache_of(past, new, layer, prefix):
        # past [layers, kv_heads, P, hd] -> this layer's [1, kv_heads, P, hd]
        if layer not in layer_index:
            layer_index[layer] = ints(f"layer{layer}", [layer])
        index = layer_index[layer]
        mine = node("Gather", [past, index], f"{prefix}.past", axis=0)
        new_t = node("Transpose", [new], f"{prefix}.new", perm=[0, 2, 1, 3])
        full = node("Concat", [mine, new_t], f"{prefix}.cat", axis=2)
        # Grouped-query attention: each kv head serves `group` query heads.
        grouped = node("Expand", [node("Reshape", [full, cache_shape],
                                       f"{prefix}.unsq"), expand_shape],
                       f"{prefix}.expand")
        return node("Reshape", [grouped, grouped_shape], f"{prefix}.grouped")

    hidden = "x"
    for layer in range(args.layers):
        p = f"layers.{layer}"
        normed = rms_norm(hidden, f"{p}.input_norm")
        q = node("MatMul", [normed, weight(f"{p}.q.weight", d, d)], f"{p}.q")
        k = node("MatMul", [normed, weight(f"{p}.k.weight", d,
                                            kv_heads * head_dim)], f"{p}.k")
        v = node("MatMul", [normed, weight(f"{p}.v.weight", d,
                                            kv_heads * head_dim)], f"{p}.v")
        q = rope(node("Reshape", [q, q_shape], f"{p}.q4"), f"{p}.q")
        k = rope(node("Reshape", [k, kv_shape], f"{p}.k4"), f"{p}.k")
        v = node("Reshape", [v, kv_shape], f"{p}.v4")
        keys = cache_of("past_k", k, layer, f"{p}.keys")
        values = cache_of("past_v", v, layer, f"{p}.values")
        q_t = node("Transpose", [q], f"{p}.qt", perm=[0, 2, 1, 3])
        k_t = node("Transpose", [keys], f"{p}.kt", perm=[0, 1, 3, 2])
        scores = node("Mul", [node("MatMul", [q_t, k_t], f"{p}.qk"), scale],
                      f"{p}.scores")
        probs = node("Softmax", [scores], f"{p}.softmax", axis=-1)
        attended = node("MatMul", [probs, values], f"{p}.pv")
        merged = node("Reshape", [node("Transpose", [attended], f"{p}.at",
                                       perm=[0, 2, 1, 3]), out_shape],
                      f"{p}.merged")
        out = node("MatMul", [merged, weight(f"{p}.o.weight", d, d)], f"{p}.o")
        hidden = node("Add", [hidden, out], f"{p}.residual1")
        normed = rms_norm(hidden, f"{p}.post_norm")
        gate = node("MatMul", [normed, weight(f"{p}.gate.weight", d,
                                               args.ffn)], f"{p}.gate")
        silu = node("Mul", [gate, node("Sigmoid", [gate], f"{p}.sigmoid")],
                    f"{p}.silu")
        up = node("MatMul", [normed, weight(f"{p}.up.weight", d, args.ffn)],
                  f"{p}.up")
        down = node("MatMul", [node("Mul", [silu, up], f"{p}.swiglu"),
                               weight(f"{p}.down.weight", args.ffn, d)],
                    f"{p}.down")
        hidden = node("Add", [hidden, down], f"{p}.residual2")
    normed = rms_norm(hidden, "final_norm")
    node("MatMul", [normed, weight("lm_head.weight", d, args.vocab)], "logits")

    cache = [args.layers, kv_heads, args.past, head_dim]
    graph = helper.make_graph(
        nodes, "llama_decode_step",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, d]),
         helper.make_tensor_value_info("past_k", TensorProto.FLOAT, cache),
         helper.make_tensor_value_info("past_v", TensorProto.FLOAT, cache)],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                       [1, 1, args.vocab])],
        initializers)
    model = helper.make_model(graph, opset_imports=[
        helper.make_operatorsetid("", 17)])
    onnx.save(model, args.output)
    if data is not None:
        data.close()
    print(f"{args.output}: {args.layers} layers, {len(nodes)} nodes, "
          f"{matrix_params * 4 / 1e9:.2f} GB of weight matrices")


if __name__ == "__main__":
    main()
