#!/usr/bin/env python3
"""Assembles the fuzz targets' seed corpora under OUT/<target>/.

import-binary: the ONNX backend test data's models; import-text: the same
models in protobuf text format, and the suite's own .pbtxt models;
tensor-pb: the test data's input and output tensors; tensor-npy: arrays of
every dtype that Sift reads, in the shapes that matter (scalar, empty, 1-D to
4-D) and both .npy header versions. Files over MAX_BYTES are left out: the
fuzzers mutate small inputs faster. Names are content hashes, so rerunning
adds nothing twice.
"""

import argparse
import glob
import hashlib
import io
import os

import numpy as np
import onnx
from google.protobuf import text_format

TESTDATA = "/usr/share/libonnx-testdata/data"
MAX_BYTES = 64 * 1024


def put(out_dir, data):
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, hashlib.sha1(data).hexdigest())
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)


def small_files(pattern):
    for path in sorted(glob.glob(pattern, recursive=True)):
        if os.path.getsize(path) <= MAX_BYTES:
            with open(path, "rb") as f:
                yield f.read()


def onnx_seeds(out, root):
    for data in small_files(f"{TESTDATA}/*/*/model.onnx"):
        put(f"{out}/import-binary", data)
        model = onnx.ModelProto.FromString(data)
        text = text_format.MessageToString(model).encode()
        if len(text) <= MAX_BYTES:
            put(f"{out}/import-text", text)
    for data in small_files(f"{root}/test/**/*.pbtxt"):
        put(f"{out}/import-text", data)
    for data in small_files(f"{TESTDATA}/*/*/test_data_set_0/*.pb"):
        put(f"{out}/tensor-pb", data)


def npy_seeds(out):
    dtypes = ["<f4", "<f8", "<f2", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4",
              "<i8", "<u8", "|b1"]
    shapes = [(), (0,), (1,), (3,), (2, 3), (1, 0, 2), (2, 1, 2, 2)]
    for dtype in dtypes:
        for shape in shapes:
            array = (np.arange(int(np.prod(shape))) % 3).astype(dtype)
            for version in [(1, 0), (2, 0)]:
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, array.reshape(shape), version)
                put(f"{out}/tensor-npy", buffer.getvalue())


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", help="directory to fill with <target>/ dirs")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    onnx_seeds(args.out, root)
    npy_seeds(args.out)


if __name__ == "__main__":
    main()
