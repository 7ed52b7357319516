"""check-matmuls.py DIR EXE...: runs each executable on make-matmuls.py's
inputs with 1, 2 and 3 threads and compares every output with numpy's."""
import os
import subprocess
import sys
import tempfile

import numpy as np

root, executables = sys.argv[1], sys.argv[2:]
runs = 0
for exe in executables:
    for rows in (1, 3, 37):
        d = os.path.join(root, f"rows{rows}")
        for threads in (1, 2, 3):
            with tempfile.TemporaryDirectory() as out:
                subprocess.run([exe, "--threads", str(threads), "--output-dir", out,
                                "--output-format", "npy", os.path.join(d, "x.npy"),
                                os.path.join(d, "t.npy")], check=True)
                for i in range(3):
                    actual = np.load(os.path.join(out, f"output_{i}.npy"))
                    expected = np.load(os.path.join(d, f"expected_{i}.npy"))
                    if not np.allclose(actual, expected, rtol=1e-4, atol=1e-4):
                        sys.exit(f"{exe} rows={rows} threads={threads} output {i}: "
                                 f"max abs error {np.max(np.abs(actual - expected))}")
            runs += 1
print(f"{runs} runs match numpy")
