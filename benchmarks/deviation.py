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
LEGACY_BENCHMARKS = {
    "Pereira2018-encoding": "pereira2018",
    "Blank2014fROI-encoding": "blank2014",
    "Fedorenko2016v3-encoding": "fedorenko2016",
}
SOLVERS = ("stable", "exact")
DTYPES = ("float32", "float64")
BLAS_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _env(threads: int) -> dict:
    env = dict(os.environ)
    env.update({k: str(threads) for k in BLAS_ENV})
    return env


def run_original(suite: str, python: str, benchmark: str, data_dir: Path, acts: dict, out: Path, threads: int,
                 collect_only: bool = False) -> dict | None:
    """The real benchmark on our files, all feature-dtype variants on one benchmark instance."""
    path = out / f"{benchmark}__t{threads}.json"
    if not path.exists() and collect_only:
        return None
    if not path.exists():
        cmd = [python, str(Path(__file__).with_name(f"deviation_{suite}_driver.py")), "--data-dir", str(data_dir),
               "--benchmark", benchmark, "--output", str(path), "--activations", *[str(acts[d]) for d in DTYPES]]
        r = subprocess.run(cmd, env=_env(threads), capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError(f"{suite} original run failed ({benchmark}, {threads} threads):\n{r.stderr[-3000:]}")
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


def _raw(layer: dict):
    return layer.get("raw")


def compare(benchmark: str, originals: dict[int, dict], ours: dict[tuple[str, str], dict]) -> dict:
    """Rows per (dtype, layer) and the ceiling comparison of one benchmark (legacy Blank/Fedorenko
    have no aggregate raw score: per-neuroid ceilings; their raw columns stay empty)."""
    t1, t2 = originals[1], originals.get(2)  # no 2-thread run: spread column empty
    rows = []
    for dtype in DTYPES:
        variant = next(k for k in t1["variants"] if k.endswith(f"_{dtype}.npz"))
        for layer, orig in sorted(t1["variants"][variant]["layers"].items()):
            row = {"dtype": dtype, "layer": layer, "original_score": orig["score"], "original_raw": _raw(orig)}
            if t2 is not None:
                o2 = t2["variants"][variant]["layers"][layer]
                row["thread_spread_score"] = abs(o2["score"] - orig["score"])
                row["thread_spread_raw"] = None if _raw(orig) is None else abs(o2["raw"] - orig["raw"])
            for solver in SOLVERS:
                lay = next(x for x in ours[(solver, dtype)]["layers"] if x["layer"] == layer)
                row[f"{solver}_score"] = abs(lay["score_center"] - orig["score"])
                row[f"{solver}_raw"] = None if _raw(orig) is None else abs(lay["raw_center"] - orig["raw"])
                if solver == "stable":
                    cond = lay.get("conditioning") or {}
                    row.update(n_features=lay["n_features"], conditioning=cond.get("conditioning"),
                               cls=cond.get("class"), n_train_min=cond.get("n_train_min"))
            rows.append(row)
    c1, c2 = (_ceiling(t) for t in (t1, t2))
    ceiling = {"original_t1": c1.get("center"), "original_t2": c2.get("center"),
               "original_t1_nan_neuroids": c1.get("n_nan_neuroid_ceilings"),
               "original_t2_nan_neuroids": c2.get("n_nan_neuroid_ceilings")}
    for solver in SOLVERS:
        for dtype in DTYPES:
            ceiling[f"{solver}_{dtype}"] = ours[(solver, dtype)]["ceiling"]["center"]
    return {"rows": rows, "ceiling": ceiling}


def _ceiling(original: dict | None) -> dict:
    c = (original or {}).get("ceiling")
    return c if isinstance(c, dict) else {"center": c}


def _fmt(x) -> str:
    return "—" if x is None else f"{x:.1e}" if isinstance(x, float) else str(x)


def markdown(results: dict) -> str:
    lines = ["| benchmark | features | layer (p) | class | stable Δscore / Δraw | exact Δscore / Δraw | original 1-vs-2-thread spread score / raw |",
             "|---|---|---|---|---|---|---|"]
    for bench, res in _all(results):
        for r in res["rows"]:
            lines.append(f"| {bench} | {r['dtype']} | {r['layer']} ({r['n_features']}) | {r['conditioning']} ({r['cls']}) | "
                         f"{_fmt(r['stable_score'])} / {_fmt(r['stable_raw'])} | {_fmt(r['exact_score'])} / {_fmt(r['exact_raw'])} | "
                         f"{_fmt(r.get('thread_spread_score'))} / {_fmt(r.get('thread_spread_raw'))} |")
    lines += ["", "| benchmark | original ceiling (1 / 2 threads; NaN electrodes) | repro stable f32 / f64 | repro exact f32 / f64 |",
              "|---|---|---|---|"]
    for bench, res in _all(results):
        c = res["ceiling"]
        orig = " / ".join("—" if v is None else f"{v:.8f}" for v in (c["original_t1"], c["original_t2"]))
        if c["original_t1_nan_neuroids"] is not None:
            orig += f" ({c['original_t1_nan_neuroids']} / {c['original_t2_nan_neuroids']})"
        ours = ["—" if c[f"{s}_{d}"] is None else f"{c[f'{s}_{d}']:.8f}" for s in SOLVERS for d in DTYPES]
        lines.append(f"| {bench} | {orig} | {ours[0]} / {ours[1]} | {ours[2]} / {ours[3]} |")
    return "\n".join(lines) + "\n"


def _all(results: dict):
    for suite in ("bsl", "legacy"):
        yield from (results.get(suite) or {}).get("benchmarks", {}).items()


def summary(results: dict) -> list[str]:
    """The answers the measurement is for: max deviation per solver and conditioning, and where
    repro exceeds the original's own thread spread."""
    out = []
    for suite in ("bsl", "legacy"):
        benches = (results.get(suite) or {}).get("benchmarks", {})
        rows = [dict(r, benchmark=b) for b, res in benches.items() for r in res["rows"]]
        for cond in ("well", "ill"):
            sel = [r for r in rows if r["conditioning"] == cond]
            for solver in SOLVERS if sel else ():
                ms = max(r[f"{solver}_score"] for r in sel)
                raws = [r[f"{solver}_raw"] for r in sel if r[f"{solver}_raw"] is not None]
                mr = f", max |Δraw| {max(raws):.1e}" if raws else ""
                out.append(f"{suite} {cond}-conditioned ({len(sel)} layer rows): {solver} max |Δscore| {ms:.1e}{mr}")
        for r in rows:
            spread = r.get("thread_spread_score")
            for solver in SOLVERS:
                if spread is not None and r[f"{solver}_score"] > max(spread, 1e-6):
                    out.append(f"  {suite} exceeds the original's thread spread: {solver} {r['benchmark']} {r['layer']} "
                               f"({r['dtype']}, {r['conditioning']}) Δscore {r[f'{solver}_score']:.1e} vs spread {spread:.1e}")
    return out


def _missing(bench: str, dataset: str, threads, runs_orig: Path, runs_ours: Path) -> list[str]:
    """Runs a row cannot do without: the 1-thread original and every repro run (other thread counts
    only add the spread column)."""
    want = [runs_orig / f"{bench}__t1.json"]
    want += [runs_ours / f"{bench}__{s}__{dataset}_{d}.json" for s in SOLVERS for d in DTYPES]
    return [p.name for p in want if not p.exists()]


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
    p.add_argument("--suites", nargs="+", default=["bsl", "legacy"], choices=["bsl", "legacy"])
    p.add_argument("--benchmarks", nargs="+", choices=[*BSL_BENCHMARKS, *LEGACY_BENCHMARKS],
                   help="a subset of the benchmarks (default: all of the chosen suites)")
    p.add_argument("--threads", nargs="+", type=int, default=[1, 2], help="BLAS thread counts for the original")
    p.add_argument("--jobs", type=int, default=1, help="original runs at a time (each uses its own thread count)")
    p.add_argument("--collect-only", action="store_true",
                   help="run nothing: build the table from the runs already in --out (missing ones are listed)")
    args = p.parse_args(argv)

    golden, out = Path(args.golden), Path(args.out)
    if not (golden / "modern/data/sha1.json").is_file():
        print(f"error: {golden} is not the golden fixtures folder (no modern/data/sha1.json); pass --golden", file=sys.stderr)
        return 2
    if "bsl" in args.suites and not Path(args.bsl_python).exists():
        print(f"error: {args.bsl_python} not found; run `make bsl-env` or pass --bsl-python", file=sys.stderr)
        return 2
    if 1 not in args.threads:
        print("error: --threads must include 1 (the goldens' configuration, the reference row)", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    inputs = out / "inputs"
    inputs.mkdir(exist_ok=True)
    t0 = time.time()
    acts = data.write_activations(golden, inputs / "activations")
    runs_orig, runs_ours = out / "original", out / "repro"
    runs_orig.mkdir(exist_ok=True)
    runs_ours.mkdir(exist_ok=True)

    results = {"seed": data.SEED, "neural_noise": data.NEURAL_NOISE, "activation_noise": data.ACTIVATION_NOISE,
               "new_widths": data.NEW_WIDTH, "threads": args.threads}
    suites = {"bsl": (BSL_BENCHMARKS, args.bsl_python, data.write_bsl_data),
              "legacy": (LEGACY_BENCHMARKS, None, data.write_legacy_data)}
    for suite in args.suites:
        table, python, write = suites[suite]
        if suite == "legacy":
            python, reason = legacy_python(args.legacy_python)
            if python is None:
                results["legacy"] = {"skipped": reason}
                continue
        benches = [b for b in (args.benchmarks or table) if b in table]
        if not benches:
            continue
        data_dir = inputs / suite if args.collect_only else write(golden, inputs / suite)
        results[suite] = {"python": python, "benchmarks": {}, "not_measured": []}
        for bench in benches:
            dataset = table[bench]
            if args.collect_only:
                missing = _missing(bench, dataset, args.threads, runs_orig, runs_ours)
                if missing:
                    found = {t: json.loads(f.read_text()) for t in args.threads
                             if (f := runs_orig / f"{bench}__t{t}.json").exists()}
                    results[suite]["not_measured"].append({"benchmark": bench, "missing": missing,
                                                           "original_ceilings": {t: _ceiling(o) for t, o in found.items()}})
                    continue
            with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                futures = {t: pool.submit(run_original, suite, python, bench, data_dir, acts[dataset], runs_orig, t,
                                          args.collect_only) for t in args.threads}
            originals = {t: f.result() for t, f in futures.items() if f.result() is not None}
            ours = {(s, d): run_repro(bench, data_dir, acts[dataset][d], s, runs_ours, out / ".cache")
                    for s in SOLVERS for d in DTYPES}
            results[suite]["benchmarks"][bench] = compare(bench, originals, ours)
            print(f"{bench}: done ({time.time() - t0:.0f}s)", file=sys.stderr)

    results["summary"] = summary(results)
    table = markdown(results)
    name = "deviation" if set(args.suites) == {"bsl", "legacy"} else f"deviation-{'-'.join(args.suites)}"
    (out / f"{name}.json").write_text(json.dumps(results, indent=1) + "\n")
    (out / f"{name}.md").write_text(table + "\n" + "".join(f"- {line.strip()}\n" for line in results["summary"]))
    print(table)
    print("\n".join(results["summary"]))
    for suite in ("bsl", "legacy"):
        for nm in (results.get(suite) or {}).get("not_measured", []):
            print(f"{suite}: {nm['benchmark']} not measured (missing {', '.join(nm['missing'])}); "
                  f"original ceilings so far: {nm['original_ceilings']}")
    if "skipped" in results.get("legacy", {}):
        print(f"legacy: skipped: {results['legacy']['skipped']}")
    print(f"wrote {out / name}.json and .md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
