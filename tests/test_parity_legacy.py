"""Legacy neural-nlp goldens reproduced through `repro score --activations` (the CLI path).

Tolerances come from repro.tolerances by each layer's measured conditioning class
(shared/golden/SPREAD.md): well-conditioned layers within 1e-6 in scores, 2e-6 per neuroid and 1e-5
in subject medians (both solvers); ill-conditioned ones (p >= n: `high_dim`, Pereira `mid_dim`)
within twice the original code's own spread across BLAS kernels and thread counts.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from repro import tolerances
from repro.cli import main

# layer -> p < n in every fold of that benchmark?
WELL_POSED = {
    "Pereira2018-encoding": {"low_dim": True, "mid_dim": False, "high_dim": False, "weak": True},
    "Blank2014fROI-encoding": {"low_dim": True, "high_dim": False, "weak": True},
    "Fedorenko2016v3-encoding": {"low_dim": True, "mid_dim": True, "high_dim": False, "weak": True},
}
ACTS = {"Pereira2018-encoding": "pereira2018", "Blank2014fROI-encoding": "blank2014",
        "Fedorenko2016v3-encoding": "fedorenko2016"}


def _score(tmp_path, golden, benchmark, solver, data="s3", extra=()):
    out = tmp_path / f"{benchmark}-{solver}-{data}.json"
    rc = main(["-q", "score", "--activations", str(golden / "inputs/activations" / f"{ACTS[benchmark]}.npz"),
               "--benchmark", benchmark, "--data-dir", str(golden / "legacy" / data), "--solver", solver,
               "--output", str(out), *extra])
    assert rc == 0
    return json.loads(out.read_text()), np.load(out.with_name(out.stem + ".per_neuroid.npz"))


@pytest.mark.parametrize("solver", ["legacy-exact", "stable"])
@pytest.mark.parametrize("benchmark", list(ACTS))
def test_legacy_encoding_scores_match_golden(tmp_path, golden, benchmark, solver):
    gold = json.loads((golden / "legacy/results" / f"{benchmark}.json").read_text())
    ours, _ = _score(tmp_path, golden, benchmark, solver)
    assert ours["suite"] == "neural-nlp-legacy" and ours["benchmark"] == benchmark
    assert ours["ceiling"]["center"] == pytest.approx(gold["ceiling"], abs=1e-12)
    for layer in ours["layers"]:
        g = gold["layers"][layer["layer"]]
        cond = tolerances.condition_of(layer)
        assert cond == ("well" if WELL_POSED[benchmark][layer["layer"]] else "ill"), layer["layer"]
        tol = tolerances.for_layer(ours, layer)
        assert layer["n_features"] == g["n_features"]
        assert layer["score_center"] == pytest.approx(g["score_center"], abs=tol), layer["layer"]
        assert layer["score_error"] == pytest.approx(g["score_error"], abs=tolerances.SCORE_ERROR[cond]), layer["layer"]
        if "raw_center" in g:
            assert layer["raw_center"] == pytest.approx(g["raw_center"], abs=tol)
        for subject, value in g["subject_medians"].items():
            assert layer["extra"]["subject_medians"][subject] == pytest.approx(value, abs=tolerances.SUBJECT_MEDIAN[cond])


@pytest.mark.parametrize("benchmark", list(ACTS))
def test_legacy_folds_equal_golden(tmp_path, golden, benchmark):
    gold = json.loads((golden / "legacy/results" / f"{benchmark}.json").read_text())
    ours, _ = _score(tmp_path, golden, benchmark, "stable")
    assert len(ours["folds"]) == len(gold["folds"])
    for g, o in zip(gold["folds"], ours["folds"]):
        assert o["splitter"] == g["splitter"]
        assert [list(map(str, t)) for t in o["test_stimulus_ids"]] == [list(map(str, t)) for t in g["test_stimulus_ids"]]


def test_pereira_per_voxel_r_matches_golden(tmp_path, golden):
    gold = np.load(golden / "legacy/results/Pereira2018-encoding.npz")
    _, side = _score(tmp_path, golden, "Pereira2018-encoding", "legacy-exact")
    for layer in ("low_dim", "weak"):
        # upstream's merge reorders voxels; compare by neuroid_id
        pos = {v: i for i, v in enumerate(side["language_neuroid_id"])}
        order = [pos[v] for v in gold[f"{layer}__language_neuroid_id"]]
        ours, ref = side[f"{layer}__language_neuroid_r"][order], gold[f"{layer}__language_neuroid_r"]
        np.testing.assert_allclose(ours, ref, atol=tolerances.PER_NEUROID["well"])
        # language-atlas fold values, NaN pattern included (subjects who skipped an experiment)
        lang = np.isin(gold["all_neuroid_id"], gold[f"{layer}__language_neuroid_id"])
        np.testing.assert_allclose(side[f"{layer}__fold_r"][:, :, lang], gold[f"{layer}__fold_r"][:, :, lang],
                                   atol=tolerances.PER_NEUROID["well"])
    # ill-posed layer: decided by the BLAS kernel, bounded by the original's per-neuroid spread
    np.testing.assert_allclose(side["high_dim__language_neuroid_r"][order], gold["high_dim__language_neuroid_r"],
                               atol=tolerances.PER_NEUROID["ill"])


@pytest.mark.parametrize("benchmark", ["Blank2014fROI-encoding", "Fedorenko2016v3-encoding"])
def test_positional_ceiling_quirk_reproduced(tmp_path, golden, benchmark):
    """Reading the permuted ceiling file changes the score exactly as upstream's positional division does."""
    gold = json.loads((golden / "legacy/results" / f"{benchmark}.json").read_text())
    # the permuted folder only holds ceilings; assemble a data dir from both folders
    data = tmp_path / "s3_permuted"
    data.mkdir()
    for f in (golden / "legacy/s3").iterdir():
        if not f.name.startswith("."):  # not the sha1 ledger other tests left in the mirror
            (data / f.name).symlink_to(f)
    for f in (golden / "legacy/s3_permuted_ceiling").iterdir():
        (data / f.name).unlink()
        (data / f.name).symlink_to(f)
    out = tmp_path / "perm.json"
    assert main(["-q", "score", "--activations", str(golden / "inputs/activations" / f"{ACTS[benchmark]}.npz"),
                 "--benchmark", benchmark, "--data-dir", str(data), "--output", str(out)]) == 0
    ours = json.loads(out.read_text())
    for layer in ours["layers"]:
        if WELL_POSED[benchmark][layer["layer"]]:
            want = gold["layers_with_permuted_ceiling_file"][layer["layer"]]["score_center"]
            assert layer["score_center"] == pytest.approx(want, abs=1e-6)
    # the aligned correction ignores the file order: it equals the aligned division of the normal file
    out2 = tmp_path / "aligned.json"
    assert main(["-q", "score", "--activations", str(golden / "inputs/activations" / f"{ACTS[benchmark]}.npz"),
                 "--benchmark", benchmark, "--data-dir", str(data), "--ceiling-mode", "aligned",
                 "--output", str(out2)]) == 0
    out3 = tmp_path / "aligned_plain.json"
    assert main(["-q", "score", "--activations", str(golden / "inputs/activations" / f"{ACTS[benchmark]}.npz"),
                 "--benchmark", benchmark, "--data-dir", str(golden / "legacy/s3"), "--ceiling-mode", "aligned",
                 "--output", str(out3)]) == 0
    a, b = json.loads(out2.read_text()), json.loads(out3.read_text())
    assert [x["score_center"] for x in a["layers"]] == [x["score_center"] for x in b["layers"]]


def test_best_layer_is_max_normalised_center_first_on_ties(tmp_path, golden):
    from repro.benchmarks.base import BenchmarkScore, LayerScore

    layers = [LayerScore("a", 1, None, None, 0.5, 0.1), LayerScore("b", 1, None, None, 0.7, 0.1),
              LayerScore("c", 1, None, None, 0.7, 0.2), LayerScore("d", 1, None, None, float("nan"), None)]
    s = BenchmarkScore("x", "s", "encoding", 1.0, "aggregate", "stored", layers)
    assert s.best_layer.layer == "b"
