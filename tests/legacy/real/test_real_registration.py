"""repro.legacy with the real neural-nlp pool: the families of golden/families register, build and align."""

import json
import os

import numpy as np
import pytest
from activation_goldens import assert_close_to_golden

from repro.legacy import activations, adapters, cli, models, pool, provenance

FAMILIES = ("tiny-bert", "tiny-neox", "tiny-llama-smol", "tiny-gemma-sp")


def _info(golden, family):
    with open(os.path.join(golden, "families", "activations", f"legacy_{family}_info.json")) as f:
        return json.load(f)["construction"]


def _model_dir(golden, family):
    return os.path.join(golden, "families", "models", family)


def test_the_real_stack_passes_doctor_and_records_every_pinned_commit(real_neural_nlp, monkeypatch):
    monkeypatch.setenv("USE_TF", "0")
    assert cli.doctor_problems() == []
    versions = provenance.versions()
    pins = {}
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "..", "conda", "git-pins.txt")) as f:
        for line in f:
            fields = line.split()
            if fields and not fields[0].startswith("#"):
                pins[fields[0]] = fields[2]
    for name, commit in pins.items():
        assert versions[name] and versions[name].startswith(commit), (name, versions[name])


@pytest.mark.parametrize("family", FAMILIES)
def test_a_family_registers_with_the_original_pool_labels_and_tokens(real_neural_nlp, golden, family):
    impl = pool.implementations()
    spec = models.resolve(_model_dir(golden, family))
    layers = pool.register(spec)
    expected = _info(golden, family)
    assert layers == expected["layers"]
    assert real_neural_nlp.model_layers[spec.identifier] == layers  # neural_nlp re-exports the same dict
    entry = impl.model_pool[spec.identifier]
    assert isinstance(entry, impl.LazyLoad) and entry.content is None  # nothing is loaded at registration
    entry._ensure_loaded()
    wrapper = entry.content
    assert isinstance(wrapper, impl._PytorchTransformerWrapper) and wrapper.identifier == spec.identifier
    container = wrapper._model_container
    assert tuple(container.tokenizer_special_tokens) == tuple(expected["tokenizer_special_tokens"])
    assert (container.tokenizer.cls_token is not None) == expected["use_special_tokens"]
    assert isinstance(container.tokenizer, adapters.StrippingTokenizer)  # paper semantics by default
    assert container.tokenizer.tokenize(" a b ") == container.tokenizer.tokenize("a b")


@pytest.mark.parametrize("family", FAMILIES)
def test_a_family_gives_the_original_wrappers_fedorenko_activations(real_neural_nlp, golden, family, tmp_path):
    # Fedorenko goes through read_words: the word-position merge adapter is exercised on every family
    expected = _info(golden, family)["layers"]
    ours = activations.extract(_model_dir(golden, family), "Fedorenko2016v3-encoding", str(tmp_path / "a.npz"))
    with np.load(os.path.join(golden, "families", "activations", f"legacy_{family}_fedorenko2016.npz")) as ref:
        assert_close_to_golden(ours, ref, expected)
    assert sorted(np.load(str(tmp_path / "a.npz")).files) == sorted(["stimulus_id"] + expected)
