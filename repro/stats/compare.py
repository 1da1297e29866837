"""Paired comparison of two results on the same benchmark and folds (two models, or two layers).

The difference's interval and p-value come from the paired bootstrap: both results were scored
with the same seed on the same folds, so replicate b of either result saw the same resampled
stimuli, and replicate differences are paired. Where the benchmark has subjects, a sign-flip
permutation test over the per-subject score differences is reported too. Several benchmarks at
once get Holm's step-down correction of the bootstrap p-values.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np

from ..atomic import atomic_write_text
from ..errors import InputError
from ..results import SCHEMA as RESULT_SCHEMA
from .bootstrap import percentile_ci

SCHEMA = "repro.compare/1"
QUANTITIES = ("score", "raw")


def _load(path: Path) -> tuple[dict, dict]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read result file {path}: {exc}") from exc
    if not isinstance(data, dict) or data.get("schema") != RESULT_SCHEMA:
        raise InputError(f"{path} is not a repro result file ({RESULT_SCHEMA})")
    side = (data.get("side_files") or {}).get("per_neuroid")
    reps = {}
    if side and (path.parent / side).is_file():
        with np.load(path.parent / side, allow_pickle=False) as z:
            reps = {k: z[k] for k in z.files if "__bootstrap_" in k}
    return data, reps


def _files(item) -> list[Path]:
    p = Path(item)
    if p.is_dir():
        out = []
        for f in sorted(p.rglob("*.json")):
            try:
                if json.loads(f.read_text()).get("schema") == RESULT_SCHEMA:
                    out.append(f)
            except (OSError, ValueError, AttributeError):
                continue
        return out
    if p.is_file():
        return [p]
    raise InputError(f"{p} does not exist (give two result files, or two folders of results)")


def _pairs(a, b) -> list[tuple[Path, Path]]:
    fa, fb = _files(a), _files(b)
    if len(fa) == 1 and len(fb) == 1:
        return [(fa[0], fb[0])]

    def by_bench(files, side):
        out: dict[str, Path] = {}
        for f in files:
            bench = json.loads(f.read_text())["benchmark"]
            if bench in out:
                raise InputError(f"{side} holds two results for {bench} ({out[bench]}, {f}); give one per benchmark")
            out[bench] = f
        return out

    ma, mb = by_bench(fa, "A"), by_bench(fb, "B")
    common = [k for k in ma if k in mb]
    if not common:
        raise InputError(f"no benchmark is in both {a} and {b}")
    return [(ma[k], mb[k]) for k in common]


def check_comparable(a: dict, b: dict, na: str, nb: str) -> None:
    """Refuse results that did not see the same data, folds and bootstrap draws."""
    checks = [("benchmark", a["benchmark"], b["benchmark"]), ("suite", a["suite"], b["suite"]),
              ("data sha1s", (a.get("provenance") or {}).get("data"), (b.get("provenance") or {}).get("data")),
              ("folds", a.get("folds"), b.get("folds"))]
    ba, bb = a.get("bootstrap"), b.get("bootstrap")
    if not ba or not bb:
        raise InputError(f"{na if not ba else nb} has no bootstrap (scored with --bootstrap 0 or by an older repro); "
                         "rescore it with `repro score` to compare")
    checks.append(("bootstrap (n, seed, method)", [ba.get(k) for k in ("n", "seed", "r_of_resample")],
                   [bb.get(k) for k in ("n", "seed", "r_of_resample")]))
    for what, x, y in checks:
        if x != y:
            raise InputError(f"{na} and {nb} are not comparable: different {what} "
                             f"({_short(x)} vs {_short(y)}); score both the same way on the same data")


def _short(x) -> str:
    s = json.dumps(x, default=str)
    return s if len(s) <= 80 else s[:77] + "..."


def _layer(data: dict, name: str | None, path) -> dict:
    name = name or data["best_layer"]["layer"]
    hit = next((ls for ls in data["layers"] if ls["layer"] == name), None)
    if hit is None:
        raise InputError(f"{path} has no layer {name!r} (layers: {', '.join(ls['layer'] for ls in data['layers'])})")
    return hit


def bootstrap_p(diff: np.ndarray) -> float:
    """Two-sided p of 'no difference' from the paired replicates (the percentile interval inverted)."""
    d = diff[np.isfinite(diff)]
    n = d.size
    return float(min(1.0, 2 * min((1 + np.sum(d <= 0)) / (n + 1), (1 + np.sum(d >= 0)) / (n + 1))))


def sign_flip_p(d: np.ndarray, n_random: int = 20000, seed: int = 0) -> float:
    """Two-sided sign-flip permutation p of the mean per-subject difference (exact up to 16 subjects)."""
    d = d[np.isfinite(d)]
    if d.size == 0:
        return float("nan")
    if d.size <= 16:
        signs = np.array(list(itertools.product((1.0, -1.0), repeat=d.size)))
    else:
        signs = np.random.default_rng(seed).choice((1.0, -1.0), size=(n_random, d.size))
    stats = np.abs(signs @ d) / d.size
    return float(np.mean(stats >= abs(d.mean()) - 1e-12))


def holm(p: list[float]) -> list[float]:
    order = np.argsort(p)
    m = len(p)
    adj = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adj[i] = running
    return adj.tolist()


def compare_pair(pa: Path, pb: Path, layer_a=None, layer_b=None, quantity: str = "score") -> dict:
    a, ra = _load(pa)
    b, rb = _load(pb)
    check_comparable(a, b, str(pa), str(pb))
    la, lb = _layer(a, layer_a, pa), _layer(b, layer_b, pb)
    if pa.resolve() == pb.resolve() and la["layer"] == lb["layer"]:
        raise InputError(f"comparing layer {la['layer']!r} of {pa} with itself; give --layer-a/--layer-b")
    key_a, key_b = f"{la['layer']}__bootstrap_{quantity}", f"{lb['layer']}__bootstrap_{quantity}"
    for key, reps, path in ((key_a, ra, pa), (key_b, rb, pb)):
        if key not in reps:
            raise InputError(f"{path}: no {quantity} bootstrap replicates for {key.split('__')[0]!r} in its side file "
                             f"(the .per_neuroid.npz next to it){'; legacy Blank/Fedorenko have no raw score' if quantity == 'raw' else ''}")
    diff = ra[key_a] - rb[key_b]
    point = la[f"{quantity}_center"] - lb[f"{quantity}_center"]
    out = {"benchmark": a["benchmark"], "suite": a["suite"], "quantity": quantity,
           "a": {"file": str(pa), "model": a["model"]["id"], "layer": la["layer"], "value": la[f"{quantity}_center"]},
           "b": {"file": str(pb), "model": b["model"]["id"], "layer": lb["layer"], "value": lb[f"{quantity}_center"]},
           "difference": float(point), "ci": percentile_ci(diff, a["bootstrap"]["level"]),
           "p_value": bootstrap_p(diff),
           "method": f"paired bootstrap over stimuli ({len(diff)} replicates, seed {a['bootstrap']['seed']}), "
                     "percentile interval, two-sided p"}
    sa, sb = la.get("subject_scores") or {}, lb.get("subject_scores") or {}
    common = [s for s in sa if s in sb and sa[s] is not None and sb[s] is not None]
    if common:
        d = np.array([sa[s] - sb[s] for s in common], dtype=np.float64)
        out["subjects"] = {"n": len(common), "mean_difference": float(np.mean(d)), "p_value": sign_flip_p(d),
                           "method": "sign-flip permutation of per-subject score differences"
                                     + (" (exact)" if len(common) <= 16 else " (20000 random flips)"),
                           "note": f"with {len(common)} subjects the smallest possible p is {2 / 2 ** len(common):.3g}"}
    return out


def compare(a, b, layer_a: str | None = None, layer_b: str | None = None, quantity: str = "score",
            output: str | Path | None = None) -> dict:
    """Compare result A with result B (files, or folders paired by benchmark); JSON-ready dict."""
    if quantity not in QUANTITIES:
        raise InputError(f"unknown quantity {quantity!r}; choose from {', '.join(QUANTITIES)}")
    if output is not None and not str(output).endswith(".json"):
        raise InputError(f"--output {output} must end in .json (a .md table is written next to it)")
    rows = [compare_pair(pa, pb, layer_a, layer_b, quantity) for pa, pb in _pairs(a, b)]
    for row, adj in zip(rows, holm([r["p_value"] for r in rows])):
        row["p_holm"] = adj
    result = {"schema": SCHEMA, "comparisons": rows,
              "correction": "Holm step-down over the benchmarks compared" if len(rows) > 1 else None}
    if output is not None:
        out = Path(output)
        atomic_write_text(out.with_suffix(".md"), markdown(result) + "\n")
        atomic_write_text(out, json.dumps(result, indent=1) + "\n")
    return result


def _f(x, d=4) -> str:
    return "n/a" if x is None or (isinstance(x, float) and not np.isfinite(x)) else f"{x:.{d}f}"


def markdown(result: dict) -> str:
    lines = ["| benchmark | A (layer) | B (layer) | quantity | A − B | 95 % CI | p (bootstrap) | p (Holm) | "
             "p (subjects, sign flip) |", "|---|---|---|---|---|---|---|---|---|"]
    for r in result["comparisons"]:
        ci = r["ci"] or [None, None]
        subj = r.get("subjects")
        lines.append(f"| {r['benchmark']} | {r['a']['model']} ({r['a']['layer']}) | {r['b']['model']} ({r['b']['layer']}) "
                     f"| {r['quantity']} | {_f(r['difference'])} | [{_f(ci[0])}, {_f(ci[1])}] | {_f(r['p_value'], 4)} "
                     f"| {_f(r['p_holm'], 4)} | {_f(subj['p_value'], 4) + ' (n=' + str(subj['n']) + ')' if subj else '–'} |")
    return "\n".join(lines)
