#!/usr/bin/env python3
"""Trains the Llama example: a small Llama-architecture byte-level decoder
(RMSNorm, rotary position embeddings, grouped-query attention, a SwiGLU MLP)
on English license texts that every Debian 12 system carries (base-files'
/usr/share/common-licenses), deterministically on one thread, and exports
it to ONNX as two graphs sharing one weights file:

  prefill.onnx  tokens int64 [1, T]
                -> logits [1, T, 256], present_k, present_v [4, 2, T, 32]
  decode.onnx   token int64 [1, 1], past_k, past_v [4, 2, P, 32],
                position int64 [1] (= P)
                -> logits [1, 1, 256], present_k, present_v [4, 2, P + 1, 32]
  weights.bin   every parameter, once (ONNX external data of both graphs)

The last tenth of each text is held out (never trained on) for perplexity.

  examples/llama/train.py [OUTPUT_DIR]     (default: this directory)

Also writes OUTPUT_DIR/calibration.npy: 32 windows of 128 bytes of training
text (int64 [32, 128]) for calibrating the gates. On one core of an AMD
EPYC shared with other work, training takes 3 to 5 minutes (1.8 minutes
of CPU), and writes the same files every time.
"""

import math
import os
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# The texts, from Debian's base-files package (always installed). GFDL-1.2
# and LGPL-2 are left out: they nearly repeat GFDL-1.3 and LGPL-2.1.
LICENSES = ["Apache-2.0", "Artistic", "BSD", "CC0-1.0", "GFDL-1.3", "GPL-2",
            "GPL-3", "LGPL-2.1", "MPL-2.0"]
LICENSE_DIR = "/usr/share/common-licenses"
HELD_OUT = 0.1

VOCAB = 256  # bytes
DIM = 128
LAYERS = 4
HEADS = 4
KV_HEADS = 2
HEAD_DIM = DIM // HEADS
FFN = 384
ROPE_BASE = 10000.0
EPS = 1e-5

CONTEXT = 128
BATCH = 16
STEPS = 400
LEARNING_RATE = 3e-3
CALIBRATION_ROWS = 32


def read_texts():
    """(training bytes, held-out bytes): the last tenth of each license is
    held out, so both parts have every kind of license text."""
    train, held_out = [], []
    for name in LICENSES:
        with open(os.path.join(LICENSE_DIR, name), "rb") as f:
            data = f.read()
        cut = int(len(data) * (1 - HELD_OUT))
        train.append(data[:cut])
        held_out.append(data[cut:])
    return b"\n".join(train), b"\n".join(held_out)


class RMSNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(DIM))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS) * self.weight


def linear(fan_in, fan_out):
    """An input-major [in, out] weight, so that `x @ w` exports as a MatMul on
    the parameter itself (named as in the state dict, no Transpose)."""
    bound = 1 / math.sqrt(fan_in)
    return nn.Parameter(torch.empty(fan_in, fan_out).uniform_(-bound, bound))


