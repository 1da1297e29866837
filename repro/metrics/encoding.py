"""Cross-regressed correlation: r[neuroid, split] for every layer, sharing folds and row orders."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .correlation import against
from .cv import sort_by_id


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
    device: str | None = None,
    cutoff: float | None = None,
    observer: Callable | None = None,
) -> dict[str, np.ndarray]:
    """For each layer (rows already aligned with ``target``): r[split, neuroid].

    Training rows are sorted by stimulus_id (part of the original algorithm); test rows are
    compared in the same order for predictions and observations, so their order is irrelevant.

    Per fold the targets are sliced, centred and cast once for all layers; ``stable`` stacks the
    layers' [test, train] operators so that all layers cost one product with the targets.
    ``device`` (e.g. "cuda"): the ``stable`` products and correlations run there with torch.
    ``cutoff``: the suite's relative singular-value cut-off for ``stable`` (None: legacy, eps of the
    activations' dtype; Brain-Score Language passes 1e-6, its scikit-learn's ``cond``).
    ``observer(layer, fold, pred, Y_test)`` sees every fold's held-out predictions (the bootstrap).
    """
    from .regression import (  # scipy: imported when scoring, not when the benchmarks are listed
        _COND,
        check_solver,
        fit_dtype,
        ridge_gcv_fit_predict,
        sklearn_fit_predict,
        stable_operator,
        stable_predict_centred,
    )

    out = {name: np.empty((len(folds), target.shape[1])) for name in layers}
    names = list(layers)
    for f, (train, test) in enumerate(folds):
        train = sort_by_id(np.asarray(train), target_ids)
        test = sort_by_id(np.asarray(test), target_ids)
        Y_train, Y_test = target[train], target[test]
        r_of = against(correlation, Y_test)
        if regression == "ridge":
            for name in names:
                pred, _alpha = ridge_gcv_fit_predict(layers[name][train], Y_train, layers[name][test])
                out[name][f] = r_of(pred)
                _observe(observer, name, f, pred, Y_test)
                _tick(progress)
        elif solver == "stable" and device is not None:
            from .gpu import DeviceFold

            fold = DeviceFold(device, Y_train, Y_test, correlation.__name__)
            for name in names:
                op = stable_operator(layers[name][train], layers[name][test], cutoff)
                out[name][f] = fold.r(op)
                if observer is not None:
                    observer(name, f, fold.predict(op), Y_test)
                _tick(progress)
            del fold
        elif solver == "stable":
            Y = np.asarray(Y_train, dtype=np.float64)
            y_off = Y.mean(axis=0)
            Yc = Y - y_off
            del Y
            if Yc.shape[1] < len(train):  # few targets: coefficients per layer, no operators
                for name in names:
                    pred = stable_predict_centred(layers[name][train], Yc, layers[name][test], cutoff)
                    pred += y_off
                    out[name][f] = r_of(pred)
                    _observe(observer, name, f, pred, Y_test)
                    _tick(progress)
                continue
            for chunk in _chunks(names, len(test), Y_train.shape[1]):
                A = np.concatenate([stable_operator(layers[n][train], layers[n][test], cutoff) for n in chunk])
                pred = A @ Yc
                pred += y_off
                for i, name in enumerate(chunk):
                    block = pred[i * len(test):(i + 1) * len(test)]
                    out[name][f] = r_of(block)
                    _observe(observer, name, f, block, Y_test)
                    _tick(progress)
                del pred
        else:
            check_solver(solver)
            cast = {}  # sklearn casts y to X's dtype: once per dtype, shared by the layers
            for name in names:
                X = layers[name]
                dt = fit_dtype(X)
                if dt not in cast:
                    cast[dt] = np.asarray(Y_train).astype(dt)
                pred = sklearn_fit_predict(X[train], cast[dt], X[test], _COND[solver])
                out[name][f] = r_of(pred)
                _observe(observer, name, f, pred, Y_test)
                _tick(progress)
    return out


def _chunks(names: list[str], n_test: int, n_targets: int, budget: int = 256 << 20) -> list[list[str]]:
    """Layers per stacked product, so that one block of predictions stays under ``budget`` bytes."""
    per = max(1, budget // max(1, 8 * n_test * n_targets))
    return [names[i:i + per] for i in range(0, len(names), per)]


def _observe(observer, name, fold, pred, Y_test) -> None:
    if observer is not None:
        observer(name, fold, pred, Y_test)


def _tick(progress) -> None:
    if progress is not None:
        progress.update(1)
