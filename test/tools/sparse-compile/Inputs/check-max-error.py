"""check-max-error.py DIR REPORT OUTPUT [REPORT OUTPUT ...]: for reports of
sparse-compile --max-error --verify=DIR/heldout.npy on make-mlp.py's model,
given in increasing order of their bound, each with OUTPUT, its executable's
output on DIR/heldout.npy, checks that:
- the held-out error, recomputed here from OUTPUT against numpy's dense
  outputs (DIR/expected.npy), is the report's and within the bound;
- the calibration error is within the bound too, and the gates' error
  increases add up to it;
- the bound binds: the gates change the outputs (they zero more than a
  Relu's exact zeros), yet skip fewer weight bytes than an unbounded search
  (every gate at 95%), and a larger bound skips more."""
import json
import os
import sys

import numpy as np

METRIC = ("max over f32 outputs of the mean relative L2 error per row, "
          "||sparse - dense|| / ||dense||")

directory, pairs = sys.argv[1], sys.argv[2:]
expected = np.load(os.path.join(directory, "expected.npy")).astype(np.float64)
skipped_before = 0.0
for report_path, output_path in zip(pairs[::2], pairs[1::2]):
    report = json.load(open(report_path))
    bound = report["error_bound"]
    assert bound["metric"] == METRIC, bound["metric"]
    limit = bound["max_error"]

    actual = np.load(output_path).astype(np.float64)
    rows = (np.linalg.norm(actual - expected, axis=1) /
            np.linalg.norm(expected, axis=1))
    held_out = rows.mean()
    assert abs(held_out - bound["held_out_error"]) < 1e-4, \
        f"numpy measures {held_out}, the report says {bound['held_out_error']}"
    assert bound["held_out_error"] <= limit, bound
    assert bound["calibration_error"] <= limit, bound

    gates = report["gates"]
    increases = sum(g["error_increase"] for g in gates)
    assert abs(increases - bound["calibration_error"]) < 1e-9, \
        f"error increases add up to {increases}: {bound}"
    skipped = (sum(g["calibrated_sparsity"] * g["weight_bytes"] for g in gates)
               / sum(g["weight_bytes"] for g in gates))
    assert held_out > 0 and bound["calibration_error"] > 0, bound
    assert skipped_before < skipped < 0.9, \
        f"bound {limit}: skips {skipped} of the weight bytes, " \
        f"the smaller bound before it {skipped_before}"
    skipped_before = skipped
    print(f"bound {limit:g}: held-out error {held_out:.4f}, "
          f"calibration error {bound['calibration_error']:.4f}, "
          f"weight bytes skipped {skipped:.3f}")
