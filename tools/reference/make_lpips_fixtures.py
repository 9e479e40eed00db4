"""Writes LPIPS-VGG parity fixtures for the Java perceptual loss.

A narrow VGG16 `features` stack (every channel count divided by 8, same layer
indices and key names as torchvision) with random weights, random nonnegative
1x1 heads under the lpips key names, two image pairs in [-1, 1] and the LPIPS
distance of each pair, computed here from the definition:
  scale inputs, VGG taps after relu1_2..relu5_3, unit-normalise each tap over
  channels, squared difference, 1x1 head without bias, spatial mean, sum over taps.

Run: python3 tools/reference/make_lpips_fixtures.py tokenizer-vq/src/test/resources/lpips
"""
import os
import sys

import torch
import torch.nn.functional as F

NARROW = 8
# torchvision vgg16 "features": channel counts, "M" = 2x2 max pool.
CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512]
TAPS = {3, 8, 15, 22, 29}  # indices of relu1_2, relu2_2, relu3_3, relu4_3, relu5_3
SHIFT = torch.tensor([-0.030, -0.088, -0.188]).view(1, 3, 1, 1)
SCALE = torch.tensor([0.458, 0.448, 0.450]).view(1, 3, 1, 1)
EPS = 1e-10


def make_vgg(gen):
    state = {}
    index = 0
    cin = 3
    tap_channels = []
    for item in CFG:
        if item == "M":
            index += 1
            continue
        cout = item // NARROW
        std = (2.0 / (9 * cin)) ** 0.5
        state[f"features.{index}.weight"] = torch.randn(cout, cin, 3, 3, generator=gen) * std
        state[f"features.{index}.bias"] = torch.randn(cout, generator=gen) * 0.05
        if index + 1 in TAPS:
            tap_channels.append(cout)
        index += 2
        cin = cout
    return state, tap_channels


def features(state, x):
    taps = []
    index = 0
    h = x
    for item in CFG:
        if item == "M":
            h = F.max_pool2d(h, 2, 2)
            index += 1
            continue
        h = F.relu(F.conv2d(h, state[f"features.{index}.weight"], state[f"features.{index}.bias"], padding=1))
        if index + 1 in TAPS:
            taps.append(h)
        index += 2
    return taps


def lpips(vgg, lin, x, y):
    fx = features(vgg, (x - SHIFT) / SCALE)
    fy = features(vgg, (y - SHIFT) / SCALE)
    total = 0
    for k, (a, b) in enumerate(zip(fx, fy)):
        na = a / (torch.sqrt((a * a).sum(1, keepdim=True)) + EPS)
        nb = b / (torch.sqrt((b * b).sum(1, keepdim=True)) + EPS)
        d = F.conv2d((na - nb) ** 2, lin[f"lin{k}.model.1.weight"])
        total = total + d.mean(dim=(2, 3))
    return total.view(-1)  # [B]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    gen = torch.Generator().manual_seed(1234)
    vgg, channels = make_vgg(gen)
    lin = {f"lin{k}.model.1.weight": torch.rand(1, c, 1, 1, generator=gen) for k, c in enumerate(channels)}
    x = torch.rand(2, 3, 32, 32, generator=gen) * 2 - 1
    y = (x + 0.3 * torch.randn(2, 3, 32, 32, generator=gen)).clamp(-1, 1)
    with torch.no_grad():
        d = lpips(vgg, lin, x, y)
    torch.save(vgg, os.path.join(out, "vgg16-narrow.pth"))
    torch.save(lin, os.path.join(out, "lin-narrow.pth"))
    torch.save({"x": x, "y": y, "lpips": d.double()}, os.path.join(out, "pairs.pth"))
    print("lpips", d.tolist())


if __name__ == "__main__":
    main()
