#!/usr/bin/env python
"""Speed of `repro` against the original pipelines, measured side by side in one run.

    python benchmarks/run.py                      # full sizes (a few minutes on 2 cores)
    python benchmarks/run.py --size tiny          # seconds; what the smoke test runs
    repro bench --parts metric --baseline-layers 13

Parts: ``metric`` (stable / legacy-exact / scikit-learn fitted the original way, on synthetic
arrays of the real shapes), ``bsl`` (Brain-Score Language's ``linear_pearsonr`` when importable),
``extract`` (one pass per context stream vs the legacy per-word loop, fp32 and bf16),
``e2e`` (GPT-2-sized random model, all layers, the three legacy benchmarks, cold activation
cache; wall time and peak RSS of a fresh process). Prints a table and writes JSON.
Baselines that take minutes run on ``--baseline-layers`` layers and are extrapolated linearly
to all layers (marked ``extrapolated``); pass ``--baseline-layers 13`` to time them in full.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

SIZES = {
    # scale of the neural shapes, layers, features, model config overrides, reference streams
    "full": {"scale": 1.0, "layers": 13, "features": 768, "model": {}, "ref_streams": 3},
    "tiny": {"scale": 0.02, "layers": 3, "features": 24,
             "model": {"n_layer": 2, "n_embd": 24, "n_head": 2, "n_positions": 1024}, "ref_streams": 2},
}
LEGACY_BENCHMARKS = ("Pereira2018-encoding", "Blank2014fROI-encoding", "Fedorenko2016v3-encoding")
GOLDEN = REPO.parent / "shared" / "golden"


# -- environment -----------------------------------------------------------------------------------
def environment() -> dict:
    import scipy
    import sklearn

    try:
        from threadpoolctl import threadpool_info
        blas = [{k: i.get(k) for k in ("internal_api", "version", "num_threads", "architecture")} for i in threadpool_info()]
    except ImportError:
        blas = []
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
            "sklearn": sklearn.__version__, "cores": cores, "load_average": list(os.getloadavg()),
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"), "blas": blas, "machine": platform.machine()}


def _blas_threads(n: int | None):
    import contextlib

    if not n:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=n, user_api="blas")


def _timed(fn, *a, **kw):
    t = time.perf_counter()
    out = fn(*a, **kw)
    return out, time.perf_counter() - t


# -- 1. metric -------------------------------------------------------------------------------------
def bench_metric(size: dict, baseline_layers: int, skip_sklearn: bool, baseline_threads: int | None = 1) -> list[dict]:
    from baselines import sklearn_original
    from synthetic import problems

    from repro.metrics.correlation import pearson_scipy
    from repro.metrics.encoding import cross_regressed_correlation

    rows = []
    for bench, probs in problems(size["scale"], size["layers"], size["features"]).items():
        n_layers = size["layers"]
        k = max(1, min(baseline_layers, n_layers))
        t = {"stable": 0.0, "legacy-exact": 0.0, "sklearn": 0.0}
        diffs = {"stable": 0.0, "legacy-exact": 0.0}
        med = {"stable": 0.0, "legacy-exact": 0.0}
        for p in probs:
            r_st, dt = _timed(cross_regressed_correlation, p.layers, p.target, p.ids, p.folds, pearson_scipy, "stable")
            t["stable"] += dt
            sub = dict(list(p.layers.items())[:k])
            r_ex, dt = _timed(cross_regressed_correlation, sub, p.target, p.ids, p.folds, pearson_scipy, "legacy-exact")
            t["legacy-exact"] += dt * n_layers / k
            if not skip_sklearn:
                with _blas_threads(baseline_threads):
                    r_sk, dt = _timed(sklearn_original, sub, p.target, p.ids, p.folds)
                t["sklearn"] += dt * n_layers / k
                for name in sub:
                    for mode, r in (("stable", r_st), ("legacy-exact", r_ex)):
                        a, b = np.nanmean(r[name], axis=0), np.nanmean(r_sk[name], axis=0)
                        diffs[mode] = max(diffs[mode], float(np.nanmax(np.abs(a - b))))
                        med[mode] = max(med[mode], abs(float(np.nanmedian(a) - np.nanmedian(b))))
        p0 = probs[0]
        rows.append({
            "benchmark": bench, "layers": n_layers, "features": size["features"],
            "shape": [[len(p.ids), p.target.shape[1]] for p in probs],
            "seconds": {"stable": t["stable"], "legacy-exact": t["legacy-exact"],
                        "sklearn-original": None if skip_sklearn else t["sklearn"]},
            "extrapolated_from_layers": k if k < n_layers else None,
            "speedup_vs_sklearn": None if skip_sklearn else {m: t["sklearn"] / t[m] for m in ("stable", "legacy-exact")},
            "max_abs_diff_neuroid_r_vs_sklearn": None if skip_sklearn else diffs,
            "max_abs_diff_median_r_vs_sklearn": None if skip_sklearn else med,
            "p_gt_n": bool(size["features"] >= int(0.8 * len(p0.ids))),
        })
    return rows


# -- 2. Brain-Score Language ---------------------------------------------------------------------
def bench_bsl(size: dict, bsl_python: str | None, tmp: Path) -> dict:
    from baselines import bsl_linear_pearsonr, bsl_python_ok, run_bsl_child, sklearn_as_bsl
    from synthetic import problems

    from repro.metrics.correlation import pearson_eps
    from repro.metrics.cv import SplitSpec, splits
    from repro.metrics.encoding import cross_regressed_correlation

    p = problems(size["scale"], 1, size["features"])["Pereira2018"][1]  # 384-sentence shape, one layer
    X, Y = next(iter(p.layers.values())), p.target
    folds = splits(SplitSpec("ShuffleSplit", 10, 1, train_size=0.9), len(p.ids))
    out = {"shape": list(Y.shape), "features": X.shape[1], "splits": "ShuffleSplit(10, 0.9)"}
    for solver in ("stable", "bsl-exact"):
        r, dt = _timed(cross_regressed_correlation, {"x": X}, Y, p.ids, folds, pearson_eps, solver)
        out[f"repro_{solver}_seconds"] = dt
        out[f"repro_{solver}_score"] = float(np.median(np.median(r["x"], axis=1)))
    with _blas_threads(1):
        _, dt = _timed(sklearn_as_bsl, X, Y, p.ids, folds)
    out["sklearn_as_bsl_seconds"] = dt  # a lower bound for linear_pearsonr: its regression alone
    out["speedup_stable_vs_sklearn_as_bsl"] = dt / out["repro_stable_seconds"]
    fn, reason = bsl_linear_pearsonr()
    ok, why = bsl_python_ok(sys.executable if fn is not None else bsl_python)
    if not ok:
        out["skipped"] = f"{reason}; {why}" if bsl_python else reason
        return out
    res = run_bsl_child(sys.executable if fn is not None else bsl_python, X, Y, p.ids, tmp)
    if "skipped" in res:
        out["skipped"] = res["skipped"]
        return out
    out["bsl_seconds"], out["bsl_score"] = res["seconds"], res["score"]
    out["speedup_stable_vs_bsl"] = res["seconds"] / out["repro_stable_seconds"]
    return out


# -- model helpers ---------------------------------------------------------------------------------
def make_model(folder: Path, overrides: dict, tokenizer_dir: Path) -> Path:
    """A randomly initialised GPT-2 (``GPT2Config()`` + overrides) with GPT-2's tokenizer, saved once."""
    marker = folder / "bench-config.json"
    want = json.dumps(overrides, sort_keys=True)
    if marker.is_file() and marker.read_text() == want:
        return folder
    import torch
    import transformers

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    torch.manual_seed(0)
    model = transformers.GPT2Model(transformers.GPT2Config(**overrides))
    model.save_pretrained(folder)
    for f in ("vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"):
        if (tokenizer_dir / f).is_file():
            shutil.copy(tokenizer_dir / f, folder / f)
    marker.write_text(want)
    return folder


