"""make-decode-inputs.py DIR: inputs of the scaled-down decoder of
gated-decode-stress.test (x [1, 1, 256], past_k and past_v [2, 2, 7, 32])
and 16 calibration steps, each input's steps stacked along dimension 0."""
import os
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(5)
shapes = {"x": (1, 1, 256), "past-k": (2, 2, 7, 32), "past-v": (2, 2, 7, 32)}
for name, shape in shapes.items():
    np.save(os.path.join(out, f"{name}.npy"),
            rng.standard_normal(shape).astype(np.float32))
    stacked = (16 * shape[0],) + shape[1:]
    np.save(os.path.join(out, f"calibration-{name}.npy"),
            rng.standard_normal(stacked).astype(np.float32))
