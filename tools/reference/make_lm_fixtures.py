#!/usr/bin/env python3
"""Creates tiny random Llama and Gemma models with Hugging Face transformers, plus
reference logits and token ids, for the lm-finetune parity tests.

Writes under OUT (default lm-finetune/src/test/resources/lm):
  tiny-llama/   LlamaForCausalLM: hidden 64, 2 layers, 4 heads, 2 key/value heads (GQA),
                llama3 rope scaling, untied head; float32, sharded (index json)
  tiny-gemma/   GemmaForCausalLM: hidden 64, 2 layers, 4 heads, 1 key/value head (MQA),
                head_dim 32 (not hidden / heads), tied head; saved in bfloat16
  reference.json token ids of sample strings and logits of a few sequences, causal and
                with a bidirectional prompt (custom 4D additive mask, eager attention)

Both share a byte-level BPE tokenizer trained with the `tokenizers` library on a few
hundred lines of text; its post-processor adds BOS like the Llama 3 and Gemma ones.
Gemma reference logits come from the bf16 weights loaded into float32.

--demo OUT_DIR instead writes one larger random Llama (hidden 128, 4 layers) for the
fine-tuning demo, with the same tokenizer recipe trained on the demo data.

Usage: python3 tools/reference/make_lm_fixtures.py [--out DIR] [--demo DIR --data train.jsonl]
"""
import argparse
import json
import os
import random
import sys

import torch
from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers, processors
from transformers import (GemmaConfig, GemmaForCausalLM, LlamaConfig, LlamaForCausalLM,
                          PreTrainedTokenizerFast)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import make_arith_gsm8k  # noqa: E402

SAMPLES = [
    "Question: Tom has 12 apples. How many?\n\nAnswer: 12 + 7 = 19\n#### 19",
    "Prices: 1,234.50 and 0.75 -> total 1,235.25",
    "Unicode: café, naïve, Grüße, 数学, emoji 🙂 and ∑ x²",
    "  leading spaces and\ttabs\n\nnew lines",
]


def corpus_lines(extra):
    rng = random.Random(3)
    lines = []
    for _ in range(300):
        q, a = make_arith_gsm8k.problem(rng)
        lines.append("Question: " + q + "\n\nAnswer: " + a)
    lines += SAMPLES * 3
    lines += ["café naïve Grüße 数学 🙂 ∑ x² 1,000 2.5"] * 3
    return lines + extra


def train_tokenizer(lines, bos, eos, pad, vocab_size):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[pad, bos, eos],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(lines, trainer)
    bos_id = tok.token_to_id(bos)
    tok.post_processor = processors.TemplateProcessing(
        single=bos + " $A", pair=bos + " $A " + bos + " $B", special_tokens=[(bos, bos_id)])
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=bos, eos_token=eos, pad_token=pad)


