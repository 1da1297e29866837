"""Activations on disk: the npz format of the golden fixtures, without pickle.

An activations file holds ``stimulus_id`` (unicode or int64), one float32 (or float64) array
``[stimulus, feature]`` per layer (in layer order), optionally ``context_tokens``, and optionally
``__meta__`` (a 0-d unicode array with JSON: model id, revision, extraction mode, ...).
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .atomic import atomic_write_bytes, sha1_file
from .errors import InputError

RESERVED = ("stimulus_id", "context_tokens", "__meta__")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def npz_bytes(arrays: dict[str, np.ndarray], compress: bool = False) -> bytes:
    """np.savez's format, but equal arrays give equal bytes: np.savez stamps each member with the clock."""
    import zipfile

    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method, allowZip64=True) as zf:
        for name, arr in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=_ZIP_EPOCH)
            info.compress_type = method
            with zf.open(info, "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.asanyarray(arr), allow_pickle=False)
    return buf.getvalue()


@dataclass
class Activations:
    stimulus_id: np.ndarray
    layers: dict[str, np.ndarray]  # insertion order = model layer order
    meta: dict = field(default_factory=dict)
    context_tokens: np.ndarray | None = None
    sha1: str | None = None
    coords: dict = field(default_factory=dict)  # extra per-stimulus arrays found in a file (not layers)

    def __post_init__(self):
        n = len(self.stimulus_id)
        for name, arr in self.layers.items():
            if arr.ndim != 2 or arr.shape[0] != n:
                raise InputError(f"layer {name!r} has shape {arr.shape}; expected [{n} stimuli, features]")

    @property
    def layer_names(self) -> list[str]:
        return list(self.layers)

    def subset_layers(self, names: list[str]) -> Activations:
        from .registry import suggest

        missing = [n for n in names if n not in self.layers]
        if missing:
            hint = suggest(missing[0], self.layer_names)
            extra = f"; did you mean {hint[0]!r}?" if hint else ""
            raise InputError(f"unknown layer {missing[0]!r}{extra} (available: {', '.join(self.layer_names)})")
        return Activations(self.stimulus_id, {n: self.layers[n] for n in names}, dict(self.meta),
                           self.context_tokens, self.sha1, dict(self.coords))

    def check_finite(self) -> None:
        for name, arr in self.layers.items():
            if not np.isfinite(arr).all():
                bad = int((~np.isfinite(arr)).any(axis=1).sum())
                raise InputError(f"layer {name!r} has NaN/inf values in {bad} stimuli; fix the activations (or run the model in float32)")


def save(acts: Activations, path: str | os.PathLike) -> str:
    """Write atomically; return the file's sha1."""
    sid = np.asarray(acts.stimulus_id)
    # object ids would need pickle, which load() refuses
    arrays: dict[str, np.ndarray] = {"stimulus_id": sid.astype(str) if sid.dtype == object else sid}
    for name, arr in acts.layers.items():
        if name in RESERVED:
            raise InputError(f"layer name {name!r} is reserved")
        arrays[name] = np.ascontiguousarray(arr, dtype=np.float64 if np.asarray(arr).dtype == np.float64 else np.float32)
    if acts.context_tokens is not None:
        arrays["context_tokens"] = np.asarray(acts.context_tokens, dtype=np.int64)
    if acts.meta:
        arrays["__meta__"] = np.array(json.dumps(acts.meta, sort_keys=True))
    atomic_write_bytes(path, npz_bytes(arrays))
    return sha1_file(path)


def load(path: str | os.PathLike) -> Activations:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"activations file {path} does not exist")
    try:
        with np.load(path, allow_pickle=False) as z:
            names = list(z.files)
            if "stimulus_id" not in names:
                raise InputError(f"{path} has no 'stimulus_id' array; expected the golden activations format (stimulus_id + one array per layer)")
            sid = z["stimulus_id"]
            layers, coords = {}, {}
            for n in names:
                if n in RESERVED:
                    continue
                a = z[n]
                # 1-d arrays along the stimuli (context strings, part numbers...) are coordinates
                (coords if a.ndim == 1 and len(a) == len(sid) else layers)[n] = a
            ctx = z["context_tokens"] if "context_tokens" in names else None
            meta = json.loads(str(z["__meta__"])) if "__meta__" in names else {}
    except (ValueError, OSError) as exc:  # includes "Object arrays cannot be loaded when allow_pickle=False"
        raise InputError(f"cannot read activations {path}: {exc}") from exc
    if not layers:
        raise InputError(f"{path} holds no layer arrays")
    for n, a in layers.items():
        if a.dtype.kind != "f":
            raise InputError(f"layer {n!r} in {path} has dtype {a.dtype}; expected float")
        # float64 stays float64: scikit-learn fits float64 features in float64, so the exact solvers
        # must see them as given (a float32 cast moves p > n answers by ~1e-3)
        layers[n] = a if a.dtype == np.float64 else a.astype(np.float32, copy=False)
    return Activations(sid, layers, meta, ctx, sha1_file(path), coords)


def content_sha1(acts: Activations) -> str:
    """sha1 of ids, layer names and values: equal for equal activations, whatever the file. float64
    layers are hashed with their dtype, so they never share a cache entry with their float32 rounding."""
    import hashlib

    h = hashlib.sha1()
    h.update(np.asarray(acts.stimulus_id).astype(str).tobytes())
    for name, arr in acts.layers.items():
        h.update(name.encode())
        if np.asarray(arr).dtype == np.float64:
            h.update(b"float64")
            h.update(np.ascontiguousarray(arr).tobytes())
        else:
            h.update(np.ascontiguousarray(arr, dtype=np.float32).tobytes())
    return h.hexdigest()
