"""Cross-validated linear regression: the solver modes of both suites.

``legacy-exact``  sklearn 0.23 ``LinearRegression`` as neural-nlp ran it: targets cast to the
                  features' dtype (float32), float32 centring, LAPACK gelsd with
                  cond = eps(float32), float32 prediction.
``bsl-exact``     sklearn >= 1.9 as Brain-Score Language 2.3 resolves today: the same float32
                  path with cond = 1e-6.
``stable``        float64 minimum-norm least squares via one SVD per (layer, fold), shared by
                  every neuroid; independent of training-row order.

Every mode takes training rows already sorted by ``stimulus_id``: the order is part of the
legacy algorithm whenever features outnumber samples.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from ..errors import InputError

SOLVERS = ("stable", "legacy-exact", "bsl-exact")


def check_solver(solver: str) -> str:
    if solver not in SOLVERS:
        from ..registry import suggest

        hint = suggest(solver, list(SOLVERS))
        raise InputError(f"unknown solver {solver!r}{'; did you mean ' + repr(hint[0]) + '?' if hint else ''} (choose from {', '.join(SOLVERS)})")
    return solver


def _sklearn_f32(X_train, Y_train, X_test, cond):
    X = np.asarray(X_train, dtype=np.float32)
    Y = np.asarray(Y_train).astype(X.dtype)  # sklearn's check_X_y(y_numeric) casts y to X's dtype
    x_off = np.average(X, axis=0)
    y_off = np.average(Y, axis=0)
    coef, *_ = scipy.linalg.lstsq(X - x_off, Y - y_off, cond=cond, lapack_driver="gelsd")
    intercept = y_off - x_off @ coef
    return np.asarray(X_test, dtype=np.float32) @ coef + intercept


def _stable(X_train, Y_train, X_test):
    X = np.asarray(X_train, dtype=np.float64)
    x_off = X.mean(axis=0)
    Xc = X - x_off
    U, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    keep = s > s[0] * max(Xc.shape) * np.finfo(np.float64).eps if s.size else s > 0
    # predictions = (X_test - x_off) V S^-1 U^T (Y - y_off) + y_off; form the small
    # [test, train] operator first so the cost in neuroids is one matrix product.
    A = ((np.asarray(X_test, dtype=np.float64) - x_off) @ Vt[keep].T / s[keep]) @ U[:, keep].T
    Y = np.asarray(Y_train, dtype=np.float64)
    y_off = Y.mean(axis=0)
    return A @ (Y - y_off) + y_off


def fit_predict(X_train: np.ndarray, Y_train: np.ndarray, X_test: np.ndarray, solver: str) -> np.ndarray:
    """OLS with intercept fitted on (X_train, Y_train) for all neuroids at once; predict X_test."""
    if solver == "legacy-exact":
        return _sklearn_f32(X_train, Y_train, X_test, cond=None)  # scipy: None -> eps(dtype)
    if solver == "bsl-exact":
        return _sklearn_f32(X_train, Y_train, X_test, cond=1e-6)
    if solver == "stable":
        return _stable(X_train, Y_train, X_test)
    check_solver(solver)
    raise AssertionError


def ridge_gcv_fit_predict(X_train, Y_train, X_test, alphas=np.logspace(-3, 3, 7)):
    """Brain-Score Language's RidgeGCVTorch (a port of sklearn's ``_RidgeGCV``), in float64.

    Efficient leave-one-out: squared LOO residual ``(c / diag(G^-1))**2``; the score of an alpha
    is minus the mean over all samples and targets; one alpha for all neuroids; the first best
    alpha wins ties. Gram eigendecomposition when n <= p, SVD of [X, 1] otherwise.
    """
    X = np.asarray(X_train, dtype=np.float64)
    Y = np.asarray(Y_train, dtype=np.float64)
    x_off, y_off = X.mean(axis=0), Y.mean(axis=0)
    Xc, Yc = X - x_off, Y - y_off
    n, p = Xc.shape
    sw = np.ones(n)
    nsw = sw / np.linalg.norm(sw)
    if n > p:
        U, sv, _ = np.linalg.svd(np.hstack([Xc, sw[:, None]]), full_matrices=False)
        sv2 = sv**2
        UT_y = U.T @ Yc
        icpt = int(np.argmax(np.abs(nsw @ U)))
    else:
        K = Xc @ Xc.T + np.outer(sw, sw)
        eigvals, Q = scipy.linalg.eigh(K)
        QT_y = Q.T @ Yc
        icpt = int(np.argmax(np.abs(nsw @ Q)))
    best = None
    for alpha in np.atleast_1d(alphas):
        alpha = float(alpha)
        if n > p:
            w = 1.0 / (sv2 + alpha) - 1.0 / alpha
            w[icpt] = -1.0 / alpha
            c = U @ (w[:, None] * UT_y) + Yc / alpha
            g_diag = (w * U**2).sum(axis=-1) + 1.0 / alpha
        else:
            w = 1.0 / (eigvals + alpha)
            w[icpt] = 0.0
            c = Q @ (w[:, None] * QT_y)
            g_diag = (w * Q**2).sum(axis=-1)
        score = -np.mean((c / g_diag[:, None]) ** 2)
        if best is None or score > best[0]:
            best = (score, alpha, c)
    _, alpha, c = best
    coef = c.T @ Xc  # [targets, features]
    intercept = y_off - x_off @ coef.T
    return np.asarray(X_test, dtype=np.float64) @ coef.T + intercept, alpha
