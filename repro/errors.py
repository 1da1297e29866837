"""One exception family whose message is a single actionable line.

The CLI prints ``error: <message>`` and exits with status 2 for any ``ReproError``;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class ReproError(Exception):
    """Base class: the message must fit on one line and say what to do."""

    exit_code = 2

    def __str__(self) -> str:  # keep it to one line even if a caller passed newlines
        return " ".join(str(a) for a in self.args).replace("\n", " ")


class UnknownIdError(ReproError, KeyError):
    """An unknown model, benchmark, layer or table id (the message carries suggestions)."""


class DataError(ReproError):
    """Missing, corrupt or inconsistent data files."""


class OfflineError(DataError):
    """A file is not cached and downloads are switched off."""


class ChecksumError(DataError):
    """A file's sha1 does not match the recorded one."""


class InputError(ReproError):
    """User-supplied input (activations, stimuli, options) is unusable."""


class ModelError(ReproError):
    """A model cannot be loaded or run."""


class EngineError(ReproError):
    """An engine (e.g. the Docker-based legacy engine) is not reachable or failed."""
