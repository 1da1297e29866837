"""Contract tests: registering HF models into neural-nlp's pool (spec §1.2, §12) against the stand-in, for what
needs the hub or real gpt2 weights (the real pool: tests/legacy/real).

These run under the main venv and under Python 3.8 (docker/ci-checks.sh: .venv38)."""

import pytest
from legacy_fakes import FAKE_TORCH, FakeTransformers

from repro.legacy import families, models, pool
from repro.legacy.errors import LegacyError

GPT2_LABELS = ["drop"] + [f"encoder.h.{k}" for k in range(12)]


def _load(neural_nlp, identifier):
    entry = neural_nlp.models.implementations.model_pool[identifier]
    entry._ensure_loaded()
    return entry.content


def test_native_gpt2_keeps_neural_nlp_labels_and_adds_nothing(neural_nlp, fake_hf):
    before = set(neural_nlp.model_pool)
    spec = models.resolve("gpt2")
    assert spec.native and spec.identifier == "gpt2"
    assert pool.register(spec) == GPT2_LABELS
    assert set(neural_nlp.model_pool) == before
    assert pool.LOADED["gpt2"]["revision"] == "0123abcd" * 5  # config commit recorded for provenance


@pytest.mark.parametrize("model_id, hf_id, num_layers, tokens", [
    ("pythia-70m", "EleutherAI/pythia-70m", 6, ("ġ",)),
    ("smollm2-135m", "HuggingFaceTB/SmolLM2-135M", 30, ("ġ",)),  # llama config, byte-level BPE: probed
    ("gemma-2b", "google/gemma-2b", 18, ("▁",)),
])
def test_known_models_register_lazily_with_num_layers_plus_one_labels(neural_nlp, fake_hf, model_id, hf_id,
                                                                      num_layers, tokens):
    impl = neural_nlp.models.implementations
    layers = pool.register(models.resolve(model_id))
    assert layers == ["embedding"] + [f"layer.{k}" for k in range(num_layers)]
    # neural_nlp re-exports the same dicts, so score() sees the new key
    assert neural_nlp.model_pool is impl.model_pool and neural_nlp.model_layers[model_id] == layers
    entry = impl.model_pool[model_id]
    assert isinstance(entry, impl.LazyLoad) and entry.content is None  # nothing loaded at registration
    assert not [c for c in fake_hf.calls if c[0] == "model"]

    wrapper = _load(neural_nlp, model_id)
    assert isinstance(wrapper, impl._PytorchTransformerWrapper)
    assert wrapper.identifier == model_id and wrapper.layer_names == layers
    assert wrapper.tokenizer_special_tokens == tokens
    assert wrapper.sentence_average is impl.word_last
    assert wrapper.model.dtype == FAKE_TORCH.float32
    assert [c[2]["torch_dtype"] for c in fake_hf.calls if c[0] == "model"] == [FAKE_TORCH.float32]
    assert wrapper.model.config.output_hidden_states is True
    assert wrapper.model.config.output_attentions is False
    # the stand-in wrapper asserts one hidden state per label, as the real ModelContainer does
    out = wrapper(["a clear day"], layers=[layers[-1]])
    assert out == {layers[-1]: [float(num_layers)]}


def test_attentions_left_on_would_break_the_wrapper(neural_nlp):
    # why build_wrapper forces output_attentions=False: the wrapper reads the LAST output as hidden states
    from legacy_fakes import FakeConfig, FakeModel, FakeTokenizer
    impl = neural_nlp.models.implementations
    config = FakeConfig("gpt_neox", 2, 8, "byte")
    wrapper = impl._PytorchTransformerWrapper(identifier="x", tokenizer=FakeTokenizer("byte"),
                                              model=FakeModel(config, FAKE_TORCH.float32),
                                              layers=["embedding", "layer.0", "layer.1"],
                                              sentence_average=impl.word_last)
    with pytest.raises(AssertionError):
        wrapper(["a b"], layers=["layer.1"])


@pytest.mark.parametrize("hf_id, identifier, tokens", [
    ("org/tiny-llama-sp", "org--tiny-llama-sp", ("▁",)),  # Llama-2 style SentencePiece: probed
    ("org/tiny-bert", "org--tiny-bert", ()),
    ("org/tiny-xlm", "org--tiny-xlm", ("</w>",)),
])
def test_any_hf_id_registers_under_a_file_safe_identifier(neural_nlp, fake_hf, hf_id, identifier, tokens):
    spec = models.resolve(hf_id)
    assert spec.identifier == identifier and spec.source == "hf" and not spec.native
    layers = pool.register(spec)
    assert len(layers) == fake_hf.AutoConfig.from_pretrained(hf_id).num_hidden_layers + 1
    assert _load(neural_nlp, identifier).tokenizer_special_tokens == tokens


