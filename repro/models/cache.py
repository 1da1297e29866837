"""Activation cache keyed by model, weights revision, extraction mode, dtype, stimuli and layers.

Entries are npz files in the activations format (no pickle) written atomically under a file lock,
so two jobs sharing a cache on a cluster never see a half-written file or compute it twice.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import activations as act_io
from ..activations import Activations
from ..atomic import file_lock
from ..errors import InputError, ModelError
from .extract import EXTRACTION_VERSION, extract_bsl, extract_legacy
from .loading import LoadedModel, cached_revision, load
from .registry import ModelSpec
from .streams import BslGroup, LegacyStream, fingerprint
from .tokenization import check as check_tokenization

MODES = ("legacy", "bsl")


def default_cache_root() -> Path:
    from ..paths import cache_root

    return cache_root("activations")


@dataclass(frozen=True)
class CacheKey:
    model: str
    revision: str
    mode: str
    dtype: str
    stimuli: str  # streams.fingerprint of the exact texts, ids and stream structure
    layers: tuple[str, ...] | None  # None: every layer
    options: str = "{}"  # JSON of mode options that change values (legacy: the tokenization semantics)
    version: int = EXTRACTION_VERSION

    def as_dict(self) -> dict:
        d = asdict(self)
        d["layers"] = list(self.layers) if self.layers is not None else None
        return d

    def digest(self) -> str:
        return hashlib.sha1(json.dumps(self.as_dict(), sort_keys=True).encode()).hexdigest()


class ActivationCache:
    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else default_cache_root()

    @staticmethod
    def key(spec: ModelSpec, revision: str, mode: str, dtype: str, stimuli: str,
            layers: Sequence[str] | None = None, **options) -> CacheKey:
        if mode not in MODES:
            raise InputError(f"unknown extraction mode {mode!r}; choose one of {', '.join(MODES)}")
        return CacheKey(spec.id, revision, mode, dtype, stimuli, tuple(layers) if layers is not None else None,
                        json.dumps(options, sort_keys=True))

    def path(self, key: CacheKey) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in key.model)[-80:]
        return self.root / safe / f"{key.mode}-{key.digest()}.npz"

    def get(self, key: CacheKey) -> Activations | None:
        p = self.path(key)
        if not p.is_file():
            return None
        try:
            acts = act_io.load(p)
        except InputError:
            return None  # unreadable entry: recompute and overwrite
        if acts.meta.get("cache_key") != key.as_dict():
            return None
        return acts

    def put(self, key: CacheKey, acts: Activations) -> Path:
        p = self.path(key)
        acts.meta["cache_key"] = key.as_dict()
        with file_lock(p):
            act_io.save(acts, p)
        return p


def cached_extract(model: ModelSpec | LoadedModel, mode: str, units: Sequence[LegacyStream] | Sequence[BslGroup],
                   layers: Sequence[str] | None = None, *, cache: ActivationCache | None = None,
                   device: str = "cpu", dtype: str = "float32", batch_size: int = 8, progress: bool = True,
                   tokenization: str = "paper", trust_remote_code: bool = False, offline: bool | None = None) -> Activations:
    """Cached activations, or extract and store them. A ModelSpec is loaded only on a cache miss
    (or when its revision cannot be known without loading: a hub id that is not cached yet)."""
    cache = cache or ActivationCache()
    loaded = model if isinstance(model, LoadedModel) else None
    spec = loaded.spec if loaded else model
    if loaded is not None:
        dtype = loaded.dtype
    revision = loaded.revision if loaded else cached_revision(spec)
    if revision is None:
        loaded = load(spec, device, dtype, trust_remote_code, offline)
        revision = loaded.revision
    options = {"tokenization": check_tokenization(tokenization)} if mode == "legacy" else {}
    key = cache.key(spec, revision, mode, dtype, fingerprint(units), layers, **options)
    hit = cache.get(key)
    if hit is not None:
        hit.meta["cache_hit"] = True
        return hit
    p = cache.path(key)
    with file_lock(p):
        hit = cache.get(key)  # another process may have filled it while we waited
        if hit is not None:
            hit.meta["cache_hit"] = True
            return hit
        if loaded is None:
            loaded = load(spec, device, dtype, trust_remote_code, offline)
        if loaded.revision != revision:
            raise ModelError(f"model {spec.id!r} changed on disk while extracting (revision {revision} -> {loaded.revision}); rerun")
        if mode == "legacy":
            acts = extract_legacy(loaded, units, layers, batch_size, progress, tokenization=tokenization)
        elif mode == "bsl":
            acts = extract_bsl(loaded, units, layers, batch_size, progress)
        else:
            raise InputError(f"unknown extraction mode {mode!r}; choose one of {', '.join(MODES)}")
        acts.meta["cache_key"] = key.as_dict()
        act_io.save(acts, p)
    acts.meta["cache_hit"] = False
    return acts
