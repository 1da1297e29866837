"""The models both suites score: the golden tiny GPT-2 and a GPT-2-sized random model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

# random weights with GPT-2 small's shape (GPT2Config() defaults) and Gemma-2B's compute shape
SIZED = {"gpt2-sized": {}, "gemma-2b-sized": {"n_embd": 2048, "n_layer": 18, "n_head": 8, "n_inner": 16384}}


def random_model(folder: Path, overrides: dict, tokenizer_dir: Path) -> Path:
    """A randomly initialised GPT-2 (``GPT2Config()`` + overrides) with GPT-2's tokenizer, saved
    once; the marker is written last, so an interrupted save is redone."""
    marker = folder / "bench-config.json"
    want = json.dumps(overrides, sort_keys=True)
    if marker.is_file() and marker.read_text() == want:
        return folder
    import torch
    import transformers

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    torch.manual_seed(0)
    transformers.GPT2LMHeadModel(transformers.GPT2Config(**overrides)).save_pretrained(folder)
    for f in ("vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        if (tokenizer_dir / f).is_file():
            shutil.copy(tokenizer_dir / f, folder / f)
    marker.write_text(want)
    return folder


def last_block(model_dir: Path) -> str:
    """The BSL layer both sides commit to: the last transformer block's output."""
    cfg = json.loads((model_dir / "config.json").read_text())
    return f"transformer.h.{cfg['n_layer'] - 1}"
