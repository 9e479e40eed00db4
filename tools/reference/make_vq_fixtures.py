"""Writes a small random-weight LlamaGen-style VQ tokenizer with torch.save and its
reference outputs: encoder output, pre-quantisation vectors, codes, decoded images
and training losses, for two 32x32 images (random and a smooth pattern) and one
non-square 32x48 image. Also lists the state_dict keys and shapes of the full VQ-16
and VQ-8 models, so the Java key layout can be checked against the real one.

The weights are stored as float16 to keep the file small; the reference runs in
float32 on the same (rounded) values. Codebook rows are deliberately not unit length.

Run: python3 tools/reference/make_vq_fixtures.py tokenizer-vq/src/test/resources/vq
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from llamagen_vq import VqArgs, VqModel  # noqa: E402

TINY = dict(codebook_size=64, codebook_embed_dim=8, codebook_l2_norm=True,
            encoder_ch_mult=[1, 1, 2], decoder_ch_mult=[1, 1, 2],
            z_channels=32, ch=32, num_res_blocks=1)


def randomize(model: VqModel):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".norm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn_like(p))
            elif name == "quantize.embedding.weight":
                # Rows of very different lengths: the search must normalise them.
                p.copy_(torch.randn_like(p) * (0.2 + 3.0 * torch.rand(p.shape[0], 1)))
        # Round every weight to float16, the precision it is stored in.
        for p in model.parameters():
            p.copy_(p.half().float())


def images():
    g = torch.Generator().manual_seed(7)
    noise = torch.rand(1, 3, 32, 32, generator=g) * 2 - 1

    def smooth(h, w):
        y = torch.linspace(-1, 1, h).view(h, 1)
        x = torch.linspace(-1, 1, w).view(1, w)
        r = torch.sin(3.0 * x + 2.0 * y)
        gch = torch.cos(4.0 * x * y)
        b = x * y
        return torch.stack([r, gch, b]).unsqueeze(0)

    square = torch.cat([noise, smooth(32, 32)])  # [2, 3, 32, 32]
    wide = smooth(32, 48)                       # [1, 3, 32, 48]
    return square, wide


def margin(model, x):
    """Smallest gap between the best and second-best distance over all positions."""
    q = model.quantize
    z = model.quant_conv(model.encoder(x))
    z = z.permute(0, 2, 3, 1).reshape(-1, z.shape[1])
    z = torch.nn.functional.normalize(z, dim=-1)
    e = q.codebook()
    d = z.pow(2).sum(1, keepdim=True) + e.pow(2).sum(1) - 2 * (z @ e.t())
    top = d.topk(2, dim=1, largest=False).values
    return float((top[:, 1] - top[:, 0]).min())


def shapes(args):
    return [[k, list(v.shape)] for k, v in VqModel(args).state_dict().items()]


def main(out: Path):
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(2024)
    model = VqModel(VqArgs(**TINY)).eval()
    randomize(model)
    # quantize.codebook_used is a usage buffer that loading skips; half precision keeps the file small.
    state = {k: (v.half() if v.is_floating_point() else v) for k, v in model.state_dict().items()}
    torch.save({"model": state, "args": {"vq_model": "tiny-fixture"}}, out / "vq_tiny.pt")

    meta = {"config": TINY, "torch": torch.__version__, "batches": {}}
    square, wide = images()
    with torch.no_grad():
        for name, x in (("square", square), ("wide", wide)):
            enc = model.encoder(x)
            pre = model.quant_conv(enc)
            codes = model.encode_codes(x)
            decoded = model.decode_codes(codes)
            model.train()
            recon, train_codes, (codebook_loss, commit_loss) = model(x)
            model.eval()
            assert torch.equal(codes, train_codes)
            np.save(out / f"{name}_images.npy", x.numpy().astype(np.float32))
            np.save(out / f"{name}_encoder.npy", enc.numpy().astype(np.float32))
            np.save(out / f"{name}_prequant.npy", pre.numpy().astype(np.float32))
            np.save(out / f"{name}_codes.npy", codes.numpy().astype(np.int64))
            np.save(out / f"{name}_decoded.npy", decoded.numpy().astype(np.float32))
            meta["batches"][name] = {
                "codebook_loss": float(codebook_loss),
                "commit_loss": float(commit_loss),
                "recon_equals_decoded": bool(torch.allclose(recon, decoded, atol=1e-5)),
                "min_distance_margin": margin(model, x),
            }
    meta["vq16_shapes"] = shapes(VqArgs())
    meta["vq8_shapes"] = shapes(VqArgs(encoder_ch_mult=[1, 2, 2, 4], decoder_ch_mult=[1, 2, 2, 4]))
    (out / "expected.json").write_text(json.dumps(meta))
    (out / "vq-tiny-fixture.yaml").write_text(
        "# Config of vq_tiny.pt, the random-weight fixture model.\n"
        + "".join(f"{k}: {str(v).lower() if isinstance(v, bool) else v}\n" for k, v in TINY.items()))
    print("wrote", out, json.dumps(meta["batches"]))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "tokenizer-vq/src/test/resources/vq"))
