"""(b) End to end on the same model, cold caches, both suites: repro, the BSL package and the
legacy stack each score the same model folder on the same golden-format data."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .floor import forward_flops, model_shape
from .peers import REPO, thread_env

LEGACY_BENCHMARKS = ("Pereira2018-encoding", "Blank2014fROI-encoding", "Fedorenko2016v3-encoding")
BSL_BENCHMARKS = ("Pereira2018.243sentences-linear-shuffle", "Pereira2018.384sentences-linear-shuffle",
                  "Blank2014-linear-shuffle", "Fedorenko2016-linear-shuffle")
SUITES = {"legacy": LEGACY_BENCHMARKS, "bsl": BSL_BENCHMARKS}


def child(spec: dict) -> dict:
    """Inside a fresh repro process: score every benchmark of a suite, recording the extraction's
    time and token counts (api.compute_activations wrapped: instrumentation, same work)."""
    import torch  # noqa: F401  - the libraries' imports outside the timing, as in the peers' drivers
    import transformers  # noqa: F401

    from .. import api

    extractions = []
    original = api.compute_activations

    def timed(*a, **kw):
        t = time.perf_counter()
        acts = original(*a, **kw)
        extractions.append({"seconds": time.perf_counter() - t, "tokens": acts.meta.get("tokens_forward", 0),
                            "token_pairs": acts.meta.get("token_pairs_forward", 0),
                            "cache_hit": bool(acts.meta.get("cache_hit"))})
        return acts

    api.compute_activations = timed
    metric_flops = [0.0]
    from ..benchmarks import bsl_encoding, legacy_encoding
    from ..metrics import ceiling
    from .floor import regression_flops

    def counted(fn):
        def wrapper(layers, target, ids, folds, *a, **kw):
            for train, test in folds:
                for X in layers.values():
                    metric_flops[0] += regression_flops(len(train), len(test), X.shape[1], target.shape[1], 1, 1)
            return fn(layers, target, ids, folds, *a, **kw)
        return wrapper

    for mod in (bsl_encoding, legacy_encoding, ceiling):
        mod.cross_regressed_correlation = counted(mod.cross_regressed_correlation)
    out = {"benchmarks": {}}
    t0 = time.perf_counter()
    for b in spec["benchmarks"]:
        t = time.perf_counter()
        res = api.score(b, model=spec["model"], data_dir=spec["data_dir"], cache_dir=spec["cache_dir"], offline=True,
                        quiet=True, solver=spec["solver"], layers=spec.get("layers"), dtype=spec["dtype"], device=spec["device"])
        out["benchmarks"][b] = {"seconds": time.perf_counter() - t, "score": res.data["best_layer"]["score_center"],
                                "raw": res.data["best_layer"]["raw_center"],
                                "extraction": extractions[-1] if extractions else None}
    out["seconds"] = time.perf_counter() - t0
    out["metric_flops"] = metric_flops[0]
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run_repro(suite: str, benchmarks, model: Path, solver: str, work: Path, threads: int, layers, golden: Path,
              device: str = "cpu", dtype: str = "float32") -> dict:
    work.mkdir(parents=True, exist_ok=True)
    cache = work / f"cache-{suite}-{solver}"
    shutil.rmtree(cache, ignore_errors=True)  # cold: activations and ceilings recomputed
    spec = {"benchmarks": list(benchmarks), "model": str(model), "solver": solver, "cache_dir": str(cache),
            "layers": layers, "device": device, "dtype": dtype, "data_dir": str(golden / ("legacy/s3" if suite == "legacy" else "modern/data"))}
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "repro.bench.run", "--_e2e-child", json.dumps(spec)], capture_output=True,
                       text=True, cwd=str(REPO), env={**os.environ, **thread_env(threads), "REPRO_QUIET": "1",
                                                      "PYTHONPATH": str(REPO)})
    wall = time.perf_counter() - t
    shutil.rmtree(cache, ignore_errors=True)
    if r.returncode:
        return {"error": (r.stderr.strip().splitlines() or ["?"])[-1]}
    res = json.loads(r.stdout.strip().splitlines()[-1])
    res["wall_seconds_process"] = wall
    return res


def run_bsl_peer(driver, benchmarks, model: Path, layer: str, golden: Path) -> dict:
    out = {"benchmarks": {}, "seconds": 0.0, "peak_rss_mb": 0.0}
    for b in benchmarks:
        res = driver.call({"op": "e2e", "benchmark": b, "model": str(model), "layer": layer,
                           "data": str(golden / "modern" / "data")})
        if "error" in res:
            return {"error": f"{b}: {res['error']}"}
        out["benchmarks"][b] = res
        out["seconds"] += res["seconds"]
        out["peak_rss_mb"] = max(out["peak_rss_mb"], res["peak_rss_mb"])
    return out


def run_legacy_peer(driver, benchmarks, model: Path, work: Path, golden: Path) -> dict:
    """``python -m repro.legacy score`` (neural_nlp.score) per benchmark, with fresh result_caching,
    Hugging Face and ~/.neural_nlp homes (the S3 files copied in: the loader expects them there)."""
    home = work / "legacy-home"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(golden / "legacy" / "s3", home / ".neural_nlp")
    env = {"HOME": str(home), "RESULTCACHING_HOME": str(home / "result_caching"), "HF_HOME": str(home / "hf"),
           "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO), "USE_TF": "0"}
    out = {"benchmarks": {}, "seconds": 0.0}
    for b in benchmarks:
        res = driver.call({"op": "e2e", "env": env, "argv": ["score", "--model", str(model), "--benchmark", b,
                                                             "--output", str(home / f"{b}.json")]})
        if "error" in res:
            return {"error": f"{b}: {res['error']}"}
        out["benchmarks"][b] = res
        out["seconds"] += res["seconds"]
    shutil.rmtree(home, ignore_errors=True)
    return out


def floor_of(repro_row: dict, model: Path, rate: float) -> dict:
    """Forward-pass FLOPs of what repro extracted, at the machine's fp32 GEMM rate."""
    shape = model_shape(str(model))
    ex = [b["extraction"] for b in repro_row["benchmarks"].values() if b.get("extraction")]
    flops = sum(forward_flops(shape, e["tokens"], e["token_pairs"]) for e in ex)
    seconds = sum(e["seconds"] for e in ex)
    metric = repro_row.get("metric_flops", 0.0)
    return {"tokens": sum(e["tokens"] for e in ex), "forward_flops": flops, "metric_flops": metric,
            "floor_seconds": (flops + metric) / rate,
            "extraction_seconds": seconds,
            "extraction_fraction_of_gemm": (flops / seconds / rate) if seconds else None}


