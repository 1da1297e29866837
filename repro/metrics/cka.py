"""Representational similarity between two [stimulus, feature] matrices: linear CKA and RDM-Spearman.

These are brain-score's ``CKAMetric`` and ``RDMMetric`` (spec legacy-neural-nlp.md §8), evaluated on
rows that the caller has already put in the same stimulus order (the legacy code sorts both sides
by ``stimulus_id``; both measures are invariant to a joint row permutation up to rounding).

Linear CKA: ``HSIC(X, Y) = Σ (H XXᵀ H) ∘ (H YYᵀ H)`` with ``H = I − 11ᵀ/n`` and
``CKA = HSIC(X, Y) / sqrt(HSIC(X, X) · HSIC(Y, Y))``. ``H XXᵀ H`` equals ``Xc Xcᵀ`` for the
column-centred ``Xc``, which is what we form (float64 throughout; upstream forms ``XXᵀ`` in the
activations' dtype, float32, which is exact for the golden activations and differs only by
float32 rounding otherwise).

RDM: ``1 − corrcoef`` across stimuli (rows), then Spearman ρ between the strict upper triangles
(``k = 1``, row-major as ``np.triu_indices``) of the two RDMs. The upstream RDM benchmarks crash
with the brain-score/brainio versions of the goldens, so this part is verified structurally only
(known small matrices, invariances; tests/test_cka.py).

Each measure is split into ``prepare`` (per matrix; reusable across the subjects compared with one
model layer) and ``compare`` (on two prepared values).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def centered_gram(X: np.ndarray) -> np.ndarray:
    """``H XXᵀ H`` in float64 (rows = stimuli)."""
    Xc = np.asarray(X, dtype=np.float64)
    Xc = Xc - Xc.mean(axis=0)
    return Xc @ Xc.T


def cka_from_grams(Kx: np.ndarray, Ky: np.ndarray) -> float:
    """Linear CKA from two centred Gram matrices; NaN when either side has no variance."""
    hsic_xy = float(np.sum(Kx * Ky))
    denom = np.sqrt(float(np.sum(Kx * Kx))) * np.sqrt(float(np.sum(Ky * Ky)))
    return hsic_xy / denom if denom > 0 else float("nan")


def linear_cka(X: np.ndarray, Y: np.ndarray) -> float:
    """Linear CKA between two [stimulus, feature] matrices with the same rows."""
    _check_rows(X, Y)
    return cka_from_grams(centered_gram(X), centered_gram(Y))


def rdm(X: np.ndarray) -> np.ndarray:
    """``1 − corrcoef`` across stimuli: [stimulus, stimulus]; NaN rows for constant stimuli."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1.0 - np.corrcoef(np.asarray(X, dtype=np.float64))


def upper_triangle(M: np.ndarray) -> np.ndarray:
    """The strict upper triangle (k = 1), row-major."""
    M = np.asarray(M)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise ValueError(f"expected a square matrix, got shape {M.shape}")
    return M[np.triu_indices(M.shape[0], k=1)]


def rdm_triangle(X: np.ndarray) -> np.ndarray:
    return upper_triangle(rdm(X))


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """``scipy.stats.spearmanr`` of two vectors (NaN propagates, as upstream)."""
    if len(a) < 2:
        return float("nan")
    with np.errstate(invalid="ignore", divide="ignore"):
        import scipy.stats

        rho = scipy.stats.spearmanr(a, b).statistic
    return float(rho)


def rdm_similarity(X: np.ndarray, Y: np.ndarray) -> float:
    """Spearman ρ between the strict upper triangles of the two RDMs."""
    _check_rows(X, Y)
    return spearman(rdm_triangle(X), rdm_triangle(Y))


@dataclass(frozen=True)
class Similarity:
    name: str
    prepare: Callable[[np.ndarray], np.ndarray]
    compare: Callable[[np.ndarray, np.ndarray], float]

    def __call__(self, X: np.ndarray, Y: np.ndarray) -> float:
        _check_rows(X, Y)
        return self.compare(self.prepare(X), self.prepare(Y))


SIMILARITIES = {
    "cka": Similarity("cka", centered_gram, cka_from_grams),
    "rdm": Similarity("rdm", rdm_triangle, spearman),
}


def _check_rows(X, Y) -> None:
    if np.shape(X)[0] != np.shape(Y)[0]:
        raise ValueError(f"row counts differ: {np.shape(X)[0]} vs {np.shape(Y)[0]} (rows must be the same stimuli)")
