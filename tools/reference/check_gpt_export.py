"""Checks a GPT exported by mutor in LlamaGen's layout against the reference model.

Usage: python3 tools/reference/check_gpt_export.py FILE

FILE is the torch.save file that GptExportTest writes (generator/target/gpt-export/gpt.pt).
Next to it the test writes config.json, labels.npy, codes.npy and logits.npy (the Java
teacher-forced logits). The script loads FILE with torch.load, fills the reference GPT
strictly, and compares its logits with the Java ones.
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from llamagen_gpt import Gpt, GptArgs  # noqa: E402


def main(path: Path) -> int:
    folder = path.parent
    config = json.loads((folder / "config.json").read_text())
    args = GptArgs(**{k: config[k] for k in ("dim", "n_layer", "n_head", "n_kv_head", "multiple_of",
                                             "norm_eps", "rope_base", "vocab_size", "num_classes",
                                             "cls_token_num", "block_size")},
                   ffn_dim_multiplier=config.get("ffn_dim_multiplier"))
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    model = Gpt(args)
    model.load_state_dict(checkpoint["model"], strict=True)
    model.eval()
    labels = torch.from_numpy(np.load(folder / "labels.npy"))
    codes = torch.from_numpy(np.load(folder / "codes.npy"))
    want = np.load(folder / "logits.npy")
    with torch.no_grad():
        got = model.teacher_forced(labels, codes).numpy()
    error = np.abs(got - want).max() / max(np.abs(want).max(), 1e-12)
    print(f"keys {len(checkpoint['model'])}, logits {got.shape}, max relative error {error:.3e}")
    if got.shape != want.shape or error > 1e-5:
        print("MISMATCH")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(Path(sys.argv[1])))
