"""The physical floor: the machine's GEMM rate and the FLOPs a forward pass and a metric need."""

from __future__ import annotations

import time

# GPT-2's MLP up-projection at 4096 tokens: the shape that dominates a forward pass
GEMM_SHAPE = (4096, 768, 3072)


def gemm_rate(dtype: str = "float32", threads: int | None = None, shape=GEMM_SHAPE, seconds: float = 1.0) -> dict:
    """Best-of GEMM throughput (FLOP/s) of torch on the CPU at ``threads``."""
    import torch

    if threads:
        torch.set_num_threads(threads)
    m, k, n = shape
    dt = getattr(torch, dtype)
    g = torch.Generator().manual_seed(0)
    a = torch.randn(m, k, generator=g).to(dt)
    b = torch.randn(k, n, generator=g).to(dt)
    torch.mm(a, b)  # warm-up: first call pays for kernel selection
    best, spent, reps = float("inf"), 0.0, 0
    while spent < seconds or reps < 3:
        t = time.perf_counter()
        torch.mm(a, b)
        dt_ = time.perf_counter() - t
        best, spent, reps = min(best, dt_), spent + dt_, reps + 1
    return {"dtype": dtype, "shape": list(shape), "threads": torch.get_num_threads(), "repeats": reps,
            "flops_per_s": 2.0 * m * k * n / best}


def model_shape(model_dir: str) -> dict:
    """Width, depth and per-token parameter count of the transformer blocks (embeddings excluded:
    a lookup costs no FLOPs; GPT2Model has no LM head)."""
    import json
    from pathlib import Path

    cfg = json.loads((Path(model_dir) / "config.json").read_text())
    d, n_layer = cfg["n_embd"], cfg["n_layer"]
    inner = cfg.get("n_inner") or 4 * d
    block = 4 * d * d + 2 * d * inner  # qkv + output projection, MLP up + down
    return {"d_model": d, "n_layer": n_layer, "block_params": n_layer * block}


def forward_flops(shape: dict, tokens: int, token_pairs: int) -> float:
    """Multiply-adds x 2 of the forward passes: the weight products per token plus QK^T and AV
    (``token_pairs`` = sum over passes of the context length squared)."""
    return 2.0 * shape["block_params"] * tokens + 4.0 * shape["n_layer"] * shape["d_model"] * token_pairs


def regression_flops(n_train: int, n_test: int, p: int, m: int, folds: int, layers: int) -> float:
    """A lower bound for cross-validated least squares: per fold and layer, the factorisation of
    the training design and the products with the targets (train fit + test prediction)."""
    r = min(n_train, p)
    per = 2.0 * n_train * p * r + 2.0 * (n_train + n_test) * r * m
    return per * folds * layers
