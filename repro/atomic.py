"""Atomic file writes, checksums and inter-process locks.

Every file repro leaves behind is written to ``<name>.part`` in the same directory, flushed,
fsynced and renamed into place, so a killed process never leaves a half-written file under the
final name; a reader either sees the old file or the complete new one.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import DataError


def sha1_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha1_bytes(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def _writable_error(path: Path, exc: OSError) -> DataError:
    if exc.errno == errno.ENOSPC:
        return DataError(f"no space left on the device holding {path.parent}; free space or point --data-dir/--cache-dir elsewhere")
    if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
        return DataError(f"cannot write to {path.parent} (read-only or permission denied); point --data-dir/--cache-dir at a writable folder")
    return DataError(f"cannot write {path}: {exc.strerror or exc}")


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike, mode: str = "wb") -> Iterator:
    """Open ``path.part`` for writing; on success fsync and rename it to ``path``."""
    path = Path(path)
    part = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        f = open(part, mode)
    except OSError as exc:
        raise _writable_error(path, exc) from exc
    try:
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(part, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            part.unlink()
        raise _writable_error(path, exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            part.unlink()
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_writer(path, "wb") as f:
        f.write(data)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def file_lock(path: str | os.PathLike, timeout: float = 3600.0) -> Iterator[None]:
    """Hold an exclusive lock on ``path.lock`` (shared caches on clusters: two jobs, one writer)."""
    path = Path(path)
    lock_path = path.with_name(path.name + ".lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(lock_path), timeout=timeout)
        lock.acquire()
    except Timeout as exc:
        raise DataError(f"timed out after {timeout:.0f}s waiting for the lock {lock_path}; another repro process holds it (delete the file if none runs)") from exc
    except OSError as exc:
        raise _writable_error(lock_path, exc) from exc
    try:
        yield
    finally:
        lock.release()
