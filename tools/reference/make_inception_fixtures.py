"""Writes the eval-fid test fixtures:

- inception_narrow.pth: the FID Inception-v3 with every channel count divided by 8
  (same topology, same pytorch-fid key names), random weights, saved in torch's
  pre-1.6 (non-zip) format like pt_inception-2015-12-05-6726825d.pth;
- inception_outputs.npz: uint8 images and the network's pool_3 features, logits
  without bias and spatial features for them;
- metrics.npz: feature sets with FID (scipy sqrtm, float64), IS and precision/recall
  computed by plain numpy reference code.

Run: python3 tools/reference/make_inception_fixtures.py eval-fid/src/test/resources/eval
Benchmark weights (full width, not committed):
     python3 tools/reference/make_inception_fixtures.py --full /tmp/inception_full.pth
"""
import argparse
import sys
from pathlib import Path

import numpy as np
import scipy.linalg
import torch

sys.path.insert(0, str(Path(__file__).parent))
from fid_inception import FidInception, randomize, state_dict_like_pytorch_fid  # noqa: E402


def images(rng, n, h, w):
    """Smooth colour gradients plus noise, uint8 NHWC."""
    yy, xx = np.meshgrid(np.linspace(0, 1, h), np.linspace(0, 1, w), indexing="ij")
    out = np.empty((n, h, w, 3), np.float64)
    for i in range(n):
        for c in range(3):
            a, b, f = rng.uniform(-1, 1, 3)
            out[i, :, :, c] = 128 + 90 * np.sin(3 * f * xx + a) * np.cos(2 * yy + b)
    out += rng.normal(0, 20, out.shape)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def fid(mu1, s1, mu2, s2, eps=1e-6):
    covmean = scipy.linalg.sqrtm(s1 @ s2)
    if not np.isfinite(covmean).all():
        offset = np.eye(s1.shape[0]) * eps
        covmean = scipy.linalg.sqrtm((s1 + offset) @ (s2 + offset))
    covmean = covmean.real
    d = mu1 - mu2
    return d @ d + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean)


def fid_with_offset(mu1, s1, mu2, s2, eps=1e-6):
    offset = np.eye(s1.shape[0]) * eps
    covmean = scipy.linalg.sqrtm((s1 + offset) @ (s2 + offset)).real
    d = mu1 - mu2
    return d @ d + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean)


def stats(x):
    return x.mean(0), np.cov(x, rowvar=False)


def inception_score(logits, split):
    z = logits - logits.max(1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    scores = []
    for i in range(0, len(p), split):
        part = p[i:i + split]
        kl = (part * (np.log(part) - np.log(part.mean(0, keepdims=True)))).sum(1).mean()
        scores.append(np.exp(kl))
    return np.mean(scores), np.std(scores)


def precision_recall(ref, sam, k=3):
    def d2(a, b):
        return ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)

    ref_radii = np.sort(d2(ref, ref), axis=1)[:, k]  # index 0 is the point itself
    sam_radii = np.sort(d2(sam, sam), axis=1)[:, k]
    precision = (d2(sam, ref) <= ref_radii[None, :]).any(1).mean()
    recall = (d2(ref, sam) <= sam_radii[None, :]).any(1).mean()
    return precision, recall


def write_network(out):
    torch.manual_seed(7)
    rng = np.random.default_rng(7)
    model = FidInception(d=8)
    calibration = torch.from_numpy(images(rng, 4, 120, 120))
    randomize(model, 11, calibration)
    torch.save(state_dict_like_pytorch_fid(model), out / "inception_narrow.pth", _use_new_zipfile_serialization=False)
    small = images(rng, 2, 48, 80)  # non-square, upsampled
    full = images(rng, 1, 299, 299)  # identity resize
    arrays = {"images_small": small, "images_299": full}
    with torch.no_grad():
        for name, x in (("small", small), ("299", full)):
            pool, logits, spatial = model(torch.from_numpy(x))
            arrays["pool_" + name] = pool.numpy()
            arrays["logits_" + name] = logits.numpy()
            arrays["spatial_" + name] = spatial.numpy()
    np.savez(out / "inception_outputs.npz", **arrays)


def write_metrics(out):
    rng = np.random.default_rng(3)
    a = rng.normal(size=(64, 64)) / 8
    x1 = rng.normal(size=(3000, 64)) @ a + rng.normal(size=64)
    x2 = rng.normal(size=(3000, 64)) @ (a + 0.02 * rng.normal(size=(64, 64))) + rng.normal(size=64) * 0.9
    # Stored as float32, the reference values are computed in float64 from the stored values.
    x1, x2 = x1.astype(np.float32).astype(np.float64), x2.astype(np.float32).astype(np.float64)
    (m1, s1), (m2, s2) = stats(x1), stats(x2)
    small1, small2 = x1[:50], x2[:50]
    (sm1, ss1), (sm2, ss2) = stats(small1), stats(small2)
    logits = rng.normal(size=(1200, 10)) * 3 + np.eye(10)[rng.integers(0, 10, 1200)] * 4
    is_mean, is_std = inception_score(logits, 500)
    ref = rng.normal(size=(300, 16))
    sam = rng.normal(size=(250, 16)) * 1.2 + 0.3
    precision, recall = precision_recall(ref, sam)
    np.savez(out / "metrics.npz",
             x1=x1.astype(np.float32), x2=x2.astype(np.float32), fid=fid(m1, s1, m2, s2),
             fid_singular=fid_with_offset(sm1, ss1, sm2, ss2),
             logits=logits, is_split=500, is_mean=is_mean, is_std=is_std,
             ref=ref, sam=sam, precision=precision, recall=recall)
    print("fid", fid(m1, s1, m2, s2), "singular", fid_with_offset(sm1, ss1, sm2, ss2),
          "is", is_mean, is_std, "pr", precision, recall)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", type=Path)
    parser.add_argument("--full", type=Path, help="write full-width random weights here (benchmark)")
    args = parser.parse_args()
    if args.full:
        model = FidInception(d=1)
        randomize(model, 5, torch.from_numpy(images(np.random.default_rng(5), 2, 299, 299)))
        torch.save(state_dict_like_pytorch_fid(model), args.full, _use_new_zipfile_serialization=False)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        write_network(args.out)
        write_metrics(args.out)


if __name__ == "__main__":
    main()
