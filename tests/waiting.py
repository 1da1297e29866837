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
