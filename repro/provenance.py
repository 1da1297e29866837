"""Versions and environment facts recorded in every result file."""

from __future__ import annotations

import platform
import sys
from datetime import datetime, timezone
from importlib import metadata

PACKAGES = ("repro", "numpy", "scipy", "scikit-learn", "pandas", "netCDF4", "torch", "transformers", "tokenizers")


def versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def command_line() -> str:
    return " ".join(["repro", *sys.argv[1:]]) if sys.argv and sys.argv[0].endswith("repro") else " ".join(sys.argv)