def bench_e2e(name: str, model: Path, drivers: dict, peer_info: dict, work: Path, threads: int, golden: Path,
              rate: float, subsets: dict) -> list[dict]:
    """Per suite: the peer, then repro (fresh process, cold cache); ratios on the scoring time
    inside each process (the peer's interpreter start and imports excluded, as repro's are)."""
    from .models import last_block

    rows = []
    for suite in ("legacy", "bsl"):
        benchmarks = subsets.get(suite) or SUITES[suite]
        row = {"model": name, "suite": suite, "benchmarks": list(benchmarks)}
        driver = drivers.get(suite)
        if driver is None:
            row["peer_skipped"] = peer_info.get(suite, {}).get("skipped") or "peer not available"
        elif suite == "legacy":
            row["peer"] = run_legacy_peer(driver, benchmarks, model, work, golden)
        else:
            row["peer"] = run_bsl_peer(driver, benchmarks, model, last_block(model), golden)
        layers = [last_block(model)] if suite == "bsl" else None
        row["repro"] = run_repro(suite, benchmarks, model, "stable", work, threads, layers, golden)
        if "error" not in row["repro"]:
            row["floor"] = floor_of(row["repro"], model, rate)
            row["floor_multiple"] = row["repro"]["seconds"] / row["floor"]["floor_seconds"]
            peer = row.get("peer")
            if peer and "error" not in peer:
                row["speedup_vs_peer"] = peer["seconds"] / row["repro"]["seconds"]
                # legacy Blank/Fedorenko have no aggregate raw score: their normalised score is compared
                row["abs_raw_diff_vs_peer"] = max(
                    (abs(_number(peer["benchmarks"][b]) - _number(row["repro"]["benchmarks"][b]))
                     for b in benchmarks if _number(peer["benchmarks"][b]) is not None
                     and _number(row["repro"]["benchmarks"][b]) is not None), default=None)
                row["peer_floor_multiple"] = peer["seconds"] / row["floor"]["floor_seconds"]
        rows.append(row)
    return rows


def _number(bench: dict) -> float | None:
    """The raw score of a benchmark's row, or its normalised score where the suite reports no raw one."""
    value = bench.get("raw")
    return bench.get("score") if value is None else value
