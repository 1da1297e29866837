"""Cross-validated linear regression: the solver modes of both suites.

``legacy-exact``  sklearn 0.23 ``LinearRegression`` as neural-nlp ran it: targets cast to the
                  features' dtype (float32 for model activations, float64 stays float64),
                  centring in that dtype, LAPACK gelsd with cond = eps(dtype), prediction in
                  that dtype.
``bsl-exact``     sklearn >= 1.9 as Brain-Score Language 2.3 resolves today: the same path
                  with cond = 1e-6 (``tol`` passed as ``cond``).
``stable``        float64 minimum-norm least squares (SVD pseudo-inverse) per (layer, fold),
                  shared by every neuroid, with the suite's own relative cut-off (legacy:
                  eps of the activations' dtype; Brain-Score Language: 1e-6); independent of
                  training-row order.

Every mode takes training rows already sorted by ``stimulus_id``: the order is part of the
legacy algorithm whenever features outnumber samples.

Speed: every solver is linear in the targets, so each (layer, fold) factorises X once into an
operator that all neuroids share: ``stable`` via QR (n > p) or the n x n Gram matrix (n <= p)
where that provably equals the SVD answer, the exact modes via gelsd on the identity instead of
on tens of thousands of right-hand sides wherever that reproduces gelsd (p < n).
Factorisations run on one BLAS thread: they are small, and OpenBLAS's spinning threads slow
them down many-fold on a busy machine.
"""

from __future__ import annotations

import contextlib
import functools

import numpy as np
import scipy.linalg

from .solvers import BSL_COND, LEGACY_COND, SOLVERS, check_solver  # noqa: F401 - re-exported

_COND = {"legacy-exact": LEGACY_COND, "bsl-exact": BSL_COND}


def float_dtype(dtype) -> np.dtype:
    """float32 and float64 stay as they are; any other dtype computes in float64."""
    dtype = np.dtype(dtype)
    return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float64)


def fit_dtype(X) -> np.dtype:
    """The dtype scikit-learn's LinearRegression computes in: the features' own float dtype."""
    return float_dtype(np.asarray(X).dtype)


@functools.lru_cache(maxsize=1)
def _blas_controller():
    # threadpool_limits() walks every loaded shared object on each call (~3 ms: 10 % of a golden-sized
    # BSL score); one controller made after numpy/scipy are imported sees the BLAS these fits use.
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - scikit-learn depends on it
        return None
    return ThreadpoolController()


def one_blas_thread():
    """Context: BLAS/LAPACK on one thread (no-op without threadpoolctl)."""
    controller = _blas_controller()
    if controller is None:  # pragma: no cover
        return contextlib.nullcontext()
    return controller.limit(limits=1, user_api="blas")


# -- exact modes (float32, gelsd) --------------------------------------------------------------
def sklearn_operator(X_train, cond) -> tuple[np.ndarray, np.ndarray]:
    """(pinv [features, train] as gelsd computes it in the features' dtype, their means)."""
    X = np.asarray(X_train, dtype=fit_dtype(X_train))
    x_off = np.average(X, axis=0)
    eye = np.eye(X.shape[0], dtype=X.dtype)
    with one_blas_thread():
        op, *_ = scipy.linalg.lstsq(X - x_off, eye, cond=cond, lapack_driver="gelsd")
    return op, x_off


def sklearn_predict(op, x_off, Yd, X_test) -> np.ndarray:
    """sklearn's fit/predict given the operator: Yd are the training targets in the fit dtype."""
    y_off = np.average(Yd, axis=0)
    return _sk_predict(op @ (Yd - y_off), x_off, y_off, X_test)


def _sk_predict(coef, x_off, y_off, X_test) -> np.ndarray:
    """sklearn's ``_set_intercept`` and ``predict`` in the fit dtype."""
    intercept = y_off - x_off @ coef
    return np.asarray(X_test, dtype=coef.dtype) @ coef + intercept


