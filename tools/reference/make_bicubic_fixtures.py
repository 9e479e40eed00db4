"""Writes inputs and outputs of PyTorch's bicubic interpolation (align_corners=False,
no antialias), which LlamaGen's FID script uses to bring 384 px samples to 256 px.

Run: python3 tools/reference/make_bicubic_fixtures.py common/src/test/resources/resize
"""
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F


def main(out: Path):
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    x = torch.rand(2, 3, 24, 18) * 2 - 1
    np.save(out / "bicubic_in.npy", x.numpy())
    # Downscale 24x18 -> 16x12 (the 384 -> 256 ratio) and an upscale, to cover both directions.
    np.save(out / "bicubic_16x12.npy", F.interpolate(x, size=(16, 12), mode="bicubic", align_corners=False).numpy())
    np.save(out / "bicubic_31x40.npy", F.interpolate(x, size=(31, 40), mode="bicubic", align_corners=False).numpy())
    print("wrote", out)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "common/src/test/resources/resize"))
