"""Which models the legacy engine knows, and how a ``--model`` argument becomes a pool identifier."""

import difflib
import hashlib
import os
from typing import Dict, NamedTuple, Optional, Tuple

from repro.legacy.errors import LegacyError


class Known(NamedTuple):
    hf_id: str
    num_hidden_layers: int
    hidden_size: int


# Already in neural-nlp's own pool (neural-nlp builds them; their labels are drop, encoder.h.k).
NATIVE = {
    "gpt2": Known("gpt2", 12, 768),
    "gpt2-medium": Known("gpt2-medium", 24, 1024),
    "gpt2-large": Known("gpt2-large", 36, 1280),
    "gpt2-xl": Known("gpt2-xl", 48, 1600),
    "distilgpt2": Known("distilgpt2", 6, 768),
}  # type: Dict[str, Known]

# Added by repro.legacy (layer counts checked against the config when the model loads).
REGISTERED = {
    "pythia-70m": Known("EleutherAI/pythia-70m", 6, 512),
    "smollm2-135m": Known("HuggingFaceTB/SmolLM2-135M", 30, 576),
    "gemma-2b": Known("google/gemma-2b", 18, 2048),
}  # type: Dict[str, Known]


class ModelSpec(NamedTuple):
    identifier: str  # key in model_pool / model_layers; also the cache key of neural-nlp's score
    hf_id: str  # hub id or local directory
    source: str  # "hf" | "local"
    native: bool  # built by neural-nlp itself (not registered by us)
    revision: Optional[str] = None
    special_tokens: Optional[Tuple[str, ...]] = None  # None: decided per family when the model loads
    hidden_size: Optional[int] = None
    tokenization: str = "paper"  # repro.legacy.adapters.TOKENIZATIONS


def _slug(text: str) -> str:
    # result_caching and the activation cache put identifiers into file names
    return text.replace(os.sep, "--").replace("/", "--")


def resolve(model: str, revision: Optional[str] = None, identifier: Optional[str] = None,
            special_tokens: Optional[Tuple[str, ...]] = None, tokenization: str = "paper") -> ModelSpec:
    spec = _resolve(model, revision, identifier, special_tokens)
    if tokenization != "paper":
        # neural-nlp caches activations and scores by identifier: other semantics need their own keys
        spec = spec._replace(tokenization=tokenization,
                             identifier=identifier or "%s--tokenization-%s" % (spec.identifier, tokenization))
    return spec


def _resolve(model: str, revision: Optional[str], identifier: Optional[str],
             special_tokens: Optional[Tuple[str, ...]]) -> ModelSpec:
    """Map a short id, a hub id or a local directory to the pool entry it scores as."""
    by_hf = {k.hf_id: name for name, k in list(NATIVE.items()) + list(REGISTERED.items())}
    name = by_hf.get(model, model)
    if name in NATIVE and revision is None and special_tokens is None and identifier in (None, name):
        k = NATIVE[name]
        return ModelSpec(name, k.hf_id, "hf", True, None, None, k.hidden_size)
    if name in NATIVE or name in REGISTERED:
        k = NATIVE.get(name) or REGISTERED[name]
        spec = ModelSpec(name, k.hf_id, "hf", False, revision, special_tokens, k.hidden_size)
    elif os.path.isdir(model):
        path = os.path.abspath(model)
        # the directory name alone could collide between two checkouts; the path hash keeps caches apart
        tag = hashlib.sha1(path.encode("utf-8")).hexdigest()[:8]
        spec = ModelSpec("local--%s--%s" % (_slug(os.path.basename(path)), tag), path, "local", False,
                         revision, special_tokens)
    elif "/" in model and not model.startswith((".", "/")):
        spec = ModelSpec(_slug(model), model, "hf", False, revision, special_tokens)
    else:
        choices = sorted(list(NATIVE) + list(REGISTERED))
        close = difflib.get_close_matches(model, choices, n=3)
        hint = ("did you mean %s? " % ", ".join(close)) if close else ""
        raise LegacyError("unknown model %r: %sknown ids are %s, or give a Hugging Face id (org/name) or a "
                          "local model directory" % (model, hint, ", ".join(choices)))
    if revision:
        spec = spec._replace(identifier="%s@%s" % (spec.identifier, revision))
    if identifier:
        spec = spec._replace(identifier=identifier)
    return spec
