"""Per-neuroid Pearson correlation, vectorised over neuroids."""

from __future__ import annotations

import numpy as np


def pearson_scipy(pred: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """scipy.stats.pearsonr per column, in float64; NaN for a constant column (legacy suite)."""
    x = np.asarray(pred, dtype=np.float64)
    y = np.asarray(obs, dtype=np.float64)
    xm = x - x.mean(axis=0)
    ym = y - y.mean(axis=0)
    nx = np.linalg.norm(xm, axis=0)
    ny = np.linalg.norm(ym, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.einsum("ij,ij->j", xm / nx, ym / ny)
    r[(nx == 0) | (ny == 0)] = np.nan
    return np.clip(r, -1.0, 1.0)


def pearson_eps(pred: np.ndarray, obs: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """Brain-Score Language 2.3's batched Pearson: +1e-8 on both norms, 0 for constants."""
    x = np.asarray(pred, dtype=np.float64)
    y = np.asarray(obs, dtype=np.float64)
    xm = x - x.mean(axis=0)
    ym = y - y.mean(axis=0)
    xm = xm / (np.linalg.norm(xm, axis=0) + eps)
    ym = ym / (np.linalg.norm(ym, axis=0) + eps)
    return np.einsum("ij,ij->j", xm, ym)
