"""The runtime adapters against the real neural-nlp: each is needed (the original fails or differs without it)
and each reproduces the original code's goldens (paper: model/activations, seed: golden/seed) within 1e-5."""

import importlib
import os

import numpy as np
import pytest
from activation_goldens import assert_close_to_golden

from repro.legacy import activations, adapters, cli

LAYERS = ["drop", "encoder.h.0", "encoder.h.1", "encoder.h.2"]


def _tiny_gpt2(golden):
    return os.path.join(golden, "model", "tiny-gpt2")


def test_upstream_read_words_cannot_merge_repeated_words_and_the_adapter_can(real_neural_nlp, golden, tmp_path,
                                                                           monkeypatch):
    neural = importlib.import_module("neural_nlp.benchmarks.neural")
    adapters.install_read_words_positions()
    adapted = neural.read_words
    monkeypatch.setattr(neural, "read_words", adapted.__wrapped__)
    monkeypatch.setattr(adapters, "install_read_words_positions", lambda: None)
    with pytest.raises(ValueError, match="duplicate"):
        activations.extract(_tiny_gpt2(golden), "Fedorenko2016v3-encoding", str(tmp_path / "upstream.npz"))
    monkeypatch.setattr(neural, "read_words", adapted)
    ours = activations.extract(_tiny_gpt2(golden), "Fedorenko2016v3-encoding", str(tmp_path / "a.npz"))
    with np.load(os.path.join(golden, "model", "activations", "legacy_fedorenko2016.npz")) as ref:
        assert_close_to_golden(ours, ref, LAYERS)


@pytest.mark.parametrize("tokenization, golden_file", [
    ("paper", os.path.join("model", "activations", "legacy_pereira2018.npz")),
    ("seed", os.path.join("seed", "seed_pereira2018.npz")),
])
def test_tokenization_semantics_reproduce_their_pereira_goldens(real_neural_nlp, golden, tmp_path, tokenization,
                                                                golden_file):
    ours = activations.extract(_tiny_gpt2(golden), "Pereira2018-encoding", str(tmp_path / "a.npz"),
                               tokenization=tokenization)
    with np.load(os.path.join(golden, golden_file)) as ref:
        assert_close_to_golden(ours, ref, LAYERS)


@pytest.mark.slow
@pytest.mark.parametrize("tokenization, golden_file", [
    ("paper", os.path.join("model", "activations", "legacy_blank2014.npz")),
    ("seed", os.path.join("seed", "seed_blank2014.npz")),
    ("seed", os.path.join("seed", "seed_fedorenko2016.npz")),
])
def test_tokenization_semantics_reproduce_their_blank_and_fedorenko_goldens(real_neural_nlp, golden, tmp_path,
                                                                            tokenization, golden_file):
    benchmark = "Blank2014fROI-encoding" if "blank" in golden_file else "Fedorenko2016v3-encoding"
    ours = activations.extract(_tiny_gpt2(golden), benchmark, str(tmp_path / "a.npz"), tokenization=tokenization)
    with np.load(os.path.join(golden, golden_file)) as ref:
        assert_close_to_golden(ours, ref, LAYERS)


def test_seed_and_paper_differ_on_the_rows_the_seed_readme_names(golden):
    with np.load(os.path.join(golden, "seed", "seed_pereira2018.npz")) as seed, \
            np.load(os.path.join(golden, "model", "activations", "legacy_pereira2018.npz")) as paper:
        differ = np.abs(seed["encoder.h.1"] - paper["encoder.h.1"]).max(axis=1) > 1e-5
        assert int(differ.sum()) == 17  # so a test passing both goldens tells the semantics apart


def test_cli_errors_are_one_line(real_neural_nlp, golden, capsys, tmp_path):
    assert cli.main(["score", "--model", _tiny_gpt2(golden), "--benchmark", "Pereira2018-encodng"]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith(
        "error: unknown benchmark 'Pereira2018-encodng' (did you mean Pereira2018-encoding")
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    assert cli.main(["layers", "--model", str(broken)]) in (1, 2)
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: ") and "Traceback" not in "\n".join(err)