def operator_is_exact(X_train) -> bool:
    """Whether the shared-operator shortcut reproduces gelsd on the targets themselves (to ~1e-7).

    With more features than samples the minimum-norm solution is sensitive to rounding, and the
    product with the identity's solution drifts from gelsd's own by ~1e-5 in r; those fits run
    gelsd on all targets at once, as sklearn does.
    """
    n, p = np.shape(X_train)
    return p < n


def sklearn_fit_predict(X_train, Yd, X_test, cond) -> np.ndarray:
    """sklearn's LinearRegression fit/predict (Yd: targets already cast to ``fit_dtype(X_train)``)."""
    X = np.asarray(X_train, dtype=fit_dtype(X_train))
    Yd = np.asarray(Yd, dtype=X.dtype)
    if operator_is_exact(X) and np.shape(Yd)[1] > X.shape[0]:  # else gelsd on the targets is cheaper
        op, x_off = sklearn_operator(X, cond)
        return sklearn_predict(op, x_off, Yd, X_test)
    x_off = np.average(X, axis=0)
    y_off = np.average(Yd, axis=0)
    with one_blas_thread():
        coef, *_ = scipy.linalg.lstsq(X - x_off, Yd - y_off, cond=cond, lapack_driver="gelsd")
    return _sk_predict(coef, x_off, y_off, X_test)


def _sklearn(X_train, Y_train, X_test, cond):
    X = np.asarray(X_train, dtype=fit_dtype(X_train))
    Y = np.asarray(Y_train).astype(X.dtype)  # sklearn's check_X_y(y_numeric) casts y to X's dtype
    return sklearn_fit_predict(X, Y, X_test, cond)


# -- stable mode (float64 SVD) -----------------------------------------------------------------
def stable_operator(X_train, X_test, cutoff: float | None = None) -> np.ndarray:
    """A [test, train] with predictions = A @ (Y - mean(Y)) + mean(Y), for every target Y.

    The answer is the SVD pseudo-inverse with cut-off ``s_max * max(eps64 * max(n, p), cut)``,
    where ``cut`` is the suite's own relative cut-off: ``cutoff`` when given (Brain-Score
    Language: 1e-6), else the machine epsilon of the activations' own dtype (float32: 1.2e-7, the
    cut-off of the legacy float32 path). Directions below it are rounding noise of the input:
    the output of a final LayerNorm, for one, is linearly dependent by construction, and
    inverting its ~1e-8 singular value would amplify float32 rounding into the predictions. Cheaper
    factorisations give the same operator (to ~1e-9 relative) when the cut-off provably keeps
    every direction but the centring null space: QR when n > p, the n x n Gram eigenproblem
    when n <= p; each checks its conditioning and falls back to the SVD otherwise.
    """
    X = np.asarray(X_train, dtype=np.float64)
    x_off = X.mean(axis=0)
    Xc = X - x_off
    Tc = np.asarray(X_test, dtype=np.float64) - x_off
    n, p = Xc.shape
    rtol = max(max(n, p) * np.finfo(np.float64).eps, input_eps(X_train) if cutoff is None else cutoff)
    with one_blas_thread():
        A = _operator_qr(Xc, Tc) if n > p else _operator_gram(Xc, Tc)
        if A is None:
            A = _operator_svd(Xc, Tc, rtol)
    return A


def input_eps(X) -> float:
    """Relative precision of the activations as given (0 for float64 input)."""
    dtype = np.asarray(X).dtype
    return float(np.finfo(dtype).eps) if dtype.kind == "f" and dtype.itemsize < 8 else 0.0


_COND_MAX = 1e4  # the cheap paths' error grows like eps * cond (QR) or eps * cond**2 (Gram)


def _operator_svd(Xc, Tc, rtol):
    U, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    keep = s > s[0] * rtol if s.size else s > 0
    # (X_test - x_off) V S^-1 U^T: the small operator first, so the cost in neuroids is one product
    return (Tc @ Vt[keep].T / s[keep]) @ U[:, keep].T


