"""A plain PyTorch model of LlamaGen's VQ image tokenizer (VQ-16 family), written
from the published architecture so that its state_dict uses the same key names as
the official checkpoints. Used only to write test fixtures and as the Python peer
of the tokenizer benchmark.

Architecture facts:
- Encoder: conv_in, then one level per channel multiplier with num_res_blocks
  residual blocks each. Attention follows every residual block of the last level
  only, and a downsample follows every level but the last. Then the middle (res,
  attn, res), GroupNorm, swish and conv_out to z_channels.
- Decoder: conv_in, middle, the levels from lowest resolution to highest with
  num_res_blocks + 1 residual blocks each (attention after each one in the first,
  lowest-resolution level), a nearest x2 upsample + conv after every level but the
  last, GroupNorm, swish, conv_out to 3 channels.
- Quantizer: cosine nearest neighbour when codebook_l2_norm is set (both z and the
  codebook rows are L2-normalised); quantised vectors are the normalised rows.
"""
from dataclasses import dataclass, field
from typing import List

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class VqArgs:
    codebook_size: int = 16384
    codebook_embed_dim: int = 8
    codebook_l2_norm: bool = True
    commit_loss_beta: float = 0.25
    encoder_ch_mult: List[int] = field(default_factory=lambda: [1, 1, 2, 2, 4])
    decoder_ch_mult: List[int] = field(default_factory=lambda: [1, 1, 2, 2, 4])
    z_channels: int = 256
    ch: int = 128
    num_res_blocks: int = 2
    dropout_p: float = 0.0


def group_norm(channels):
    return nn.GroupNorm(32, channels, eps=1e-6, affine=True)


def swish(x):
    return x * torch.sigmoid(x)


class ResBlock(nn.Module):
    def __init__(self, c_in, c_out, dropout):
        super().__init__()
        self.norm1 = group_norm(c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.norm2 = group_norm(c_out)
        self.drop = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.nin_shortcut = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else None

    def forward(self, x):
        h = self.conv1(swish(self.norm1(x)))
        h = self.conv2(self.drop(swish(self.norm2(h))))
        skip = x if self.nin_shortcut is None else self.nin_shortcut(x)
        return skip + h


class Attention(nn.Module):
    """Single-head self-attention over all spatial positions."""

    def __init__(self, c):
        super().__init__()
        self.norm = group_norm(c)
        self.q = nn.Conv2d(c, c, 1)
        self.k = nn.Conv2d(c, c, 1)
        self.v = nn.Conv2d(c, c, 1)
        self.proj_out = nn.Conv2d(c, c, 1)

    def forward(self, x):
        b, c, hh, ww = x.shape
        n = self.norm(x)
        q = self.q(n).flatten(2).transpose(1, 2)  # [B, N, C]
        k = self.k(n).flatten(2)                  # [B, C, N]
        v = self.v(n).flatten(2)                  # [B, C, N]
        weights = torch.softmax(torch.bmm(q, k) * c ** -0.5, dim=2)  # [B, Nq, Nk]
        out = torch.bmm(v, weights.transpose(1, 2)).reshape(b, c, hh, ww)
        return x + self.proj_out(out)


class Downsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, stride=2, padding=0)

    def forward(self, x):
        return self.conv(F.pad(x, (0, 1, 0, 1)))  # right and bottom by one


class Upsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class Level(nn.Module):
    """Residual blocks, optional attention after each, then an optional resampler."""

    def __init__(self, c_in, c_out, blocks, attention, dropout):
        super().__init__()
        self.res = nn.ModuleList()
        self.attn = nn.ModuleList()
        for j in range(blocks):
            self.res.append(ResBlock(c_in if j == 0 else c_out, c_out, dropout))
            if attention:
                self.attn.append(Attention(c_out))

    def forward(self, x):
        for j, block in enumerate(self.res):
            x = block(x)
            if len(self.attn) > 0:
                x = self.attn[j](x)
        if hasattr(self, "downsample"):
            x = self.downsample(x)
        if hasattr(self, "upsample"):
            x = self.upsample(x)
        return x


def middle(c, dropout):
    return nn.ModuleList([ResBlock(c, c, dropout), Attention(c), ResBlock(c, c, dropout)])


