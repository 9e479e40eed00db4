"""Writes the reference values for the Java AdamW, clipping and schedule tests.

Runs torch.optim.AdamW (default single-tensor path) with two parameter groups
(weight with decay 0.05, bias without), torch.nn.utils.clip_grad_norm_ at 1.0 and a
linear warm-up + cosine learning rate on a fixed Linear(4, 3) model with fixed data,
and records every step. Also records clip_grad_norm_ on fixed gradients.

Usage: python3 tools/reference/make_optim_fixtures.py [out_dir]
(default out_dir: common/src/test/resources/optim)
"""
import json
import math
import os
import sys

import torch

PEAK, WARMUP, TOTAL, MIN_LR = 0.05, 3, 10, 0.005
BETAS, EPS = (0.9, 0.95), 1e-8
WEIGHT_DECAY, MAX_NORM, STEPS = 0.05, 1.0, 8


def warmup_cosine(step):
    """Same convention as LrSchedule.warmupCosine: step is 0-based."""
    if step < WARMUP:
        return PEAK * (step + 1) / WARMUP
    t = min(1.0, (step - WARMUP) / (TOTAL - WARMUP))
    return MIN_LR + 0.5 * (PEAK - MIN_LR) * (1 + math.cos(math.pi * t))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def adamw_run():
    g = torch.Generator().manual_seed(1234)
    model = torch.nn.Linear(4, 3)
    with torch.no_grad():
        model.weight.copy_(torch.randn(3, 4, generator=g) * 0.5)
        model.bias.copy_(torch.randn(3, generator=g) * 0.5)
    record = {
        "betas": list(BETAS), "eps": EPS, "weight_decay": WEIGHT_DECAY, "max_norm": MAX_NORM,
        "schedule": {"peak": PEAK, "warmup": WARMUP, "total": TOTAL, "min": MIN_LR},
        "weight_shape": [3, 4], "bias_shape": [3], "batch": 6,
        "weight0": flat(model.weight), "bias0": flat(model.bias), "steps": [],
    }
    opt = torch.optim.AdamW(
        [{"params": [model.weight], "weight_decay": WEIGHT_DECAY},
         {"params": [model.bias], "weight_decay": 0.0}],
        lr=PEAK, betas=BETAS, eps=EPS, foreach=False)
    for step in range(STEPS):
        x = torch.randn(6, 4, generator=g)
        # Large targets early make the first gradients exceed the clipping norm.
        y = torch.randn(6, 3, generator=g) * (3.0 if step < 4 else 0.3)
        lr = warmup_cosine(step)
        for group in opt.param_groups:
            group["lr"] = lr
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        grad_w, grad_b = flat(model.weight.grad), flat(model.bias.grad)
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_NORM)
        opt.step()
        record["steps"].append({
            "x": flat(x), "y": flat(y), "lr": lr, "loss": float(loss),
            "grad_weight": grad_w, "grad_bias": grad_b, "grad_norm": float(norm),
            "weight": flat(model.weight), "bias": flat(model.bias),
        })
    return record


def clip_cases():
    g = torch.Generator().manual_seed(99)
    cases = []
    for scale, max_norm in ((1.0, 0.5), (0.01, 1.0)):
        grads = [torch.randn(5, 3, generator=g) * scale, torch.randn(7, generator=g) * scale]
        params = [torch.zeros_like(t, requires_grad=True) for t in grads]
        for p, t in zip(params, grads):
            p.grad = t.clone()
        norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
        cases.append({
            "max_norm": max_norm, "shapes": [list(t.shape) for t in grads],
            "grads": [flat(t) for t in grads], "norm": float(norm),
            "clipped": [flat(p.grad) for p in params],
        })
    return cases


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "common/src/test/resources/optim"
    os.makedirs(out, exist_ok=True)
    torch.set_default_dtype(torch.float32)
    with open(os.path.join(out, "adamw_steps.json"), "w") as f:
        json.dump(adamw_run(), f, indent=1)
    with open(os.path.join(out, "clip_grad_norm.json"), "w") as f:
        json.dump(clip_cases(), f, indent=1)
    print("wrote", out, "with torch", torch.__version__)


if __name__ == "__main__":
    main()
