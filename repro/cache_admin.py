"""``repro cache ls|clear``: what the caches hold, and removing it (all, or one model's activations).

Layout (roots from repro.paths; see repro.models.cache and repro.ceiling_cache): ``<base>/activations/<model>/<mode>-<key>.npz``,
``<base>/ceilings/ceiling-<key>.{json,npz}``, with ``<base>`` = --cache-dir, $REPRO_CACHE_DIR or
~/.cache/repro; the legacy engine's cache is $REPRO_LEGACY_CACHE or ``<base>/legacy``. Data files
(~/.neural_nlp, ~/.brainio) are never touched: they are checksummed downloads, not caches of our results.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .paths import CACHE_KINDS, cache_root

KINDS = CACHE_KINDS


def cache_roots(cache_dir: str | os.PathLike | None = None) -> dict[str, Path]:
    return {kind: cache_root(kind, cache_dir) for kind in KINDS}


@dataclass
class Entry:
    kind: str  # activations | ceilings | legacy
    name: str  # model folder (activations), or the file/folder name
    path: Path
    bytes: int
    files: int


def _size(path: Path) -> tuple[int, int]:
    if path.is_file():
        return path.stat().st_size, 1
    from .doctor import dir_size

    return dir_size(path)


def _model_dir_names(model: str) -> set[str]:
    """Folder names the activation cache may use for ``model`` (registered id, alias or path)."""
    names = {model}
    try:
        from .models.registry import MODELS

        if model in MODELS:
            names.add(MODELS.resolve(model)[0])
    except ImportError:  # pragma: no cover
        pass
    if Path(model).expanduser().exists():
        names.add(str(Path(model).expanduser().resolve()))
    return {"".join(c if c.isalnum() or c in "-_." else "_" for c in n)[-80:] for n in names}


def list_entries(cache_dir: str | os.PathLike | None = None, model: str | None = None) -> list[Entry]:
    """One entry per cached model (activations), plus the ceilings and legacy caches when no model is given."""
    roots = cache_roots(cache_dir)
    out = []
    wanted = _model_dir_names(model) if model else None
    act = roots["activations"]
    if act.is_dir():
        for d in sorted(p for p in act.iterdir() if p.is_dir() and not p.name.startswith(".")):
            if wanted is None or d.name in wanted:
                out.append(Entry("activations", d.name, d, *_size(d)))
    if model is None:
        for kind in ("ceilings", "legacy"):
            if roots[kind].is_dir():
                out.append(Entry(kind, roots[kind].name, roots[kind], *_size(roots[kind])))
    return out


def clear(cache_dir: str | os.PathLike | None = None, model: str | None = None, kinds=KINDS,
          dry_run: bool = False) -> list[Entry]:
    """Delete one model's cached activations, or whole caches of the given kinds; returns what was removed."""
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise InputError(f"unknown cache kind {bad[0]!r}; choose from {', '.join(KINDS)}")
    entries = [e for e in list_entries(cache_dir, model) if e.kind in kinds]
    if model is not None and not entries:
        raise InputError(f"no cached activations for model {model!r} (`repro cache ls` lists the cached models)")
    if not dry_run:
        for e in entries:
            if e.path.is_dir():
                shutil.rmtree(e.path)
            else:
                e.path.unlink(missing_ok=True)
    return entries
