#!/usr/bin/env python3
"""Checks that files written by mutor's Java code load in NumPy / safetensors with the right values.

The Java tests in common leave their files in common/target/java-written (or the folder in
the system property mutor.javaWrittenDir), each .npy/.npz/.safetensors next to a
<name>.expected.json. Usage:

    python3 tools/reference/check_numpy_outputs.py common/target/java-written
    python3 tools/reference/check_numpy_outputs.py --big FILE.npz   # the MUTOR_BIG_TESTS archive

Exits non-zero on the first mismatch.
"""
import json
import os
import sys
import zipfile

import numpy as np


def compare(record, a, what):
    assert a.dtype == np.dtype(record["dtype"]), f"{what}: dtype {a.dtype} != {record['dtype']}"
    assert list(a.shape) == record["shape"], f"{what}: shape {a.shape} != {record['shape']}"
    expected = np.array(record["values"], dtype=a.dtype).reshape(a.shape)
    assert np.array_equal(a, expected), f"{what}: values differ"


def check_npz(path, expected):
    with zipfile.ZipFile(path) as z:
        bad = z.testzip()  # reads every member and checks its CRC-32
        assert bad is None, f"{path}: CRC mismatch in {bad}"
        zip64 = any(len(i.extra) > 0 for i in z.infolist())
    with np.load(path) as z:
        assert list(z.files) == expected["order"], f"{path}: members {z.files}"
        for name, record in expected["arrays"].items():
            compare(record, z[name], f"{path}:{name}")
    return "zip64 extras" if zip64 else "plain zip"


def raw_tensor_bytes(path, name):
    """Return a tensor's data bytes, located through the safetensors header."""
    with open(path, "rb") as f:
        length = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(length))
        begin, end = header[name]["data_offsets"]
        f.seek(8 + length + begin)
        return f.read(end - begin)


def check_safetensors(path, expected):
    from safetensors import safe_open
    with safe_open(path, framework="numpy") as f:
        meta = f.metadata()
        for key, value in expected.get("metadata", {}).items():
            assert meta.get(key) == value, f"{path}: metadata {key}={meta.get(key)!r}, expected {value!r}"
        assert sorted(f.keys()) == sorted(expected["tensors"]), f"{path}: keys {f.keys()}"
        for name, record in expected["tensors"].items():
            if record["dtype"] == "bfloat16":
                # NumPy has no bfloat16: check the header, then the values from the raw bits.
                view = f.get_slice(name)
                assert view.get_dtype() == "BF16", f"{path}:{name}: dtype {view.get_dtype()}"
                assert view.get_shape() == record["shape"], f"{path}:{name}: shape {view.get_shape()}"
                bits = raw_tensor_bytes(path, name)
                values = (np.frombuffer(bits, "<u2").astype(np.uint32) << 16).view(np.float32)
                compare(dict(record, dtype="<f4"), values.reshape(record["shape"]), f"{path}:{name}")
                continue
            compare(record, f.get_tensor(name), f"{path}:{name}")
    if "mutor" in meta:
        envelope = json.loads(meta["mutor"])
        assert envelope["format_version"].split(".")[0] == "1", f"{path}: format {envelope['format_version']}"
    return "metadata keys " + ",".join(sorted(meta))


def check_big(path):
    """Check the streamed test archive, where byte i of row r is (r * 31 + i) mod 256."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("arr_0.npy")
        with z.open(info) as f:
            version = np.lib.format.read_magic(f)
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            shape, fortran, dtype = read_header(f)
    a = np.load(path)["arr_0"]  # numpy reads the whole zip64 member and checks its CRC-32
    assert a.shape == shape, f"shape {a.shape} != header shape {shape}"
    assert a.dtype == np.uint8, f"dtype {a.dtype}"
    assert not fortran, "the Java writer writes C order only"
    row = int(np.prod(shape[1:]))
    i = np.arange(row, dtype=np.int64)
    for r in sorted({0, 1, shape[0] // 2, shape[0] - 2, shape[0] - 1}):
        expected = ((r * 31 + i) % 256).astype(np.uint8)
        assert np.array_equal(a[r].reshape(-1), expected), f"row {r} differs"
    print(f"ok {path}: arr_0 {a.dtype} {a.shape} ({a.nbytes} bytes), member size {info.file_size}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--big":
        check_big(sys.argv[2])
        return
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    folder = sys.argv[1]
    checked = 0
    for name in sorted(os.listdir(folder)):
        stem, ext = os.path.splitext(name)
        if ext not in (".npy", ".npz", ".safetensors"):
            continue
        path = os.path.join(folder, name)
        with open(os.path.join(folder, stem + ".expected.json")) as f:
            expected = json.load(f)
        if ext == ".npy":
            compare(expected, np.load(path), path)
            note = "header version %d.%d" % np.lib.format.read_magic(open(path, "rb"))
        elif ext == ".npz":
            note = check_npz(path, expected)
        else:
            note = check_safetensors(path, expected)
        print(f"ok {name} ({note})")
        checked += 1
    if checked == 0:
        sys.exit(f"no .npy, .npz or .safetensors files in {folder}")
    print(f"{checked} files match")


if __name__ == "__main__":
    main()
