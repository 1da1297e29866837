"""Per-neuroid Pearson correlation, vectorised over neuroids.

Each variant is a normalisation of both sides plus a column-wise dot product, so that the
observed side can be normalised once per fold and shared by every layer (``against``).
"""

from __future__ import annotations

import numpy as np


def _centred(a) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(a, dtype=np.float64)
    am = a - a.mean(axis=0)
    return am, np.linalg.norm(am, axis=0)


def _unit_scipy(a) -> tuple[np.ndarray, np.ndarray]:
    """(unit-norm centred columns, mask of constant columns)."""
    am, n = _centred(a)
    with np.errstate(invalid="ignore", divide="ignore"):
        return am / n, n == 0


def _r_scipy(x: tuple[np.ndarray, np.ndarray], y: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.einsum("ij,ij->j", x[0], y[0])
    r[x[1] | y[1]] = np.nan
    return np.clip(r, -1.0, 1.0)


def _unit_eps(a, eps: float) -> np.ndarray:
    am, n = _centred(a)
    return am / (n + eps)


def pearson_scipy(pred: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """scipy.stats.pearsonr per column, in float64; NaN for a constant column (legacy suite)."""
    return _r_scipy(_unit_scipy(pred), _unit_scipy(obs))


def pearson_eps(pred: np.ndarray, obs: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """Brain-Score Language 2.3's batched Pearson: +1e-8 on both norms, 0 for constants."""
    return np.einsum("ij,ij->j", _unit_eps(pred, eps), _unit_eps(obs, eps))


def against(correlation, obs: np.ndarray):
    """``pred -> correlation(pred, obs)`` with the observed side normalised once (it is shared by
    every layer of a fold); other correlation functions are called as they are."""
    if correlation is pearson_scipy:
        y = _unit_scipy(obs)
        return lambda pred: _r_scipy(_unit_scipy(pred), y)
    if correlation is pearson_eps:
        y = _unit_eps(obs, 1e-8)
        return lambda pred: np.einsum("ij,ij->j", _unit_eps(pred, 1e-8), y)
    return lambda pred: correlation(pred, obs)
