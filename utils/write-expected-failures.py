#!/usr/bin/env python3
"""Turns the FAIL lines of a conformance run (check-onnx-node-test.py output,
on stdin) into test/Conformance/expected-failures.txt entries: one
`test_name: reason` per line, the reason being the first error without the
model's path.

  check-onnx-node-test.py ... | write-expected-failures.py > expected-failures.txt
"""

import re
import sys

print("# ONNX backend tests Sift does not pass yet, one 'test: reason' per line.")
print("# Written by utils/write-expected-failures.py from a conformance run; a test")
print("# that starts passing must be removed (the runner reports it as XPASS).")
for line in sys.stdin:
    if not line.startswith("FAIL "):
        continue
    name, _, reason = line[5:].partition(": ")
    reason = re.sub(r"<unknown>:0: error: loc\([^)]*\)\)?: ", "", reason)
    reason = re.sub(r"/\S*/(model\.onnx|test_data_set_\d+/)", r"\1", reason)
    reason = re.sub(r"\S*model\.onnx(:0:0)?:? ?", "", reason)
    reason = reason.replace("error: ", "").replace("#", "no.").strip()
    print(f"{name}: {reason[:200]}")
