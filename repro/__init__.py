"""repro: reproducible, fast scoring of language models against brain recordings.

This file must stay importable on Python 3.8 (``repro.legacy`` runs inside the archival
container); the API is loaded lazily.
"""

__version__ = "0.1.0"

_API = ("score", "extract", "reproduce", "report", "sweep", "compare", "ScoreConfig")


# function -> the module that defines it; no module shares a function's name, so importing a
# submodule never hides a function of the package
_HOMES = {"score": "api", "extract": "api", "ScoreConfig": "api", "reproduce": "reproduction",
          "report": "reporting", "sweep": "sweeps", "compare": "stats.compare"}


def __getattr__(name):
    import importlib

    if name in _HOMES:
        return getattr(importlib.import_module("." + _HOMES[name], __name__), name)
    raise AttributeError(f"module 'repro' has no attribute {name!r}")


__all__ = list(_API)
