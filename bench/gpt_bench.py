"""PyTorch peer of GptSamplingBench: eager GPT sampling with a KV cache and
classifier-free guidance by batch doubling, random weights, inference mode.

Usage: python3 bench/gpt_bench.py [preset] [batch] [cfg] [rounds]
"""
import resource
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools" / "reference"))
from llamagen_gpt import Gpt, GptArgs  # noqa: E402

PRESETS = {"gpt-b": dict(dim=768, n_layer=12, n_head=12), "gpt-l": dict(dim=1024, n_layer=24, n_head=16)}


@torch.inference_mode()
def sample(model, labels, cfg, generator):
    a = model.a
    b = labels.shape[0]
    cond = torch.cat([labels, torch.full_like(labels, a.num_classes)]) if cfg > 1 else labels
    cache = model.new_cache(cond.shape[0], a.block_size + 1)
    logits = model.decode(model.embed(cond, None), cache, 0)
    out = []
    for step in range(a.block_size):
        if cfg > 1:
            c, u = logits[:b], logits[b:]
            logits = u + (c - u) * cfg
        probs = torch.softmax(logits, dim=-1)
        token = torch.multinomial(probs, 1, generator=generator).squeeze(1)
        out.append(token)
        if step == a.block_size - 1:
            break
        feed = torch.cat([token, token]) if cfg > 1 else token
        logits = model.decode(model.tok_embeddings(feed).unsqueeze(1), cache, step + 1)
    return torch.stack(out, 1)


def main():
    preset = sys.argv[1] if len(sys.argv) > 1 else "gpt-b"
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    cfg = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    torch.set_num_threads(2)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    model = Gpt(GptArgs(**PRESETS[preset])).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.02)
    print(f"python: {preset}, {sum(p.numel() for p in model.parameters()):,} parameters, batch {batch}, cfg {cfg}, "
          f"threads {torch.get_num_threads()}")
    a = torch.randn(1024, 1024)
    b = torch.randn(1024, 1024)
    a @ b
    start = time.perf_counter()
    touch = 0.0
    for _ in range(20):
        touch += float((a @ b)[0, 0])
    print(f"python: matmul 1024^3 {2 * 1024 ** 3 * 20 / (time.perf_counter() - start) / 1e9:.1f} GFLOP/s ({touch:.1f})")
    labels = torch.arange(batch) % 1000
    generator = torch.Generator().manual_seed(0)
    best = float("inf")
    checksum = 0
    for r in range(rounds + 1):
        start = time.perf_counter()
        codes = sample(model, labels, cfg, generator)
        seconds = time.perf_counter() - start
        checksum += int(codes.sum())
        if r > 0:
            best = min(best, seconds)
    steps = model.a.block_size
    print(f"python: sampling {best:.3f} s per batch, {batch / best:.3f} images/s, {1000 * best / steps:.2f} ms per "
          f"decode step (checksum {checksum})")
    print(f"python: peak resident memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024:.2f} GB")


if __name__ == "__main__":
    main()
