"""Local data caches that download on demand and check every file's sha1 on every load.

Where a file's expected sha1 comes from, first match wins:
1. the caller (``fetch(name, expected_sha1=...)``);
2. ``sha1.json`` in the data directory: a user-supplied folder (e.g. the golden ``modern/data``) declares
   its own content, even under the real file names;
3. the built-in table (``BSL_KNOWN_SHA1`` for Brain-Score's files);
4. the folder name in a brainio ``<sha1>/<file>`` cache;
5. the ledger ``.repro-sha1.json`` that records a file's sha1 at first download or first sight (the
   legacy bucket publishes none). A read-only directory gets no ledger and is still loadable.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from pathlib import Path
from urllib.parse import quote, urlsplit

from ..atomic import atomic_write_text, file_lock, sha1_file
from ..errors import ChecksumError, DataError, OfflineError, UnknownIdError
from ..registry import suggest
from .download import check_url, download
from .paths import bsl_data_dir, is_offline, legacy_data_dir, safe_name
from .sources import BSL_KNOWN_SHA1, LEGACY_KEYS, bsl_base_url, legacy_base_url

_log = logging.getLogger(__name__)

MANIFEST_NAME = "sha1.json"
LEDGER_NAME = ".repro-sha1.json"
LOCK_DIR = ".locks"
INCOMING_DIR = ".incoming"  # brainio downloads whose sha1 (hence folder) is known only afterwards
TRIES_ENV = "REPRO_DOWNLOAD_TRIES"
BACKOFF_ENV = "REPRO_DOWNLOAD_BACKOFF"
_SHA1 = re.compile(r"[0-9a-f]{40}")

# hashing a 2 MB file is cheap, but assemblies are loaded many times per run
_HASH_MEMO: dict[tuple[str, int, int, int], str] = {}


def cached_sha1(path: Path) -> str:
    """sha1 of ``path``, memoised per process by (path, size, mtime, inode)."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)
    if key not in _HASH_MEMO:
        _HASH_MEMO[key] = sha1_file(path)
    return _HASH_MEMO[key]


def _dir_writable(path: Path) -> bool:
    # the mode bits as well as access(): running as root, access() says yes to read-only reference copies
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) and os.access(path, os.W_OK)


