#!/usr/bin/env python3
"""Time torch.load of a float32 state-dict checkpoint plus a float64 checksum of every value.

The Python peer of the Java TorchLoadBench. Creates the checkpoint (about 500 MB of
float32 weights in 61 tensors) if it is missing. Uses 2 intra-op threads, as the Java
run does.

Usage: python3 bench/torch_load_bench.py [FILE] [PASSES]   (default /tmp/bench-500mb.pt, 1)
The timed region covers torch.load (which copies the file into memory) and the checksum.
Prints one line per pass and finally python_mb_per_s=..., the median pass (MB = 10^6 bytes).
"""
import os
import sys
import time

import torch

torch.set_num_threads(2)


def create(path):
    g = torch.Generator().manual_seed(0)
    state = {}
    for i in range(60):
        state[f"layers.{i}.weight"] = torch.randn(1024, 2048, generator=g)
    state["norm.weight"] = torch.ones(2048)
    torch.save(state, path)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/bench-500mb.pt"
    passes = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    if not os.path.exists(path):
        create(path)
    rates = []
    for p in range(1, passes + 1):
        start = time.perf_counter()
        state = torch.load(path, weights_only=True)
        checksum = 0.0
        total = 0
        for t in state.values():
            checksum += float(t.double().sum())
            total += t.numel() * t.element_size()
        seconds = time.perf_counter() - start
        rate = total / 1e6 / seconds
        rates.append(rate)
        print(f"python pass {p}: {len(state)} tensors, {total / 1e6:.1f} MB in {seconds:.3f} s = {rate:.1f} MB/s,"
              f" checksum {checksum:.6e}")
    print(f"python_mb_per_s={sorted(rates)[len(rates) // 2]:.1f}")


if __name__ == "__main__":
    main()
