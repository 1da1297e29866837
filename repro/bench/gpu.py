"""GPU end to end (bf16 extraction, stable regression in torch on the device); skipped with the
reason when no CUDA device is visible."""

from __future__ import annotations

from pathlib import Path


def bench_gpu(work: Path, golden: Path) -> dict:
    import torch

    if not torch.cuda.is_available():
        return {"skipped": "no CUDA device visible to torch (torch.cuda.is_available() is False)"}
    from .e2e import SUITES, run_repro
    from .models import SIZED, last_block, random_model

    out = {"device": torch.cuda.get_device_name(0), "rows": []}
    for name, overrides in SIZED.items():
        model = random_model(work / f"{name}-random", overrides, golden / "model" / "tiny-gpt2")
        for suite in ("legacy", "bsl"):
            layers = [last_block(model)] if suite == "bsl" else None
            res = run_repro(suite, SUITES[suite], model, "stable", work / "gpu", torch.get_num_threads(), layers,
                            golden, device="cuda", dtype="bfloat16")
            out["rows"].append({"model": name, "suite": suite, **res})
    return out