def _operator_qr(Xc, Tc):
    """n > p, full column rank: pinv(Xc) = R^-1 Q^T."""
    Q, R = scipy.linalg.qr(Xc, mode="economic", check_finite=False)
    d = np.abs(np.diag(R))
    if not d.size or d.min() <= d.max() * 1e-6:
        return None
    rcond, info = scipy.linalg.lapack.dtrcon(R, norm="1", uplo="U")
    if info or rcond < 1.0 / (_COND_MAX * 1e2):
        return None
    # Tc R^-1 = (R^-T Tc^T)^T
    return scipy.linalg.solve_triangular(R, Tc.T, trans="T", lower=False, check_finite=False).T @ Q.T


def _operator_gram(Xc, Tc):
    """n <= p: Xc has rank n - 1 at most (its rows sum to zero). pinv(Xc) = Xc^T K^+ with
    K = Xc Xc^T, whose eigenvector along the ones vector (eigenvalue ~0) is the one the SVD
    cut-off drops; every other eigenvalue must be far above rounding."""
    n = Xc.shape[0]
    K = Xc @ Xc.T
    lam, V = scipy.linalg.eigh(K, check_finite=False)
    if n < 2 or lam[-1] <= 0:
        return None
    null = int(np.argmax(np.abs(V.sum(axis=0))))
    if null != 0 or abs(V[:, 0].sum()) < np.sqrt(n) * (1 - 1e-6) or lam[1] < lam[-1] / _COND_MAX**2:
        return None
    V, lam = V[:, 1:], lam[1:]
    return ((Tc @ Xc.T) @ V / lam) @ V.T


def stable_predict_centred(X_train, Yc, X_test, cutoff: float | None = None) -> np.ndarray:
    """``stable`` predictions minus mean(Y), given centred float64 targets ``Yc``. With fewer
    targets than samples the coefficients are cheaper than the [test, train] operator: Cholesky
    of X^T X when it is well conditioned (the SVD answer to ~1e-8 relative)."""
    n, p = np.shape(X_train)
    if n > p and np.shape(Yc)[1] < n:
        X = np.asarray(X_train, dtype=np.float64)
        x_off = X.mean(axis=0)
        Xc = X - x_off
        with one_blas_thread():
            coef = _coef_cholesky(Xc, Yc)
        if coef is not None:
            return (np.asarray(X_test, dtype=np.float64) - x_off) @ coef
    return stable_operator(X_train, X_test, cutoff) @ Yc


def _coef_cholesky(Xc, Yc):
    G = Xc.T @ Xc
    anorm = np.abs(G).sum(axis=0).max()
    c, info = scipy.linalg.lapack.dpotrf(G, lower=False)
    if info or anorm == 0:
        return None
    rcond, info = scipy.linalg.lapack.dpocon(c, anorm, uplo="U")
    if info or rcond < 1.0 / _COND_MAX**2:
        return None
    coef, info = scipy.linalg.lapack.dpotrs(c, Xc.T @ Yc, lower=False)
    return None if info else coef


def _stable(X_train, Y_train, X_test, cutoff=None):
    Y = np.asarray(Y_train, dtype=np.float64)
    y_off = Y.mean(axis=0)
    return stable_predict_centred(X_train, Y - y_off, X_test, cutoff) + y_off


def fit_predict(X_train: np.ndarray, Y_train: np.ndarray, X_test: np.ndarray, solver: str,
                cutoff: float | None = None) -> np.ndarray:
    """OLS with intercept fitted on (X_train, Y_train) for all neuroids at once; predict X_test.

    ``cutoff``: the suite's relative singular-value cut-off for ``stable`` (None: the legacy one).
    """
    if solver in _COND:
        return _sklearn(X_train, Y_train, X_test, cond=_COND[solver])
    if solver == "stable":
        return _stable(X_train, Y_train, X_test, cutoff)
    check_solver(solver)
    raise AssertionError


ALPHAS = np.logspace(-3, 3, 7)


def ridge_gcv_fit_predict(X_train, Y_train, X_test, alphas=ALPHAS):
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
        with one_blas_thread():
            U, sv, _ = np.linalg.svd(np.hstack([Xc, sw[:, None]]), full_matrices=False)
        sv2 = sv**2
        UT_y = U.T @ Yc
        icpt = int(np.argmax(np.abs(nsw @ U)))
    else:
        K = Xc @ Xc.T + np.outer(sw, sw)
        with one_blas_thread():
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
