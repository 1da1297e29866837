"""Linear CKA / RDM metrics, the legacy ``*-cka`` / ``*-rdm`` benchmarks, and layer x layer CKA.

CKA parity: legacy/results/*-cka.json (upstream neural-nlp + brain-score), tolerance 1e-10 (CKA is
closed-form; observed max difference ~3e-16). RDM has no goldens (upstream RDM benchmarks crash),
so it is tested structurally: hand-computed small matrices, invariances, and self-similarity.
"""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pytest
import scipy.stats
from golden_view import GOLDEN

from repro.activations import Activations, load
from repro.analysis.layer_cka import layer_by_layer_cka
from repro.benchmarks.legacy_similarity import (
    BLANK2014FROI_CKA,
    BLANK2014FROI_RDM,
    FEDORENKO2016V3_CKA,
    FEDORENKO2016V3_RDM,
    PEREIRA2018_CKA,
    PEREIRA2018_RDM,
)
from repro.errors import InputError
from repro.metrics.cka import SIMILARITIES, linear_cka, rdm, rdm_similarity, upper_triangle

ATOL = 1e-10
ACTS = {"Pereira2018": "pereira2018", "Blank2014fROI": "blank2014", "Fedorenko2016v3": "fedorenko2016"}


@cache
def _data(bench):
    return bench.load(lambda key: GOLDEN / "legacy" / "s3" / f"{key}.nc")


@cache
def _acts(data_key):
    return load(GOLDEN / "inputs" / "activations" / f"{ACTS[data_key]}.npz")


def _ceiling(bench_id):
    return json.loads((GOLDEN / "inputs" / "ceilings_plain" / "legacy_ceilings.json").read_text())[bench_id]["center"]


def _rng_matrix(seed, n, p):
    return np.random.default_rng(seed).normal(size=(n, p))


# -- metric: linear CKA ------------------------------------------------------------------------------
def test_cka_single_feature_is_squared_pearson():
    x = np.array([[1.0], [2.0], [4.0], [7.0]])
    y = np.array([[0.0], [3.0], [1.0], [5.0]])
    r = np.corrcoef(x[:, 0], y[:, 0])[0, 1]
    assert linear_cka(x, y) == pytest.approx(r**2, abs=1e-14)


def test_cka_matches_feature_space_formula_and_is_symmetric():
    X, Y = _rng_matrix(0, 30, 7), _rng_matrix(1, 30, 12)
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    expected = np.linalg.norm(Xc.T @ Yc) ** 2 / (np.linalg.norm(Xc.T @ Xc) * np.linalg.norm(Yc.T @ Yc))
    assert linear_cka(X, Y) == pytest.approx(expected, abs=1e-14)
    assert linear_cka(Y, X) == pytest.approx(expected, abs=1e-14)
    assert 0 < expected < 1


def test_cka_invariances():
    X, Y = _rng_matrix(2, 25, 6), _rng_matrix(3, 25, 9)
    base = linear_cka(X, Y)
    Q, _ = np.linalg.qr(_rng_matrix(4, 6, 6))
    assert linear_cka(X @ Q, Y) == pytest.approx(base, abs=1e-13)  # orthogonal transform
    assert linear_cka(3.5 * X + 2.0, Y) == pytest.approx(base, abs=1e-13)  # isotropic scale, offset
    perm = np.random.default_rng(5).permutation(25)
    assert linear_cka(X[perm], Y[perm]) == pytest.approx(base, abs=1e-13)  # joint row order
    assert linear_cka(X, X) == pytest.approx(1.0, abs=1e-14)
    # an anisotropic scaling is not an invariance: the test above could fail
    assert abs(linear_cka(X * np.arange(1, 7), Y) - base) > 1e-3


def test_cka_degenerate_and_shape_errors():
    assert np.isnan(linear_cka(np.ones((5, 3)), _rng_matrix(6, 5, 2)))
    with pytest.raises(ValueError):
        linear_cka(np.zeros((4, 2)), np.zeros((5, 2)))


# -- metric: RDM + Spearman --------------------------------------------------------------------------
def test_upper_triangle_is_strict_row_major():
    np.testing.assert_array_equal(upper_triangle(np.arange(16).reshape(4, 4)), [1, 2, 3, 6, 7, 11])
    with pytest.raises(ValueError):
        upper_triangle(np.zeros((2, 3)))


