#!/usr/bin/env python3
"""Write the torch.save fixtures that the Java reader tests compare against.

Each fixture <name>.pt gets <name>.expected.json listing, for every tensor key path,
its torch dtype, shape, float64 sum and sum of squares and its first (up to 8)
row-major values, and every plain value with its Python type. Key paths join dict
keys (as str(key)), namespace fields and list/tuple indices with "/", as the Java
reader names tensors.

The malicious fixture's pickle is written byte by byte and is never unpickled here.

Usage: python3 tools/reference/make_torch_fixtures.py [OUT_DIR]
(default OUT_DIR: common/src/test/resources/torch)
"""
import argparse
import collections
import io
import json
import os
import sys
import zipfile

import numpy as np
import torch

OUT = sys.argv[1] if len(sys.argv) > 1 else "common/src/test/resources/torch"


def tensors_of_every_dtype(g):
    base = torch.randn(3, 4, generator=g, dtype=torch.float64)
    return {
        "float32": base.float(),
        "float16": base.half(),
        "bfloat16": base.bfloat16(),
        "float64": base * 1000,
        "int64": torch.tensor([[-(2 ** 40), 3, 0], [7, -1, 2 ** 33]], dtype=torch.int64),
        "int32": torch.tensor([-2 ** 31, 2 ** 31 - 1, 5], dtype=torch.int32),
        "int16": torch.tensor([-32768, 32767, -3], dtype=torch.int16),
        "int8": torch.tensor([[-128, 127], [0, -5]], dtype=torch.int8),
        "uint8": torch.tensor([0, 255, 17, 128], dtype=torch.uint8),
        "bool": torch.tensor([[True, False, True]]),
    }


def everything():
    g = torch.Generator().manual_seed(1234)
    square = torch.arange(20, dtype=torch.float32).reshape(4, 5)
    grid = torch.randn(5, 6, generator=g)
    shared = torch.linspace(-1.0, 1.0, 10)
    module = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LayerNorm(2), torch.nn.Embedding(4, 3))
    return {
        "dtypes": tensors_of_every_dtype(g),
        "zero_d": torch.tensor(3.5),
        "zero_d_long": torch.tensor(-9, dtype=torch.int64),
        "empty": torch.zeros(0, 3),
        "empty_bf16": torch.zeros(2, 0, dtype=torch.bfloat16),
        "transposed": square.t(),
        "slice": grid[1:4, 2:5],
        "column": grid[:, 3],
        "shared_whole": shared,
        "shared_tail": shared[4:],
        "shared_pair": shared.view(5, 2),
        "parameter": torch.nn.Parameter(torch.ones(2, 2) * 0.5),
        "nested": {
            "list": [torch.tensor([1.0, 2.0]), 1, 2.5, "text", None, True, False, b"\x00\xffbytes"],
            "tuple": (torch.tensor([[4, 5]], dtype=torch.int32), 7, (1, 2)),
            "dict": {"inner": {"deep": torch.full((2, 2), -3.0, dtype=torch.float16)}},
            "unicode": "r\u00e9gion \u2014 \u6f22",
        },
        "args": argparse.Namespace(gpt_model="GPT-B", lr=1e-4, image_size=256, cls_token_num=1,
                                   no_compile=True, ckpt=None, betas=(0.9, 0.95), dataset="imagenet_code"),
        "np_float64": np.float64(0.25),
        "np_int64": np.int64(-7),
        "np_float32": np.float32(1.5),
        "state_dict": module.state_dict(),
        "int_keys": {0: torch.tensor([1, 2, 3], dtype=torch.int64), 1: "one"},
        "steps": 12345,
        "negative": -5,
        "large": 2 ** 40,
        "huge": 2 ** 70,
        "size": torch.Size([2, 3]),
        "dtype_value": torch.bfloat16,
        "pi": 3.141592653589793,
    }


