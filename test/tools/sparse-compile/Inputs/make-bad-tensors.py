"""make-bad-tensors.py DIR: writes .npy and .pb files whose headers claim
shapes their data cannot back (negative, too large for int64, a byte size
that overflows, or far more data than the file holds), for
tensor-file-errors.test."""
import os
import sys

import numpy as np
from onnx import TensorProto

out = sys.argv[1]


def npy(name, shape_text):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % shape_text
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(os.path.join(out, name), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little"))
        f.write(header.encode() + np.zeros(60, np.float32).tobytes())


def pb(name, dims, raw=None, floats=None):
    tensor = TensorProto(name="y", data_type=TensorProto.FLOAT, dims=dims)
    if raw is not None:
        tensor.raw_data = raw
    if floats is not None:
        tensor.float_data.extend(floats)
    with open(os.path.join(out, name), "wb") as f:
        f.write(tensor.SerializeToString())


npy("negative.npy", "(-3, 4, 5)")
npy("wide.npy", "(3, 99999999999999999999, 5)")
npy("overflow.npy", "(4294967296, 4294967296, 5)")
npy("huge.npy", "(3, 4, 1000000000000)")
npy("malformed.npy", "(3, four, 5)")
pb("negative.pb", [-3, 4, 5], raw=b"")
pb("overflow.pb", [4294967296, 4294967296, 5], raw=b"")
pb("huge-raw.pb", [3, 4, 1000000000000], raw=b"\0" * 8)
pb("huge-typed.pb", [3, 4, 1000000000000], floats=[1.0, 2.0])
