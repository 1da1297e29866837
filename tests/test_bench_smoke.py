"""`repro bench --quick` against the real Brain-Score Language 2.3.0 (its venv built by the bench
on first use; REPRO_BENCH_PEER_DIR keeps it between runs) and, when .venv-legacy exists, the real
legacy stack. Checks the report's contents and the properties that do not depend on the machine's
speed: the peers agree with repro on the same arrays, nothing beats the GEMM floor."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from repro.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(tmp_path_factory, golden):
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "bench.json"
    peer_dir = os.environ.get("REPRO_BENCH_PEER_DIR", str(Path.home() / ".cache" / "repro" / "bench"))
    rc = main(["bench", "--quick", "--parts", "floor", "metric", "e2e", "gpu", "--peer-dir", peer_dir,
               "--golden", str(golden), "--work-dir", str(tmp / "work"), "--output", str(out)])
    assert rc == 0
    return json.loads(out.read_text())


def test_floor_measures_fp32_and_bf16_gemm(report):
    rates = {g["dtype"]: g["flops_per_s"] for g in report["floor"]["gemm"]}
    assert set(rates) == {"float32", "bfloat16"} and min(rates.values()) > 1e8


def test_bsl_peer_is_the_real_package_and_agrees_with_repro(report):
    peer = report["peers"]["bsl"]
    assert peer["skipped"] is None, peer["skipped"]
    assert peer["versions"]["brainscore_language"] == "2.3.0" and peer["versions"]["numpy"].startswith("1.")
    rows = [r for r in report["metric"] if r["suite"] == "bsl"]
    assert len(rows) == 4
    for r in rows:
        assert "peer_error" not in r, r["peer_error"]
        assert r["seconds"]["peer"] > 0 and set(r["speedup_vs_peer"]) == {"stable", "bsl-exact"}
        # same arrays, same splits: linear_pearsonr and repro's metric give the same score
        assert r["abs_score_diff_vs_peer"]["bsl-exact"] < 1e-6, r
        assert report["ratios"]["metric"][f"bsl/{r['case']}"] == r["speedup_vs_peer"]


def test_legacy_peer_runs_or_says_why_not(report):
    peer = report["peers"]["legacy"]
    rows = [r for r in report["metric"] if r["suite"] == "legacy"]
    assert len(rows) == 4 and all(r["shape"][2] == 2 for r in rows)  # two layers in --quick
    if peer["skipped"]:
        assert "legacy" in peer["skipped"] and all("peer_skipped" in r for r in rows)
    else:
        assert all(r["abs_score_diff_vs_peer"]["legacy-exact"] < 1e-6 for r in rows)


def test_end_to_end_rows_carry_floor_multiples(report):
    rows = {(r["model"], r["suite"]): r for r in report["e2e"]}
    assert set(rows) == {("tiny", "legacy"), ("tiny", "bsl")}
    for key, r in rows.items():
        assert "error" not in r["repro"], r["repro"]
        assert r["floor"]["tokens"] > 0 and r["floor"]["metric_flops"] > 0
        assert r["floor_multiple"] > 1  # nothing runs faster than the GEMM rate allows
        assert report["ratios"]["floor_multiple"][f"e2e/{key[0]}/{key[1]}"] == r["floor_multiple"]
    bsl = rows[("tiny", "bsl")]
    assert "error" not in bsl["peer"], bsl["peer"]
    # both real pipelines on the same model folder and data: the same raw score (float32 activations)
    assert bsl["abs_raw_diff_vs_peer"] < 1e-5 and bsl["speedup_vs_peer"] > 0


def test_gpu_part_runs_or_says_why_not(report):
    g = report["gpu"]
    assert ("skipped" in g and "CUDA" in g["skipped"]) or g["rows"]


def test_bench_rejects_a_missing_golden_folder(tmp_path, capsys):
    assert main(["bench", "--quick", "--golden", str(tmp_path / "nope"), "--output", str(tmp_path / "b.json")]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "--golden" in err and not (tmp_path / "b.json").exists()
