"""repro report / repro cka: a results folder from two models on two benchmarks (golden data, offline)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from repro import api
from repro.cli import main
from repro.errors import InputError
from repro.reporting import collect, report
from repro.reporting.cka import layer_cka

_CACHE: dict[str, Path] = {}

# two "models" (the golden synthetic activations and the golden tiny GPT-2's legacy activations) x two benchmarks
SOURCES = {
    "Pereira2018-encoding": {"synthetic": "inputs/activations/pereira2018.npz",
                             "tiny-gpt2": "model/activations/legacy_pereira2018.npz"},
    "Fedorenko2016v3-encoding": {"synthetic": "inputs/activations/fedorenko2016.npz",
                                 "tiny-gpt2": "model/activations/legacy_fedorenko2016.npz"},
}


def make_results(root: Path, golden: Path) -> Path:
    """Result JSONs + one CKA file in ``root/results`` (made once per test session; the browser test reuses it)."""
    if "results" in _CACHE:
        return _CACHE["results"]
    out = root / "results"
    for bench, models in SOURCES.items():
        for model, rel in models.items():
            # the result's model id is the activations file's stem: one stem per model across benchmarks
            acts = root / "acts" / bench / f"{model}.npz"
            acts.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(golden / rel, acts)
            layers = ["low_dim", "weak"] if model == "synthetic" else None
            api.score(bench, activations=str(acts), layers=layers, data_dir=str(golden / "legacy" / "s3"),
                      quiet=True, output=str(out / f"{model}__{bench}.json"))
    layer_cka("Pereira2018-encoding", activations=str(root / "acts" / "Pereira2018-encoding" / "tiny-gpt2.npz"),
              output=out / "cka")
    _CACHE["results"] = out
    return out


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory, golden) -> Path:
    return make_results(tmp_path_factory.mktemp("report_inputs"), golden)


@pytest.fixture(scope="module")
def built(results_dir, tmp_path_factory) -> Path:
    return report([results_dir], output=tmp_path_factory.mktemp("report") / "site", quiet=True)


def test_collect_finds_results_and_cka(results_dir):
    res, ckas = collect([results_dir])
    assert sorted((d["model"]["id"], d["benchmark"]) for d, _ in res) == sorted(
        (m, b) for b, ms in SOURCES.items() for m in ms)
    assert len(ckas) == 1 and ckas[0][0]["layers"] == ["drop", "encoder.h.0", "encoder.h.1", "encoder.h.2"]


def test_page_references_every_figure(built):
    page = built.read_text()
    imgs = re.findall(r'<img src="([^"]+)"', page)
    expected = {"figures/layers_Pereira2018_encoding.png", "figures/layers_Fedorenko2016v3_encoding.png",
                "figures/benchmark_bars.png", "figures/raw_vs_ceiling.png", "figures/size_vs_score.png",
                "figures/heatmap.png", "figures/cka_tiny_gpt2_Pereira2018_encoding.png"}
    assert set(imgs) == expected
    for rel in imgs:
        png = built.parent / rel
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.with_suffix(".pdf").read_bytes()[:5] == b"%PDF-"
        assert not rel.startswith(("/", "file:", "http"))  # the folder is self-contained


def test_page_has_numbers_and_provenance(built, results_dir):
    page = built.read_text()
    syn = json.loads((results_dir / "synthetic__Pereira2018-encoding.json").read_text())
    assert f"{syn['best_layer']['score_center']:.4f}" in page
    assert "Provenance" in page and "Pereira2018.nc" in page  # data file sha1 listed
    assert syn["provenance"]["solver"] in page
    assert str(results_dir / "synthetic__Pereira2018-encoding.json") in page


def test_report_is_deterministic(results_dir, built, tmp_path):
    again = report([results_dir], output=tmp_path / "again", quiet=True)
    assert again.read_text() == built.read_text()
    a = sorted(p.name for p in (built.parent / "figures").iterdir())
    assert a == sorted(p.name for p in (again.parent / "figures").iterdir())
    for name in a:
        if name.endswith(".png"):
            assert (built.parent / "figures" / name).read_bytes() == (again.parent / "figures" / name).read_bytes(), name


def test_report_rejects_empty_and_foreign_inputs(tmp_path):
    with pytest.raises(InputError, match="no result files"):
        report([tmp_path], output=tmp_path / "out")
    bad = tmp_path / "x.json"
    bad.write_text('{"a": 1}')
    with pytest.raises(InputError, match="neither a repro result"):
        report([bad], output=tmp_path / "out")


def test_cka_matrix_is_symmetric_unit_diagonal(results_dir):
    cka = json.loads(next((results_dir / "cka").glob("*.json")).read_text())
    m = np.array(cka["matrix"], dtype=float)
    assert cka["schema"] == "repro.cka/1"
    np.testing.assert_allclose(m, m.T, atol=1e-12)
    np.testing.assert_allclose(np.diag(m), 1.0)
    assert ((m > 0) & (m <= 1 + 1e-12)).all()


def test_cli_report_and_cka(results_dir, golden, tmp_path, capsys):
    acts = tmp_path / "acts.npz"
    shutil.copyfile(golden / "model" / "activations" / "legacy_fedorenko2016.npz", acts)
    assert main(["-q", "cka", "--activations", str(acts), "--benchmark", "Fedorenko2016v3-encoding",
                 "--layers", "drop", "encoder.h.2", "--output", str(tmp_path / "cka")]) == 0
    assert "linear CKA, acts on Fedorenko2016v3-encoding" in capsys.readouterr().out
    assert (tmp_path / "cka" / "cka__acts__Fedorenko2016v3-encoding.png").is_file()
    assert main(["-q", "report", str(results_dir / "synthetic__Pereira2018-encoding.json"), "--no-pdf",
                 "--output", str(tmp_path / "site")]) == 0
    assert (tmp_path / "site" / "index.html").is_file()
    assert not list((tmp_path / "site" / "figures").glob("*.pdf"))
    assert main(["report", str(tmp_path / "missing"), "--output", str(tmp_path / "o")]) == 2