class FastMatMul(torch.autograd.Function):
    """a @ b for training through oneDNN (MKL-DNN), whose matrix product
    runs 20-30x faster on one core than the generic BLAS that Debian's
    PyTorch calls for a matmul or bmm. b is a weight [K, N] shared by every
    row of a [..., K], or a batch [..., K, N] like a's [..., M, K].
    Exported graphs use the plain `@`."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return onednn_matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = onednn_matmul(grad, b.transpose(-1, -2))
        if b.dim() == 2:
            grad_b = onednn_matmul(a.reshape(-1, a.shape[-1]).t(),
                                   grad.reshape(-1, grad.shape[-1]))
        else:
            grad_b = onednn_matmul(a.transpose(-1, -2), grad)
        return grad_a, grad_b


def onednn_matmul(a, b):
    def product(x, y):  # x [M, K] @ y [K, N]
        return torch._C._nn.mkldnn_linear(x.contiguous().to_mkldnn(),
                                          y.t().contiguous().to_mkldnn()).to_dense()
    if b.dim() == 2:
        return product(a.reshape(-1, a.shape[-1]), b).view(*a.shape[:-1], b.shape[1])
    flat_a = a.reshape(-1, *a.shape[-2:])
    flat_b = b.reshape(-1, *b.shape[-2:])
    return torch.stack([product(x, y) for x, y in zip(flat_a, flat_b)]).view(
        *a.shape[:-1], b.shape[-1])


def matmul(a, b):
    training = torch.is_grad_enabled() and not torch.onnx.is_in_onnx_export()
    return FastMatMul.apply(a, b) if training else a @ b


def rotate(x, cos, sin):
    """Rotary embedding of x [..., T, HEAD_DIM] (halves rotated, as Llama)."""
    half = HEAD_DIM // 2
    rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * cos + rotated * sin


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention_norm = RMSNorm()
        self.wq = linear(DIM, HEADS * HEAD_DIM)
        self.wk = linear(DIM, KV_HEADS * HEAD_DIM)
        self.wv = linear(DIM, KV_HEADS * HEAD_DIM)
        self.wo = linear(HEADS * HEAD_DIM, DIM)
        self.mlp_norm = RMSNorm()
        self.w_gate = linear(DIM, FFN)
        self.w_up = linear(DIM, FFN)
        self.w_down = linear(FFN, DIM)

    def forward(self, x, cos, sin, past_k, past_v, mask):
        """x [B, T, DIM]; past_k/v [B, KV_HEADS, P, HEAD_DIM] or None; returns
        the new x and this layer's keys and values [B, KV_HEADS, P + T,
        HEAD_DIM]."""
        # Only the batch is fixed when exported (1, a Python int), and every
        # reshape names it and infers the length (-1), so the exporter writes
        # constant shapes that leave the sequence dimension alone.
        b = int(x.shape[0])
        h = self.attention_norm(x)
        q = matmul(h, self.wq).view(b, -1, HEADS, HEAD_DIM).transpose(1, 2)
        k = matmul(h, self.wk).view(b, -1, KV_HEADS, HEAD_DIM).transpose(1, 2)
        v = matmul(h, self.wv).view(b, -1, KV_HEADS, HEAD_DIM).transpose(1, 2)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        # Grouped-query attention: the query heads of a group share one
        # key/value head, so the queries are grouped, not the cache copied.
        grouped_q = q.reshape(b, KV_HEADS, -1, HEAD_DIM)
        scores = matmul(grouped_q, k.transpose(2, 3)) / math.sqrt(HEAD_DIM)
        if mask is not None:
            scores = scores + mask.repeat(HEADS // KV_HEADS, 1)
        probs = torch.softmax(scores, dim=-1)
        attended = matmul(probs, v).view(b, HEADS, -1, HEAD_DIM).transpose(1, 2)
        x = x + matmul(attended.reshape(b, -1, DIM), self.wo)
        h = self.mlp_norm(x)
        x = x + matmul(F.silu(matmul(h, self.w_gate)) * matmul(h, self.w_up),
                      self.w_down)
        return x, k, v


class Llama(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Parameter(torch.randn(VOCAB, DIM) * 0.02)
        self.layers = nn.ModuleList(Block() for _ in range(LAYERS))
        self.norm = RMSNorm()
        self.lm_head = linear(DIM, VOCAB)
        inverse = 1.0 / ROPE_BASE ** (torch.arange(0, HEAD_DIM, 2).float() / HEAD_DIM)
        self.register_buffer("inverse_frequency", inverse, persistent=False)

    def forward(self, tokens, positions, past_k=None, past_v=None):
        """tokens [B, T] at positions [T] (float) after a cache of P
        positions (past_k/v [LAYERS, KV_HEADS, P, HEAD_DIM], batch 1 only, or
        None): logits [B, T, VOCAB] and, for B = 1, the cache of P + T
        positions."""
        t = tokens.shape[1]
        angles = positions[:, None] * self.inverse_frequency[None, :]
        angles = torch.cat([angles, angles], dim=-1)
        cos, sin = torch.cos(angles), torch.sin(angles)
        mask = None
        if past_k is None and t > 1:
            mask = torch.triu(torch.full((t, t), float("-inf")), diagonal=1)
        x = self.embedding[tokens]
        keys, values = [], []
        for i, layer in enumerate(self.layers):
            x, k, v = layer(x, cos, sin,
                            None if past_k is None else past_k[i][None],
                            None if past_v is None else past_v[i][None], mask)
            keys.append(k[0])
            values.append(v[0])
        logits = matmul(self.norm(x), self.lm_head)
        return logits, torch.stack(keys), torch.stack(values)


class Prefill(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, tokens):
        positions = torch.arange(tokens.shape[1]).float()
        return self.model(tokens, positions)


class Decode(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, token, past_k, past_v, position):
        return self.model(token, position.float(), past_k, past_v)


def train(model, data):
    generator = torch.Generator().manual_seed(1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE,
                                  weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / 50)
        * 0.5 * (1 + math.cos(math.pi * step / STEPS)))
    positions = torch.arange(CONTEXT).float()
    for step in range(STEPS):
        starts = torch.randint(0, len(data) - CONTEXT - 1, (BATCH,),
                               generator=generator)
        windows = torch.stack([data[s:s + CONTEXT + 1] for s in starts.tolist()])
        logits, _, _ = model(windows[:, :-1], positions)
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), windows[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % 100 == 0 or step == STEPS - 1:
            print(f"step {step}: training loss {loss.item():.3f}", flush=True)


def perplexity(model, data):
    """exp of the mean next-byte cross-entropy over consecutive windows of
    CONTEXT + 1 bytes (each window predicts its last CONTEXT bytes)."""
    total, count = 0.0, 0
    positions = torch.arange(CONTEXT).float()
    with torch.no_grad():
        for start in range(0, len(data) - CONTEXT, CONTEXT):
            window = data[start:start + CONTEXT + 1]
            logits, _, _ = model(window[None, :-1], positions)
            total += F.cross_entropy(logits[0], window[1:], reduction="sum").item()
            count += CONTEXT
    return math.exp(total / count)


def export(model, out):
    """Both graphs with every parameter in one external data file. Exported
    with gradients on: PyTorch 1.13's exporter fails on some graphs traced
    under no_grad."""
    import onnx
    from onnx import external_data_helper

    # The tracer warns of the Python values that become constants: the batch
    # (1) and whether a mask is needed; both are meant to.
    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)

    prompt = torch.tensor([list(b"The ")])
    paths = {name: os.path.join(out, name + ".onnx") for name in ("prefill", "decode")}
    torch.onnx.export(
        Prefill(model), (prompt,), paths["prefill"], opset_version=17,
        input_names=["tokens"], output_names=["logits", "present_k", "present_v"],
        dynamic_axes={"tokens": {1: "T"}, "logits": {1: "T"},
                      "present_k": {2: "T"}, "present_v": {2: "T"}})
    _, past_k, past_v = model(prompt, torch.arange(prompt.shape[1]).float())
    torch.onnx.export(
        Decode(model), (prompt[:, :1], past_k.detach(), past_v.detach(),
                        torch.tensor([prompt.shape[1]])),
        paths["decode"], opset_version=17,
        input_names=["token", "past_k", "past_v", "position"],
        output_names=["logits", "present_k", "present_v"],
        dynamic_axes={"past_k": {2: "P"}, "past_v": {2: "P"},
                      "present_k": {2: "P+1"}, "present_v": {2: "P+1"}})

    # Each parameter is written once to weights.bin; both graphs point into it.
    parameters = dict(model.named_parameters(prefix="model"))
    offsets = {}
    with open(os.path.join(out, "weights.bin"), "wb") as weights:
        for name, value in parameters.items():
            offsets[name] = weights.tell()
            weights.write(value.detach().numpy().astype("<f4").tobytes())
    for path in paths.values():
        graph = onnx.load(path)
        for tensor in graph.graph.initializer:
            if tensor.name in offsets:
                external_data_helper.set_external_data(
                    tensor, "weights.bin", offsets[tensor.name],
                    parameters[tensor.name].numel() * 4)
                tensor.ClearField("raw_data")
                tensor.data_location = onnx.TensorProto.EXTERNAL
        onnx.save(graph, path)


def write_calibration(data, out, rng):
    """Windows of training text on which sparse-compile calibrates the
    gates (run.py makes the decode graph's inputs from them)."""
    starts = rng.integers(0, len(data) - CONTEXT, CALIBRATION_ROWS)
    windows = np.stack([data[s:s + CONTEXT].numpy() for s in starts])
    np.save(os.path.join(out, "calibration.npy"), windows)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    train_text, held_out_text = read_texts()
    train_data = torch.tensor(list(train_text))
    held_out_data = torch.tensor(list(held_out_text))
    model = Llama()
    started = time.time()
    train(model, train_data)
    print(f"trained {sum(p.numel() for p in model.parameters())} parameters "
          f"in {time.time() - started:.0f} s on {len(train_text)} bytes")
    print(f"PyTorch held-out perplexity: {perplexity(model, held_out_data):.3f} "
          f"per byte over {len(held_out_text)} bytes")
    export(model, out)
    write_calibration(train_data, out, np.random.default_rng(0))


if __name__ == "__main__":
    main()
