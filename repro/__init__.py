"""repro: reproducible, fast scoring of language models against brain recordings.

This file must stay importable on Python 3.8 (``repro.legacy`` runs inside the archival
container); the API is loaded lazily.
"""

__version__ = "0.1.0"

_API = ("score", "extract", "reproduce", "report", "sweep", "compare", "ScoreConfig")


def __getattr__(name):
    # ``import repro.reproduce`` binds the submodule as an attribute; the modules themselves are
    # therefore callable, and the functions are looked up here for the plain ``repro.reproduce(...)``.
    import importlib

    if name in ("score", "extract", "ScoreConfig"):
        return getattr(importlib.import_module(".api", __name__), name)
    if name == "compare":
        return importlib.import_module(".stats.compare", __name__).compare
    if name in ("reproduce", "report", "sweep"):
        return getattr(importlib.import_module("." + name, __name__), name)
    raise AttributeError(f"module 'repro' has no attribute {name!r}")


__all__ = list(_API)
