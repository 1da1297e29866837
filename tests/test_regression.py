"""Solver modes against independent references (numpy/scikit-learn), independent of the goldens."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from repro.benchmarks.base import ScoreContext
from repro.metrics.regression import fit_predict, ridge_gcv_fit_predict


def _data(n, p, t=50, seed=0, dtype=np.float32):
    rs = np.random.RandomState(seed)
    X = rs.randn(n, p).astype(dtype)
    Y = X[:, : min(p, 5)] @ rs.randn(min(p, 5), t) + rs.randn(n, t)
    Xt = rs.randn(20, p).astype(dtype)
    return X, Y, Xt


def _pinv_reference(X, Y, Xt):
    X = X.astype(np.float64)
    xo, yo = X.mean(0), Y.mean(0)
    return (Xt.astype(np.float64) - xo) @ np.linalg.pinv(X - xo) @ (Y - yo) + yo


@pytest.mark.parametrize("n,p", [(200, 40), (60, 200), (100, 99), (300, 768)])
def test_stable_equals_float64_min_norm_least_squares(n, p):
    X, Y, Xt = _data(n, p)
    np.testing.assert_allclose(fit_predict(X, Y, Xt, "stable"), _pinv_reference(X, Y, Xt), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("n,p", [(200, 40), (60, 200)])
def test_stable_does_not_depend_on_training_row_order(n, p):
    X, Y, Xt = _data(n, p)
    perm = np.random.RandomState(1).permutation(n)
    np.testing.assert_allclose(fit_predict(X, Y, Xt, "stable"), fit_predict(X[perm], Y[perm], Xt, "stable"),
                               rtol=1e-9, atol=1e-10)


def test_legacy_exact_equals_sklearn_on_well_posed_float32():
    X, Y, Xt = _data(200, 40)
    want = LinearRegression().fit(X, Y).predict(Xt)  # casts Y to float32, like sklearn 0.23
    np.testing.assert_allclose(fit_predict(X, Y, Xt, "legacy-exact"), want, rtol=1e-4, atol=1e-4)
    assert fit_predict(X, Y, Xt, "legacy-exact").dtype == np.float32


def test_bsl_exact_equals_sklearn_1_9_on_underdetermined_float32():
    import sklearn

    if tuple(int(v) for v in sklearn.__version__.split(".")[:2]) < (1, 9):
        pytest.skip("sklearn >= 1.9 (cond=1e-6) is the reference of bsl-exact")
    X, Y, Xt = _data(60, 200)
    want = LinearRegression().fit(X, Y).predict(Xt)
    np.testing.assert_allclose(fit_predict(X, Y, Xt, "bsl-exact"), want, rtol=1e-4, atol=1e-4)


def test_stable_cuts_the_null_direction_of_a_layernorm_output():
    """A final LayerNorm makes the centred features linearly dependent; float32 rounding leaves a
    ~1e-8 singular value that must be treated as zero (as the original float32 path does), or the
    predictions carry amplified rounding noise."""
    rs = np.random.RandomState(0)
    n, p = 400, 32
    H = rs.randn(n + 20, p)
    gamma, beta = rs.uniform(0.5, 2, p), rs.randn(p)
    Z = (H - H.mean(1, keepdims=True)) / H.std(1, keepdims=True)
    X = (Z * gamma + beta).astype(np.float32)  # sum((X - beta) / gamma) == 0 up to float32 rounding
    s = np.linalg.svd(X[:n] - X[:n].mean(0), compute_uv=False)
    assert s[-1] / s[0] < 1e-6  # the degenerate direction is there
    Y = Z[:n, :3] @ rs.randn(3, 10) + 0.1 * rs.randn(n, 10)
    clean = Z[:, :-1] * gamma[:-1]  # the same information without the dependent column
    want = LinearRegression().fit(clean[:n], Y).predict(clean[n:])
    got = fit_predict(X[:n], Y, X[n:], "stable")
    np.testing.assert_allclose(got, want, atol=1e-3)


def test_ridge_gcv_equals_sklearn_ridgecv_predictions():
    from sklearn.linear_model import RidgeCV

    for n, p in [(120, 30), (40, 90)]:
        X, Y, Xt = _data(n, p, dtype=np.float64)
        alphas = np.logspace(-3, 3, 7)
        ref = RidgeCV(alphas=alphas, fit_intercept=True).fit(X, Y)
        pred, alpha = ridge_gcv_fit_predict(X, Y, Xt)
        assert alpha == ref.alpha_
        np.testing.assert_allclose(pred, ref.predict(Xt), rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("benchmark,acts", [("Pereira2018-encoding", "pereira2018"), ("Fedorenko2016v3-encoding", "fedorenko2016")])
def test_device_path_equals_numpy_path(golden, benchmark, acts):
    """The torch path used for --device cuda, run on torch's CPU backend: same numbers as numpy."""
    from repro.activations import load
    from repro.benchmarks import get_benchmark

    bench = get_benchmark(benchmark)
    data = bench.read(lambda key: golden / "legacy/s3" / f"{key}.nc")
    a = load(golden / "inputs/activations" / f"{acts}.npz").subset_layers(["low_dim", "high_dim"])
    ref = bench.score(a, data, ScoreContext(solver="stable"))
    dev = bench.score(a, data, ScoreContext(solver="stable", device="cpu"))
    for x, y in zip(ref.layers, dev.layers):
        assert y.score_center == pytest.approx(x.score_center, abs=1e-10)
        assert y.score_error == pytest.approx(x.score_error, abs=1e-10)


@pytest.mark.gpu
def test_device_path_on_cuda(golden):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    from repro.activations import load
    from repro.benchmarks import get_benchmark

    bench = get_benchmark("Fedorenko2016v3-encoding")
    data = bench.read(lambda key: golden / "legacy/s3" / f"{key}.nc")
    a = load(golden / "inputs/activations/fedorenko2016.npz")
    ref, dev = bench.score(a, data), bench.score(a, data, ScoreContext(device="cuda"))
    for x, y in zip(ref.layers, dev.layers):
        assert y.score_center == pytest.approx(x.score_center, abs=1e-9)