def test_registered_gpt2_variant_uses_neural_nlp_gpt2_labels(neural_nlp, fake_hf):
    spec = models.resolve("gpt2", revision="abc123")
    assert not spec.native and spec.identifier == "gpt2@abc123"
    assert pool.register(spec) == GPT2_LABELS
    wrapper = _load(neural_nlp, "gpt2@abc123")
    assert wrapper.tokenizer_special_tokens == ("ġ",)
    assert all(c[2].get("revision") == "abc123" for c in fake_hf.calls)


def test_hf_id_of_a_known_model_maps_to_its_short_id():
    assert models.resolve("EleutherAI/pythia-70m").identifier == "pythia-70m"
    assert models.resolve("distilgpt2").native


def test_local_directory_gets_a_local_identifier(tmp_path):
    spec = models.resolve(str(tmp_path))
    assert spec.source == "local" and spec.identifier.startswith(f"local--{tmp_path.name}--")
    assert "/" not in spec.identifier


def test_special_token_override_is_lower_cased(neural_nlp, fake_hf):
    pool.register(models.resolve("pythia-70m", special_tokens=("Ġ", "</W>")))
    assert _load(neural_nlp, "pythia-70m").tokenizer_special_tokens == ("ġ", "</w>")


def test_non_float32_model_is_refused(neural_nlp, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "transformers", FakeTransformers(dtype_override=FAKE_TORCH.bfloat16))
    monkeypatch.setitem(sys.modules, "torch", FAKE_TORCH)
    pool.register(models.resolve("pythia-70m"))
    with pytest.raises(LegacyError, match="expected float32"):
        _load(neural_nlp, "pythia-70m")


def test_identifier_of_a_neural_nlp_model_is_not_overwritten(neural_nlp, fake_hf):
    with pytest.raises(LegacyError, match="already one of neural-nlp's models"):
        pool.register(models.resolve("pythia-70m", identifier="gpt2-xl"))
    pool.register(models.resolve("pythia-70m"))
    pool.register(models.resolve("pythia-70m"))  # re-registering our own entry is fine


def test_unknown_model_suggests_close_ids():
    with pytest.raises(LegacyError, match="did you mean pythia-70m"):
        models.resolve("pythia70m")


def test_unreachable_config_is_one_actionable_line(neural_nlp, fake_hf):
    with pytest.raises(LegacyError) as info:
        pool.register(models.resolve("org/missing-model"))
    assert "HF_TOKEN" in str(info.value) and "\n" not in str(info.value)


def test_layer_labels_and_family_table():
    assert families.layer_labels("gpt2", 6) == ["drop"] + [f"encoder.h.{k}" for k in range(6)]
    assert families.layer_labels("gemma", 2) == ["embedding", "layer.0", "layer.1"]
    with pytest.raises(LegacyError):
        families.layer_labels("gpt2", 0)
    assert families.special_tokens("gpt_neox") == ("ġ",)
    assert families.special_tokens("gemma") == ("▁",)
    with pytest.raises(LegacyError, match="--special-tokens"):
        families.special_tokens("llama")  # ambiguous without the tokenizer


def test_seed_tokenization_gets_its_own_cache_key_and_adapts_neural_nlp_s_own_gpt2(neural_nlp, fake_hf):
    from repro.legacy import adapters
    spec = models.resolve("gpt2", tokenization="seed")
    assert spec.native and spec.identifier == "gpt2--tokenization-seed"
    assert pool.register(spec) == GPT2_LABELS
    impl = neural_nlp.models.implementations
    assert impl.model_pool["gpt2"] is not impl.model_pool[spec.identifier]  # neural-nlp's entry is untouched
    wrapper = _load(neural_nlp, spec.identifier)
    assert wrapper.identifier == "gpt2--tokenization-seed"  # activations cached apart from paper's
    assert "align_tokens" in vars(wrapper._model_container)
    assert not isinstance(wrapper._model_container.tokenizer, adapters.StrippingTokenizer)
    pool.register(models.resolve("gpt2"))
    paper = _load(neural_nlp, "gpt2")
    assert isinstance(paper._model_container.tokenizer, adapters.StrippingTokenizer)
    with pytest.raises(LegacyError, match="unknown tokenization 'raw'"):
        pool.register(models.resolve("gpt2", tokenization="raw"))
