"""`repro bench` at a tiny size: the report's format and the extraction properties it measures
(not timings, which depend on the machine)."""

from __future__ import annotations

import json

import pytest

from repro.cli import main
from repro.cli.bench import SCRIPT


@pytest.fixture(scope="module")
def report(tmp_path_factory, golden):
    if not SCRIPT.is_file():
        pytest.skip("benchmarks/run.py is only in a source checkout")
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "bench.json"
    rc = main(["bench", "--size", "tiny", "--work-dir", str(tmp / "work"), "--tokenizer", str(golden / "model/tiny-gpt2"),
               "--e2e-solvers", "stable", "legacy-exact", "--e2e-share-cache", "--e2e-benchmarks", "Fedorenko2016v3-encoding",
               "--bsl-python", str(tmp / "no-such-python"), "--output", str(out)])
    assert rc == 0
    return json.loads(out.read_text())


def test_metric_rows_compare_solvers_with_sklearn(report):
    rows = {r["benchmark"]: r for r in report["metric"]}
    assert set(rows) == {"Pereira2018", "Blank2014fROI", "Fedorenko2016v3"}
    for r in rows.values():
        assert r["layers"] == 3 and all(t > 0 for t in r["seconds"].values())
        assert set(r["speedup_vs_sklearn"]) == {"stable", "legacy-exact"}
        # legacy-exact fits as sklearn does; stable is float64 (tiny shapes are p < n or well conditioned)
        assert r["max_abs_diff_neuroid_r_vs_sklearn"]["legacy-exact"] < 1e-5
        assert r["max_abs_diff_neuroid_r_vs_sklearn"]["stable"] < 1e-4
    assert len(rows["Pereira2018"]["shape"]) == 2  # both experiments


def test_bsl_part_skips_with_a_reason(report):
    b = report["bsl"]
    assert b["repro_stable_seconds"] > 0 and b["repro_bsl-exact_seconds"] > 0
    if "bsl_seconds" not in b:
        assert "brainscore_language" in b["skipped"] and "no-such-python" in b["skipped"]


def test_extraction_one_pass_uses_20x_fewer_tokens_with_identical_activations(report):
    rows = {r["dtype"]: r for r in report["extract"]}
    assert set(rows) == {"float32", "bfloat16"}
    fp32 = rows["float32"]
    assert fp32["token_ratio"] >= 20  # Pereira topic streams: one pass vs one pass per word
    assert fp32["max_abs_diff_subset"] < 1e-5
    assert fp32["one_pass_tokens_per_s"] > 0 and fp32["per_word_tokens_per_s"] > 0


def test_end_to_end_rows(report):
    e2e = {r["solver"]: r for r in report["e2e"]}
    assert e2e["stable"]["cache"] == "cold" and e2e["legacy-exact"]["cache"] == "warm"
    for r in e2e.values():
        assert "error" not in r, r
        assert r["peak_rss_mb"] > 0 and r["wall_seconds_process"] > 0
        assert r["benchmarks"]["Fedorenko2016v3-encoding"]["layers"] == 3  # embedding + 2 blocks


def test_environment_reports_thread_settings(report):
    env = report["environment"]
    assert env["cores"] >= 1 and "OPENBLAS_CORETYPE" in env and "blas" in env
