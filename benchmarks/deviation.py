"""How far repro's numbers sit from the ORIGINAL packages' on off-grid data, per layer, both solvers.

    python benchmarks/deviation.py --out results/deviation        (make deviation)

1. Perturbs the golden assemblies and activations with a new seed (benchmarks/deviation_data.py)
   and writes them in each suite's own format.
2. Runs the real Brain-Score Language 2.3.0 (a separate numpy<2 venv, benchmarks/deviation_bsl_driver.py)
   on them with 1 and 2 BLAS threads: the original's own thread spread and its computed ceilings.
3. Runs ``repro score --activations ... --data-dir ...`` with ``--solver stable`` and ``--solver exact``.
4. Prints and writes (deviation.json, deviation.md) per benchmark x layer x feature dtype: the
   conditioning class, |repro - original| of score and raw for both solvers next to the original's
   1-vs-2-thread spread, and the ceiling differences.
The legacy suite needs the real neural-nlp stack (.venv-legacy, ``make legacy-env``); without it
that part is skipped with the reason. Method and measured table: docs/numerics.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import deviation_data as data  # noqa: E402

BSL_BENCHMARKS = {
    "Pereira2018.243sentences-linear-shuffle": "pereira2018",
    "Pereira2018.384sentences-linear-shuffle": "pereira2018",
    "Blank2014-linear-shuffle": "blank2014",
    "Fedorenko2016-linear-shuffle": "fedorenko2016",
    "Pereira2018.243sentences-ridge": "pereira2018",
}
SOLVERS = ("stable", "exact")
DTYPES = ("float32", "float64")
BLAS_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _env(threads: int) -> dict:
    env = dict(os.environ)
    env.update({k: str(threads) for k in BLAS_ENV})
    return env


def run_original_bsl(python: str, benchmark: str, bsl_dir: Path, acts: dict, out: Path, threads: int) -> dict:
    """The real benchmark on our files, all feature-dtype variants on one benchmark instance."""
    path = out / f"{benchmark}__t{threads}.json"
    if not path.exists():
        cmd = [python, str(Path(__file__).with_name("deviation_bsl_driver.py")), "--data-dir", str(bsl_dir),
               "--benchmark", benchmark, "--output", str(path), "--activations", *[str(acts[d]) for d in DTYPES]]
        r = subprocess.run(cmd, env=_env(threads), capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError(f"brainscore-language run failed ({benchmark}, {threads} threads):\n{r.stderr[-3000:]}")
    return json.loads(path.read_text())


def run_repro(benchmark: str, data_dir: Path, acts: Path, solver: str, out: Path, cache: Path) -> dict:
    from repro.cli import main

    path = out / f"{benchmark}__{solver}__{acts.stem}.json"
    if not path.exists():
        rc = main(["-q", "score", "--activations", str(acts), "--benchmark", benchmark, "--data-dir", str(data_dir),
                   "--solver", solver, "--cache-dir", str(cache), "--output", str(path)])
        if rc:
            raise RuntimeError(f"repro score failed ({benchmark}, {solver}, {acts.name}): exit {rc}")
    return json.loads(path.read_text())


def compare_bsl(benchmark: str, originals: dict[int, dict], ours: dict[tuple[str, str], dict]) -> dict:
    """Rows per (dtype, layer) and the ceiling comparison of one benchmark."""
    t1, t2 = originals[1], originals.get(2)
    rows = []
    for dtype in DTYPES:
        variant = next(k for k in t1["variants"] if k.endswith(f"_{dtype}.npz"))
        for layer, orig in sorted(t1["variants"][variant]["layers"].items()):
            row = {"dtype": dtype, "layer": layer, "original_score": orig["score"], "original_raw": orig["raw"]}
            if t2 is not None:
                o2 = t2["variants"][variant]["layers"][layer]
                row["thread_spread_score"] = abs(o2["score"] - orig["score"])
                row["thread_spread_raw"] = abs(o2["raw"] - orig["raw"])
            for solver in SOLVERS:
                lay = next(x for x in ours[(solver, dtype)]["layers"] if x["layer"] == layer)
                row[f"{solver}_score"] = abs(lay["score_center"] - orig["score"])
                row[f"{solver}_raw"] = abs(lay["raw_center"] - orig["raw"])
                if solver == "stable":
                    cond = lay.get("conditioning") or {}
                    row.update(n_features=lay["n_features"], conditioning=cond.get("conditioning"),
                               cls=cond.get("class"), n_train_min=cond.get("n_train_min"))
            rows.append(row)
    ceiling = {"original_t1": t1["ceiling"]["center"], "original_t2": t2["ceiling"]["center"] if t2 else None,
               "original_t1_nan_neuroids": t1["ceiling"].get("n_nan_neuroid_ceilings"),
               "original_t2_nan_neuroids": t2["ceiling"].get("n_nan_neuroid_ceilings") if t2 else None}
    for solver in SOLVERS:
        for dtype in DTYPES:
            ceiling[f"{solver}_{dtype}"] = ours[(solver, dtype)]["ceiling"]["center"]
    return {"rows": rows, "ceiling": ceiling}


def _fmt(x) -> str:
    return "—" if x is None else f"{x:.1e}" if isinstance(x, float) else str(x)


def markdown(results: dict) -> str:
    lines = ["| benchmark | features | layer (p) | class | stable Δscore / Δraw | exact Δscore / Δraw | original 1-vs-2-thread spread score / raw |",
             "|---|---|---|---|---|---|---|"]
    for bench, res in results["bsl"].items():
        for r in res["rows"]:
            lines.append(f"| {bench} | {r['dtype']} | {r['layer']} ({r['n_features']}) | {r['conditioning']} ({r['cls']}) | "
                         f"{_fmt(r['stable_score'])} / {_fmt(r['stable_raw'])} | {_fmt(r['exact_score'])} / {_fmt(r['exact_raw'])} | "
                         f"{_fmt(r.get('thread_spread_score'))} / {_fmt(r.get('thread_spread_raw'))} |")
    lines += ["", "| benchmark | original ceiling (1 / 2 threads; NaN electrodes) | repro stable f32 / f64 | repro exact f32 / f64 |",
              "|---|---|---|---|"]
    for bench, res in results["bsl"].items():
        c = res["ceiling"]
        orig = f"{c['original_t1']:.8f} / {_fmt(c['original_t2']) if c['original_t2'] is None else format(c['original_t2'], '.8f')}"
        if c["original_t1_nan_neuroids"] is not None:
            orig += f" ({c['original_t1_nan_neuroids']} / {c['original_t2_nan_neuroids']})"
        ours = [f"{c[f'{s}_{d}']:.8f}" for s in SOLVERS for d in DTYPES]
        lines.append(f"| {bench} | {orig} | {ours[0]} / {ours[1]} | {ours[2]} / {ours[3]} |")
    return "\n".join(lines) + "\n"


def summary(results: dict) -> list[str]:
    """The answers the measurement is for: max deviation per solver and conditioning, and where
    repro exceeds the original's own thread spread."""
    out = []
    rows = [r for res in results["bsl"].values() for r in res["rows"]]
    for cond in ("well", "ill"):
        sel = [r for r in rows if r["conditioning"] == cond]
        if not sel:
            continue
        for solver in SOLVERS:
            ms = max(r[f"{solver}_score"] for r in sel)
            mr = max(r[f"{solver}_raw"] for r in sel)
            out.append(f"BSL {cond}-conditioned ({len(sel)} layer rows): {solver} max |Δscore| {ms:.1e}, max |Δraw| {mr:.1e}")
    for r in rows:
        spread = r.get("thread_spread_score")
        for solver in SOLVERS:
            if spread is not None and r[f"{solver}_score"] > max(spread, 1e-6):
                out.append(f"  exceeds the original's spread: {solver} {r['layer']} ({r['dtype']}) "
                           f"Δscore {r[f'{solver}_score']:.1e} vs spread {spread:.1e}")
    return out


