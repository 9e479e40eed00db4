"""A PyTorch LlamaGen-style class-conditional GPT, written from the published
architecture, used to produce reference outputs for the Java implementation.

Key names match LlamaGen's checkpoints. Only what the fixtures and benchmarks need:
training-style forward, cached decoding and greedy or sampled generation with
classifier-free guidance.
"""
import math
from dataclasses import dataclass
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class GptArgs:
    dim: int = 768
    n_layer: int = 12
    n_head: int = 12
    n_kv_head: Optional[int] = None
    multiple_of: int = 256
    ffn_dim_multiplier: Optional[float] = None
    norm_eps: float = 1e-5
    rope_base: float = 10000
    vocab_size: int = 16384
    num_classes: int = 1000
    cls_token_num: int = 1
    block_size: int = 256

    @property
    def head_dim(self):
        return self.dim // self.n_head

    @property
    def kv_heads(self):
        return self.n_kv_head or self.n_head

    @property
    def ffn_hidden(self):
        hidden = int(2 * (4 * self.dim) / 3)
        if self.ffn_dim_multiplier is not None:
            hidden = int(self.ffn_dim_multiplier * hidden)
        return (hidden + self.multiple_of - 1) // self.multiple_of * self.multiple_of


def rope_table_2d(grid, head_dim, base, cls_token_num):
    """[cls + grid*grid, head_dim/2, 2] (cos, sin); class rows are zeros."""
    half = head_dim // 2
    freqs = 1.0 / (base ** (torch.arange(0, half, 2)[: half // 2].float() / half))
    t = torch.arange(grid, dtype=torch.float32)
    f = torch.outer(t, freqs)  # [grid, D/4]
    grid_freqs = torch.cat([f[:, None, :].expand(-1, grid, -1), f[None, :, :].expand(grid, -1, -1)], dim=-1)
    table = torch.stack([torch.cos(grid_freqs), torch.sin(grid_freqs)], dim=-1).flatten(0, 1)
    return torch.cat([torch.zeros(cls_token_num, half, 2), table])


def apply_rotary(x, rot):
    """x [B, L, H, D]; rot [L, D/2, 2] or [B, L, D/2, 2]."""
    xs = x.float().reshape(*x.shape[:-1], -1, 2)
    if rot.dim() == 3:
        rot = rot.unsqueeze(0)
    rot = rot.unsqueeze(2)  # [B|1, L, 1, D/2, 2]
    out = torch.stack([xs[..., 0] * rot[..., 0] - xs[..., 1] * rot[..., 1],
                       xs[..., 1] * rot[..., 0] + xs[..., 0] * rot[..., 1]], dim=-1)
    return out.flatten(3).type_as(x)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        xf = x.float()
        return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)).type_as(x) * self.weight


class Attention(nn.Module):
    def __init__(self, a: GptArgs):
        super().__init__()
        self.a = a
        self.wqkv = nn.Linear(a.dim, (a.n_head + 2 * a.kv_heads) * a.head_dim, bias=False)
        self.wo = nn.Linear(a.dim, a.dim, bias=False)

    def forward(self, x, rot, mask, cache=None, start=0):
        a = self.a
        b, l, _ = x.shape
        q, k, v = self.wqkv(x).split([a.n_head * a.head_dim, a.kv_heads * a.head_dim, a.kv_heads * a.head_dim], -1)
        q = apply_rotary(q.view(b, l, a.n_head, a.head_dim), rot).transpose(1, 2)
        k = apply_rotary(k.view(b, l, a.kv_heads, a.head_dim), rot).transpose(1, 2)
        v = v.view(b, l, a.kv_heads, a.head_dim).transpose(1, 2)
        if cache is not None:
            cache[0][:, :, start:start + l] = k
            cache[1][:, :, start:start + l] = v
            k = cache[0][:, :, :start + l]
            v = cache[1][:, :, :start + l]
        rep = a.n_head // a.kv_heads
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return self.wo(out.transpose(1, 2).reshape(b, l, a.dim))


class FeedForward(nn.Module):
    def __init__(self, a: GptArgs):
        super().__init__()
        self.w1 = nn.Linear(a.dim, a.ffn_hidden, bias=False)
        self.w3 = nn.Linear(a.dim, a.ffn_hidden, bias=False)
        self.w2 = nn.Linear(a.ffn_hidden, a.dim, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class Block(nn.Module):
    def __init__(self, a: GptArgs):
        super().__init__()
        self.attention = Attention(a)
        self.feed_forward = FeedForward(a)
        self.attention_norm = RMSNorm(a.dim, a.norm_eps)
        self.ffn_norm = RMSNorm(a.dim, a.norm_eps)

    def forward(self, x, rot, mask, cache=None, start=0):
        h = x + self.attention(self.attention_norm(x), rot, mask, cache, start)
        return h + self.feed_forward(self.ffn_norm(h))


class LabelEmbedder(nn.Module):
    def __init__(self, num_classes, dim):
        super().__init__()
        self.embedding_table = nn.Embedding(num_classes + 1, dim)


class Gpt(nn.Module):
    def __init__(self, a: GptArgs):
        super().__init__()
        self.a = a
        self.cls_embedding = LabelEmbedder(a.num_classes, a.dim)
        self.tok_embeddings = nn.Embedding(a.vocab_size, a.dim)
        self.layers = nn.ModuleList([Block(a) for _ in range(a.n_layer)])
        self.norm = RMSNorm(a.dim, a.norm_eps)
        self.output = nn.Linear(a.dim, a.vocab_size, bias=False)
        grid = int(round(math.sqrt(a.block_size)))
        self.register_buffer("rope", rope_table_2d(grid, a.head_dim, a.rope_base, a.cls_token_num), persistent=False)

    def embed(self, labels, codes):
        cls = self.cls_embedding.embedding_table(labels).unsqueeze(1)
        if codes is None or codes.shape[1] == 0:
            return cls
        return torch.cat([cls, self.tok_embeddings(codes)], dim=1)

    def forward_embeddings(self, h, positions, mask, cache=None, start=0):
        rot = self.rope[positions]
        for i, layer in enumerate(self.layers):
            h = layer(h, rot, mask, None if cache is None else cache[i], start)
        return self.output(self.norm(h)).float()

    def teacher_forced(self, labels, codes):
        """Logits [B, N, V]: entry i predicts codes[:, i]."""
        h = self.embed(labels, codes[:, :-1])
        n = h.shape[1]
        mask = torch.ones(n, n, dtype=torch.bool).tril()
        return self.forward_embeddings(h, torch.arange(n), mask)

    def new_cache(self, batch, length):
        a = self.a
        return [(torch.zeros(batch, a.kv_heads, length, a.head_dim), torch.zeros(batch, a.kv_heads, length, a.head_dim))
                for _ in range(a.n_layer)]

    def decode(self, h, cache, start):
        """Logits [B, V] of the last of positions [start, start + L)."""
        l = h.shape[1]
        mask = None
        if l > 1:
            mask = torch.ones(l, start + l, dtype=torch.bool).tril(diagonal=start)
        return self.forward_embeddings(h, torch.arange(start, start + l), mask, cache, start)[:, -1]


@torch.inference_mode()
def generate_greedy(model: Gpt, labels, cfg_scale=1.0, steps=None):
    """Greedy (top-k 1) generation with optional guidance by batch doubling."""
    a = model.a
    n = steps or a.block_size
    b = labels.shape[0]
    guided = cfg_scale > 1.0
    cond = torch.cat([labels, torch.full_like(labels, a.num_classes)]) if guided else labels
    cache = model.new_cache(cond.shape[0], a.block_size)
    logits = model.decode(model.embed(cond, None), cache, 0)
    out = []
    for step in range(n):
        if guided:
            c, u = logits[:b], logits[b:]
            logits = u + (c - u) * cfg_scale
        token = logits.argmax(-1)
        out.append(token)
        if step == n - 1:
            break
        feed = torch.cat([token, token]) if guided else token
        logits = model.decode(model.tok_embeddings(feed).unsqueeze(1), cache, step + 1)
    return torch.stack(out, dim=1)
