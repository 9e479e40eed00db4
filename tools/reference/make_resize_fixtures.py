"""Writes the resampling fixtures of common/src/test/resources/resize/ with Pillow.

Inputs are synthetic RGB images at odd sizes (gradients, hard-edged shapes that make the
bicubic filter overshoot and clip, and a patch of noise), saved as PNG so that Java reads
the same pixels. Expected outputs, also PNG:
  <input>.adm<S>.png         guided-diffusion's center_crop_arr(image, S) (box halving,
                             bicubic resize, centre crop)
  <input>.<filter>_<W>x<H>.png  a plain image.resize((W, H), resample=filter)

Run from the repository root:
    python3 tools/reference/make_resize_fixtures.py
"""
import sys
from pathlib import Path

import numpy as np
from PIL import Image

OUT = Path(__file__).resolve().parents[2] / "common/src/test/resources/resize"


def synthetic(width, height, seed):
    """Smooth gradients, a disc, stripes and a noise patch: structure at every frequency."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 255 * x / (width - 1)
    g = 255 * (0.5 + 0.5 * np.sin(y / 7.0 + x / 23.0))
    b = 255 * y / (height - 1)
    img = np.stack([r, g, b], axis=-1)
    disc = (x - 0.6 * width) ** 2 + (y - 0.4 * height) ** 2 < (0.2 * min(width, height)) ** 2
    img[disc] = [250, 10, 240]
    stripes = (x.astype(int) // 3) % 2 == 0
    band = (y > 0.7 * height) & (y < 0.8 * height)
    img[band & stripes] = [0, 0, 0]
    img[band & ~stripes] = [255, 255, 255]
    ph, pw = height // 5, width // 5
    top, left = height // 2 - ph // 2, width // 2 - pw // 2
    img[top:top + ph, left:left + pw] = rng.integers(0, 256, size=(ph, pw, 3))
    return Image.fromarray(np.clip(np.rint(img), 0, 255).astype(np.uint8), "RGB")


def center_crop_arr(pil_image, image_size):
    """guided-diffusion's ADM centre crop, as in its image_datasets.py."""
    while min(*pil_image.size) >= 2 * image_size:
        pil_image = pil_image.resize(tuple(x // 2 for x in pil_image.size), resample=Image.BOX)
    scale = image_size / min(*pil_image.size)
    pil_image = pil_image.resize(tuple(round(x * scale) for x in pil_image.size), resample=Image.BICUBIC)
    arr = np.array(pil_image)
    crop_y = (arr.shape[0] - image_size) // 2
    crop_x = (arr.shape[1] - image_size) // 2
    return arr[crop_y:crop_y + image_size, crop_x:crop_x + image_size]


# (name, width, height, seed, ADM sizes, plain resizes as (filter name, width, height))
CASES = [
    ("landscape_517x389", 517, 389, 1, [64, 32, 70],
     [("bicubic", 200, 151), ("box", 97, 83), ("bicubic", 517, 100)]),
    ("landscape_300x211", 300, 211, 2, [64, 32, 70], [("box", 150, 105)]),
    ("portrait_45x61", 45, 61, 3, [64, 32], [("bicubic", 101, 137), ("bicubic", 30, 61)]),
]
FILTERS = {"bicubic": Image.BICUBIC, "box": Image.BOX}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, width, height, seed, adm_sizes, resizes in CASES:
        image = synthetic(width, height, seed)
        image.save(OUT / f"{name}.png")
        for size in adm_sizes:
            Image.fromarray(center_crop_arr(image, size)).save(OUT / f"{name}.adm{size}.png")
        for filter_name, w, h in resizes:
            image.resize((w, h), resample=FILTERS[filter_name]).save(OUT / f"{name}.{filter_name}_{w}x{h}.png")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(list(OUT.iterdir()))} files, {total} bytes, to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
