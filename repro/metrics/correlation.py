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


def against(correlation, obs: np.ndarray):
    """``pred -> correlation(pred, obs)`` with the observed side normalised once (it is shared by
    every layer of a fold); other correlation functions are called as they are."""
    y = np.asarray(obs, dtype=np.float64)
    ym = y - y.mean(axis=0)
    ny = np.linalg.norm(ym, axis=0)
    if correlation is pearson_scipy:
        with np.errstate(invalid="ignore", divide="ignore"):
            yn = ym / ny
        dead = ny == 0

        def r_scipy(pred):
            x = np.asarray(pred, dtype=np.float64)
            xm = x - x.mean(axis=0)
            nx = np.linalg.norm(xm, axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                r = np.einsum("ij,ij->j", xm / nx, yn)
            r[(nx == 0) | dead] = np.nan
            return np.clip(r, -1.0, 1.0)
        return r_scipy
    if correlation is pearson_eps:
        yn = ym / (ny + 1e-8)

        def r_eps(pred):
            x = np.asarray(pred, dtype=np.float64)
            xm = x - x.mean(axis=0)
            return np.einsum("ij,ij->j", xm / (np.linalg.norm(xm, axis=0) + 1e-8), yn)
        return r_eps
    return lambda pred: correlation(pred, obs)
