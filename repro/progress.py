"""Progress bars that stay quiet with -q, in CI, and when output is not a terminal."""

from __future__ import annotations

import contextlib
import os
import sys


def enabled(quiet: bool = False) -> bool:
    if quiet or os.environ.get("CI") or os.environ.get("REPRO_QUIET"):
        return False
    return sys.stderr.isatty()


@contextlib.contextmanager
def progress_bar(total: int, desc: str, quiet: bool = False):
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=desc, disable=not enabled(quiet), leave=False, file=sys.stderr)
    try:
        yield bar
    finally:
        bar.close()