def _pereira_streams():
    from repro.benchmarks import get_benchmark
    from repro.benchmarks.base import DataOptions

    bench = get_benchmark("Pereira2018-encoding")
    return bench.stimuli(bench.load(DataOptions(str(GOLDEN / "legacy" / "s3"), True, True)).data).units


# -- 3. extraction ---------------------------------------------------------------------------------
def bench_extract(model_dir: Path, ref_streams: int) -> list[dict]:
    import torch

    from repro.models.extract import extract_legacy
    from repro.models.loading import load
    from repro.models.registry import resolve_model

    streams = _pereira_streams()
    spec = resolve_model(str(model_dir))
    rows = []
    for dtype in ("float32", "bfloat16"):
        loaded = load(spec, "cpu", dtype)
        full, dt_full = _timed(extract_legacy, loaded, streams, None, 8, False)
        sub = streams[:ref_streams]
        fast, dt_fast = _timed(extract_legacy, loaded, sub, None, 8, False)
        ref, dt_ref = _timed(extract_legacy, loaded, sub, None, 1, False, True, True)
        diff = max(float(np.max(np.abs(fast.layers[k] - ref.layers[k]))) for k in fast.layers)
        rows.append({
            "dtype": dtype, "threads": torch.get_num_threads(), "streams": len(streams),
            "one_pass_tokens": full.meta["tokens_forward"], "per_word_tokens": full.meta["tokens_reference_pattern"],
            "token_ratio": full.meta["tokens_reference_pattern"] / max(1, full.meta["tokens_forward"]),
            "one_pass_seconds": dt_full, "one_pass_tokens_per_s": full.meta["tokens_forward"] / dt_full,
            "subset_streams": len(sub), "subset_one_pass_seconds": dt_fast,
            "subset_per_word_seconds": dt_ref, "per_word_tokens_per_s": ref.meta["tokens_forward"] / dt_ref,
            "per_word_seconds_extrapolated": dt_full * (full.meta["tokens_reference_pattern"] / max(1, full.meta["tokens_forward"]))
            * (full.meta["tokens_forward"] / dt_full) / (ref.meta["tokens_forward"] / dt_ref),
            "max_abs_diff_subset": diff,
        })
        del loaded
    return rows


