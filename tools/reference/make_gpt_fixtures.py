"""Writes a small random-weight LlamaGen-style GPT with torch.save and its reference
outputs: teacher-forced logits, cached decode logits and greedy generations with and
without classifier-free guidance.

Run: python3 tools/reference/make_gpt_fixtures.py generator/src/test/resources/gpt
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from llamagen_gpt import Gpt, GptArgs, generate_greedy  # noqa: E402


def main(out: Path):
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(1234)
    # Small, but with grouped-query attention off (as in LlamaGen's presets) and a 4x4 grid.
    args = GptArgs(dim=64, n_layer=2, n_head=4, multiple_of=32, vocab_size=48, num_classes=10, block_size=16)
    model = Gpt(args).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
            else:
                p.copy_(0.3 * torch.randn_like(p))
    torch.save({"model": model.state_dict(), "args": {"gpt_model": "tiny"}}, out / "gpt_tiny.pt")

    labels = torch.tensor([3, 7])
    codes = torch.randint(0, args.vocab_size, (2, args.block_size))
    with torch.no_grad():
        logits = model.teacher_forced(labels, codes)  # [2, 16, 48]
        # Cached decoding: prefill the class token and 5 codes, then one step.
        cache = model.new_cache(2, args.block_size)
        prefill = model.decode(model.embed(labels, codes[:, :5]), cache, 0)
        step = model.decode(model.tok_embeddings(codes[:, 5:6]), cache, 6)
    greedy = generate_greedy(model, labels, cfg_scale=1.0)
    greedy_cfg = generate_greedy(model, labels, cfg_scale=2.0)

    np.save(out / "codes.npy", codes.numpy().astype(np.int64))
    np.save(out / "logits.npy", logits.numpy().astype(np.float32))
    np.save(out / "prefill_logits.npy", prefill.numpy().astype(np.float32))
    np.save(out / "step_logits.npy", step.numpy().astype(np.float32))
    meta = {
        "config": {"dim": 64, "n_layer": 2, "n_head": 4, "multiple_of": 32, "vocab_size": 48,
                   "num_classes": 10, "block_size": 16},
        "labels": labels.tolist(),
        "greedy": greedy.tolist(),
        "greedy_cfg2": greedy_cfg.tolist(),
        "torch": torch.__version__,
    }
    (out / "expected.json").write_text(json.dumps(meta, indent=1))
    (out / "gpt_tiny.yaml").write_text("".join(f"{k}: {v}\n" for k, v in meta["config"].items()))
    print("wrote", out)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "generator/src/test/resources/gpt"))
