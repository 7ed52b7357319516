"""pb-to-npy.py IN.pb OUT.npy: converts an ONNX TensorProto file to .npy."""
import sys

import numpy as np
import onnx
from onnx import numpy_helper

np.save(sys.argv[2], numpy_helper.to_array(onnx.load_tensor(sys.argv[1])))
