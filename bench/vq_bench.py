"""PyTorch peer of VqBench: encode and decode of one batch of random images with a
random-weight VQ tokenizer, eager, inference mode, reported as images/s.

Usage: python3 bench/vq_bench.py [preset] [size] [batch] [rounds]
"""
import resource
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools" / "reference"))
from llamagen_vq import VqArgs, VqModel  # noqa: E402

PRESETS = {"vq-16": dict(), "vq-8": dict(encoder_ch_mult=[1, 2, 2, 4], decoder_ch_mult=[1, 2, 2, 4])}


def main():
    preset = sys.argv[1] if len(sys.argv) > 1 else "vq-16"
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 256
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    torch.set_num_threads(2)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    model = VqModel(VqArgs(**PRESETS[preset])).eval()
    print(f"python: {preset}, {sum(p.numel() for p in model.parameters()):,} parameters, {size} px, batch {batch}, "
          f"threads {torch.get_num_threads()}")

    best_encode = best_decode = float("inf")
    checksum = 0
    with torch.inference_mode():
        # Round 0 warms up and is not counted.
        for r in range(rounds + 1):
            images = torch.rand(batch, 3, size, size) * 2 - 1
            start = time.perf_counter()
            codes = model.encode_codes(images)
            encode = time.perf_counter() - start
            start = time.perf_counter()
            decoded = model.decode_codes(codes)
            first = float(decoded[0, 0, 0, 0])
            decode = time.perf_counter() - start
            checksum += int(codes.sum())
            # The fastest counted round wins as a whole, so encode and decode come from the same round.
            if r > 0 and encode + decode < best_encode + best_decode:
                best_encode, best_decode = encode, decode
            print(f"python: round {r} encode {encode:.3f} s, decode {decode:.3f} s (first pixel {first:.4f})")

    total = best_encode + best_decode
    print(f"python: encode {batch / best_encode:.2f} images/s, decode {batch / best_decode:.2f} images/s, "
          f"encode+decode {total:.3f} s per batch, {batch / total:.3f} images/s (checksum {checksum})")
    print(f"python: peak resident memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024:.2f} GB")


if __name__ == "__main__":
    main()