def test_rdm_known_matrix():
    X = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [3.0, 2.0, 1.0], [1.0, 3.0, 2.0]])
    expected = np.array([
        [0.0, 0.0, 2.0, 0.5],
        [0.0, 0.0, 2.0, 0.5],
        [2.0, 2.0, 0.0, 1.5],
        [0.5, 0.5, 1.5, 0.0],
    ])
    np.testing.assert_allclose(rdm(X), expected, atol=1e-14)


def test_rdm_similarity_known_value_and_invariances():
    X, Y = _rng_matrix(7, 12, 5), _rng_matrix(8, 12, 9)
    base = rdm_similarity(X, Y)
    a = upper_triangle(1 - np.corrcoef(X))
    b = upper_triangle(1 - np.corrcoef(Y))
    assert base == pytest.approx(scipy.stats.spearmanr(a, b).statistic, abs=1e-14)
    assert rdm_similarity(Y, X) == pytest.approx(base, abs=1e-14)
    assert rdm_similarity(X, X) == pytest.approx(1.0, abs=1e-14)
    # per-stimulus affine changes leave each row's correlations (and the RDM) unchanged
    scale = np.random.default_rng(9).uniform(0.5, 3.0, size=(12, 1))
    assert rdm_similarity(X * scale + scale, Y) == pytest.approx(base, abs=1e-12)
    # a feature permutation leaves the RDM unchanged; a joint stimulus permutation keeps the pairs
    assert rdm_similarity(X[:, ::-1], Y) == pytest.approx(base, abs=1e-12)
    perm = np.random.default_rng(10).permutation(12)
    assert rdm_similarity(X[perm], Y[perm]) == pytest.approx(base, abs=1e-12)
    # a per-feature scaling changes the row correlations, so it is not an invariance
    assert abs(rdm_similarity(X * np.arange(1, 6) ** 2, Y) - base) > 1e-3


def test_rdm_similarity_hand_computed():
    # stimuli rows: RDM(X) upper = [0, 2, 0.5, 2, 0.5, 1.5]; RDM(Y) upper ranks chosen by hand
    X = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [3.0, 2.0, 1.0], [1.0, 3.0, 2.0]])
    tri = upper_triangle(rdm(X))
    np.testing.assert_allclose(tri, [0.0, 2.0, 0.5, 2.0, 0.5, 1.5], atol=1e-14)
    # ranks with ties averaged: [1, 5.5, 2.5, 5.5, 2.5, 4] against [1..6]
    assert SIMILARITIES["rdm"].compare(tri, np.arange(6.0)) == pytest.approx(4.5 / np.sqrt(16.5 * 17.5), abs=1e-14)
    assert SIMILARITIES["rdm"].compare(tri, -tri) == pytest.approx(-1.0, abs=1e-14)


# -- benchmarks: CKA goldens ---------------------------------------------------------------------------
@pytest.mark.parametrize("bench", [PEREIRA2018_CKA, BLANK2014FROI_CKA, FEDORENKO2016V3_CKA], ids=lambda b: b.id)
def test_cka_benchmark_matches_golden(bench):
    gold = json.loads((GOLDEN / "legacy" / "results" / f"{bench.id}.json").read_text())
    ceiling = _ceiling(bench.id)
    assert gold["ceiling"] == ceiling
    res = bench.score(_acts(bench.data_key), _data(bench), ceiling=ceiling)
    assert res.ceiling == ceiling and res.ceiling_source == "supplied"
    assert [ls.layer for ls in res.layers] == list(gold["layers"])
    for ls in res.layers:
        g = gold["layers"][ls.layer]
        assert ls.n_features == g["n_features"]
        for key in ("score_center", "score_error", "raw_center", "raw_error"):
            assert getattr(ls, key) == pytest.approx(g[key], abs=ATOL), (ls.layer, key)
        for key in ("per_subject_value_used", "per_subject_cv_center", "per_subject_cv_error"):
            if key in g:
                assert set(ls.extra[key]) == set(g[key])
                for subject, value in g[key].items():
                    assert ls.extra[key][subject] == pytest.approx(value, abs=ATOL), (ls.layer, key, subject)
    assert [f["test_stimulus_ids"] for f in res.folds] == [f["test_stimulus_ids"] for f in gold["folds"]]
    assert [f["splitter"] for f in res.folds] == [f["splitter"] for f in gold["folds"]]


