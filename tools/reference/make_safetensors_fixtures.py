#!/usr/bin/env python3
"""Writes a safetensors fixture with Python's safetensors library, one tensor per dtype.

bfloat16 is included without torch: its bits are computed with NumPy (float32 values
that bfloat16 represents exactly, so truncating the low 16 bits is exact) and handed to the
library's own serializer. The Java test SafeTensorsTest compares every value against
python_all_dtypes.expected.json. Usage:

    python3 tools/reference/make_safetensors_fixtures.py [OUT_DIR]

OUT_DIR defaults to common/src/test/resources/safetensors.
"""
import json
import os
import sys

import numpy as np
from safetensors import safe_open
from safetensors._safetensors_rust import TensorSpec, serialize

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_OUT = os.path.join(ROOT, "common", "src", "test", "resources", "safetensors")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    base = (rng.standard_normal((2, 3)) * 10).astype(np.float32)
    # Values that bfloat16 represents exactly, with at most 8 significant bits.
    bf16_values = np.array([[1.0, -2.5, 3.140625], [0.0078125, -65280.0, 2.0 ** -126]],
                           dtype=np.float32)
    bf16_bits = (bf16_values.view(np.uint32) >> 16).astype(np.uint16)
    assert np.array_equal((bf16_bits.astype(np.uint32) << 16).view(np.float32), bf16_values)

    arrays = {
        "f32": base,
        "f16": base.astype(np.float16),
        "f64": base.astype(np.float64) / 3,
        "i64": np.array([[-(2 ** 60), 5, 2 ** 50 + 3]], dtype=np.int64),
        "i32": np.arange(-6, 6, dtype=np.int32).reshape(3, 4) * 1000003,
        "i16": np.array([-32768, -1, 0, 32767], dtype=np.int16),
        "i8": np.array([-128, -3, 0, 127], dtype=np.int8),
        "u8": np.array([[0, 1, 128, 255]], dtype=np.uint8),
        "bool": np.array([True, False, False, True, True]),
        "scalar": np.array(2.5, dtype=np.float32),
    }
    names = {np.dtype(np.bool_): "bool"}
    specs = {}
    for name, a in arrays.items():
        specs[name] = TensorSpec(dtype=names.get(a.dtype, a.dtype.name), shape=list(a.shape),
                                 data_ptr=a.ctypes.data, data_len=a.nbytes)
    specs["bf16"] = TensorSpec(dtype="bfloat16", shape=list(bf16_bits.shape),
                               data_ptr=bf16_bits.ctypes.data, data_len=bf16_bits.nbytes)
    path = os.path.join(out, "python_all_dtypes.safetensors")
    data = serialize(specs, metadata={"source": "safetensors python", "note": "one tensor per dtype"})
    with open(path, "wb") as f:
        f.write(bytes(data))

    expected = {}
    for name, a in arrays.items():
        flat = a.reshape(-1)
        values = [float(v) for v in flat] if a.dtype.kind == "f" else [int(v) for v in flat]
        expected[name] = {"dtype": a.dtype.name, "shape": list(a.shape), "values": values}
    expected["bf16"] = {"dtype": "bfloat16", "shape": list(bf16_values.shape),
                        "values": [float(v) for v in bf16_values.reshape(-1)]}
    with safe_open(path, framework="numpy") as f:
        assert f.metadata()["source"] == "safetensors python"
        for name, a in arrays.items():
            assert np.array_equal(f.get_tensor(name), a), name
    with open(os.path.join(out, "python_all_dtypes.expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
