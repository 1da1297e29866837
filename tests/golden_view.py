"""The golden fixtures as tests see them: a per-session mirror of ../shared/golden made of symlinks.

Code under test writes next to the data it reads (sha1 ledgers, ``.locks``) wherever a folder is
writable; a mirror keeps those writes in a temporary folder, so no test can ever write into the
fixtures, whatever the mode bits of ../shared (root ignores them). ``snapshot`` lets conftest check
at the end of the session that the real fixtures are untouched.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

SOURCE = (Path(__file__).resolve().parents[1] / ".." / "shared" / "golden").resolve()


def _mirror(src: Path) -> Path:
    root = Path(tempfile.mkdtemp(prefix="repro-golden-")) / "golden"
    for dirpath, _dirs, files in os.walk(src):
        rel = Path(dirpath).relative_to(src)
        (root / rel).mkdir(parents=True, exist_ok=True)
        for f in files:
            (root / rel / f).symlink_to(Path(dirpath) / f)
    atexit.register(shutil.rmtree, root.parent, True)
    return root


def snapshot(src: Path = SOURCE) -> dict[str, tuple[int, int]]:
    """relative path -> (size, mtime_ns) of every entry under ``src``."""
    out = {}
    for dirpath, dirs, files in os.walk(src):
        for name in dirs + files:
            p = Path(dirpath) / name
            st = p.lstat()
            out[str(p.relative_to(src))] = (st.st_size if p.is_file() else 0, st.st_mtime_ns if p.is_file() else 0)
    return out


GOLDEN = _mirror(SOURCE) if SOURCE.is_dir() else SOURCE
