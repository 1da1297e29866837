"""Conditioning classes (metrics/conditioning.py) on matrices whose rank is known, and their tolerances."""

from __future__ import annotations

import numpy as np
import pytest

from repro import tolerances
from repro.metrics.conditioning import cutoff_of, layer_conditioning
from repro.suites import SUITE_BSL, SUITE_LEGACY

EPS32 = float(np.finfo(np.float32).eps)


def _rand(n, p, seed=0):
    return np.random.default_rng(seed).standard_normal((n, p)).astype(np.float32)


def test_full_rank_tall_layer_is_well_conditioned():
    c = layer_conditioning(_rand(300, 40), [240] * 5, EPS32)
    assert (c["class"], c["conditioning"], c["rank"]) == ("full-rank", "well", 40)
    assert c["sigma_ratio_max_cut"] is None and 0.1 < c["sigma_ratio_min_kept"] < 1


def test_more_features_than_training_samples_is_ill():
    c = layer_conditioning(_rand(300, 768), [240] * 5, EPS32)
    assert (c["class"], c["conditioning"]) == ("underdetermined", "ill")
    c = layer_conditioning(_rand(300, 250), [240] * 5, EPS32)
    assert c["class"] == "near-square"


def test_post_layernorm_like_layer_is_rank_deficient():
    """LayerNorm output: every row's features sum to a constant, so the centred features lose one rank."""
    x = _rand(600, 64).astype(np.float64)
    x -= x.mean(axis=1, keepdims=True)  # rows sum to zero, as after LayerNorm without affine shift
    x = (x / x.std(axis=1, keepdims=True)).astype(np.float32)
    c = layer_conditioning(x, [480] * 5, EPS32)
    assert (c["class"], c["conditioning"], c["rank"]) == ("rank-deficient", "ill", 63)
    assert c["sigma_ratio_max_cut"] < EPS32


def test_ridge_is_regularised_and_well():
    assert layer_conditioning(_rand(100, 768), [80], EPS32, regression="ridge")["class"] == "regularised"


def test_cutoff_follows_each_suite():
    assert cutoff_of(None, np.float32) == EPS32
    assert cutoff_of(None, np.float64) == float(np.finfo(np.float64).eps)
    assert cutoff_of(1e-6, np.float32) == 1e-6


@pytest.mark.parametrize(("suite", "bench", "cls", "want"), [
    (SUITE_LEGACY, "Pereira2018-encoding", "full-rank", 1e-6),
    (SUITE_LEGACY, "Pereira2018-encoding", "underdetermined", 4.4e-3),
    (SUITE_LEGACY, "Fedorenko2016v3-encoding", "underdetermined", 2.8e-2),
    (SUITE_BSL, "Pereira2018.243sentences-linear-shuffle", "underdetermined", 7.2e-4),
    (SUITE_BSL, "Blank2014-ridge", "regularised", 1e-6),
])
def test_tolerance_classes_follow_spread_md(suite, bench, cls, want):
    assert tolerances.tolerance(suite, bench, cls) == pytest.approx(want)


def test_unmeasured_benchmark_has_no_spread():
    rec = layer_conditioning(_rand(50, 5), [40], EPS32)
    assert tolerances.annotate(SUITE_LEGACY, "MyOwnData-encoding", rec)["expected_spread"] is None
