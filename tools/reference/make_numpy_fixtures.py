#!/usr/bin/env python3
"""Writes small .npy/.npz fixtures with NumPy, each with <name>.expected.json.

The Java tests in common (org.mutor.common.format.numpy) read every fixture and
compare dtype, shape and every value against the JSON. Usage:

    python3 tools/reference/make_numpy_fixtures.py [OUT_DIR]

OUT_DIR defaults to common/src/test/resources/numpy. Output is deterministic.
"""
import io
import json
import os
import struct
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_OUT = os.path.join(ROOT, "common", "src", "test", "resources", "numpy")


def describe(a):
    """Expected-values record for one array: values flattened in C order."""
    flat = np.ascontiguousarray(a).reshape(-1)
    if a.dtype.kind == "f":
        values = [float(v) for v in flat]
        total = float(np.sum(flat.astype(np.float64)))
        squares = float(np.sum(flat.astype(np.float64) ** 2))
    else:
        values = [int(v) for v in flat]
        total = int(sum(values))
        squares = int(sum(v * v for v in values))
    return {
        "dtype": a.dtype.str,
        "shape": list(a.shape),
        "fortran_order": bool(a.flags.f_contiguous and not a.flags.c_contiguous),
        "sum": total,
        "sum_sq": squares,
        "first": values[:8],
        "values": values,
    }


def write_json(path, record):
    with open(path, "w") as f:
        json.dump(record, f, indent=1, sort_keys=True)
        f.write("\n")


def save_npy(out, name, a, version=None):
    path = os.path.join(out, name + ".npy")
    with open(path, "wb") as f:
        np.lib.format.write_array(f, a, version=version)
    check = np.load(path)
    assert check.dtype == a.dtype, name
    assert np.array_equal(check, a), name
    write_json(os.path.join(out, name + ".expected.json"), describe(a))


def save_large_header(out, name, a):
    """A version 2.0 file whose header dict is padded past the 65,535 bytes of version 1.0."""
    d = "{'descr': '%s', 'fortran_order': False, 'shape': %r, }" % (a.dtype.str, a.shape)
    header_len = len(d) + 70000
    total = 12 + header_len
    header_len += (64 - total % 64) % 64
    text = d + " " * (header_len - len(d) - 1) + "\n"
    path = os.path.join(out, name + ".npy")
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x02\x00" + struct.pack("<I", len(text)) + text.encode("latin1"))
        f.write(np.ascontiguousarray(a).tobytes())
    # NumPy rejects headers over 10,000 bytes unless max_header_size allows them.
    check = np.load(path, max_header_size=200000)
    assert np.array_equal(check, a), name
    with open(path, "rb") as f:
        assert np.lib.format.read_magic(f) == (2, 0), name
    write_json(os.path.join(out, name + ".expected.json"), describe(a))


def save_npz(out, name, arrays, compressed):
    path = os.path.join(out, name + ".npz")
    (np.savez_compressed if compressed else np.savez)(path, **arrays)
    with np.load(path) as z:
        for k, v in arrays.items():
            assert np.array_equal(z[k], v), (name, k)
    write_json(os.path.join(out, name + ".expected.json"),
               {"arrays": {k: describe(v) for k, v in arrays.items()}, "order": list(arrays)})


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20240611)

    floats = rng.standard_normal((3, 4)) * 100
    save_npy(out, "f4", floats.astype("<f4"))
    half = floats.astype("<f2")
    half[0, 0] = np.float16(6e-8)  # a subnormal
    half[0, 1] = np.float16(65504)  # the largest finite half
    save_npy(out, "f2", half)
    save_npy(out, "f8", floats.astype("<f8"))
    big = np.array([[-(2 ** 62), 2 ** 62 + 12345, -1], [0, 7, 2 ** 40]], dtype="<i8")
    save_npy(out, "i8", big)
    save_npy(out, "i4", rng.integers(-2 ** 31, 2 ** 31, (2, 3, 4), dtype=np.int64).astype("<i4"))
    save_npy(out, "i2", rng.integers(-2 ** 15, 2 ** 15, (5,), dtype=np.int64).astype("<i2"))
    save_npy(out, "i1", np.arange(-128, 128, 16, dtype=np.int64).astype("i1").reshape(4, 4))
    save_npy(out, "u1", rng.integers(0, 256, (2, 4, 4, 3), dtype=np.int64).astype("u1"))
    save_npy(out, "b1", np.array([[True, False, True], [False, False, True]]))

    save_npy(out, "scalar_f8", np.array(3.25, dtype="<f8"))
    save_npy(out, "empty_f4", np.zeros((0, 3), dtype="<f4"))

    save_npy(out, "big_endian_f4", floats.astype(">f4"))
    save_npy(out, "big_endian_i8", big.astype(">i8"))
    save_npy(out, "big_endian_f2", half.astype(">f2"))

    save_npy(out, "fortran_f4", np.asfortranarray(floats.astype("<f4")))
    cube = np.arange(24, dtype=np.int32).reshape(2, 3, 4) * 3 - 20
    save_npy(out, "fortran_big_endian_i4", np.asfortranarray(cube.astype(">i4")))

    save_npy(out, "version2_f4", floats.astype("<f4"), version=(2, 0))
    save_npy(out, "version3_i2", rng.integers(-500, 500, (2, 5), dtype=np.int64).astype("<i2"), version=(3, 0))
    save_large_header(out, "large_header_f8", floats[:2].astype("<f8"))

    images = rng.integers(0, 256, (6, 4, 4, 3), dtype=np.int64).astype("u1")
    labels = np.arange(6, dtype=np.int64) * 100 - 250
    arrays = {"arr_0": images, "labels": labels, "weights": floats.astype("<f4"),
              "mask": np.array([True, False, True]), "scalar": np.array(7, dtype="<i4")}
    save_npz(out, "savez", arrays, compressed=False)
    save_npz(out, "savez_compressed", arrays, compressed=True)
    save_npz(out, "savez_fortran", {"arr_0": np.asfortranarray(cube.astype("<f8"))}, compressed=False)


if __name__ == "__main__":
    main()
