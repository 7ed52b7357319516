"""Writes the good and bad input files that input-errors.test feeds to a
compiled Add of two float [3, 4, 5] tensors."""
import os
import sys

import numpy as np

out = sys.argv[1]
np.save(os.path.join(out, "x.npy"), np.ones((3, 4, 5), np.float32))
np.save(os.path.join(out, "int.npy"), np.ones((3, 4, 5), np.int64))
np.save(os.path.join(out, "wrong-shape.npy"), np.ones((3, 4, 6), np.float32))
np.save(os.path.join(out, "rank2.npy"), np.ones((3, 4), np.float32))
np.save(os.path.join(out, "fortran.npy"), np.asfortranarray(np.ones((3, 4, 5), np.float32)))
with open(os.path.join(out, "garbage.pb"), "wb") as f:
    f.write(b"\xff\xfe\xfd not a tensor")
with open(os.path.join(out, "x.npy"), "rb") as f:
    whole = f.read()
with open(os.path.join(out, "truncated.npy"), "wb") as f:
    f.write(whole[:-220])
