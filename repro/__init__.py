"""repro: reproducible, fast scoring of language models against brain recordings.

This file must stay importable on Python 3.8 (``repro.legacy`` runs inside the archival
container); the API is loaded lazily.
"""

__version__ = "0.1.0"

_API = ("score", "extract", "reproduce", "report", "sweep", "ScoreConfig")


def __getattr__(name):
    if name in ("score", "extract", "ScoreConfig"):
        from . import api

        return getattr(api, name)
    if name == "reproduce":
        from .reproduce import reproduce

        return reproduce
    if name == "report":
        from .report import report

        return report
    if name == "sweep":
        from .sweep import sweep

        return sweep
    raise AttributeError(f"module 'repro' has no attribute {name!r}")


__all__ = list(_API)