def test_cka_without_ceiling_reports_raw_only():
    bench = FEDORENKO2016V3_CKA
    res = bench.score(_acts(bench.data_key), _data(bench))
    gold = json.loads((GOLDEN / "legacy" / "results" / f"{bench.id}.json").read_text())
    assert res.ceiling is None and res.ceiling_source == "unavailable"
    for ls in res.layers:
        assert np.isnan(ls.score_center) and ls.score_error is None
        assert ls.raw_center == pytest.approx(gold["layers"][ls.layer]["raw_center"], abs=ATOL)


def test_cka_subject_value_center_drops_the_legacy_quirk():
    bench = FEDORENKO2016V3_CKA
    res = bench.score(_acts(bench.data_key), _data(bench), subject_value="center")
    for ls in res.layers:
        assert ls.extra["per_subject_value_used"] == ls.extra["per_subject_cv_center"]
        assert ls.raw_center == pytest.approx(np.median(list(ls.extra["per_subject_cv_center"].values())))


@pytest.mark.parametrize("kwargs", [{"ceiling": 0.0}, {"ceiling": float("nan")}, {"ceiling": "high"},
                                    {"subject_value": "mean"}])
def test_bad_options_raise_input_error(kwargs):
    bench = FEDORENKO2016V3_CKA
    with pytest.raises(InputError):
        bench.score(_acts(bench.data_key), _data(bench), **kwargs)


def test_declarations_reuse_the_encoding_setup():
    from repro.benchmarks.blank2014 import BLANK2014FROI_ENCODING
    from repro.benchmarks.fedorenko2016 import FEDORENKO2016V3_ENCODING
    from repro.benchmarks.pereira2018 import PEREIRA2018_ENCODING

    for sim, enc in [(PEREIRA2018_CKA, PEREIRA2018_ENCODING), (PEREIRA2018_RDM, PEREIRA2018_ENCODING),
                     (BLANK2014FROI_CKA, BLANK2014FROI_ENCODING), (BLANK2014FROI_RDM, BLANK2014FROI_ENCODING),
                     (FEDORENKO2016V3_CKA, FEDORENKO2016V3_ENCODING), (FEDORENKO2016V3_RDM, FEDORENKO2016V3_ENCODING)]:
        assert (sim.data_key, sim.streams, sim.per_word, sim.subject_coord) == \
               (enc.data_key, enc.streams, enc.per_word, enc.subject_coord)
        assert sim.ceiling_key is None and sim.metric in sim.id
    # Blank's secondary benchmarks use plain KFold (golden folds), not the story-stratified encoding split
    assert BLANK2014FROI_CKA.split.splitter == "KFold" and BLANK2014FROI_CKA.split.stratify_coord is None
    assert FEDORENKO2016V3_RDM.split == FEDORENKO2016V3_ENCODING.split


# -- benchmarks: RDM (structure only) ------------------------------------------------------------------
def _self_activations(bench, subject):
    """The subject's own neural data as the 'model', rows shuffled (alignment is by stimulus_id)."""
    asm = _data(bench).assembly
    mine = asm.neuroid[bench.subject_coord].to_numpy() == subject
    if "atlas" in asm.neuroid:
        mine &= asm.neuroid["atlas"].to_numpy() == "language"
    values = asm.values[:, mine]
    perm = np.random.default_rng(0).permutation(len(values))
    ids = asm.presentation["stimulus_id"].to_numpy()[perm]
    return Activations(ids, {"self": values[perm].astype(np.float32), "noise": _rng_matrix(1, len(ids), 8).astype(np.float32)})