def randomize(model, seed, norm_center):
    """Larger-than-default random weights, so attention and norms matter in the logits.
    Norm scales are uniform in norm_center +- 0.25 (Gemma scales by 1 + w, so 0 there)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, p in model.named_parameters():
            if p.dim() == 1:
                p.copy_(0.5 * torch.rand(p.shape, generator=gen) - 0.25 + norm_center)
            else:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.12)


def bidirectional_mask(n, prompt):
    """Additive [1, 1, n, n]: causal, and prompt tokens see the whole prompt."""
    allowed = torch.ones(n, n).tril().bool()
    allowed[:prompt, :prompt] = True
    mask = torch.zeros(n, n)
    mask[~allowed] = torch.finfo(torch.float32).min
    return mask[None, None]


def compact(t):
    """Flat list with 8 significant digits: float32 precision, half the JSON size."""
    return [float(f"{v:.8g}") for v in t.flatten().tolist()]


def logits_of(model, ids, prompt=None):
    x = torch.tensor([ids])
    with torch.no_grad():
        if prompt is None:
            return model(input_ids=x).logits[0]
        return model(input_ids=x, attention_mask=bidirectional_mask(len(ids), prompt)).logits[0]


def reference(model, tokenizer, name):
    cases = []
    for i, text in enumerate(SAMPLES[:3]):
        ids = tokenizer(text)["input_ids"][:12]
        prompt = 5 + i
        causal = logits_of(model, ids)
        bidi = logits_of(model, ids, prompt)
        assert not torch.allclose(causal[:prompt], bidi[:prompt]), "mask had no effect"
        cases.append({"ids": ids, "prompt": prompt, "causal": compact(causal),
                      "bidirectional": compact(bidi)})
    return {"model": name, "cases": cases}


def make_llama(tokenizer, hidden, layers, heads, kv, inter, seed):
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=inter,
                         num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=kv,
                         max_position_embeddings=1024, rms_norm_eps=1e-5, rope_theta=500000.0,
                         rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                       "high_freq_factor": 4.0, "original_max_position_embeddings": 32},
                         tie_word_embeddings=False, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
                         attn_implementation="eager")
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config).eval()
    randomize(model, seed, 1.0)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--out", default=os.path.join(here, "..", "..", "lm-finetune", "src", "test",
                                                       "resources", "lm"))
    parser.add_argument("--demo")
    parser.add_argument("--data")
    args = parser.parse_args()

    if args.demo:
        extra = []
        with open(args.data, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                extra.append("Question: " + row["question"] + "\n\nAnswer: " + row["answer"])
        tokenizer = train_tokenizer(corpus_lines(extra), "<|begin_of_text|>", "<|end_of_text|>",
                                    "<|pad|>", 400)
        model = make_llama(tokenizer, 128, 4, 4, 2, 256, 11)
        with torch.no_grad():  # a conventional small init for training from scratch
            for name, p in model.named_parameters():
                if p.dim() == 1:
                    p.fill_(1.0)
                else:
                    p.normal_(0, 0.02)
        model.save_pretrained(args.demo)
        tokenizer.save_pretrained(args.demo)
        return

    os.makedirs(args.out, exist_ok=True)
    llama_tok = train_tokenizer(corpus_lines([]), "<|begin_of_text|>", "<|end_of_text|>", "<|pad|>", 320)
    llama = make_llama(llama_tok, 64, 2, 4, 2, 128, 1)
    llama_dir = os.path.join(args.out, "tiny-llama")
    llama.save_pretrained(llama_dir, max_shard_size="200KB")
    llama_tok.save_pretrained(llama_dir)
    assert os.path.exists(os.path.join(llama_dir, "model.safetensors.index.json")), "llama was not sharded"

    gemma_tok = train_tokenizer(corpus_lines([]), "<bos>", "<eos>", "<pad>", 300)
    gconfig = GemmaConfig(vocab_size=len(gemma_tok), hidden_size=64, intermediate_size=128,
                          num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=1, head_dim=32,
                          max_position_embeddings=1024, rms_norm_eps=1e-6, rope_theta=10000.0,
                          hidden_activation="gelu_pytorch_tanh", bos_token_id=gemma_tok.bos_token_id,
                          eos_token_id=gemma_tok.eos_token_id, pad_token_id=gemma_tok.pad_token_id,
                          attn_implementation="eager")
    torch.manual_seed(2)
    gemma = GemmaForCausalLM(gconfig).eval()
    randomize(gemma, 2, 0.0)
    gemma_dir = os.path.join(args.out, "tiny-gemma")
    gemma.to(torch.bfloat16).save_pretrained(gemma_dir)
    gemma_tok.save_pretrained(gemma_dir)
    gemma32 = GemmaForCausalLM.from_pretrained(gemma_dir, dtype=torch.float32,
                                               attn_implementation="eager").eval()

    out = {
        "llama": reference(llama, llama_tok, "tiny-llama"),
        "gemma": reference(gemma32, gemma_tok, "tiny-gemma"),
        "tokens": {
            "tiny-llama": [{"text": s, "ids": llama_tok(s)["input_ids"],
                            "plain": llama_tok(s, add_special_tokens=False)["input_ids"]} for s in SAMPLES],
            "tiny-gemma": [{"text": s, "ids": gemma_tok(s)["input_ids"],
                            "plain": gemma_tok(s, add_special_tokens=False)["input_ids"]} for s in SAMPLES],
        },
    }
    with open(os.path.join(args.out, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
