"""compare.py ACTUAL EXPECTED [--exact]: exits non-zero unless the two
tensor files (.pb or .npy) have the same type and shape and values within
rtol 1e-3, atol 1e-5 (with --exact: equal values, NaN equal to NaN)."""
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def load(path):
    if path.endswith(".npy"):
        return np.load(path)
    return numpy_helper.to_array(onnx.load_tensor(path))


actual, expected = load(sys.argv[1]), load(sys.argv[2])
exact = "--exact" in sys.argv[3:]
if actual.dtype != expected.dtype or actual.shape != expected.shape:
    sys.exit(f"{actual.dtype}{actual.shape} != {expected.dtype}{expected.shape}")
if exact:
    if not np.array_equal(actual, expected, equal_nan=True):
        sys.exit(f"{np.count_nonzero(actual != expected)} values differ")
elif not np.allclose(actual, expected, rtol=1e-3, atol=1e-5, equal_nan=True):
    sys.exit(f"values differ: max abs error {np.max(np.abs(actual - expected))}")