# -- 4. end to end ---------------------------------------------------------------------------------
def e2e_child(model_dir: str, solver: str, cache_dir: str, data_dir: str, dtype: str = "float32",
              benchmarks=LEGACY_BENCHMARKS, device: str = "cpu") -> dict:
    from repro.api import score

    out = {}
    t0 = time.perf_counter()
    for b in benchmarks:
        t = time.perf_counter()
        res = score(b, model=model_dir, solver=solver, data_dir=data_dir, cache_dir=cache_dir, offline=True, quiet=True,
                    dtype=dtype, device=device)
        best = max(layer["score_center"] for layer in res.data["layers"])
        out[b] = {"seconds": time.perf_counter() - t, "layers": len(res.data["layers"]), "best_score": best}
    out["seconds"] = time.perf_counter() - t0
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def bench_e2e(model_dir: Path, solvers: list[str], tmp: Path, share_cache: bool = False,
              benchmarks=LEGACY_BENCHMARKS, dtype: str = "float32", device: str = "cpu") -> list[dict]:
    """Each solver in a fresh process; cold activation cache, unless ``share_cache`` (then only
    the first solver starts cold and the others reuse its activations: marked ``warm``)."""
    rows = []
    for i, solver in enumerate(solvers):
        cache = tmp / ("cache-shared" if share_cache else f"cache-{solver}")
        if i == 0 or not share_cache:
            shutil.rmtree(cache, ignore_errors=True)  # cold activation cache
        t = time.perf_counter()
        r = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--_e2e-child", str(model_dir), solver,
                            str(cache), str(GOLDEN / "legacy" / "s3"), dtype, device, *benchmarks],
                           capture_output=True, text=True,
                           env={**os.environ, "REPRO_QUIET": "1"})
        wall = time.perf_counter() - t
        if r.returncode:
            rows.append({"solver": solver, "error": (r.stderr.strip().splitlines() or ["?"])[-1]})
            continue
        res = json.loads(r.stdout.strip().splitlines()[-1])
        rows.append({"solver": solver, "cache": "warm" if share_cache and i else "cold", "dtype": dtype, "device": device,
                     "wall_seconds_process": wall, "wall_seconds_scoring": res.pop("seconds"),
                     "peak_rss_mb": res.pop("peak_rss_mb"), "benchmarks": res})
    return rows


# -- 5. GPU ----------------------------------------------------------------------------------------
# GPT-2 small and a random model with Gemma-2B's compute shape (hidden 2048, 18 blocks, MLP 16384)
GPU_MODELS = {"gpt2-sized": {}, "gemma-2b-sized": {"n_embd": 2048, "n_layer": 18, "n_head": 8, "n_inner": 16384}}


