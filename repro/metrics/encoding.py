"""Cross-regressed correlation: r[neuroid, split] for every layer, sharing folds and row orders."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .cv import sort_by_id
from .regression import fit_predict, ridge_gcv_fit_predict


def align_rows(source_ids: np.ndarray, target_ids: np.ndarray, what: str = "activations") -> np.ndarray:
    """Row index into the source for every target presentation (by stimulus_id)."""
    from ..errors import InputError

    src = {(v.item() if hasattr(v, "item") else v): i for i, v in enumerate(source_ids)}
    if len(src) != len(source_ids):
        raise InputError(f"the {what} repeat stimulus ids; each stimulus must appear once")
    idx = np.empty(len(target_ids), dtype=np.int64)
    missing = []
    for j, t in enumerate(target_ids):
        t = t.item() if hasattr(t, "item") else t
        i = src.get(t)
        if i is None:
            # ids that differ only in type (e.g. '3' vs 3) are a common bring-your-own-activations slip
            i = src.get(str(t), src.get(int(t) if isinstance(t, str) and t.isdigit() else None))
        if i is None:
            missing.append(t)
        else:
            idx[j] = i
    if missing:
        raise InputError(
            f"the {what} lack {len(missing)} of the benchmark's {len(target_ids)} stimulus ids "
            f"(e.g. {missing[0]!r}); they must cover every stimulus_id of the benchmark")
    return idx


def cross_regressed_correlation(
    layers: dict[str, np.ndarray],
    target: np.ndarray,
    target_ids: np.ndarray,
    folds: list[tuple[np.ndarray, np.ndarray]],
    correlation: Callable[[np.ndarray, np.ndarray], np.ndarray],
    solver: str = "stable",
    regression: str = "linear",
    progress=None,
) -> dict[str, np.ndarray]:
    """For each layer (rows already aligned with ``target``): r[split, neuroid].

    Training rows are sorted by stimulus_id (part of the original algorithm); test rows are
    compared in the same order for predictions and observations, so their order is irrelevant.
    """
    out = {name: np.empty((len(folds), target.shape[1])) for name in layers}
    for f, (train, test) in enumerate(folds):
        train = sort_by_id(np.asarray(train), target_ids)
        test = sort_by_id(np.asarray(test), target_ids)
        Y_train, Y_test = target[train], target[test]
        for name, X in layers.items():
            if regression == "ridge":
                pred, _alpha = ridge_gcv_fit_predict(X[train], Y_train, X[test])
            else:
                pred = fit_predict(X[train], Y_train, X[test], solver)
            out[name][f] = correlation(pred, Y_test)
            if progress is not None:
                progress.update(1)
    return out