class Encoder(nn.Module):
    def __init__(self, a: VqArgs):
        super().__init__()
        mult = a.encoder_ch_mult
        self.conv_in = nn.Conv2d(3, a.ch, 3, padding=1)
        self.conv_blocks = nn.ModuleList()
        c = a.ch
        for level, m in enumerate(mult):
            last = level == len(mult) - 1
            block = Level(c, a.ch * m, a.num_res_blocks, last, a.dropout_p)
            c = a.ch * m
            if not last:
                block.downsample = Downsample(c)
            self.conv_blocks.append(block)
        self.mid = middle(c, a.dropout_p)
        self.norm_out = group_norm(c)
        self.conv_out = nn.Conv2d(c, a.z_channels, 3, padding=1)

    def forward(self, x):
        h = self.conv_in(x)
        for block in self.conv_blocks:
            h = block(h)
        for block in self.mid:
            h = block(h)
        return self.conv_out(swish(self.norm_out(h)))


class Decoder(nn.Module):
    def __init__(self, a: VqArgs):
        super().__init__()
        mult = a.decoder_ch_mult
        c = a.ch * mult[-1]
        self.conv_in = nn.Conv2d(a.z_channels, c, 3, padding=1)
        self.mid = middle(c, a.dropout_p)
        self.conv_blocks = nn.ModuleList()
        for i, m in enumerate(reversed(mult)):
            block = Level(c, a.ch * m, a.num_res_blocks + 1, i == 0, a.dropout_p)
            c = a.ch * m
            if i != len(mult) - 1:
                block.upsample = Upsample(c)
            self.conv_blocks.append(block)
        self.norm_out = group_norm(c)
        self.conv_out = nn.Conv2d(c, 3, 3, padding=1)

    def forward(self, z):
        h = self.conv_in(z)
        for block in self.mid:
            h = block(h)
        for block in self.conv_blocks:
            h = block(h)
        return self.conv_out(swish(self.norm_out(h)))


class Quantizer(nn.Module):
    def __init__(self, a: VqArgs):
        super().__init__()
        self.l2_norm = a.codebook_l2_norm
        self.beta = a.commit_loss_beta
        self.embedding = nn.Embedding(a.codebook_size, a.codebook_embed_dim)
        self.register_buffer("codebook_used", torch.zeros(65536))

    def codebook(self):
        w = self.embedding.weight
        return F.normalize(w, p=2, dim=-1) if self.l2_norm else w

    def forward(self, z):
        """z [B, D, h, w] -> (straight-through z_q [B, D, h, w], codes [B, h, w], losses)."""
        b, d, hh, ww = z.shape
        z = z.permute(0, 2, 3, 1).reshape(-1, d)  # [M, D]
        if self.l2_norm:
            z = F.normalize(z, p=2, dim=-1)
        e = self.codebook()
        dist = z.pow(2).sum(1, keepdim=True) + e.pow(2).sum(1) - 2 * (z @ e.t())  # [M, K]
        codes = dist.argmin(1)
        z_q = e[codes]
        codebook_loss = torch.mean((z_q - z.detach()) ** 2)
        commit_loss = self.beta * torch.mean((z_q.detach() - z) ** 2)
        z_q = z + (z_q - z).detach()
        z_q = z_q.reshape(b, hh, ww, d).permute(0, 3, 1, 2)
        return z_q, codes.reshape(b, hh, ww), (codebook_loss, commit_loss)

    def lookup(self, codes):
        """codes [B, h, w] -> [B, D, h, w]."""
        return self.codebook()[codes].permute(0, 3, 1, 2)


class VqModel(nn.Module):
    def __init__(self, a: VqArgs):
        super().__init__()
        self.args = a
        self.encoder = Encoder(a)
        self.decoder = Decoder(a)
        self.quantize = Quantizer(a)
        self.quant_conv = nn.Conv2d(a.z_channels, a.codebook_embed_dim, 1)
        self.post_quant_conv = nn.Conv2d(a.codebook_embed_dim, a.z_channels, 1)

    def encode_codes(self, x):
        return self.quantize(self.quant_conv(self.encoder(x)))[1]

    def decode_codes(self, codes):
        return self.decoder(self.post_quant_conv(self.quantize.lookup(codes)))

    def forward(self, x):
        z_q, codes, losses = self.quantize(self.quant_conv(self.encoder(x)))
        return self.decoder(self.post_quant_conv(z_q)), codes, losses
