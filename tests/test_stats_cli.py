"""repro.stats through the CLI on the golden fixtures: intervals, nested layer choice, compare,
the leakage-safe variants and the controls (issue 14)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from repro.cli import main

PEREIRA = "Pereira2018-encoding"


def _score(tmp_path, golden, name, benchmark=PEREIRA, acts="pereira2018", data="legacy/s3", extra=()):
    out = tmp_path / f"{name}.json"
    src = ["--model", acts] if acts.startswith("control:") else ["--activations",
                                                                  str(golden / "inputs/activations" / f"{acts}.npz")]
    assert main(["-q", "score", *src, "--benchmark", benchmark, "--data-dir", str(golden / data),
                 "--output", str(out), *extra]) == 0
    return out, json.loads(out.read_text())


@pytest.fixture(scope="module")
def pereira(tmp_path_factory, golden):
    tmp = tmp_path_factory.mktemp("stats")
    return _score(tmp, golden, "a", extra=("--bootstrap", "300", "--layer-selection", "nested"))


def test_every_layer_has_intervals_and_subject_scores_and_point_scores_are_unchanged(tmp_path, golden, pereira):
    _, res = pereira
    _, plain = _score(tmp_path, golden, "plain", extra=("--bootstrap", "0"))
    assert res["bootstrap"]["n"] == 300 and res["bootstrap"]["seed"] == 0 and plain["bootstrap"] is None
    for ls, p in zip(res["layers"], plain["layers"]):
        assert (ls["raw_center"], ls["score_center"], ls["score_error"]) == (p["raw_center"], p["score_center"],
                                                                            p["score_error"])
        lo, hi = ls["score_ci"]
        assert lo < hi and lo - 0.05 < ls["score_center"] < hi + 0.05
        assert ls["raw_ci"][0] < ls["raw_ci"][1]
        assert len(ls["subject_scores"]) == 10
        assert p["raw_ci"] is None and p["score_ci"] is None
    assert res["best_layer"]["score_ci"] == res["layers"][0]["score_ci"]


def test_same_seed_gives_the_same_intervals(tmp_path, golden, pereira):
    _, again = _score(tmp_path, golden, "again", extra=("--bootstrap", "300"))
    assert [ls["score_ci"] for ls in again["layers"]] == [ls["score_ci"] for ls in pereira[1]["layers"]]


def test_nested_layer_choice_is_reported_beside_the_max(pereira):
    sel = pereira[1]["layer_selection"]
    assert sel["method"] == "nested" and len(sel["per_fold"]) == 5
    assert sel["score_center"] <= sel["max_over_layers_same_rule"] + 1e-12
    assert set(sel["layer_counts"]) <= {ls["layer"] for ls in pereira[1]["layers"]}


def test_compare_two_layers_finds_the_planted_difference(tmp_path, pereira, capsys):
    path, _ = pereira
    out = tmp_path / "cmp.json"
    assert main(["compare", str(path), str(path), "--layer-a", "low_dim", "--layer-b", "weak",
                 "--output", str(out)]) == 0
    cmp = json.loads(out.read_text())["comparisons"][0]
    assert cmp["difference"] > 0 and cmp["ci"][0] > 0 and cmp["p_value"] < 0.01
    assert cmp["subjects"]["n"] == 10 and cmp["subjects"]["p_value"] < 0.01
    assert out.with_suffix(".md").read_text().startswith("| benchmark |")


def test_compare_refuses_incomparable_results(tmp_path, golden, pereira, capsys):
    path, _ = pereira
    other, _ = _score(tmp_path, golden, "seed1", extra=("--bootstrap", "300", "--bootstrap-seed", "1"))
    assert main(["compare", str(path), str(other)]) == 2
    assert "not comparable: different bootstrap" in capsys.readouterr().err
    blank, _ = _score(tmp_path, golden, "blank", "Blank2014fROI-encoding", "blank2014",
                      extra=("--bootstrap", "300"))
    assert main(["compare", str(path), str(blank)]) == 2
    assert "different benchmark" in capsys.readouterr().err
    tampered = json.loads(path.read_text())
    tampered["folds"][0]["test_stimulus_ids"][0] = tampered["folds"][0]["test_stimulus_ids"][0][::-1]
    (tmp_path / "t.json").write_text(json.dumps(tampered))
    assert main(["compare", str(path), str(tmp_path / "t.json")]) == 2
    assert "different folds" in capsys.readouterr().err


def test_controls_score_as_models_and_are_labelled(tmp_path, golden):
    _, res = _score(tmp_path, golden, "oasm", "Fedorenko2016v3-encoding", "control:oasm")
    assert res["model"]["source"] == "control" and [ls["layer"] for ls in res["layers"]] == ["oasm"]
    assert res["layers"][0]["n_features"] == 416 and res["layers"][0]["score_ci"] is not None
    for name in ("sentence-length", "word-position", "random-embedding-100", "story-identity"):
        _, r = _score(tmp_path, golden, name, "Fedorenko2016v3-encoding", f"control:{name}", extra=("--bootstrap", "0"))
        assert r["model"]["id"] == f"control:{name}"


def test_unknown_control_and_bad_bootstrap_fail_before_any_data_is_read(tmp_path, capsys):
    missing = str(tmp_path / "nothing-here")
    assert main(["score", "--model", "control:oasn", "--benchmark", PEREIRA, "--data-dir", missing, "--offline"]) == 2
    assert "did you mean 'control:oasm'" in capsys.readouterr().err
    assert main(["score", "--model", "control:oasm", "--benchmark", PEREIRA, "--data-dir", missing,
                 "--bootstrap", "5"]) == 2
    assert "too few replicates" in capsys.readouterr().err


def test_leakage_safe_variants_are_listed_and_labelled(tmp_path, golden, capsys):
    assert main(["ls", "benchmarks"]) == 0
    listing = capsys.readouterr().out
    for vid in ("Pereira2018-encoding@grouped", "Blank2014fROI-encoding@contiguous",
                "Fedorenko2016v3-encoding@by-sentence", "Pereira2018.243sentences-linear-shuffle@grouped",
                "Blank2014-linear-shuffle@contiguous", "Fedorenko2016-linear-shuffle@by-sentence"):
        assert vid in listing
    assert "NOT the original" in listing
    _, res = _score(tmp_path, golden, "blankc", "Blank2014fROI-encoding@contiguous", "blank2014",
                    extra=("--bootstrap", "0"))
    assert res["benchmark"] == "Blank2014fROI-encoding@contiguous"
    assert res["suite"] == "repro-variant-of:neural-nlp-legacy"
    assert res["provenance"]["cv"]["splitter"] == "ContiguousKFold"
    test_ids = res["folds"][0]["test_stimulus_ids"]
    assert sorted(i for t in test_ids for i in t) == sorted(
        i for t in json.loads((golden / "legacy/results/Blank2014fROI-encoding.json").read_text())["folds"][0][
            "test_stimulus_ids"] for i in t)


def test_grouped_variant_holds_out_whole_topics(tmp_path, golden):
    _, res = _score(tmp_path, golden, "pg", "Pereira2018.243sentences-linear-shuffle@grouped", "pereira2018",
                    data="modern/data", extra=("--bootstrap", "0"))
    assert res["suite"] == "repro-variant-of:brainscore-language-2.3"
    topics = [{i for i in t} for t in res["folds"][0]["test_split_values"]]
    assert all(not (a & b) for k, a in enumerate(topics) for b in topics[k + 1:])
    assert np.isfinite(res["layers"][0]["score_center"])
