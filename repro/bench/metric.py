"""(a) The metric on the real shapes: repro and the peer on the same arrays, alternating."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from .floor import regression_flops
from .shapes import Case

SOLVERS = {"legacy": ("stable", "legacy-exact"), "bsl": ("stable", "bsl-exact")}


def repro_metric(case: Case, solver: str) -> float:
    """The statistic both suites' metrics return: the mean over splits of the per-split median over
    neuroids (legacy: averaged over the layers, each scored on its own)."""
    from ..benchmarks.bsl_encoding import shuffle_split
    from ..metrics.correlation import pearson_eps, pearson_scipy
    from ..metrics.cv import SplitSpec, splits
    from ..metrics.encoding import cross_regressed_correlation

    n = len(case.stimulus_id)
    if case.suite == "bsl":
        folds = splits(shuffle_split(), n)
        r = cross_regressed_correlation(case.X, case.Y, case.stimulus_id, folds, pearson_eps, solver)
        return float(np.mean(np.median(next(iter(r.values())), axis=1)))
    if case.name.startswith("Pereira"):
        folds = splits(SplitSpec("KFold", 5, 1), n)
    else:
        folds = splits(SplitSpec("StratifiedKFold", 5, 1, "group"), n, case.labels)
    r = cross_regressed_correlation(case.X, case.Y, case.stimulus_id, folds, pearson_scipy, solver)
    return float(np.mean([np.mean(np.nanmedian(v, axis=1)) for v in r.values()]))


def metric_floor_seconds(case: Case, rate: float) -> float:
    n = len(case.stimulus_id)
    folds, test = (10, n - int(0.9 * n)) if case.suite == "bsl" else (5, n // 5)
    p = next(iter(case.X.values())).shape[1]
    return regression_flops(n - test, test, p, case.Y.shape[1], folds, len(case.X)) / rate


def write_case(case: Case, folder: Path) -> Path:
    """The arrays for the peer, as a plain npz (no pickles)."""
    f = folder / f"metric-{case.suite}-{case.name.replace('/', '_')}.npz"
    ids = case.stimulus_id
    np.savez(f, stimulus_id=ids, Y=case.Y, labels=case.labels, layers=np.asarray(list(case.X)),
             neuroid_id=np.asarray([f"n{i}" for i in range(case.Y.shape[1])]),
             subject=np.asarray([f"s{i % 5}" for i in range(case.Y.shape[1])]),
             **{f"X__{k}": v for k, v in case.X.items()}, X=next(iter(case.X.values())))
    return f


def _warm_up(cases: list[Case], drivers: dict, work: Path) -> None:
    """One untimed call per suite on a sliver of its first case: lazy imports and first-call
    setup would otherwise land on whichever side runs first."""
    for suite in ("legacy", "bsl"):
        case = next((c for c in cases if c.suite == suite), None)
        if case is None:
            continue
        first = next(iter(case.X))
        small = Case(suite, case.name, {first: case.X[first]}, case.Y[:, :8], case.stimulus_id, case.labels)
        repro_metric(small, SOLVERS[suite][0])
        driver = drivers.get(suite)
        if driver is not None and driver.ready.get("error") is None:
            path = write_case(small, work)
            driver.call({"op": "metric", "npz": str(path), "suite": suite, "case": case.name})
            path.unlink()


def bench_metric(cases: list[Case], drivers: dict, repeats: int, work: Path, rate: float) -> list[dict]:
    """Per case: [peer, repro solvers] ``repeats`` times in turn; the best time of each is kept
    (the least disturbed by the rest of the machine)."""
    _warm_up(cases, drivers, work)
    rows = []
    for case in cases:
        driver = drivers.get(case.suite)
        row = {"suite": case.suite, "case": case.name, "shape": case.shape,
               "floor_seconds": metric_floor_seconds(case, rate), "seconds": {}, "score": {}}
        path = write_case(case, work)
        best: dict[str, float] = {}
        for _ in range(repeats):
            if driver is not None and driver.ready.get("error") is None:
                res = driver.call({"op": "metric", "npz": str(path), "suite": case.suite, "case": case.name})
                if "error" in res:
                    row["peer_error"] = res["error"]
                else:
                    best["peer"] = min(best.get("peer", np.inf), res["seconds"])
                    row["score"]["peer"] = res["score"]
            for solver in SOLVERS[case.suite]:
                t = time.perf_counter()
                row["score"][solver] = repro_metric(case, solver)
                best[solver] = min(best.get(solver, np.inf), time.perf_counter() - t)
        row["seconds"] = best
        if "peer" in best:
            row["speedup_vs_peer"] = {s: best["peer"] / best[s] for s in SOLVERS[case.suite]}
            row["abs_score_diff_vs_peer"] = {s: abs(row["score"][s] - row["score"]["peer"]) for s in SOLVERS[case.suite]}
        elif driver is None or driver.ready.get("error"):
            row["peer_skipped"] = "peer not available" if driver is None else driver.ready["error"]
        row["floor_multiple"] = {s: best[s] / row["floor_seconds"] for s in best}
        rows.append(row)
        path.unlink()
    return rows