@pytest.mark.parametrize("bench", [FEDORENKO2016V3_RDM, FEDORENKO2016V3_CKA, PEREIRA2018_RDM], ids=lambda b: b.id)
def test_self_similarity_is_one(bench):
    subject = 1 if bench.data_key == "Fedorenko2016v3" else "018"
    res = bench.score(_self_activations(bench, subject), _data(bench), ceiling=0.5)
    extra = res.layer("self").extra
    # Pereira: mean over experiments of the mean over folds; Blank/Fedorenko: the CV mean (the value
    # used is (mean + standard error) / 2, the legacy quirk, so 0.5 here)
    key = "per_subject_value_used" if bench.aggregation == "pereira" else "per_subject_cv_center"
    assert extra[key][str(subject)] == pytest.approx(1.0, abs=1e-12)
    if bench.aggregation != "pereira":
        assert extra["per_subject_value_used"][str(subject)] == pytest.approx(0.5, abs=1e-12)
    others = [v for s, v in extra[key].items() if s != str(subject)]
    assert all(v < 0.99 for v in others)
    noise = res.layer("noise")
    assert abs(noise.raw_center) < res.layer("self").raw_center
    assert res.layer("self").score_center == pytest.approx(res.layer("self").raw_center / 0.5)


def test_rdm_benchmark_per_fold_values():
    bench = FEDORENKO2016V3_RDM
    data = _data(bench)
    acts = _acts(bench.data_key)
    res = bench.score(acts, data)
    asm = data.assembly
    ids = asm.presentation["stimulus_id"].to_numpy()
    rows = {s: i for i, s in enumerate(acts.stimulus_id.tolist())}
    subjects = asm.neuroid["subject_UID"].to_numpy()
    fold_sim = res.per_neuroid["mid_dim__fold_similarity"]  # [subject, fold]
    assert fold_sim.shape == (5, 5) and np.all(np.abs(fold_sim) <= 1)
    test_ids = sorted(res.folds[0]["test_stimulus_ids"][2])
    pos = [int(np.flatnonzero(ids == t)[0]) for t in test_ids]
    expected = rdm_similarity(acts.layers["mid_dim"][[rows[t] for t in test_ids]], asm.values[pos][:, subjects == 3])
    assert fold_sim[2, 2] == pytest.approx(expected, abs=1e-12)
    ls = res.layer("mid_dim")
    center, error = fold_sim[2].mean(), fold_sim[2].std() / np.sqrt(5)
    assert ls.extra["per_subject_value_used"]["3"] == pytest.approx((center + error) / 2, abs=1e-14)


def test_pereira_rdm_subjects_and_experiments():
    bench = PEREIRA2018_RDM
    res = bench.score(_acts(bench.data_key), _data(bench))
    fold = res.per_neuroid["low_dim__language__fold_similarity"]  # [experiment, subject, fold]
    subjects = list(res.per_neuroid["subject"])
    assert fold.shape == (2, 10, 5)
    # subjects who did only one experiment have no values in the other one
    assert np.isnan(fold[1, subjects.index("343")]).all() and np.isfinite(fold[0, subjects.index("343")]).all()
    assert np.isnan(fold[0, subjects.index("296")]).all() and np.isfinite(fold[1, subjects.index("296")]).all()
    used = res.layer("low_dim").extra["per_subject_value_used"]
    assert used["018"] == pytest.approx(fold[:, subjects.index("018")].mean(axis=1).mean(), abs=1e-14)
    assert set(used) == set(subjects)


# -- layer x layer CKA --------------------------------------------------------------------------------
def test_layer_by_layer_cka_matches_pairwise():
    acts = _acts("Fedorenko2016v3")
    names, M = layer_by_layer_cka(acts)
    assert names == acts.layer_names and M.shape == (len(names), len(names))
    np.testing.assert_array_equal(M, M.T)
    np.testing.assert_array_equal(np.diag(M), 1.0)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            assert M[i, j] == pytest.approx(linear_cka(acts.layers[a], acts.layers[b]), abs=1e-12)
    assert M[names.index("low_dim"), names.index("weak")] < 0.99


def test_layer_by_layer_cka_subset_and_constant_layer():
    ids = np.arange(20)
    acts = Activations(ids, {"a": _rng_matrix(0, 20, 4).astype(np.float32), "flat": np.ones((20, 3), np.float32),
                             "b": _rng_matrix(1, 20, 6).astype(np.float32)})
    names, M = layer_by_layer_cka(acts, layers=["b", "a"])
    assert names == ["b", "a"] and M[0, 1] == pytest.approx(linear_cka(acts.layers["b"], acts.layers["a"]))
    names, M = layer_by_layer_cka(acts)
    assert np.isnan(M[1]).all() and np.isnan(M[:, 1]).all() and M[0, 0] == 1.0
    with pytest.raises(InputError):
        layer_by_layer_cka(acts, layers=["c"])
