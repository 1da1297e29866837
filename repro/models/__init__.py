"""Model side: registry, loading, legacy and Brain-Score Language extraction, activation cache."""

from .cache import ActivationCache, cached_extract, default_cache_root
from .extract import extract_bsl, extract_legacy, prepare_context
from .loading import LoadedModel, load
from .registry import MODELS, ModelSpec, bsl_layer_names, legacy_layer_labels, resolve_model
from .streams import BslGroup, LegacyStream, bsl_groups, legacy_streams, legacy_word_streams

__all__ = [
    "MODELS", "ActivationCache", "BslGroup", "LegacyStream", "LoadedModel", "ModelSpec", "bsl_groups",
    "bsl_layer_names", "cached_extract", "default_cache_root", "extract_bsl", "extract_legacy", "legacy_layer_labels",
    "legacy_streams", "legacy_word_streams", "load", "prepare_context", "resolve_model",
]
