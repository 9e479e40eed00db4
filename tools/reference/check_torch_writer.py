#!/usr/bin/env python3
"""Check that torch.load reads a file written by the Java TorchSaver, with the right values.

FILE.pt must sit next to FILE.expected.json, as TorchSaverTest leaves them in
common/target/torch-writer/. The file is loaded first with weights_only=True (the
restricted unpickler torch uses by default), with argparse.Namespace and bytes allow-listed
for that load. Each tensor's dtype, shape, sum, sum of squares and first values,
and every plain value, must match the JSON.

Usage: python3 tools/reference/check_torch_writer.py common/target/torch-writer/roundtrip.pt
"""
import argparse
import json
import math
import sys

import torch

from make_torch_fixtures import describe


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def main(path):
    with open(path[: -len(".pt")] + ".expected.json") as f:
        expected = json.load(f)
    # Python itself pickles empty bytes as bytes() at protocol 2, which weights_only does not allow by default.
    torch.serialization.add_safe_globals([argparse.Namespace, bytes])
    loaded = torch.load(path, weights_only=True)
    actual = {"tensors": {}, "values": {}}
    describe(loaded, "", actual)
    problems = []
    if set(actual["tensors"]) != set(expected["tensors"]):
        problems.append(f"tensor paths differ: {sorted(set(actual['tensors']) ^ set(expected['tensors']))}")
    if set(actual["values"]) != set(expected["values"]):
        problems.append(f"value paths differ: {sorted(set(actual['values']) ^ set(expected['values']))}")
    for key, want in expected["tensors"].items():
        got = actual["tensors"].get(key)
        if got is None:
            continue
        if got["dtype"] != want["dtype"] or got["shape"] != want["shape"]:
            problems.append(f"{key}: {got['dtype']} {got['shape']} != {want['dtype']} {want['shape']}")
        elif not (close(got["sum"], want["sum"]) and close(got["sumsq"], want["sumsq"])
                  and all(close(a, b) for a, b in zip(got["first"], want["first"]))):
            problems.append(f"{key}: values differ: {got} != {want}")
    for key, want in expected["values"].items():
        got = actual["values"].get(key)
        if got != want and not (got and got["type"] == "float" and close(got["value"], want["value"])):
            problems.append(f"{key}: {got} != {want}")
    for p in problems:
        print("MISMATCH", p)
    print(f"{path}: torch {torch.__version__} loaded {len(actual['tensors'])} tensors and "
          f"{len(actual['values'])} values; {'OK' if not problems else str(len(problems)) + ' mismatches'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
