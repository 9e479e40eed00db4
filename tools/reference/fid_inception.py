"""The FID variant of Inception-v3 (the network behind published FID, IS and sFID numbers),
written from its published description, with every channel count divisible by `divisor`
so that tests can use a narrow copy of the same topology and the same state-dict keys.

Differences from torchvision's Inception-v3: average pooling inside the mixed blocks
does not count padding; the last mixed block (Mixed_7c) max-pools in its pool branch;
batch norm eps is 0.001; the classifier has 1008 outputs. Input is float pixels in
[0, 255] of any size, resized to 299x299 with TF1's bilinear rule, then (x - 128) / 128.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SIZE = 299
CLASSES = 1008


class ConvBnRelu(nn.Module):
    def __init__(self, cin, cout, kernel, stride=1, padding=0):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride=stride, padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


def avg3(x):
    return F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)


class BlockA(nn.Module):
    def __init__(self, cin, pool, d):
        super().__init__()
        self.branch1x1 = ConvBnRelu(cin, 64 // d, 1)
        self.branch5x5_1 = ConvBnRelu(cin, 48 // d, 1)
        self.branch5x5_2 = ConvBnRelu(48 // d, 64 // d, 5, padding=2)
        self.branch3x3dbl_1 = ConvBnRelu(cin, 64 // d, 1)
        self.branch3x3dbl_2 = ConvBnRelu(64 // d, 96 // d, 3, padding=1)
        self.branch3x3dbl_3 = ConvBnRelu(96 // d, 96 // d, 3, padding=1)
        self.branch_pool = ConvBnRelu(cin, pool, 1)

    def forward(self, x):
        a = self.branch1x1(x)
        b = self.branch5x5_2(self.branch5x5_1(x))
        c = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        p = self.branch_pool(avg3(x))
        return torch.cat([a, b, c, p], 1)


class BlockB(nn.Module):
    def __init__(self, cin, d):
        super().__init__()
        self.branch3x3 = ConvBnRelu(cin, 384 // d, 3, stride=2)
        self.branch3x3dbl_1 = ConvBnRelu(cin, 64 // d, 1)
        self.branch3x3dbl_2 = ConvBnRelu(64 // d, 96 // d, 3, padding=1)
        self.branch3x3dbl_3 = ConvBnRelu(96 // d, 96 // d, 3, stride=2)

    def forward(self, x):
        a = self.branch3x3(x)
        b = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return torch.cat([a, b, F.max_pool2d(x, 3, stride=2)], 1)


class BlockC(nn.Module):
    def __init__(self, cin, c7, d):
        super().__init__()
        c = 192 // d
        self.branch1x1 = ConvBnRelu(cin, c, 1)
        self.branch7x7_1 = ConvBnRelu(cin, c7, 1)
        self.branch7x7_2 = ConvBnRelu(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7_3 = ConvBnRelu(c7, c, (7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = ConvBnRelu(cin, c7, 1)
        self.branch7x7dbl_2 = ConvBnRelu(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = ConvBnRelu(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = ConvBnRelu(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = ConvBnRelu(c7, c, (1, 7), padding=(0, 3))
        self.branch_pool = ConvBnRelu(cin, c, 1)

    def forward(self, x):
        a = self.branch1x1(x)
        b = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        c = x
        for m in (self.branch7x7dbl_1, self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4,
                  self.branch7x7dbl_5):
            c = m(c)
        p = self.branch_pool(avg3(x))
        return torch.cat([a, b, c, p], 1)


class BlockD(nn.Module):
    def __init__(self, cin, d):
        super().__init__()
        self.branch3x3_1 = ConvBnRelu(cin, 192 // d, 1)
        self.branch3x3_2 = ConvBnRelu(192 // d, 320 // d, 3, stride=2)
        self.branch7x7x3_1 = ConvBnRelu(cin, 192 // d, 1)
        self.branch7x7x3_2 = ConvBnRelu(192 // d, 192 // d, (1, 7), padding=(0, 3))
        self.branch7x7x3_3 = ConvBnRelu(192 // d, 192 // d, (7, 1), padding=(3, 0))
        self.branch7x7x3_4 = ConvBnRelu(192 // d, 192 // d, 3, stride=2)

    def forward(self, x):
        a = self.branch3x3_2(self.branch3x3_1(x))
        b = self.branch7x7x3_4(self.branch7x7x3_3(self.branch7x7x3_2(self.branch7x7x3_1(x))))
        return torch.cat([a, b, F.max_pool2d(x, 3, stride=2)], 1)


class BlockE(nn.Module):
    def __init__(self, cin, d, max_pool):
        super().__init__()
        self.max_pool = max_pool
        self.branch1x1 = ConvBnRelu(cin, 320 // d, 1)
        self.branch3x3_1 = ConvBnRelu(cin, 384 // d, 1)
        self.branch3x3_2a = ConvBnRelu(384 // d, 384 // d, (1, 3), padding=(0, 1))
        self.branch3x3_2b = ConvBnRelu(384 // d, 384 // d, (3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = ConvBnRelu(cin, 448 // d, 1)
        self.branch3x3dbl_2 = ConvBnRelu(448 // d, 384 // d, 3, padding=1)
        self.branch3x3dbl_3a = ConvBnRelu(384 // d, 384 // d, (1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = ConvBnRelu(384 // d, 384 // d, (3, 1), padding=(1, 0))
        self.branch_pool = ConvBnRelu(cin, 192 // d, 1)

    def forward(self, x):
        a = self.branch1x1(x)
        b = self.branch3x3_1(x)
        b = torch.cat([self.branch3x3_2a(b), self.branch3x3_2b(b)], 1)
        c = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        c = torch.cat([self.branch3x3dbl_3a(c), self.branch3x3dbl_3b(c)], 1)
        p = F.max_pool2d(x, 3, stride=1, padding=1) if self.max_pool else avg3(x)
        return torch.cat([a, b, c, self.branch_pool(p)], 1)


class FidInception(nn.Module):
    def __init__(self, d=1):
        super().__init__()
        self.Conv2d_1a_3x3 = ConvBnRelu(3, 32 // d, 3, stride=2)
        self.Conv2d_2a_3x3 = ConvBnRelu(32 // d, 32 // d, 3)
        self.Conv2d_2b_3x3 = ConvBnRelu(32 // d, 64 // d, 3, padding=1)
        self.Conv2d_3b_1x1 = ConvBnRelu(64 // d, 80 // d, 1)
        self.Conv2d_4a_3x3 = ConvBnRelu(80 // d, 192 // d, 3)
        self.Mixed_5b = BlockA(192 // d, 32 // d, d)
        self.Mixed_5c = BlockA(256 // d, 64 // d, d)
        self.Mixed_5d = BlockA(288 // d, 64 // d, d)
        self.Mixed_6a = BlockB(288 // d, d)
        self.Mixed_6b = BlockC(768 // d, 128 // d, d)
        self.Mixed_6c = BlockC(768 // d, 160 // d, d)
        self.Mixed_6d = BlockC(768 // d, 160 // d, d)
        self.Mixed_6e = BlockC(768 // d, 192 // d, d)
        self.Mixed_7a = BlockD(768 // d, d)
        self.Mixed_7b = BlockE(1280 // d, d, max_pool=False)
        self.Mixed_7c = BlockE(2048 // d, d, max_pool=True)
        self.fc = nn.Linear(2048 // d, CLASSES)

    def forward(self, images_uint8_nhwc):
        """Returns pool_3 [N, 2048/d], logits without bias [N, 1008], spatial [N, 2023]."""
        x = images_uint8_nhwc.permute(0, 3, 1, 2).float()
        x = tf1_resize_bilinear(x, SIZE)
        x = (x - 128) / 128
        x = self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(x)))
        x = F.max_pool2d(x, 3, stride=2)
        x = self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x))
        x = F.max_pool2d(x, 3, stride=2)
        for m in (self.Mixed_5b, self.Mixed_5c, self.Mixed_5d, self.Mixed_6a, self.Mixed_6b, self.Mixed_6c):
            x = m(x)
        spatial = self.Mixed_6d.branch1x1(x)[:, :7].permute(0, 2, 3, 1).reshape(x.shape[0], -1)
        for m in (self.Mixed_6d, self.Mixed_6e, self.Mixed_7a, self.Mixed_7b, self.Mixed_7c):
            x = m(x)
        pool = x.mean(dim=(2, 3))
        logits = pool @ self.fc.weight.T
        return pool, logits, spatial


def tf1_resize_bilinear(x, out):
    """TF1 bilinear resize of [N, C, H, W]: source = dst * (in / out) in float32, no offset."""
    def axis(n):
        scale = np.float32(n) / np.float32(out)
        src = torch.arange(out, dtype=torch.float32) * torch.tensor(scale, dtype=torch.float32)
        lo = torch.floor(src).long()
        hi = torch.clamp(lo + 1, max=n - 1)
        return lo, hi, src - lo.float()

    ylo, yhi, yf = axis(x.shape[2])
    xlo, xhi, xf = axis(x.shape[3])
    top = x[:, :, ylo]
    bottom = x[:, :, yhi]
    tl, tr = top[..., xlo], top[..., xhi]
    bl, br = bottom[..., xlo], bottom[..., xhi]
    t = tl + (tr - tl) * xf
    b = bl + (br - bl) * xf
    return t + (b - t) * yf[:, None]


def randomize(model, seed, calibration):
    """Random weights with batch-norm statistics taken from `calibration` and perturbed,
    so the running statistics are non-trivial and activations stay in a sane range."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("conv.weight"):
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=g) * (2.0 / fan_in) ** 0.5)
            elif name.endswith("bn.weight"):
                p.copy_(0.8 + 0.4 * torch.rand(p.shape, generator=g))
            elif name.endswith("bn.bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            else:  # fc
                p.copy_(0.05 * torch.randn(p.shape, generator=g))
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.momentum = None  # cumulative average over the calibration pass
                m.reset_running_stats()
        model.train()
        model(calibration)
        model.eval()
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.add_(0.05 * torch.randn(m.running_mean.shape, generator=g))
                m.running_var.mul_(0.8 + 0.4 * torch.rand(m.running_var.shape, generator=g))
    return model


def state_dict_like_pytorch_fid(model):
    """State dict with pytorch-fid's key names and without num_batches_tracked."""
    return {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