def bench_gpu(work: Path, tokenizer: Path) -> dict:
    """End to end on CUDA (bf16 extraction, stable regression on the device); skipped without a GPU."""
    import torch

    if not torch.cuda.is_available():
        return {"skipped": "no CUDA device"}
    out = {"device": torch.cuda.get_device_name(0), "rows": []}
    for name, overrides in GPU_MODELS.items():
        model_dir = make_model(work / f"{name}-random", overrides, tokenizer)
        for row in bench_e2e(model_dir, ["stable"], work / f"gpu-{name}", dtype="bfloat16", device="cuda"):
            out["rows"].append({"model": name, **row})
    return out


# -- report ----------------------------------------------------------------------------------------
def _f(x, fmt="{:.2f}"):
    return "-" if x is None else fmt.format(x)


def table(report: dict) -> str:
    lines = []
    env = report["environment"]
    lines.append(f"cores {env['cores']}, load {env['load_average'][0]:.1f}, OPENBLAS_CORETYPE={env['OPENBLAS_CORETYPE']}, "
                 f"numpy {env['numpy']}, sklearn {env['sklearn']}, size {report['size']}")
    if "metric" in report:
        lines += ["", "metric (all layers; seconds)            stable  legacy-exact  sklearn-orig  x(stable)  x(exact)  max|dr| st/ex",]
        for r in report["metric"]:
            s, sp, d = r["seconds"], r["speedup_vs_sklearn"] or {}, r["max_abs_diff_neuroid_r_vs_sklearn"] or {}
            ext = f" (exact/sklearn extrapolated from {r['extrapolated_from_layers']} layer)" if r["extrapolated_from_layers"] else ""
            lines.append(f"{r['benchmark']:<38} {s['stable']:>7.2f} {s['legacy-exact']:>13.2f} {_f(s['sklearn-original']):>13} "
                         f"{_f(sp.get('stable'), '{:.0f}x'):>10} {_f(sp.get('legacy-exact'), '{:.1f}x'):>9}  "
                         f"{_f(d.get('stable'), '{:.1e}')}/{_f(d.get('legacy-exact'), '{:.1e}')}{ext}")
    if "bsl" in report:
        b = report["bsl"]
        lines += ["", f"BSL linear_pearsonr {b['shape']} x {b['features']}: repro stable {b['repro_stable_seconds']:.2f}s, "
                  f"bsl-exact {b['repro_bsl-exact_seconds']:.2f}s; sklearn fitted as BSL does (regression only) "
                  f"{b['sklearn_as_bsl_seconds']:.2f}s ({b['speedup_stable_vs_sklearn_as_bsl']:.0f}x); brainscore_language: "
                  + (f"{b['bsl_seconds']:.2f}s ({b['speedup_stable_vs_bsl']:.0f}x)" if "bsl_seconds" in b else f"skipped: {b['skipped']}")]
    if "extract" in report:
        lines += ["", "extraction (Pereira streams)  model tokens one-pass/per-word  ratio  tok/s one-pass  tok/s per-word  max|diff|"]
        for r in report["extract"]:
            lines.append(f"{r['dtype']:<29} {r['one_pass_tokens']:>12}/{r['per_word_tokens']:<12} {r['token_ratio']:>5.1f}x "
                         f"{r['one_pass_tokens_per_s']:>14.0f} {r['per_word_tokens_per_s']:>15.0f}  {r['max_abs_diff_subset']:.1e}")
    if "e2e" in report:
        lines += ["", "end to end (legacy benchmarks, all layers)                 wall s  peak RSS MB"]
        for r in report["e2e"]:
            if "error" in r:
                lines.append(f"{r['solver']:<57} error: {r['error']}")
            else:
                per = ", ".join(f"{k.split('-')[0]} {v['seconds']:.1f}s" for k, v in r["benchmarks"].items())
                lines.append(f"{r['solver'] + ', ' + r['dtype'] + ', ' + r['cache'] + ' cache':<57} {r['wall_seconds_process']:>6.1f} "
                             f"{r['peak_rss_mb']:>12.0f}   {per}")
    if "gpu" in report:
        g = report["gpu"]
        if "skipped" in g:
            lines += ["", f"GPU: skipped ({g['skipped']})"]
        else:
            lines += ["", f"GPU end to end on {g['device']} (bf16 extraction, stable regression on the device)   wall s"]
            for r in g["rows"]:
                lines.append(f"{r['model']:<57} {r.get('wall_seconds_process', float('nan')):>6.1f}"
                             + (f"  error: {r['error']}" if "error" in r else ""))
    return "\n".join(lines)


