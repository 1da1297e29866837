"""``tokenization`` through the API, CLI and sweeps: recorded in provenance, refused for Brain-Score Language."""

from __future__ import annotations

import json

import pytest

import repro
from repro.activations import load as load_acts
from repro.cli import main
from repro.errors import InputError

BENCH = "Pereira2018-encoding"
BSL = "Pereira2018.243sentences-linear-shuffle"


@pytest.fixture(scope="module")
def scored(golden, tmp_path_factory):
    """The tiny GPT-2 on the golden Pereira data under both semantics (one activation cache)."""
    cache = tmp_path_factory.mktemp("cache")
    kw = dict(model=str(golden / "model" / "tiny-gpt2"), data_dir=str(golden / "legacy" / "s3"),
              cache_dir=str(cache), quiet=True)
    return repro.score(BENCH, **kw), repro.score(BENCH, tokenization="seed", **kw), cache


def test_provenance_and_scores_differ(scored):
    paper, seed, _ = scored
    assert paper.data["provenance"]["tokenization"] == "paper"
    assert seed.data["provenance"]["tokenization"] == "seed"
    changes = seed.data["provenance"]["context_changes"]
    assert (changes["n"], changes["different"]) == (627, 17)
    assert "context_changes" not in paper.data["provenance"]
    diffs = [abs(a["score_center"] - b["score_center"]) for a, b in zip(paper.layers, seed.layers)]
    assert max(diffs) > 1e-3  # 17 of 627 contexts move the tiny model's scores (golden/seed README: up to ~0.02)


def test_seed_golden_activations_score_like_the_model(scored, golden):
    """The seed golden (the seed's own code) and our seed extraction give the same scores."""
    _, seed, _ = scored
    gold = repro.score(BENCH, activations=str(golden / "seed" / "seed_pereira2018.npz"), tokenization="seed",
                       data_dir=str(golden / "legacy" / "s3"), quiet=True)
    assert gold.data["provenance"]["tokenization"] == "seed"
    for a, b in zip(gold.layers, seed.layers):
        if b["layer"] != "encoder.h.2":  # the post-LayerNorm label is ill-conditioned (test_parity_end_to_end)
            assert a["score_center"] == pytest.approx(b["score_center"], abs=1e-4), a["layer"]


def test_activations_file_records_its_semantics(golden, scored, tmp_path, capsys):
    _, _, cache = scored
    out = tmp_path / "seed.npz"
    assert main(["-q", "activations", "--model", str(golden / "model" / "tiny-gpt2"), "--benchmark", BENCH,
                 "--tokenization", "seed", "--data-dir", str(golden / "legacy" / "s3"), "--cache-dir", str(cache),
                 "--output", str(out)]) == 0
    acts = load_acts(out)
    assert acts.meta["tokenization"] == "seed" and acts.meta["context_changes"]["different"] == 17
    # a file that says how it was made cannot be scored as the other semantics
    capsys.readouterr()
    assert main(["-q", "score", "--activations", str(out), "--benchmark", BENCH, "--tokenization", "paper",
                 "--data-dir", str(golden / "legacy" / "s3")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --tokenization paper contradicts") and err.count("\n") == 1


@pytest.mark.parametrize("command", ["score", "activations"])
def test_bsl_benchmark_refuses_it_before_any_download(tmp_path, golden, isolated_cache, capsys, command):
    args = ["-q", command, "--model", str(golden / "model" / "tiny-gpt2"), "--benchmark", BSL,
            "--tokenization", "paper", "--offline", "--data-dir", str(tmp_path / "nothing")]
    if command == "activations":
        args += ["--output", str(tmp_path / "a.npz")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --tokenization is an option of the legacy neural-nlp suite") and err.count("\n") == 1
    assert not list(tmp_path.iterdir())  # nothing downloaded, nothing written
    with pytest.raises(InputError, match="Brain-Score Language benchmark"):
        repro.score(BSL, model="gpt2", tokenization="seed", offline=True)


def test_unknown_value_is_refused():
    with pytest.raises(InputError, match="unknown tokenization 'raw'"):
        repro.score(BENCH, model="gpt2", tokenization="raw", offline=True)


def test_sweep_plan(tmp_path):
    from repro.sweeps import plan

    cells = plan(["gpt2"], [BENCH, "Fedorenko2016v3-encoding"], tmp_path, tokenization="seed")
    assert [c.path.name for c in cells] == [f"{BENCH}__seed.json", "Fedorenko2016v3-encoding__seed.json"]
    assert plan(["gpt2"], [BENCH], tmp_path)[0].path.name == f"{BENCH}.json"
    with pytest.raises(InputError, match="legacy neural-nlp suite"):
        plan(["gpt2"], [BENCH, "Blank2014-linear-shuffle"], tmp_path, tokenization="paper")
    assert plan(["gpt2"], [BSL], tmp_path)[0].path.name == f"{BSL}.json"  # no option: BSL cells are fine


def test_sweep_job_scores_under_the_option(golden, tmp_path, isolated_cache):
    from repro.sweeps import CellJob, plan

    (cell,) = plan([str(golden / "model" / "tiny-gpt2")], ["Fedorenko2016v3-encoding"], tmp_path, tokenization="seed")
    kwargs = {"data_dir": str(golden / "legacy" / "s3"), "tokenization": "seed", "quiet": True}
    assert CellJob(cell, kwargs, {})()["skipped"] is False
    prov = json.loads(cell.path.read_text())["provenance"]
    assert prov["tokenization"] == "seed" and prov["context_changes"]["different"] == 0  # Fedorenko: no outer spaces
