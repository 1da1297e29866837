"""Held-out layer choice: the layer is picked on other folds than the one it is scored on.

The maximum over 13-49 layers of scores measured on the same data is biased upwards. For every
outer fold k the layer with the best score over the remaining folds' held-out predictions is chosen
and fold k's score of that layer is kept; the nested score is the mean over the outer folds. The
regressions are the benchmark's own (no refits): each fold's predictions come from a model that
never saw that fold, and the choice for fold k never looks at fold k.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np

SELECTIONS = ("max", "nested")


def check_selection(name: str) -> str:
    from ..errors import InputError

    if name not in SELECTIONS:
        raise InputError(f"unknown --layer-selection {name!r}; choose from {', '.join(SELECTIONS)}")
    return name


def nested_choice(layers: list[str], fold_score: Callable[[str, list[int]], tuple], n_folds: int,
                  disjoint: bool = True) -> dict:
    """``fold_score(layer, folds) -> (raw or None, score)`` over a subset of the folds. ``disjoint``:
    the folds' test sets partition the stimuli (not so for ShuffleSplit, whose test sets overlap)."""
    per_fold = []
    for k in range(n_folds):
        inner = [f for f in range(n_folds) if f != k]
        inner_scores = np.array([_finite(fold_score(name, inner)[1]) for name in layers])
        best = layers[int(np.argmax(inner_scores))]  # ties: the first layer, as the max-over-layers rule
        raw, score = fold_score(best, [k])
        per_fold.append({"outer_fold": k, "layer": best, "inner_score": float(inner_scores.max()),
                         "score": _none(score), "raw": _none(raw)})
    # the same per-fold rule without holding the choice out: the optimistic value to compare with
    same_rule = [np.mean([_finite(fold_score(name, [k])[1]) for k in range(n_folds)]) for name in layers]
    scores = [p["score"] for p in per_fold if p["score"] is not None]
    raws = [p["raw"] for p in per_fold if p["raw"] is not None]
    return {"method": "nested", "rule": "per outer fold: argmax over layers of the score on the other folds; "
                                        "score = mean over outer folds of the chosen layer's fold score",
            "score_center": float(np.mean(scores)) if scores else None,
            "raw_center": float(np.mean(raws)) if raws else None,
            "test_sets_disjoint": disjoint,
            "note": None if disjoint else "ShuffleSplit test sets overlap: the inner folds share stimuli with "
                                          "the outer one, so the choice is only partly held out",
            "max_over_layers_same_rule": _none(max(same_rule)),
            "max_layer_same_rule": layers[int(np.argmax(same_rule))],
            "layer_counts": dict(Counter(p["layer"] for p in per_fold)), "per_fold": per_fold}


def _finite(x) -> float:
    return -np.inf if x is None or not np.isfinite(x) else float(x)


def _none(x):
    return None if x is None or not np.isfinite(x) else float(x)
