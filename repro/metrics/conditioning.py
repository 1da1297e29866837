"""How well posed a layer's regression is, and so how far the original code's own answer moves.

An ordinary least-squares fit is reproducible to ~1e-7 only while its answer does not depend on
rounding. It does when the layer has at least as many features as a fold has training samples
(the minimum-norm solution is then decided by singular values near the solver's cut-off) or when
the activations themselves are (numerically) rank deficient: a post-final-LayerNorm hidden state
is linearly dependent by construction (σmin/σmax ≈ 5e-8, below float32 eps), so whether LAPACK
keeps that direction is a coin toss decided by the BLAS kernel and the thread count.

``layer_conditioning`` classifies a layer from one SVD of its centred activations over the
stimuli of one block of folds (every fold's training set is a subset of those rows, so its rank
is at most the one reported) plus the per-fold training sizes. The classes and the spread that
each class is measured to have in the original code live in ``repro.tolerances``.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from .regression import float_dtype, one_blas_thread

WELL = "well"
ILL = "ill"
# class -> conditioning (tolerances.py maps each class to the original's measured spread)
CLASSES = {"full-rank": WELL, "regularised": WELL, "underdetermined": ILL, "near-square": ILL,
           "rank-deficient": ILL, "near-cutoff": ILL}
# a kept singular value this close to the cut-off may be cut on another kernel
_NEAR_CUTOFF = 100.0
# p >= n but p < 1.5 n: the minimum-norm solution is dominated by a few tiny singular values
_NEAR_SQUARE = 1.5


def cutoff_of(suite_cond: float | None, dtype) -> float:
    """The relative singular-value cut-off of the suite's original solver for activations of ``dtype``.

    ``suite_cond`` None: scipy's default, eps of the dtype (scikit-learn 0.23, the legacy suite);
    a number: scikit-learn >= 1.9's ``tol`` passed as ``cond`` (Brain-Score Language: 1e-6).
    """
    if suite_cond is not None:
        return float(suite_cond)
    return float(np.finfo(float_dtype(dtype)).eps)  # the dtype the exact solvers compute in


def layer_conditioning(X: np.ndarray, train_sizes: list[int], cutoff: float, regression: str = "linear") -> dict:
    """Per-layer conditioning record (JSON-ready) for activations ``X`` [stimuli, features]."""
    n_rows, p = np.shape(X)
    n_train = [int(t) for t in train_sizes]
    rec = {"n_features": int(p), "n_train_min": min(n_train), "n_train_max": max(n_train), "cutoff": cutoff}
    if regression == "ridge":
        return {**rec, "rank": None, "sigma_ratio_min_kept": None, "sigma_ratio_max_cut": None,
                "class": "regularised", "conditioning": WELL}
    Xc = np.asarray(X, dtype=np.float64)
    Xc = Xc - Xc.mean(axis=0)
    with one_blas_thread():
        s = scipy.linalg.svdvals(Xc, check_finite=False)
    rel = s / s[0] if s.size and s[0] > 0 else np.zeros_like(s)
    # the centring removes one dimension: at most n - 1 directions carry information
    rel = rel[: max(0, min(p, n_rows - 1))]
    kept = rel[rel > cutoff]
    cut = rel[rel <= cutoff]
    rank = int(kept.size)
    min_kept = float(kept[-1]) if kept.size else None
    max_cut = float(cut[0]) if cut.size else None
    n_min = min(n_train)
    if p >= n_min - 1:
        cls = "near-square" if p < _NEAR_SQUARE * n_min else "underdetermined"
    elif rank < rel.size:
        cls = "rank-deficient"
    elif min_kept is not None and min_kept < _NEAR_CUTOFF * cutoff:
        cls = "near-cutoff"
    else:
        cls = "full-rank"
    return {**rec, "rank": rank, "sigma_ratio_min_kept": min_kept, "sigma_ratio_max_cut": max_cut,
            "class": cls, "conditioning": CLASSES[cls]}


def merge_blocks(records: list[dict]) -> dict:
    """One record for a layer scored on several blocks (Pereira's two experiments): the worst block."""
    order = ["full-rank", "regularised", "near-cutoff", "rank-deficient", "underdetermined", "near-square"]
    worst = max(records, key=lambda r: order.index(r["class"]))
    out = dict(worst)
    out["n_train_min"] = min(r["n_train_min"] for r in records)
    out["n_train_max"] = max(r["n_train_max"] for r in records)
    out["blocks"] = [{k: r[k] for k in ("n_train_min", "n_train_max", "rank", "class")} for r in records]
    return out


def layers_conditioning(layers: dict[str, np.ndarray], folds, cutoff_cond: float | None,
                        regression: str = "linear") -> dict[str, dict]:
    """``layer_conditioning`` for every layer of one block of folds (``folds``: (train, test) pairs)."""
    sizes = [len(train) for train, _ in folds]
    return {name: layer_conditioning(X, sizes, cutoff_of(cutoff_cond, np.asarray(X).dtype), regression)
            for name, X in layers.items()}
