"""repro reproduce under both tokenizations, end to end on golden data (tiny GPT-2, golden Pereira data).

The paper reference is the original code's score of the tiny model (legacy/results/end_to_end_tiny_gpt2);
the seed reference is the score of the seed code's own activations (golden/seed). A row passes only
against its own semantics' number: a refs.csv holding one semantics' number in both rows makes exactly
the other row fail.
"""

from __future__ import annotations

import csv
import json

import pytest

import repro
import repro.api
from repro.cli import main
from repro.reproduction import reproduce

BENCH = "Pereira2018-encoding"
TOL = 0.003  # the tiny model's best layers move by 0.0077 between the semantics


@pytest.fixture(scope="module")
def refs(golden, tmp_path_factory):
    legacy = json.loads((golden / "legacy/results/end_to_end_tiny_gpt2" / f"{BENCH}.json").read_text())["layers"]
    paper = max(v["score_center"] for v in legacy.values())
    seed = repro.score(BENCH, activations=str(golden / "seed" / "seed_pereira2018.npz"), tokenization="seed",
                       data_dir=str(golden / "legacy" / "s3"), quiet=True).best_layer["score_center"]
    assert abs(seed - paper) > 2 * TOL
    folder = tmp_path_factory.mktemp("refs")
    model = str(golden / "model" / "tiny-gpt2")

    def table(name, p, q):
        path = folder / f"{name}.csv"
        with path.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["model", "benchmark", "layer", "row", "score_center", "tokenization", "tolerance", "source"])
            w.writerow([model, BENCH, "best", "best", p, "paper", TOL, "golden"])
            w.writerow([model, BENCH, "best", "best", q, "seed", TOL, "golden"])
        return path

    return {"own": table("own", paper, seed), "paper_only": table("paper_only", paper, paper),
            "seed_only": table("seed_only", seed, seed)}


@pytest.fixture(scope="module")
def scored(refs, golden, tmp_path_factory):
    out = tmp_path_factory.mktemp("reproduce")
    cache = tmp_path_factory.mktemp("cache")
    comp = reproduce(str(refs["own"]), output=out, data_dir=str(golden / "legacy" / "s3"), cache_dir=str(cache),
                     quiet=True)
    return comp, out


def test_both_rows_pass_against_their_own_numbers(scored):
    comp, out = scored
    assert [(r.tokenization, r.status) for r in comp.rows] == [("paper", "PASS"), ("seed", "PASS")]
    names = sorted(p.name for p in out.glob("*.json"))
    assert len(names) == 2 and names[0].endswith(f"tiny-gpt2__{BENCH}.json") and names[1] == names[0][:-5] + "__seed.json"
    seed = json.loads((out / names[1]).read_text())["provenance"]
    assert seed["tokenization"] == "seed" and seed["context_changes"]["different"] == 17
    (att,) = comp.attributions
    assert [n for n, _, _ in att.layers] == ["drop", "encoder.h.0", "encoder.h.1", "encoder.h.2"]
    text = comp.text()
    assert "contexts: 17 of 627 stimuli see other tokens under seed (13 by +1 token, 4 by +2 tokens)" in text
    assert "PASS; tolerance |ours - published| <= 0.003 normalised" in text


@pytest.mark.parametrize("table, statuses", [("paper_only", ["PASS", "FAIL"]), ("seed_only", ["FAIL", "PASS"])])
def test_a_row_fails_against_the_other_semantics(scored, refs, golden, table, statuses, monkeypatch, capsys):
    _, out = scored
    monkeypatch.setattr(repro.api, "score", lambda *a, **k: pytest.fail("rescored; the result files exist"))
    code = main(["-q", "reproduce", str(refs[table]), "--output", str(out), "--data-dir", str(golden / "legacy/s3")])
    text = capsys.readouterr().out
    assert code == 1
    rows = [line.split() for line in text.splitlines() if line.startswith(str(golden / "model" / "tiny-gpt2"))]
    assert [r[-2] for r in rows] == statuses and [r[-7] for r in rows] == ["paper", "seed"]
    assert "FAIL (1 of 2 rows" in text


def test_activation_files_per_semantics(refs, golden, tmp_path):
    acts = [f"{BENCH}={golden / 'model/activations/legacy_pereira2018.npz'}",
            f"{BENCH}@seed={golden / 'seed/seed_pereira2018.npz'}"]
    comp = reproduce(str(refs["own"]), output=tmp_path, activations=acts, data_dir=str(golden / "legacy/s3"),
                     quiet=True)
    assert [r.status for r in comp.rows] == ["PASS", "PASS"]
    assert "contexts: 17 of 627 stimuli have different activations under seed" in comp.text()
    # one file only: the seed row has none (it is not scored from the paper file, nor by running the model)
    only = reproduce(str(refs["own"]), output=tmp_path / "one", activations=acts[:1],
                     data_dir=str(golden / "legacy/s3"), quiet=True)
    assert [r.status for r in only.rows] == ["PASS", "MISSING"]
    assert f"no activations given for {BENCH} (--tokenization seed)" in only.text()