def legacy_python(arg: str | None) -> tuple[str | None, str]:
    cand = Path(arg) if arg else ROOT / ".venv-legacy/bin/python"
    if not cand.exists():
        return None, f"no legacy stack at {cand} (build it with `make legacy-env`)"
    return str(cand), ""


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(ROOT / "results/deviation"), help="output folder (inputs, runs, tables)")
    p.add_argument("--golden", default=str(ROOT.parent / "shared/golden"), help="the golden fixtures folder")
    p.add_argument("--bsl-python", default=str(ROOT / ".venv-bsl/bin/python"),
                   help="python of a venv with brainscore-language 2.3.0 (make bsl-env)")
    p.add_argument("--legacy-python", help="python of the real legacy stack (default .venv-legacy/bin/python)")
    p.add_argument("--benchmarks", nargs="+", default=list(BSL_BENCHMARKS), choices=list(BSL_BENCHMARKS))
    p.add_argument("--threads", nargs="+", type=int, default=[1, 2], help="BLAS thread counts for the original")
    p.add_argument("--jobs", type=int, default=1, help="original runs at a time (each uses its own thread count)")
    args = p.parse_args(argv)

    golden, out = Path(args.golden), Path(args.out)
    if not (golden / "modern/data/sha1.json").is_file():
        print(f"error: {golden} is not the golden fixtures folder (no modern/data/sha1.json); pass --golden", file=sys.stderr)
        return 2
    if not Path(args.bsl_python).exists():
        print(f"error: {args.bsl_python} not found; run `make bsl-env` or pass --bsl-python", file=sys.stderr)
        return 2
    if 1 not in args.threads:
        print("error: --threads must include 1 (the goldens' configuration, the reference row)", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    inputs = out / "inputs"
    inputs.mkdir(exist_ok=True)
    t0 = time.time()
    bsl_dir = data.write_bsl_data(golden, inputs / "bsl")
    acts = data.write_activations(golden, inputs / "activations")
    runs_orig, runs_ours = out / "original", out / "repro"
    runs_orig.mkdir(exist_ok=True)
    runs_ours.mkdir(exist_ok=True)

    results = {"seed": data.SEED, "neural_noise": data.NEURAL_NOISE, "activation_noise": data.ACTIVATION_NOISE,
               "threads": args.threads, "bsl": {}}
    for bench in args.benchmarks:
        dataset = BSL_BENCHMARKS[bench]
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = {t: pool.submit(run_original_bsl, args.bsl_python, bench, bsl_dir, acts[dataset], runs_orig, t)
                       for t in args.threads}
        originals = {t: f.result() for t, f in futures.items()}
        ours = {(s, d): run_repro(bench, bsl_dir, acts[dataset][d], s, runs_ours, out / ".cache")
                for s in SOLVERS for d in DTYPES}
        results["bsl"][bench] = compare_bsl(bench, originals, ours)
        print(f"{bench}: done ({time.time() - t0:.0f}s)", file=sys.stderr)

    py, reason = legacy_python(args.legacy_python)
    results["legacy"] = {"skipped": reason} if py is None else {"skipped": "legacy measurement not implemented yet"}
    results["summary"] = summary(results)
    table = markdown(results)
    (out / "deviation.json").write_text(json.dumps(results, indent=1) + "\n")
    (out / "deviation.md").write_text(table + "\n" + "\n".join(results["summary"]) + "\n")
    print(table)
    print("\n".join(results["summary"]))
    print(f"legacy: {results['legacy'].get('skipped', 'measured')}")
    print(f"wrote {out / 'deviation.json'} and {out / 'deviation.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
