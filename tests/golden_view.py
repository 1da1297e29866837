"""The golden fixtures as tests see them: a per-session mirror of ../shared/golden made of symlinks.

Code under test writes next to the data it reads (sha1 ledgers, ``.locks``) wherever a folder is
writable, and root may write wherever it likes whatever the mode bits of ../shared. The mirror's
folders carry no write bits, as the reference copy's, so the code leaves them alone (it checks the
mode bits) and no test depends on what an earlier one left there; a test that must write copies.
``snapshot`` lets conftest check at the end of the session that the real fixtures are untouched.
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
    made = []
    for dirpath, _dirs, files in os.walk(src):
        rel = Path(dirpath).relative_to(src)
        (root / rel).mkdir(parents=True, exist_ok=True)
        made.append(root / rel)
        for f in files:
            (root / rel / f).symlink_to(Path(dirpath) / f)
    for d in made:
        d.chmod(0o555)
    atexit.register(_remove, root.parent, made)
    return root


def _remove(top: Path, dirs: list[Path]) -> None:
    for d in dirs:
        d.chmod(0o755)
    shutil.rmtree(top, True)


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