def _read_json(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read the checksum file {path} ({exc}); fix or delete it") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise DataError(f"checksum file {path} is not a JSON object of file name -> sha1; fix or delete it")
    return {k: v.lower() for k, v in data.items()}


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else default
    except ValueError as exc:
        raise DataError(f"${name}={value!r} is not a number") from exc


class DataStore:
    """A data directory plus the remote folder its missing files come from.

    ``layout='flat'``: ``<root>/<file>`` (neural-nlp's ``~/.neural_nlp``). ``layout='brainio'``:
    ``<root>/<sha1>/<file>`` (Brain-Score's ``~/.brainio``); ``<root>/<file>`` and brainio's older
    ``<root>/<stem>/<file>`` are found too. ``sha1s`` maps every file name handed out to its sha1.
    """

    def __init__(self, root: str | os.PathLike, base_url: str, *, layout: str = "flat",
                 offline: bool | None = None, known: dict[str, str] | None = None, quiet: bool = False,
                 tries: int | None = None, backoff: float | None = None, timeout: float = 60.0):
        if layout not in ("flat", "brainio"):
            raise ValueError(f"layout must be 'flat' or 'brainio', not {layout!r}")
        self.root = Path(root).expanduser()
        self.base_url = base_url.rstrip("/")
        check_url(self.base_url + "/")
        self.allowed_hosts = {urlsplit(self.base_url).hostname.lower()}
        self.layout = layout
        self.offline = is_offline(offline)
        self.known = {k: v.lower() for k, v in (known or {}).items()}
        self.quiet = quiet
        self.tries = int(tries if tries is not None else _env_number(TRIES_ENV, 3))
        self.backoff = float(backoff if backoff is not None else _env_number(BACKOFF_ENV, 0.5))
        self.timeout = timeout
        self.sha1s: dict[str, str] = {}
        self._manifest: dict[str, str] | None = None

    def __repr__(self) -> str:
        return f"DataStore(root={str(self.root)!r}, base_url={self.base_url!r}, layout={self.layout!r}, offline={self.offline})"

    def url(self, name: str) -> str:
        return f"{self.base_url}/{quote(safe_name(name))}"

    # -- where the expected sha1 comes from -------------------------------------------------------
    def manifest(self) -> dict[str, str]:
        if self._manifest is None:
            self._manifest = _read_json(self.root / MANIFEST_NAME)
        return self._manifest

    def ledger(self) -> dict[str, str]:
        return _read_json(self.root / LEDGER_NAME)

    def expected_sha1(self, name: str) -> tuple[str | None, str]:
        """(sha1 or None, where it came from)."""
        if name in self.manifest():
            return self.manifest()[name], f"listed in {self.root / MANIFEST_NAME}"
        if name in self.known:
            return self.known[name], "the registered sha1"
        ledger = self.ledger()
        if name in ledger:
            return ledger[name], f"recorded in {self.root / LEDGER_NAME} when first seen"
        return None, ""

    def _record(self, name: str, sha1: str) -> None:
        if not _dir_writable(self.root):
            return
        ledger_path = self.root / LEDGER_NAME
        try:
            with file_lock(self.root / LOCK_DIR / LEDGER_NAME):
                ledger = self.ledger()
                if ledger.get(name) != sha1:
                    ledger[name] = sha1
                    atomic_write_text(ledger_path, json.dumps(ledger, indent=1, sort_keys=True) + "\n")
        except DataError as exc:  # a cache we may read but not write still loads, only unrecorded
            _log.debug("not recording the sha1 of %s: %s", name, exc)

    # -- lookup --------------------------------------------------------------------------------
    def _locate(self, name: str, expected: str | None) -> tuple[Path | None, str | None]:
        """An existing copy of ``name`` and the sha1 its brainio folder name implies."""
        if self.layout == "brainio":
            if expected and (self.root / expected / name).is_file():
                return self.root / expected / name, expected
            stem_copy = self.root / Path(name).stem / name
            if stem_copy.is_file():
                return stem_copy, None
            if not expected:
                found = [p for p in self.root.glob(f"*/{name}") if _SHA1.fullmatch(p.parent.name)]
                if len(found) == 1:
                    return found[0], found[0].parent.name
        flat = self.root / name
        return (flat, None) if flat.is_file() else (None, None)

    def holds(self, name: str, sha1: str) -> bool:
        """Whether a local copy of ``name`` with this sha1 is here (never downloads or writes)."""
        path, _ = self._locate(name, sha1)
        return path is not None and cached_sha1(path) == sha1

    def _target(self, name: str, expected: str | None) -> Path:
        if self.layout == "brainio":
            return self.root / (expected or INCOMING_DIR) / name
        return self.root / name

    def _verified(self, name: str, path: Path, expected: str | None, source: str) -> Path:
        actual = cached_sha1(path)
        if expected is None:
            self._record(name, actual)
        elif actual != expected:
            raise ChecksumError(
                f"{path} has sha1 {actual} but {expected} is expected ({source}); the file is corrupt or "
                "a different version: delete it and run again to download it anew"
            )
        self.sha1s[name] = actual
        return path

    def _ensure_writable(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataError(f"cannot create the data directory {self.root} ({exc.strerror}); "
                            "point --data-dir at a writable folder") from exc
        if not _dir_writable(self.root):
            raise DataError(f"cannot write to {self.root} (read-only or permission denied); "
                            "point --data-dir at a writable folder")

    # -- the one public operation ---------------------------------------------------------------
    def fetch(self, name: str, expected_sha1: str | None = None) -> Path:
        """Path of a verified local copy of ``name``, downloading it first if it is missing."""
        safe_name(name)
        if expected_sha1:
            expected, source = expected_sha1.lower(), "given by the caller"
        else:
            expected, source = self.expected_sha1(name)
        path, implied = self._locate(name, expected)
        if path is not None:
            if expected is None and implied:
                expected, source = implied, "the name of its brainio cache folder"
            return self._verified(name, path, expected, source)
        if self.offline:
            raise OfflineError(f"{name} is not in {self.root} and downloads are off (offline mode); "
                               f"download {self.url(name)} into {self.root}, or drop --offline / unset $REPRO_OFFLINE")
        self._ensure_writable()
        with file_lock(self.root / LOCK_DIR / name):
            path, implied = self._locate(name, expected)  # another process may have fetched it meanwhile
            if path is not None:
                if expected is None and implied:
                    expected, source = implied, "the name of its brainio cache folder"
                return self._verified(name, path, expected, source)
            dest = self._target(name, expected)
            sha1 = download(self.url(name), dest, expected, tries=self.tries, backoff=self.backoff,
                            timeout=self.timeout, quiet=self.quiet, allowed_hosts=self.allowed_hosts)
            if self.layout == "brainio" and not expected:
                final = self.root / sha1 / name
                try:
                    final.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(dest, final)
                except OSError as exc:
                    dest.unlink(missing_ok=True)
                    raise DataError(f"cannot move {dest} to {final} ({exc.strerror}); "
                                    "point --data-dir at a writable folder") from exc
                dest = final
            elif not expected:
                self._record(name, sha1)
        self.sha1s[name] = sha1
        return dest


def legacy_store(data_dir: str | os.PathLike | None = None, offline: bool | None = None, quiet: bool = False,
                 **kwargs) -> DataStore:
    """neural-nlp's flat cache (``~/.neural_nlp`` unless told otherwise) backed by its public bucket."""
    return DataStore(legacy_data_dir(data_dir), legacy_base_url(), layout="flat", offline=offline,
                     quiet=quiet, **kwargs)


def bsl_store(data_dir: str | os.PathLike | None = None, offline: bool | None = None, quiet: bool = False,
              **kwargs) -> DataStore:
    """Brain-Score's ``<sha1>/<file>`` cache (``~/.brainio`` unless told otherwise) with the registered sha1s."""
    kwargs.setdefault("known", BSL_KNOWN_SHA1)
    return DataStore(bsl_data_dir(data_dir), bsl_base_url(), layout="brainio", offline=offline,
                     quiet=quiet, **kwargs)


def nested_files(path: Path) -> list[str]:
    """File names referenced as ``s3:<file>`` by a legacy netCDF file's attributes (any variable or global)."""
    import netCDF4  # only the legacy path needs it; keep `import repro.data.store` light

    try:
        with netCDF4.Dataset(path) as ds:
            holders = [ds, *ds.variables.values()]
            values = [h.getncattr(a) for h in holders for a in h.ncattrs()]
    except OSError as exc:
        raise DataError(f"{path} is not a readable netCDF file ({exc}); delete it and run again to re-download") from exc
    names = []
    for value in values:
        if isinstance(value, str) and value.startswith("s3:"):
            names.append(safe_name(value[3:], origin=path.name))
    return names


def fetch_legacy(key: str, data_dir: str | os.PathLike | None = None, offline: bool | None = None,
                 quiet: bool = False, *, store: DataStore | None = None) -> Path:
    """``<key>.nc`` and, recursively, every file its attributes reference; returns the path of ``<key>.nc``.

    Pass ``store`` to collect provenance: ``store.sha1s`` then lists every file touched with its sha1.
    """
    store = store or legacy_store(data_dir, offline, quiet)
    top = safe_name(f"{key}.nc", origin="the legacy data key")
    top_path = store.fetch(top)
    pending, seen = [top_path], {top}
    while pending:
        for ref in nested_files(pending.pop(0)):
            if ref not in seen:
                seen.add(ref)
                path = store.fetch(ref)
                if ref.endswith(".nc"):
                    pending.append(path)
    return top_path


def fetch_legacy_dataset(data_key: str, data_dir: str | os.PathLike | None = None, offline: bool | None = None,
                         quiet: bool = False, *, store: DataStore | None = None) -> dict[str, Path]:
    """All top-level files of a benchmark's data key (``LEGACY_KEYS``), e.g. the assembly and its ceiling."""
    if data_key not in LEGACY_KEYS:
        choices = suggest(data_key, list(LEGACY_KEYS)) or list(LEGACY_KEYS)
        raise UnknownIdError(f"unknown legacy data key {data_key!r}; did you mean {', '.join(map(repr, choices))}?")
    store = store or legacy_store(data_dir, offline, quiet)
    return {key: fetch_legacy(key, store=store) for key in LEGACY_KEYS[data_key]}


def fetch_bsl(filename: str, data_dir: str | os.PathLike | None = None, offline: bool | None = None,
              quiet: bool = False, *, store: DataStore | None = None, sha1: str | None = None) -> Path:
    """One Brain-Score Language file (``assy_*.nc`` or ``ceiling_*.nc``), sha1-checked."""
    store = store or bsl_store(data_dir, offline, quiet)
    return store.fetch(filename, sha1)
