#!/usr/bin/env python3
"""Prints a libFuzzer dictionary for protobuf text-format ONNX models: every
field and enum value name of onnx.proto's messages, so that mutations of the
text seeds produce fields the parser knows."""

import onnx

names = set()
pending = [onnx.ModelProto.DESCRIPTOR]
seen = set()
while pending:
    message = pending.pop()
    if message.full_name in seen:
        continue
    seen.add(message.full_name)
    for field in message.fields:
        names.add(field.name)
        if field.message_type:
            pending.append(field.message_type)
        if field.enum_type:
            names.update(value.name for value in field.enum_type.values)
    for enum in message.enum_types:
        names.update(value.name for value in enum.values)
names.update(["{", "}", ":", "\\x0A"])
for name in sorted(names):
    print(f'"{name}"')
