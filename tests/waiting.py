"""Polling helpers for tests that watch other processes (importable: pytest puts tests/ on sys.path)."""

from __future__ import annotations

import time
from pathlib import Path


def wait_for_text(path: Path, text: str, timeout: float = 120.0) -> None:
    """Until ``text`` appears in the file at ``path`` (a job's log), or fail after ``timeout`` s."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.exists() and text in path.read_text():
            return
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared in {path}")


class HoldWhileExists:
    """A sweep ``after_extract`` callback: the job waits while ``path`` exists, so a test can pre-empt
    it at a known point. Jobs cannot import this module: ``by_value`` ships it inside the pickle."""

    def __init__(self, path: Path, limit_s: float = 600.0):
        self.path, self.limit_s = Path(path), limit_s

    def __call__(self, cell) -> None:
        end = time.monotonic() + self.limit_s
        while self.path.exists() and time.monotonic() < end:
            time.sleep(0.1)

    @staticmethod
    def by_value() -> None:
        import sys

        import cloudpickle

        cloudpickle.register_pickle_by_value(sys.modules[__name__])
