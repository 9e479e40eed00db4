"""PyTorch peer of GptTrainBench: one NTP training step (forward, backward, clipping,
AdamW) of a random-weight GPT on random codes, reported as image tokens per second.

Usage: python3 bench/train_bench.py [dim] [layers] [heads] [vocab] [grid] [batch] [steps]
"""
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools" / "reference"))
from llamagen_gpt import Gpt, GptArgs  # noqa: E402


def main():
    a = [int(x) for x in sys.argv[1:]] + [None] * 7
    dim, layers, heads, vocab, grid, batch, steps = (a[0] or 768, a[1] or 2, a[2] or 12, a[3] or 16384,
                                                     a[4] or 16, a[5] or 4, a[6] or 5)
    torch.set_num_threads(2)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    model = Gpt(GptArgs(dim=dim, n_layer=layers, n_head=heads, vocab_size=vocab, num_classes=1000,
                        block_size=grid * grid))
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-4, betas=(0.9, 0.95))
    n = grid * grid

    def step():
        labels = torch.randint(0, 1000, (batch,))
        codes = torch.randint(0, vocab, (batch, n))
        logits = model.teacher_forced(labels, codes)
        loss = F.cross_entropy(logits.reshape(-1, vocab), codes.reshape(-1))
        opt.zero_grad(set_to_none=False)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    step()
    t0 = time.perf_counter()
    for _ in range(steps):
        loss = step()
    seconds = time.perf_counter() - t0
    print(f"python ntp: dim {dim}, {layers} layers, batch {batch}, {n} tokens: {1000 * seconds / steps:.1f} ms/step, "
          f"{steps * batch * n / seconds:.0f} tokens/s (loss {loss:.3f}, threads {torch.get_num_threads()})")


if __name__ == "__main__":
    main()
