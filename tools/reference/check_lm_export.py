#!/usr/bin/env python3
"""Checks that a folder written by `mutor lm finetune` loads in Hugging Face transformers
and that its greedy continuation of a GSM8K prompt runs.

Usage: python3 tools/reference/check_lm_export.py OUT_DIR [QUESTION]
Prints the class, the parameter count, whether the state dict has a register entry, and the
decoded answer.
"""
import sys

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer


def main():
    folder = sys.argv[1]
    question = sys.argv[2] if len(sys.argv) > 2 else "Tom has 12 apples. Tom gets 7 more. How many apples does Tom have now?"
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    names = list(model.state_dict().keys())
    assert not any("register" in n for n in names), "register embedding leaked into the export"
    print(type(model).__name__, sum(p.numel() for p in model.parameters()), "parameters,",
          "vocab", model.config.vocab_size)
    ids = tokenizer("Question: " + question + "\n\nAnswer:", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        # Plain causal prefill here; the Java eval prefills the prompt bidirectionally.
        out = model.generate(ids, max_new_tokens=40, do_sample=False, eos_token_id=model.config.eos_token_id)
    print(repr(tokenizer.decode(out[0, ids.shape[1]:], skip_special_tokens=True)))


if __name__ == "__main__":
    main()
