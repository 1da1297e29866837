"""Contract tests: scoring through the stand-in neural_nlp.score and the repro.result/1 conversion."""

import json

import pytest

from repro.legacy import cli, convert, provenance, runner
from repro.legacy.errors import LegacyError

CEILINGS = {"Pereira2018-encoding": 0.318567, "Blank2014fROI-encoding": 0.200405,
            "Fedorenko2016v3-encoding": 0.168649}


def test_pereira_result_follows_the_schema(neural_nlp, fake_hf, tmp_path):
    out = tmp_path / "r" / "pythia.json"
    result = runner.score("pythia-70m", "Pereira2018-encoding", output=str(out), command="repro score x")
    assert json.loads(out.read_text()) == result
    assert result["schema"] == "repro.result/1" and result["suite"] == "neural-nlp-legacy"
    assert result["metric"] == "encoding" and result["benchmark"] == "Pereira2018-encoding"
    assert result["model"] == {"id": "pythia-70m", "hf_id": "EleutherAI/pythia-70m", "revision": "0123abcd" * 5,
                               "source": "hf", "activations_sha1": None}
    assert result["ceiling"] == {"center": 0.318567, "kind": "aggregate", "source": "stored"}
    layers = result["layers"]
    assert [r["layer"] for r in layers] == ["embedding"] + [f"layer.{k}" for k in range(6)]
    for i, row in enumerate(layers):  # stand-in: hidden state i scores i/100
        assert row["score_center"] == pytest.approx(i / 100.0) and row["score_error"] == 0.01
        assert row["raw_center"] == pytest.approx(i / 100.0 * 0.318567)
        assert row["n_features"] == 512 and row["extra"] == {"raw_from": "score.attrs.raw"}
    assert result["best_layer"] == {"layer": "layer.5", "score_center": pytest.approx(0.06), "score_error": 0.01,
                                    "raw_center": pytest.approx(0.06 * 0.318567)}
    prov = result["provenance"]
    assert (prov["engine"], prov["solver"], prov["seed"], prov["ceiling_mode"]) == ("legacy", "legacy-exact", 1,
                                                                                  None)
    assert prov["command"] == "repro score x" and prov["created"].endswith("Z")
    assert set(prov["versions"]) >= {"repro", "python", "numpy", "torch", "transformers", "neural-nlp"}
    assert neural_nlp.CALLS == [{"benchmark": "Pereira2018-encoding", "model": "pythia-70m",
                                 "layers": [r["layer"] for r in layers]}]


@pytest.mark.parametrize("benchmark", ["Blank2014fROI-encoding", "Fedorenko2016v3-encoding"])
def test_per_neuroid_benchmarks_have_no_raw_and_positional_ceiling(neural_nlp, fake_hf, benchmark):
    result = runner.score("gpt2", benchmark)
    assert result["ceiling"] == {"center": CEILINGS[benchmark], "kind": "per-neuroid", "source": "stored"}
    assert result["provenance"]["ceiling_mode"] == "positional"
    assert all(r["raw_center"] is None and r["raw_error"] is None for r in result["layers"])
    assert result["layers"][0]["layer"] == "drop" and result["best_layer"]["layer"] == "encoder.h.11"
    assert result["model"]["id"] == "gpt2" and result["layers"][0]["n_features"] == 768


def test_pereira_raw_is_recovered_from_the_ceiling_when_merge_dropped_it(neural_nlp, fake_hf):
    neural_nlp.benchmarks.PEREIRA_RAW_ATTRS = False
    row = runner.score("gpt2", "Pereira2018-encoding")["layers"][3]
    assert row["raw_center"] == pytest.approx(row["score_center"] * 0.318567)
    assert row["raw_error"] == pytest.approx(0.01 * 0.318567)
    assert row["extra"] == {"raw_from": "score_times_ceiling"}


def test_layer_subset_is_scored_in_model_order(neural_nlp, fake_hf):
    result = runner.score("pythia-70m", "Pereira2018-encoding", layers=["layer.3", "embedding"])
    assert [r["layer"] for r in result["layers"]] == ["embedding", "layer.3"]
    assert neural_nlp.CALLS[-1]["layers"] == ["embedding", "layer.3"]


def test_unknown_layer_and_benchmark_are_one_line_errors(neural_nlp, fake_hf):
    with pytest.raises(LegacyError, match="did you mean layer.3"):
        runner.score("pythia-70m", "Pereira2018-encoding", layers=["layer3"])
    with pytest.raises(LegacyError, match="did you mean Pereira2018-encoding"):
        runner.score("pythia-70m", "Pereira2018-encodng")


def test_a_stale_cached_score_with_fewer_layers_is_refused(neural_nlp, fake_hf, monkeypatch):
    real = neural_nlp.score
    monkeypatch.setattr(neural_nlp, "score", lambda benchmark, model, layers: real(benchmark, model, layers[:2]))
    with pytest.raises(LegacyError, match="RESULTCACHING"):
        runner.score("pythia-70m", "Pereira2018-encoding")


