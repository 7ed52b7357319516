"""The shared half of the kernel tests' checkers: runs a compiled model on
input files and compares each output with numpy's reference."""
import os
import subprocess
import sys
import tempfile

import numpy as np


def run_and_compare(exe, files, references, threads, label, names=None):
    """Runs `exe` on `files` with `threads` threads; exits with a message
    naming `label` and the output unless every output has its reference's
    shape and values within rtol 1e-4, atol 1e-4."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([exe, "--threads", str(threads), "--output-dir", out,
                        "--output-format", "npy", *files], check=True,
                       stdout=subprocess.DEVNULL)
        for i, reference in enumerate(references):
            actual = np.load(os.path.join(out, f"output_{i}.npy"))
            if actual.shape != reference.shape or not np.allclose(
                    actual, reference, rtol=1e-4, atol=1e-4):
                error = (np.max(np.abs(actual - reference))
                         if actual.shape == reference.shape else "-")
                sys.exit(f"{label}, output {names[i] if names else i}: shape "
                         f"{actual.shape} vs {reference.shape}, max abs error "
                         f"{error}")