def llamagen_like():
    """A training checkpoint laid out as LlamaGen's: model, optimizer, steps and args."""
    torch.manual_seed(7)

    class Tiny(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.tok_embeddings = torch.nn.Embedding(8, 4)
            self.layers = torch.nn.ModuleList([torch.nn.ModuleDict({
                "attention": torch.nn.ModuleDict({"wqkv": torch.nn.Linear(4, 12, bias=False)}),
                "attention_norm": torch.nn.LayerNorm(4)}) for _ in range(2)])
            self.output = torch.nn.Linear(4, 8, bias=False)

    model = Tiny()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.95))
    loss = sum(p.sum() for p in model.parameters())
    loss.backward()
    opt.step()
    args = argparse.Namespace(gpt_model="GPT-B", vocab_size=16384, global_batch_size=256, lr=1e-4)
    return {"model": model.state_dict(), "optimizer": opt.state_dict(), "steps": 1, "args": args}


def describe(value, path, out):
    if isinstance(value, torch.Tensor):
        d = value.detach()
        wide = d.double() if d.dtype.is_floating_point else d.long()
        flat = wide.reshape(-1)
        floating = d.dtype.is_floating_point
        out["tensors"][path] = {
            "dtype": str(d.dtype),
            "shape": list(d.shape),
            "sum": float(wide.double().sum()) if floating else int(wide.sum()),
            "sumsq": float((wide.double() ** 2).sum()),
            "first": [float(x) if floating else int(x) for x in flat[:8].tolist()],
        }
    elif isinstance(value, dict):
        for k, v in value.items():
            describe(v, join(path, str(k)), out)
    elif isinstance(value, argparse.Namespace):
        for k, v in vars(value).items():
            describe(v, join(path, k), out)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            describe(v, join(path, str(i)), out)
    elif value is None:
        out["values"][path] = {"type": "none"}
    elif isinstance(value, (bool, np.bool_)):
        out["values"][path] = {"type": "bool", "value": bool(value)}
    elif isinstance(value, (int, np.integer)):
        out["values"][path] = {"type": "int", "value": str(int(value))}
    elif isinstance(value, (float, np.floating)):
        out["values"][path] = {"type": "float", "value": float(value)}
    elif isinstance(value, str):
        out["values"][path] = {"type": "str", "value": value}
    elif isinstance(value, bytes):
        out["values"][path] = {"type": "bytes", "value": value.hex()}
    elif isinstance(value, torch.dtype):
        out["values"][path] = {"type": "dtype", "value": str(value)}
    else:
        raise TypeError(f"no description for {type(value)} at {path}")


def join(path, key):
    return key if not path else path + "/" + key


def save(obj, name, zip_format=True):
    path = os.path.join(OUT, name + ".pt")
    torch.save(obj, path, _use_new_zipfile_serialization=zip_format)
    # Describe what torch.load returns, so the expectation is what Python readers see.
    loaded = torch.load(path, weights_only=False)
    out = {"tensors": {}, "values": {}}
    describe(loaded, "", out)
    with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
    return path


def write_malicious():
    """A zip checkpoint whose pickle calls posix.system: built by hand, never loaded."""
    command = "touch /tmp/mutor-torch-fixture-was-executed"
    encoded = command.encode()
    pickle = (b"\x80\x02" + b"cposix\nsystem\n" + b"q\x00"
              + b"X" + len(encoded).to_bytes(4, "little") + encoded
              + b"\x85" + b"R" + b".")
    path = os.path.join(OUT, "malicious_system.pt")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", pickle)
        z.writestr("archive/byteorder", "little")
        z.writestr("archive/version", "3\n")


def truncate(source, name, fraction):
    with open(source, "rb") as f:
        data = f.read()
    with open(os.path.join(OUT, name + ".pt"), "wb") as f:
        f.write(data[: int(len(data) * fraction)])


def main():
    os.makedirs(OUT, exist_ok=True)
    zip_path = save(everything(), "everything_zip", zip_format=True)
    legacy_path = save(everything(), "everything_legacy", zip_format=False)
    save(llamagen_like(), "llamagen_like", zip_format=True)
    write_malicious()
    truncate(zip_path, "truncated_zip", 0.6)
    truncate(legacy_path, "truncated_legacy", 0.8)
    print("torch", torch.__version__, "numpy", np.__version__, "->", OUT)


if __name__ == "__main__":
    main()