def test_best_layer_ties_go_to_the_first_and_nan_is_null():
    rows = [{"layer": "a", "score_center": None, "score_error": None, "raw_center": None},
            {"layer": "b", "score_center": 0.5, "score_error": 0.1, "raw_center": 0.2},
            {"layer": "c", "score_center": 0.5, "score_error": 0.2, "raw_center": 0.3}]
    assert convert.best_layer(rows) == {"layer": "b", "score_center": 0.5, "score_error": 0.1, "raw_center": 0.2}
    assert convert._number(float("nan")) is None and convert.metric_of("Pereira2018-rdm") == "rdm"


def test_cli_score_writes_json_and_errors_exit_2(neural_nlp, fake_hf, tmp_path, capsys):
    out = tmp_path / "x.json"
    assert cli.main(["score", "--model", "gemma-2b", "--benchmark", "Fedorenko2016v3-encoding",
                     "--output", str(out)]) == 0
    assert json.loads(out.read_text())["layers"][-1]["layer"] == "layer.17"
    assert cli.main(["score", "--model", "gemma-2b", "--benchmark", "nope"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: unknown benchmark 'nope'")


def test_cli_layers_prints_identifier_and_labels(neural_nlp, fake_hf, capsys):
    assert cli.main(["layers", "--model", "HuggingFaceTB/SmolLM2-135M"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["identifier"] == "smollm2-135m" and len(info["layers"]) == 31
    assert info["special_tokens"] == ["ġ"]  # probed from the tokenizer (a llama config says nothing)
    assert cli.main(["layers", "--model", "gpt2"]) == 0
    assert json.loads(capsys.readouterr().out)["special_tokens"] == ["ġ"]  # neural-nlp's own gpt2 entry


def test_doctor_checks_the_pool_interface(neural_nlp, fake_hf, monkeypatch):
    import sys
    monkeypatch.setenv("USE_TF", "0")
    problems = cli.doctor_problems()
    major, minor = sys.version_info[:2]
    expected = [] if (major, minor) == (3, 8) else [f"Python {major}.{minor}, the legacy stack needs 3.8"]
    assert problems == expected
    monkeypatch.delenv("USE_TF")
    del neural_nlp.models.implementations.word_last
    assert any("USE_TF" in p for p in cli.doctor_problems())
    assert any("no word_last" in p for p in cli.doctor_problems())


def test_data_files_hash_only_the_benchmark_s_s3_files(tmp_path):
    names = ["Pereira2018.nc", "Pereira2018-stimulus_set.csv", "Pereira2018-encoding-ceiling.nc",
             "Pereira2018-encoding-ceiling-raw.nc", "Pereira2018-rdm-ceiling.nc", "Blank2014fROI.nc"]
    for n in names:
        (tmp_path / n).write_bytes(n.encode())
    got = provenance.data_files("Pereira2018-encoding", str(tmp_path))
    assert sorted(got) == sorted(names[:4])
    import hashlib
    assert got["Pereira2018.nc"] == hashlib.sha1(b"Pereira2018.nc").hexdigest()


def test_conversion_accepts_a_real_xarray_score():
    xr = pytest.importorskip("xarray")
    import numpy as np
    layers = ["drop", "encoder.h.0"]
    score = xr.DataArray(np.array([[0.1, 0.2], [0.01, float("nan")]]), dims=["aggregation", "layer"],
                         coords={"aggregation": ["center", "error"], "layer": layers})
    score.attrs["raw"] = score * 0.3
    rows = convert.layer_rows(score, layers, 768, 0.3, "Pereira2018-encoding")
    assert [r["score_center"] for r in rows] == [0.1, 0.2] and rows[1]["score_error"] is None
    assert rows[1]["raw_center"] == pytest.approx(0.06) and rows[0]["extra"]["raw_from"] == "score.attrs.raw"
    ceiling = xr.DataArray([0.318567, 0.01, 0.02], dims=["aggregation"],
                           coords={"aggregation": ["center", "error_low", "error_high"]})
    assert convert.ceiling_center(ceiling) == 0.318567
    assert rows[0]["raw_center"] == pytest.approx(0.03)


def test_result_json_is_readable_like_any_file_the_user_writes(neural_nlp, fake_hf, tmp_path):
    import os
    old = os.umask(0o022)
    try:
        out = tmp_path / "r.json"
        runner.score("gpt2", "Fedorenko2016v3-encoding", output=str(out))
    finally:
        os.umask(old)
    assert (out.stat().st_mode & 0o777) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temporary file left


def test_a_failure_that_is_not_a_legacy_error_is_one_line_with_exit_1(neural_nlp, fake_hf, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("merge failed\nsecond line")
    monkeypatch.setattr(runner, "score", broken)
    assert cli.main(["score", "--model", "gpt2", "--benchmark", "Pereira2018-encoding"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: RuntimeError: merge failed (traceback: REPRO_LOG_LEVEL=DEBUG)"]
