"""Where the data caches live, and which file names are safe to put in them.

Precedence for every setting (as in nilearn): explicit argument > environment variable > default.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import DataError

LEGACY_HOME_ENV = "REPRO_NEURAL_NLP_HOME"
BSL_HOME_ENV = "BRAINIO_HOME"
OFFLINE_ENV = "REPRO_OFFLINE"

_TRUE = {"1", "true", "yes", "on"}
# a single path component made of the characters the real bucket keys use; nothing a data file
# names (the `s3:` attribute values) may climb out of the cache with
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+=-]*")


def _pick(data_dir: str | os.PathLike | None, env: str, default: str) -> Path:
    if data_dir is not None and str(data_dir) != "":
        return Path(data_dir).expanduser()
    value = os.environ.get(env, "").strip()
    return Path(value or default).expanduser()


def legacy_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """neural-nlp's cache, flat layout ``<dir>/<file>``: argument > $REPRO_NEURAL_NLP_HOME > ~/.neural_nlp."""
    return _pick(data_dir, LEGACY_HOME_ENV, "~/.neural_nlp")


def bsl_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """brainio's cache, layout ``<dir>/<sha1>/<file>``: argument > $BRAINIO_HOME > ~/.brainio."""
    return _pick(data_dir, BSL_HOME_ENV, "~/.brainio")


def is_offline(offline: bool | None = None) -> bool:
    """Argument > $REPRO_OFFLINE in {1, true, yes, on} (case-insensitive)."""
    if offline is not None:
        return bool(offline)
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in _TRUE


def safe_name(name: str, origin: str = "") -> str:
    """Return ``name`` if it is one plain file name; otherwise raise DataError (never a path)."""
    where = f" (named in {origin})" if origin else ""
    if not isinstance(name, str) or not _SAFE_NAME.fullmatch(name) or ".." in name:
        raise DataError(
            f"refusing unsafe data file name {name!r}{where}: only a plain file name without '/', '\\', '..' "
            "or a drive is allowed; the data file is corrupt or was tampered with, delete it and re-download"
        )
    return name