def build_parser(p: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    p = p or argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", choices=list(SIZES), default="full",
                   help="problem sizes: full (the real benchmarks' shapes) or tiny (a smoke run; default: full)")
    p.add_argument("--parts", nargs="+", choices=["metric", "bsl", "extract", "e2e", "gpu"],
                   default=["metric", "bsl", "extract", "e2e", "gpu"],
                   help="what to time: the regression metric, Brain-Score Language, extraction, end to end, "
                        "GPU (default: all)")
    p.add_argument("--baseline-layers", type=int, default=1,
                   help="layers the slow baselines (sklearn, legacy-exact metric) run on; extrapolated to all")
    p.add_argument("--baseline-threads", type=int, default=1,
                   help="BLAS threads for the scikit-learn baseline (default 1, as repro's factorisations; 0: library default)")
    p.add_argument("--no-sklearn", action="store_true", help="skip the scikit-learn baseline")
    p.add_argument("--e2e-solvers", nargs="+", default=["stable", "legacy-exact"])
    p.add_argument("--e2e-benchmarks", nargs="+", choices=LEGACY_BENCHMARKS, default=list(LEGACY_BENCHMARKS))
    p.add_argument("--e2e-dtype", choices=["float32", "bfloat16"], default="float32",
                   help="extraction dtype of the end-to-end run (the legacy suite used float32)")
    p.add_argument("--e2e-share-cache", action="store_true",
                   help="only the first end-to-end solver starts with a cold activation cache")
    p.add_argument("--bsl-python", help="python of a venv with brainscore-language (numpy<2), e.g. under /tmp")
    p.add_argument("--work-dir", default=str(Path(tempfile.gettempdir()) / "repro-bench"),
                   help="random model weights and caches (default: $TMPDIR/repro-bench)")
    p.add_argument("--tokenizer", help="folder with GPT-2's tokenizer (vocab.json, merges.txt); needed by the "
                   "extract, e2e and gpu parts, e.g. ../shared/golden/model/tiny-gpt2")
    p.add_argument("--output", default="benchmarks/results.json", help="JSON report (default: benchmarks/results.json)")
    return p


def _paths() -> None:
    """The helper modules next to this script, and the checkout's ``repro`` when run as a script."""
    for p in (str(REPO), str(HERE)):
        if p not in sys.path:
            sys.path.insert(0, p)


def run(args) -> int:
    _paths()
    if args.tokenizer is None and {"extract", "e2e", "gpu"} & set(args.parts):
        from repro.errors import InputError

        raise InputError("--tokenizer FOLDER is needed for the extract, e2e and gpu parts (GPT-2's vocab.json and "
                         "merges.txt, e.g. ../shared/golden/model/tiny-gpt2); or pick --parts metric bsl")
    size = SIZES[args.size]
    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    report: dict = {"size": args.size, "environment": environment(), "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    if "metric" in args.parts:
        report["metric"] = bench_metric(size, args.baseline_layers, args.no_sklearn, args.baseline_threads or None)
        report["metric_baseline_blas_threads"] = args.baseline_threads or "default"
    if "bsl" in args.parts:
        report["bsl"] = bench_bsl(size, args.bsl_python, work)
    if "extract" in args.parts or "e2e" in args.parts:
        model_dir = make_model(work / f"gpt2-random-{args.size}", size["model"], Path(args.tokenizer))
        if "extract" in args.parts:
            report["extract"] = bench_extract(model_dir, size["ref_streams"])
        if "e2e" in args.parts:
            report["e2e"] = bench_e2e(model_dir, args.e2e_solvers, work, args.e2e_share_cache, args.e2e_benchmarks,
                                  args.e2e_dtype)
    if "gpu" in args.parts:
        report["gpu"] = bench_gpu(work, Path(args.tokenizer))
    print(table(report))
    if args.output:
        out = Path(args.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=1))
        print(f"wrote {out}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--_e2e-child"]:
        _paths()
        print(json.dumps(e2e_child(argv[1], argv[2], argv[3], argv[4], argv[5], argv[7:], argv[6])))
        return 0
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
