"""check-llama.py MODEL_DIR PREFILL_EXE DECODE_EXE SCRATCH

Runs the Llama example's compiled prefill executable on a prompt, then its
decode executable for ten steps, each step's present keys and values fed
back as the next step's past, and compares every output with PyTorch: the
model of examples/llama/train.py with the weights of MODEL_DIR's ONNX
files. The tokens fed to both are the compiled model's greedy choices.
Exits non-zero at the first output that differs."""

import os
import subprocess
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

model_dir, prefill_exe, decode_exe, scratch = sys.argv[1:]
sys.path.insert(0, model_dir)
import train  # noqa: E402

torch.set_num_threads(1)
PROMPT = b"This License applies to any program"
STEPS = 10


def load_model():
    graph = onnx.load(os.path.join(model_dir, "prefill.onnx"))
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
               for t in graph.graph.initializer}
    model = train.Llama()
    state = {"model." + name: value for name, value in model.state_dict().items()}
    missing = set(state) - set(weights)
    if missing:
        sys.exit(f"parameters missing from prefill.onnx: {sorted(missing)}")
    model.load_state_dict({name[len("model."):]: weights[name] for name in state})
    return model


def run(exe, inputs, name):
    paths = []
    for i, value in enumerate(inputs):
        paths.append(os.path.join(scratch, f"{name}-input-{i}.npy"))
        np.save(paths[-1], value)
    out = os.path.join(scratch, name + "-outputs")
    subprocess.run([exe, *paths, "--output-dir", out, "--output-format", "npy",
                    "--threads", "1"], check=True)
    return [np.load(os.path.join(out, f"output_{i}.npy")) for i in range(3)]


def compare(what, actual, expected):
    expected = expected.detach().numpy()
    if actual.shape != expected.shape:
        sys.exit(f"{what}: shape {actual.shape}, PyTorch's {expected.shape}")
    error = np.max(np.abs(actual - expected))
    if not np.allclose(actual, expected, rtol=1e-4, atol=1e-4):
        sys.exit(f"{what}: max abs error {error} against PyTorch")
    return error


model = load_model()
worst = 0.0
with torch.no_grad():
    tokens = np.array([list(PROMPT)], dtype=np.int64)
    logits, past_k, past_v = run(prefill_exe, [tokens], "prefill")
    expected = model(torch.from_numpy(tokens), torch.arange(len(PROMPT)).float())
    for what, actual, reference in zip(["logits", "present_k", "present_v"],
                                       [logits, past_k, past_v], expected):
        worst = max(worst, compare(f"prefill {what}", actual, reference))
    torch_k, torch_v = expected[1], expected[2]
    position = len(PROMPT)
    text = bytearray()
    for step in range(STEPS):
        token = np.array([[logits[0, -1].argmax()]], dtype=np.int64)
        text.append(int(token[0, 0]))
        logits, past_k, past_v = run(
            decode_exe, [token, past_k, past_v, np.array([position], dtype=np.int64)],
            f"decode-{step}")
        expected = model(torch.from_numpy(token), torch.tensor([float(position)]),
                         torch_k, torch_v)
        for what, actual, reference in zip(["logits", "present_k", "present_v"],
                                           [logits, past_k, past_v], expected):
            worst = max(worst, compare(f"decode step {step} {what}", actual, reference))
        torch_k, torch_v = expected[1], expected[2]
        position += 1
print(f"prefill of {len(PROMPT)} tokens and {STEPS} decode steps match PyTorch "
      f"(max abs error {worst:.1e}); greedy continuation {bytes(text)!r}")
