"""Load a model spec into a base model (no LM head) + tokenizer, offline-aware."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError, OfflineError
from .registry import ModelSpec

DTYPES = ("float32", "bfloat16", "float16")


@dataclass
class LoadedModel:
    model: object  # torch.nn.Module, eval mode, base model without LM head
    tokenizer: object
    spec: ModelSpec
    revision: str  # hub commit hash, or "local-<sha1>" fingerprint of a folder/file
    config: object
    device: str = "cpu"
    dtype: str = "float32"


def offline_mode() -> bool:
    return any(os.environ.get(v, "").lower() in ("1", "true", "yes", "on") for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ModelError(f"device {device!r} requested but CUDA is not available; use --device cpu")
    return device


def set_threads() -> None:
    """Use every core this process may run on, unless the user pinned a thread count."""
    import torch

    if os.environ.get("OMP_NUM_THREADS") or os.environ.get("REPRO_TORCH_THREADS"):
        n = int(os.environ.get("REPRO_TORCH_THREADS") or os.environ["OMP_NUM_THREADS"])
    else:
        n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    torch.set_num_threads(max(1, n))


def local_fingerprint(folder: str | os.PathLike, gguf_file: str | None = None) -> str:
    """'local-<sha1>' over config/tokenizer files fully and weight files by size + head + tail.

    Hashing multi-GB weights on every run would cost more than a small extraction; size plus the
    first and last MiB change with any re-saved or re-quantised checkpoint.
    """
    folder = Path(folder)
    h = hashlib.sha1()
    files = [folder / gguf_file] if gguf_file else sorted(p for p in folder.iterdir() if p.is_file())
    for p in files:
        if p.name.startswith(".") or p.suffix in (".md", ".lock", ".part"):
            continue
        h.update(p.name.encode() + b"\0" + str(p.stat().st_size).encode() + b"\0")
        with open(p, "rb") as f:
            if p.stat().st_size <= 4 << 20:
                h.update(f.read())
            else:
                h.update(f.read(1 << 20))
                f.seek(-(1 << 20), os.SEEK_END)
                h.update(f.read())
    return "local-" + h.hexdigest()[:16]


def _is_local(spec: ModelSpec, source: str) -> bool:
    return spec.local or spec.package is not None or Path(source).is_dir()


def cached_revision(spec: ModelSpec) -> str | None:
    """The revision a load would use, without loading (None: a hub id that is not cached)."""
    source = spec.source()
    if _is_local(spec, source):
        return local_fingerprint(source, spec.gguf_file)
    try:
        from huggingface_hub import try_to_load_from_cache
        found = try_to_load_from_cache(source, "config.json", revision=spec.revision)
    except Exception:  # noqa: BLE001
        return None
    if isinstance(found, str):
        return Path(found).parent.name  # .../snapshots/<commit>/config.json
    return None


def load(spec: ModelSpec, device: str = "cpu", dtype: str = "float32", trust_remote_code: bool = False,
         offline: bool | None = None) -> LoadedModel:
    """Load the base model (hidden states of every block, no LM head) and its tokenizer.

    ``offline``: None follows HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE. A hub id that is not in the
    local cache then fails with one line instead of a network error.
    """
    import torch
    import transformers

    if dtype not in DTYPES:
        raise ModelError(f"unknown dtype {dtype!r}; choose one of {', '.join(DTYPES)}")
    device = resolve_device(device)
    source = spec.source()
    local = _is_local(spec, source)
    if local and not Path(source).is_dir():
        raise ModelError(f"model folder {source} does not exist")
    offline = offline_mode() if offline is None else offline
    kw: dict = {"trust_remote_code": trust_remote_code}
    if not local:
        kw["revision"] = spec.revision
        kw["local_files_only"] = offline
    if spec.gguf_file:
        kw["gguf_file"] = spec.gguf_file
    if device == "cpu":
        set_threads()
    try:
        tok = transformers.AutoTokenizer.from_pretrained(source, **kw)
        config = transformers.AutoConfig.from_pretrained(source, **kw)
        dkey = "dtype" if _version_tuple(transformers.__version__) >= (4, 56) else "torch_dtype"
        model = transformers.AutoModel.from_pretrained(source, config=config, **{dkey: getattr(torch, dtype)}, **kw)
    except (OSError, ValueError, ImportError) as exc:
        if not local and (offline or _looks_offline(exc)):
            raise OfflineError(
                f"model {spec.id!r} ({source}) is not in the local Hugging Face cache; it needs network access "
                f"to download, or pass a local model folder instead") from exc
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"cannot load model {spec.id!r} from {source}: {msg}") from exc
    model.eval()
    model.to(device)
    if local:
        revision = local_fingerprint(source, spec.gguf_file)
    else:
        revision = getattr(config, "_commit_hash", None) or spec.revision or "unknown"
    if spec.family == "unknown":  # a hub id resolved before its config was cached: settle kind/labels now
        from .registry import _spec_from_config
        spec = _spec_from_config(spec.id, model.config.to_dict(), spec.local, spec.revision)
    return LoadedModel(model, tok, spec, revision, model.config, device, dtype)


def _looks_offline(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(s in text for s in ("offline", "connection", "couldn't connect", "resolve", "network", "local_files_only"))


def _version_tuple(v: str) -> tuple[int, ...]:
    out = []
    for part in v.split(".")[:2]:
        digits = "".join(c for c in part if c.isdigit())
        out.append(int(digits or 0))
    return tuple(out)
