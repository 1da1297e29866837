"""repro.stats on synthetic data with a planted truth: interval coverage, compare's power and
calibration, and the OASM control under shuffled vs contiguous splits (issue 14, item 6).

Each simulation runs the package's own code paths (fold resampling, resampled Pearson, the BSL
aggregation, the paired p-value, the controls' features, the split variants and the
cross-validated regression); only the data are simulated. Seeds are fixed, so each check is
deterministic; the thresholds leave the Monte Carlo margin stated next to them.
"""

from __future__ import annotations

import numpy as np
import pytest

from repro.metrics.correlation import pearson_eps, pearson_scipy
from repro.metrics.cv import SplitSpec, contiguous_kfold, splits
from repro.metrics.encoding import cross_regressed_correlation
from repro.models import controls
from repro.stats.aggregate import BslAggregate
from repro.stats.bootstrap import (
    BootstrapSpec,
    FoldObserver,
    fold_weights,
    linear_resampled_pearson,
    percentile_ci,
    resampled_pearson,
)
from repro.stats.compare import bootstrap_p, holm, sign_flip_p


def _folds(n: int, k: int, rng) -> list[tuple[np.ndarray, np.ndarray]]:
    perm = rng.permutation(n)
    return [(np.setdiff1d(perm, te), te) for te in np.array_split(perm, k)]


def _simulate(rng, n: int, n_neuroids: int, rho_sqrt: float, n_models: int = 1):
    """Observations and predictions sharing a stimulus factor z; every neuroid's population r is
    rho_sqrt**2 (both sides load rho_sqrt on z, the rest is independent noise)."""
    z = rng.standard_normal((n, 1))
    noise = np.sqrt(1 - rho_sqrt ** 2)
    obs = rho_sqrt * z + noise * rng.standard_normal((n, n_neuroids))
    preds = [rho_sqrt * z + noise * rng.standard_normal((n, n_neuroids)) for _ in range(n_models)]
    return obs, preds


def _boot_raw(spec, obs, preds, folds, eps=1e-8):
    """BSL aggregation (mean over folds of the median over neuroids) of each model's held-out r,
    with its bootstrap replicates; every model sees the same resamples."""
    agg = BslAggregate(1.0, np.zeros(obs.shape[1]))
    observer = FoldObserver(spec, agg.reduce, eps=eps)
    points = []
    for m, pred in enumerate(preds):
        per_fold = []
        for f, (_, te) in enumerate(folds):
            te = np.sort(te)
            observer(f"m{m}", f, pred[te], obs[te])
            per_fold.append(np.median(pearson_eps(pred[te], obs[te])))
        points.append(float(np.mean(per_fold)))
    return points, [agg.replicates(f"m{m}")[0] for m in range(len(preds))]


def test_exact_resampled_pearson_equals_pearson_of_the_resampled_rows():
    rng = np.random.default_rng(1)
    obs, (pred,) = _simulate(rng, 40, 7, 0.7)
    spec = BootstrapSpec(n=50, seed=3)
    W = fold_weights(spec, 0, 0, 40)
    exact = resampled_pearson(W, pred, obs)
    lin = linear_resampled_pearson(W, pred, obs)
    idx_rng = np.random.default_rng([3, 0, 0, 40])  # the draws fold_weights makes
    idx = idx_rng.integers(0, 40, size=(50, 40))
    direct = np.stack([pearson_scipy(pred[i], obs[i]) for i in idx])
    np.testing.assert_allclose(exact, direct, atol=2e-5)
    # first order in the weights: off by O(1/n) against a spread of O(1/sqrt(n))
    assert np.abs(lin - direct).max() < 0.25
    assert np.abs(lin - direct).mean() < 0.3 * direct.std(axis=0).mean()


def test_resampled_pearson_constant_column_is_nan_for_scipy_and_zero_for_bsl():
    rng = np.random.default_rng(2)
    pred, obs = rng.standard_normal((30, 3)), rng.standard_normal((30, 3))
    pred[:, 1] = 1.0
    W = fold_weights(BootstrapSpec(n=20), 0, 0, 30)
    for fn in (resampled_pearson, linear_resampled_pearson):
        assert np.isnan(fn(W, pred, obs)[:, 1]).all()
        assert np.allclose(fn(W, pred, obs, eps=1e-8)[:, 1], 0.0)


@pytest.mark.parametrize("method", ["linear", "exact"])
def test_95_percent_intervals_cover_the_planted_value(method):
    """200 simulated experiments (5 folds x 40 stimuli, 20 neuroids, population r = 0.36 in every
    neuroid): the 95 % interval must contain 0.36 in >= 93 % of them (binomial SD at 95 %: 1.5 %)."""
    rng = np.random.default_rng(20261201)
    truth, repeats, hits = 0.6 ** 2, 200, 0
    spec = BootstrapSpec(n=200, seed=0, method=method)
    for rep in range(repeats):
        obs, preds = _simulate(rng, 200, 20, 0.6)
        _, (reps,) = _boot_raw(BootstrapSpec(spec.n, rep, spec.level, method), obs, preds, _folds(200, 5, rng))
        lo, hi = percentile_ci(reps)
        hits += lo <= truth <= hi
    assert hits / repeats >= 0.93, hits


