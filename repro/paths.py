"""Where repro's own caches live, and how free text becomes a file name (one home for both).

Precedence, as for the data folders (``repro.data.paths``): explicit argument > environment > default.
``<base>`` = --cache-dir, $REPRO_CACHE_DIR or ~/.cache/repro; below it ``activations/`` and
``ceilings/``; the legacy engine's caches at $REPRO_LEGACY_CACHE or ``<base>/legacy``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

CACHE_ENV = "REPRO_CACHE_DIR"
LEGACY_CACHE_ENV = "REPRO_LEGACY_CACHE"
CACHE_KINDS = ("activations", "ceilings", "legacy")


def cache_base(cache_dir: str | os.PathLike | None = None) -> Path:
    if cache_dir is not None and str(cache_dir) != "":
        return Path(cache_dir).expanduser()
    return Path(os.environ.get(CACHE_ENV, "").strip() or "~/.cache/repro").expanduser()


def cache_root(kind: str, cache_dir: str | os.PathLike | None = None) -> Path:
    """The folder of one cache kind (activations | ceilings | legacy)."""
    if kind not in CACHE_KINDS:
        raise ValueError(f"cache kind must be one of {', '.join(CACHE_KINDS)}, not {kind!r}")
    if kind == "legacy" and not cache_dir:
        env = os.environ.get(LEGACY_CACHE_ENV, "").strip()
        if env:
            return Path(env).expanduser()
    return cache_base(cache_dir) / kind


def slug(text: str, fill: str = "_", default: str = "x", limit: int | None = None, keep: str = "._-") -> str:
    """``text`` as one portable file-name component: runs of anything but ASCII letters, digits and
    ``keep`` become ``fill``; never empty, never a leading dot."""
    out = re.sub(f"[^A-Za-z0-9{re.escape(keep)}]+", fill, str(text)).strip("._" + fill)
    return (out[:limit] if limit else out) or default
