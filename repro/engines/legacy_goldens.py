"""Compare a legacy result with the original code's end-to-end golden, layer by layer, by conditioning class.

A layer's class decides how far the original code's own answer moves across BLAS kernels and thread counts
(shared/golden/SPREAD.md); repro/tolerances.py holds twice that spread, never less than 1e-6. The classes of a
causal LM's hidden states follow from the model alone: the last label of GPT-2-type models is after the final
LayerNorm (centred features of rank one less than the width: rank-deficient); a layer as wide as the smallest
training split or wider is under-determined; every other layer is full-rank.
"""

from __future__ import annotations

import json
from pathlib import Path

from .. import tolerances
from ..metrics.conditioning import CLASSES
from ..suites import SUITE_LEGACY

# fewest training rows of one cross-validation split (golden README §2)
MIN_TRAIN_ROWS = {"Pereira2018": 194, "Blank2014": 1053, "Fedorenko2016": 332}
BENCHMARKS = ("Pereira2018-encoding", "Blank2014fROI-encoding", "Fedorenko2016v3-encoding")


def layer_class(benchmark: str, n_features: int | None, post_final_norm: bool) -> str:
    if post_final_norm:
        return "rank-deficient"
    if n_features is not None and n_features >= MIN_TRAIN_ROWS[tolerances.dataset_of(benchmark)]:
        return "underdetermined"
    return "full-rank"


def tolerance(benchmark: str, cls: str) -> float:
    return tolerances.tolerance(SUITE_LEGACY, benchmark, cls)


def compare(result: dict, golden: dict, post_final_norm_layers: set[str], floor: float = 0.0) -> list[dict]:
    """One row per golden layer: the class, |Δ| of center (and raw, error), the tolerance, pass/fail.

    ``floor``: the least tolerance, for a reference whose activations came from another torch build.
    """
    ours = {row["layer"]: row for row in result["layers"]}
    rows = []
    for layer, ref in golden["layers"].items():
        got = ours.get(layer)
        cls = layer_class(result["benchmark"], ref.get("n_features"), layer in post_final_norm_layers)
        tol = max(floor, tolerance(result["benchmark"], cls))
        if ref.get("score_center") is None:  # undefined in the reference (constant features): not comparable
            rows.append({"layer": layer, "class": cls, "tolerance": tol, "diff": None, "ok": got is not None,
                         "note": "undefined in the reference (constant features)"})
            continue
        if got is None or got["score_center"] is None:
            rows.append({"layer": layer, "class": cls, "tolerance": tol, "diff": None, "ok": False})
            continue
        diff = abs(got["score_center"] - ref["score_center"])
        if ref.get("raw_center") is not None and got.get("raw_center") is not None:
            diff = max(diff, abs(got["raw_center"] - ref["raw_center"]))
        error_diff = abs(got["score_error"] - ref["score_error"])
        rows.append({"layer": layer, "class": cls, "tolerance": tol, "diff": diff, "error_diff": error_diff,
                     "ok": diff <= tol and error_diff <= max(tol, tolerances.SCORE_ERROR[CLASSES[cls]])})
    return rows


def summary(benchmark: str, rows: list[dict]) -> str:
    passed = sum(r["ok"] for r in rows)
    worst = max(rows, key=lambda r: (not r["ok"], -1.0 if r["diff"] is None else r["diff"] / r["tolerance"]))
    diff = "missing" if worst["diff"] is None else f"{worst['diff']:.1e}"
    verdict = "ok" if passed == len(rows) else "FAIL"
    return (f"{benchmark}: {verdict}, {passed}/{len(rows)} layers within tolerance (worst {worst['layer']}: "
            f"|Δ| {diff}, {worst['class']}, tol {worst['tolerance']:.1e})")


def load_golden(golden_dir: Path, benchmark: str) -> dict:
    return json.loads((golden_dir / "legacy" / "results" / "end_to_end_tiny_gpt2" / f"{benchmark}.json").read_text())
