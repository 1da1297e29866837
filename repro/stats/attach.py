"""Puts the statistics onto a benchmark's per-layer scores (the point scores are left untouched)."""

from __future__ import annotations

import numpy as np

from .bootstrap import BootstrapSpec, percentile_ci
from .nested import nested_choice


def add_intervals(layer_scores, aggregate, spec: BootstrapSpec | None, side: dict) -> None:
    """``raw_ci``/``score_ci`` per layer from the replicates the aggregate collected; the
    replicates go to the side file (``<layer>__bootstrap_score``/``_raw``) for paired comparisons."""
    if spec is None:
        return
    for ls in layer_scores:
        raw_b, score_b = aggregate.replicates(ls.layer)
        ls.score_ci = percentile_ci(score_b, spec.level)
        side[f"{ls.layer}__bootstrap_score"] = np.asarray(score_b, dtype=np.float64)
        if raw_b is not None:
            ls.raw_ci = percentile_ci(raw_b, spec.level)
            side[f"{ls.layer}__bootstrap_raw"] = np.asarray(raw_b, dtype=np.float64)


def layer_selection(layer_scores, aggregate, point_r: dict, n_folds: int, method: str,
                    disjoint: bool = True) -> dict | None:
    """The nested choice beside the max over layers (None for the original rule alone)."""
    if method != "nested":
        return None
    return nested_choice([ls.layer for ls in layer_scores],
                         lambda name, folds: aggregate.fold_score(point_r[name], folds), n_folds, disjoint)
