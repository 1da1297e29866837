"""The ``stable`` regression's heavy products on a torch device (``--device cuda``).

Per fold the small [test, train] operators are formed on the CPU (as in the numpy path); what
scales with the number of neuroids - the product with the centred targets and the per-neuroid
Pearson correlation - runs on the device in float64, so results equal the numpy path to
rounding (~1e-12). ``device="cpu"`` runs the same code on torch's CPU backend (tested in CI).
"""

from __future__ import annotations

import numpy as np


def _torch():
    import torch

    return torch


def pearson_scipy_t(x, y):
    torch = _torch()
    xm = x - x.mean(dim=0)
    ym = y - y.mean(dim=0)
    nx = torch.linalg.vector_norm(xm, dim=0)
    ny = torch.linalg.vector_norm(ym, dim=0)
    r = ((xm / nx) * (ym / ny)).sum(dim=0)
    r = torch.where((nx == 0) | (ny == 0), torch.full_like(r, float("nan")), r)
    return r.clamp(-1.0, 1.0)


def pearson_eps_t(x, y, eps: float = 1e-8):
    torch = _torch()
    xm = x - x.mean(dim=0)
    ym = y - y.mean(dim=0)
    xm = xm / (torch.linalg.vector_norm(xm, dim=0) + eps)
    ym = ym / (torch.linalg.vector_norm(ym, dim=0) + eps)
    return (xm * ym).sum(dim=0)


TORCH_CORRELATIONS = {"pearson_scipy": pearson_scipy_t, "pearson_eps": pearson_eps_t}


class DeviceFold:
    """One fold's targets on the device: predictions from operators, correlations back as numpy."""

    def __init__(self, device: str, Y_train: np.ndarray, Y_test: np.ndarray, correlation_name: str):
        torch = _torch()
        if correlation_name not in TORCH_CORRELATIONS:
            raise ValueError(f"no device implementation of {correlation_name}")
        self.torch = torch
        self.device = torch.device(device)
        Y = torch.as_tensor(np.asarray(Y_train, dtype=np.float64), device=self.device)
        self.y_off = Y.mean(dim=0)
        self.Yc = Y - self.y_off
        self.Y_test = torch.as_tensor(np.asarray(Y_test, dtype=np.float64), device=self.device)
        self.corr = TORCH_CORRELATIONS[correlation_name]

    def predict(self, A: np.ndarray) -> np.ndarray:
        """The held-out predictions themselves, back on the host (for the bootstrap)."""
        At = self.torch.as_tensor(A, device=self.device)
        return (At @ self.Yc + self.y_off).cpu().numpy()

    def r(self, A: np.ndarray) -> np.ndarray:
        """r per neuroid of predictions ``A @ Yc + mean(Y)`` for one layer's operator A [test, train]."""
        At = self.torch.as_tensor(A, device=self.device)
        pred = At @ self.Yc + self.y_off
        return self.corr(pred, self.Y_test).cpu().numpy()
