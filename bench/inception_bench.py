"""PyTorch peer of InceptionBench: FID Inception features per second, batch 16, 2 threads.

Run: python3 bench/inception_bench.py /tmp/inception_full.pth
"""
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent.parent / "tools" / "reference"))
from fid_inception import FidInception  # noqa: E402


def main(weights, batches=5):
    torch.set_num_threads(2)
    model = FidInception(1)
    model.load_state_dict(torch.load(weights), strict=False)
    model.eval()
    x = torch.randint(0, 256, (16, 256, 256, 3), dtype=torch.uint8)
    with torch.no_grad():
        model(x)  # warm-up
        start = time.perf_counter()
        for _ in range(batches):
            model(x)
        seconds = time.perf_counter() - start
    print(f"pytorch: {16 * batches / seconds:.2f} images/s")


if __name__ == "__main__":
    main(sys.argv[1])
