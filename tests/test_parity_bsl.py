"""Brain-Score Language 2.3 goldens reproduced through `repro score --activations`.

Tolerances come from repro.tolerances by each layer's measured conditioning class: well-conditioned
layers within 1e-6 (both solvers), ill-conditioned ones (p > n) within twice the original's own
spread across BLAS kernels and threads (shared/golden/SPREAD.md); ridge (float64 GCV) within 1e-6.
"""

from __future__ import annotations

import json
import logging

import pytest

from repro import tolerances
from repro.cli import main

ACTS = {"Pereira2018": "pereira2018", "Blank2014": "blank2014", "Fedorenko2016": "fedorenko2016"}
STORED_CEILING = ["Pereira2018.243sentences-linear-shuffle", "Pereira2018.384sentences-linear-shuffle",
                  "Pereira2018.243sentences-ridge", "Pereira2018.384sentences-ridge"]


def _run(tmp_path, golden, benchmark, solver="bsl-exact", extra=()):
    out = tmp_path / f"{benchmark}-{solver}.json"
    acts = golden / "inputs/activations" / f"{ACTS[benchmark.split('.')[0].split('-')[0]]}.npz"
    rc = main(["-q", "score", "--activations", str(acts), "--benchmark", benchmark, "--data-dir",
               str(golden / "modern/data"), "--solver", solver, "--cache-dir", str(tmp_path / "cache"),
               "--output", str(out), *extra])
    assert rc == 0
    return json.loads(out.read_text())


# layers whose features outnumber a fold's training samples (golden README §2; BSL Blank trains on
# 1185 fragments, more than high_dim's 1080 features)
ILL = {"Blank2014": set()}


def _check(ours, gold):
    assert ours["suite"] == "brainscore-language-2.3"
    assert ours["ceiling"]["center"] == pytest.approx(gold["ceiling"], abs=1e-6)
    for layer in ours["layers"]:
        g = gold["layers"][layer["layer"]]
        ridge = ours["benchmark"].endswith("ridge")
        ill = ILL.get(ours["benchmark"].split("-")[0], {"high_dim"})
        assert tolerances.condition_of(layer) == ("ill" if layer["layer"] in ill and not ridge else "well"), layer["layer"]
        tol = tolerances.for_layer(ours, layer, "raw")
        stol = tolerances.for_layer(ours, layer, "score")
        assert layer["raw_center"] == pytest.approx(g["raw"], abs=tol), layer["layer"]
        assert layer["score_center"] == pytest.approx(g["score"], abs=stol), layer["layer"]
        assert layer["extra"]["per_split_median"] == pytest.approx(g["per_split_median"], abs=10 * tol)
        if g["original_out_of_range_score"] is not None:
            assert layer["extra"]["unclipped_score"] == pytest.approx(g["original_out_of_range_score"], abs=stol)
        elif stol < g["score"] < 1 - stol:  # clipped or not may differ within the tolerance
            assert layer["extra"]["unclipped_score"] is None
    g_test = [list(map(str, t)) for t in gold["folds"][0]["test_stimulus_ids"]]
    assert [list(map(str, t)) for t in ours["folds"][0]["test_stimulus_ids"]] == g_test


@pytest.mark.parametrize("benchmark", STORED_CEILING)
def test_bsl_pereira_matches_golden(tmp_path, golden, benchmark):
    gold = json.loads((golden / "modern/results" / f"{benchmark}.json").read_text())
    ridge = benchmark.endswith("ridge")
    ours = _run(tmp_path, golden, benchmark, "stable" if ridge else "bsl-exact")
    _check(ours, gold)
    if ridge:
        assert ours["folds"][0]["test_split_values"] == gold["folds"][0]["test_split_values"]


@pytest.mark.parametrize("benchmark", ["Pereira2018.243sentences-linear-shuffle", "Pereira2018.384sentences-linear-shuffle"])
def test_bsl_stable_solver_within_stated_tolerance(tmp_path, golden, benchmark):
    gold = json.loads((golden / "modern/results" / f"{benchmark}.json").read_text())
    ours = _run(tmp_path, golden, benchmark, "stable")
    _check(ours, gold)


def test_retired_id_is_an_alias_that_says_what_it_maps_to(tmp_path, golden, caplog):
    with caplog.at_level(logging.WARNING, logger="repro"):
        ours = _run(tmp_path, golden, "Pereira2018.243sentences-linear")
    assert ours["benchmark"] == "Pereira2018.243sentences-linear-shuffle"
    assert any("Pereira2018.243sentences-linear-shuffle" in r.getMessage() for r in caplog.records)


def test_wrong_id_gives_one_line_naming_the_current_id(capsys):
    rc = main(["score", "--activations", "x.npz", "--benchmark", "Pereira2018.243sentences-lineer-shuffle"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1
    assert "Pereira2018.243sentences-linear-shuffle" in err[0]


def test_linear_pearsonr_test_vector():
    """BSL's own metric test (spec §5): RandomState(1) data, ShuffleSplit 10 x 0.9 -> 0.03686426 (+-1e-5)."""
    import numpy as np

    from repro.metrics.correlation import pearson_eps, pearson_scipy
    from repro.metrics.cv import SplitSpec, splits
    from repro.metrics.encoding import cross_regressed_correlation

    rs = np.random.RandomState(1)
    X = (np.arange(750) + rs.standard_normal(750)).reshape(30, 25)
    Y = rs.poisson(1, 750).reshape(30, 25).astype(float)
    ids = np.arange(30)
    folds = splits(SplitSpec("ShuffleSplit", 10, 1, train_size=0.9), 30)
    for solver in ("stable", "bsl-exact"):  # float64 features stay float64, as in scikit-learn
        r = cross_regressed_correlation({"x": X}, Y, ids, folds, pearson_eps, solver=solver, cutoff=1e-6)["x"]
        assert np.mean(np.median(r, axis=1)) == pytest.approx(0.0368642645, abs=1e-9), solver
    r = cross_regressed_correlation({"x": X}, Y, ids, folds, pearson_scipy, solver="stable")["x"]
    assert np.mean(np.nanmedian(r, axis=1)) == pytest.approx(0.0282629395, abs=1e-8)


COMPUTED_CEILING = ["Blank2014-linear-shuffle", "Blank2014-ridge", "Fedorenko2016-linear-shuffle", "Fedorenko2016-ridge"]


@pytest.mark.slow
@pytest.mark.parametrize("benchmark", COMPUTED_CEILING)
def test_bsl_computed_ceiling_benchmarks_match_golden(tmp_path, golden, benchmark):
    """Ceiling recomputed once with the original method (cached), then the scores: within 1e-6 (ceiling 1e-6)."""
    gold = json.loads((golden / "modern/results" / f"{benchmark}.json").read_text())
    ridge = benchmark.endswith("ridge")
    ours = _run(tmp_path, golden, benchmark, "stable" if ridge else "bsl-exact")
    assert ours["ceiling"]["source"] == "computed"
    _check(ours, gold)
    # the second run reuses the cached ceiling (no recomputation) and gives the same numbers
    again = _run(tmp_path, golden, benchmark, "stable" if ridge else "bsl-exact")
    assert again["layers"] == ours["layers"]