def test_compare_finds_a_planted_difference():
    rng = np.random.default_rng(7)
    obs = None
    z = rng.standard_normal((300, 1))
    obs = 0.7 * z + 0.7 * rng.standard_normal((300, 30))
    strong = 0.7 * z + 0.7 * rng.standard_normal((300, 30))
    weak = 0.3 * z + 0.95 * rng.standard_normal((300, 30))
    (pa, pb), (ra, rb) = _boot_raw(BootstrapSpec(n=1000), obs, [strong, weak], _folds(300, 5, rng))
    assert pa > pb
    p = bootstrap_p(ra - rb)
    assert p < 0.01, p
    lo, hi = percentile_ci(ra - rb)
    assert 0 < lo <= pa - pb <= hi


def test_compare_is_calibrated_on_two_draws_of_equal_signal():
    """200 repeats of two models with the same signal and independent noise: p > 0.05 in >= 90 %
    (nominally 95 %)."""
    rng = np.random.default_rng(11)
    ps = []
    for rep in range(200):
        obs, preds = _simulate(rng, 150, 15, 0.6, n_models=2)
        _, (ra, rb) = _boot_raw(BootstrapSpec(n=200, seed=rep), obs, preds, _folds(150, 5, rng))
        ps.append(bootstrap_p(ra - rb))
    assert np.mean(np.array(ps) > 0.05) >= 0.90, np.mean(np.array(ps) > 0.05)


def test_sign_flip_and_holm_on_known_cases():
    assert sign_flip_p(np.array([0.1, 0.2, 0.15, 0.12, 0.3, 0.22, 0.18, 0.25, 0.11, 0.2])) == pytest.approx(2 / 1024)
    assert sign_flip_p(np.array([0.1, -0.1, 0.1, -0.1])) == pytest.approx(1.0)
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])


def _stories(rng, n_stories=6, per_story=120, n_neuroids=20, phi=0.95):
    """Blank-like data: fragments in time order within stories; the 'brain' is an AR(1) process
    per story and neuroid (slow drift), unrelated to the words."""
    units, rows = [], []
    vocab = [f"w{i}" for i in range(400)]
    for s in range(n_stories):
        texts = [" ".join(rng.choice(vocab, size=rng.integers(3, 9))) for _ in range(per_story)]
        units.append(type("Unit", (), {"texts": tuple(texts), "ids": tuple(f"s{s}.{i}" for i in range(per_story)),
                                       "per_word": False})())
        x = np.zeros((per_story, n_neuroids))
        x[0] = rng.standard_normal(n_neuroids)
        for t in range(1, per_story):
            x[t] = phi * x[t - 1] + np.sqrt(1 - phi ** 2) * rng.standard_normal(n_neuroids)
        rows.append(x + 0.3 * rng.standard_normal(x.shape))
    return units, np.concatenate(rows)


def test_oasm_beats_random_embedding_under_shuffled_splits_and_not_under_contiguous_ones():
    rng = np.random.default_rng(5)
    units, Y = _stories(rng)
    story = np.repeat(np.arange(len(units)), len(units[0].ids))
    order = np.concatenate([np.arange(len(u.ids)) for u in units])
    ids = np.array([i for u in units for i in u.ids])
    X = {name: controls.activations(f"control:{name}", "legacy", units).layers[name].astype(np.float64)
         for name in ("oasm", "random-embedding-100")}
    shuffled = splits(SplitSpec("ShuffleSplit", n_splits=5, random_state=1, train_size=0.9), len(ids))
    contiguous = contiguous_kfold(5, story, order)
    score = {}
    for split_name, folds in (("shuffled", shuffled), ("contiguous", contiguous)):
        r = cross_regressed_correlation(X, Y, ids, folds, pearson_scipy)
        score[split_name] = {k: float(np.median(np.nanmean(v, axis=0))) for k, v in r.items()}
    assert score["shuffled"]["oasm"] > 0.5, score
    assert score["shuffled"]["oasm"] > score["shuffled"]["random-embedding-100"] + 0.3, score
    assert score["contiguous"]["oasm"] < 0.2, score
    assert score["contiguous"]["oasm"] < score["shuffled"]["oasm"] - 0.3, score


def test_contiguous_kfold_holds_out_one_block_of_every_story():
    story = np.array(["a"] * 10 + ["b"] * 7)
    order = np.concatenate([np.arange(10)[::-1], np.arange(7)])  # a is stored in reverse time order
    folds = contiguous_kfold(3, story, order)
    assert sorted(np.concatenate([te for _, te in folds]).tolist()) == list(range(17))
    for _, te in folds:
        for s in "ab":
            t = np.sort(order[te][story[te] == s])
            assert (np.diff(t) == 1).all()  # contiguous in time within each story
