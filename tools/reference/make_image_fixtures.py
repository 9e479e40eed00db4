"""Writes the small image fixtures of common/src/test/resources/images/ with Pillow.

Each fixture <name>.<ext> comes with <name>.<ext>.rgb: the raw HWC bytes that Pillow's
Image.open(path).convert('RGB') gives, which the Java decoder tests compare against
(exactly for PNG, within a small tolerance for JPEG, whose decoders differ in rounding).
cmyk.jpg.rgb is Pillow's CMYK-to-RGB conversion, which the OpenCV decoder approximates.

Run from the repository root:
    python3 tools/reference/make_image_fixtures.py
"""
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

OUT = Path(__file__).resolve().parents[2] / "common/src/test/resources/images"
W, H = 16, 12


def gradient_rgb():
    """A deterministic 12x16 RGB pattern with every channel different."""
    y, x = np.mgrid[0:H, 0:W]
    r = (x * 16 + 5) % 256
    g = (y * 21 + 3) % 256
    b = ((x + y) * 9 + 100) % 256
    return np.stack([r, g, b], axis=-1).astype(np.uint8)


def png_chunk(kind, payload):
    body = kind + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def write_png_rgb16(path, pixels16):
    """Writes a 16-bit RGB PNG by hand (Pillow cannot write 16-bit RGB)."""
    h, w, _ = pixels16.shape
    raw = b"".join(b"\x00" + pixels16[row].astype(">u2").tobytes() for row in range(h))
    data = b"\x89PNG\r\n\x1a\n"
    data += png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
    data += png_chunk(b"IDAT", zlib.compress(raw, 9))
    data += png_chunk(b"IEND", b"")
    path.write_bytes(data)


def save_with_expected(image_path):
    rgb = np.asarray(Image.open(image_path).convert("RGB"), dtype=np.uint8)
    assert rgb.shape == (H, W, 3), rgb.shape
    image_path.with_name(image_path.name + ".rgb").write_bytes(rgb.tobytes())


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rgb = gradient_rgb()
    gray = rgb[:, :, 0]

    Image.fromarray(gray, "L").save(OUT / "gray.png")
    alpha = ((np.arange(W)[None, :] * 17 + np.arange(H)[:, None] * 5) % 256).astype(np.uint8)
    alpha[0, 0] = 0  # A fully transparent pixel whose colour must survive.
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(OUT / "rgba.png")
    Image.fromarray(np.dstack([gray, alpha]), "LA").save(OUT / "gray_alpha.png")
    palette = Image.fromarray(rgb, "RGB").quantize(colors=16, method=Image.Quantize.MEDIANCUT)
    palette.save(OUT / "palette.png", transparency=3)
    # 16-bit samples whose low bytes differ from their high bytes.
    write_png_rgb16(OUT / "rgb16.png", rgb.astype(np.uint16) * 256 + 0x3A)
    Image.fromarray(rgb, "RGB").save(OUT / "rgb.jpg", quality=95)
    Image.fromarray(gray, "L").save(OUT / "gray.jpg", quality=95)
    Image.fromarray(rgb, "RGB").convert("CMYK").save(OUT / "cmyk.jpg", quality=90)

    for name in ["gray.png", "rgba.png", "gray_alpha.png", "palette.png", "rgb16.png", "rgb.jpg", "gray.jpg"]:
        save_with_expected(OUT / name)
    assert Image.open(OUT / "cmyk.jpg").mode == "CMYK"
    save_with_expected(OUT / "cmyk.jpg")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(list(OUT.iterdir()))} files, {total} bytes, to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
