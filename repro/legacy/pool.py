"""Registers Hugging Face models into neural-nlp's model pool from outside neural-nlp (spec §12).

``neural_nlp.models.implementations.model_pool`` maps an identifier to a lazily evaluated constructor and
``model_layers`` maps it to the layer labels; ``neural_nlp/__init__.py`` re-exports the same dict objects, so
keys added here are visible to ``neural_nlp.score``.
"""

import importlib
import logging
from typing import Dict, List, Optional

from repro.legacy import adapters
from repro.legacy.errors import LegacyError
from repro.legacy.families import layer_labels, special_tokens
from repro.legacy.models import ModelSpec

_log = logging.getLogger(__name__)

# identifier -> what registration and loading learned (config commit, model_type, hidden size, tokens)
LOADED = {}  # type: Dict[str, dict]


def implementations():
    return importlib.import_module("neural_nlp.models.implementations")


def _lazy(impl, constructor):
    # brain-score's LazyLoad: neural_nlp.score's FixedLayer calls model.__getattr__ explicitly, which a plain
    # object does not have; implementations.py imports LazyLoad, so take it from there.
    lazy = getattr(impl, "LazyLoad", None)
    if lazy is None:
        lazy = importlib.import_module("brainscore.utils").LazyLoad
    return lazy(constructor)


def _pretrained_kwargs(spec: ModelSpec) -> dict:
    return {"revision": spec.revision} if spec.revision else {}


def load_config(spec: ModelSpec, transformers=None):
    transformers = transformers or importlib.import_module("transformers")
    try:
        return transformers.AutoConfig.from_pretrained(spec.hf_id, **_pretrained_kwargs(spec))
    except OSError as e:  # hub unreachable, gated (Gemma needs HF_TOKEN) or no such repo
        raise LegacyError("cannot load the config of %s (%s); check the id, HF_TOKEN for gated models, or "
                          "network/HF cache" % (spec.hf_id, str(e).splitlines()[0] if str(e) else type(e).__name__))


def _remember(spec: ModelSpec, config, **more):
    info = LOADED.setdefault(spec.identifier, {})
    info.update(model_type=getattr(config, "model_type", None),
                hidden_size=getattr(config, "hidden_size", None) or spec.hidden_size,
                revision=getattr(config, "_commit_hash", None) or spec.revision)
    info.update(more)


def register(spec: ModelSpec, impl=None, transformers=None, torch=None, config=None) -> List[str]:
    """Put ``spec`` into the pool (neural-nlp's own models get an adapted copy of their entry); return its layers."""
    impl = impl or implementations()
    adapters.check_tokenization(spec.tokenization)
    ours = LOADED.get(spec.identifier, {}).get("pool_entry")
    if spec.native:
        return _register_native(spec, impl, transformers, config, ours)
    if spec.identifier in impl.model_pool and impl.model_pool[spec.identifier] is not ours:
        raise LegacyError("identifier %r is already one of neural-nlp's models; pass another --identifier"
                          % spec.identifier)
    config = config or load_config(spec, transformers)
    layers = layer_labels(config.model_type, config.num_hidden_layers)
    entry = _lazy(impl, lambda: build_wrapper(spec, impl, transformers, torch))
    _remember(spec, config, pool_entry=entry)
    impl.model_pool[spec.identifier] = entry
    impl.model_layers[spec.identifier] = layers
    _log.info("registered %s (%s, %d layers)", spec.identifier, spec.hf_id, len(layers))
    return list(layers)


def _register_native(spec: ModelSpec, impl, transformers, config, ours) -> List[str]:
    base = spec.hf_id  # neural-nlp's own key (NATIVE ids equal their hub ids)
    if base not in impl.model_pool or base not in impl.model_layers:
        raise LegacyError("%s is not in this neural-nlp's model pool; is neural-nlp at the pinned commit?" % base)
    try:  # only for provenance (config commit, hidden size); neural-nlp builds the model itself
        _remember(spec, config or load_config(spec, transformers))
    except LegacyError as e:
        _log.warning("no config for %s: %s", spec.identifier, e)
    if ours is None or impl.model_pool.get(spec.identifier) is not ours:
        # neural-nlp's own entry stays what builds the model; ours adapts what it built
        original = impl.model_pool[base] if ours is None else LOADED[spec.identifier]["native_entry"]
        entry = adapters.adapted_entry(impl, original, spec.tokenization, spec.identifier)
        LOADED.setdefault(spec.identifier, {}).update(pool_entry=entry, native_entry=original)
        impl.model_pool[spec.identifier] = entry
        impl.model_layers[spec.identifier] = impl.model_layers[base]
    return list(impl.model_layers[spec.identifier])


def build_wrapper(spec: ModelSpec, impl=None, transformers=None, torch=None):
    """The constructor behind ``model_pool[identifier]``: float32 base model with hidden states."""
    impl = impl or implementations()
    transformers = transformers or importlib.import_module("transformers")
    torch = torch or importlib.import_module("torch")
    kwargs = _pretrained_kwargs(spec)
    config = load_config(spec, transformers)
    config.output_hidden_states = True
    # the wrapper takes the LAST element of the model output as hidden_states: attentions must stay off
    config.output_attentions = False
    tokenizer = transformers.AutoTokenizer.from_pretrained(spec.hf_id, **kwargs)
    model = transformers.AutoModel.from_pretrained(spec.hf_id, config=config, torch_dtype=torch.float32, **kwargs)
    if getattr(model, "dtype", torch.float32) != torch.float32:  # bf16/fp16 break the wrapper's numpy conversion
        raise LegacyError("%s loaded as %s, expected float32" % (spec.hf_id, model.dtype))
    layers = layer_labels(config.model_type, config.num_hidden_layers)
    registered = impl.model_layers.get(spec.identifier)
    if registered is not None and list(registered) != layers:
        raise LegacyError("%s now has %d layers but was registered with %d; re-run to re-register"
                          % (spec.hf_id, len(layers), len(registered)))
    tokens = special_tokens(config.model_type, tokenizer, spec.special_tokens)
    _remember(spec, config, special_tokens=list(tokens))
    _log.info("loaded %s: %d layers, special tokens %r", spec.identifier, len(layers), tokens)
    wrapper = impl._PytorchTransformerWrapper(
        identifier=spec.identifier, tokenizer=tokenizer, tokenizer_special_tokens=tokens, model=model,
        layers=layers, sentence_average=impl.word_last)
    return adapters.adapt_wrapper(wrapper, spec.tokenization)


def layers_of(identifier: str, impl=None) -> Optional[List[str]]:
    impl = impl or implementations()
    layers = impl.model_layers.get(identifier)
    return list(layers) if layers is not None else None
