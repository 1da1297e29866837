"""One HTTPS transfer into a file, atomically, with retries and a sha1 check.

Plain ``urllib`` is enough here: the buckets are public (anonymous GETs), and keeping the transfer in
the standard library adds no dependency to the pinned environments.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import time
import urllib.error
import urllib.request
from collections.abc import Collection
from pathlib import Path
from urllib.parse import urlsplit

from tqdm.auto import tqdm

from ..atomic import atomic_writer
from ..errors import ChecksumError, DataError
from ..progress import enabled as progress_enabled

_CHUNK = 1 << 16
_RETRY_STATUS = {408, 429}  # plus every 5xx


class _Transient(Exception):
    """A failure worth another try (5xx, dropped or short connection); never leaves this module."""


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, allowed_hosts: Collection[str] | None = None) -> None:
    """Raise DataError unless ``url`` is https (http only for loopback) and, if given, on an allowed host."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host)):
        pass
    else:
        raise DataError(f"refusing to download {url}: only https:// URLs are allowed (plain http only for 127.0.0.1/localhost)")
    if not host:
        raise DataError(f"refusing to download {url}: the URL has no host")
    if allowed_hosts is not None and host not in {h.lower() for h in allowed_hosts}:
        raise DataError(f"refusing to download {url}: host {host} is not one of the configured data hosts ({', '.join(sorted(allowed_hosts))})")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    # a redirect must not carry the download to another host or down to plain http
    def __init__(self, allowed_hosts: Collection[str] | None):
        self.allowed_hosts = allowed_hosts

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_url(newurl, self.allowed_hosts)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(url: str, allowed_hosts: Collection[str] | None) -> urllib.request.OpenerDirector:
    handlers: list = [_CheckedRedirects(allowed_hosts)]
    if is_loopback(urlsplit(url).hostname):
        handlers.append(urllib.request.ProxyHandler({}))  # a proxy must never see loopback test traffic
    return urllib.request.build_opener(*handlers)


def _attempt(url: str, dest: Path, expected_sha1: str | None, timeout: float, quiet: bool,
             allowed_hosts: Collection[str] | None) -> str:
    request = urllib.request.Request(url, headers={"User-Agent": "repro-data/1", "Accept-Encoding": "identity"})
    try:
        response = _opener(url, allowed_hosts).open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code >= 500 or exc.code in _RETRY_STATUS:
            raise _Transient(f"HTTP {exc.code}") from exc
        if exc.code == 404:
            raise DataError(f"{url} does not exist (HTTP 404); check the file name and the data URL setting") from exc
        if exc.code == 403:
            raise DataError(f"access to {url} was denied (HTTP 403): the bucket may no longer be public; "
                            f"get {dest.name} elsewhere and put it into {dest.parent}, then use --offline") from exc
        raise DataError(f"downloading {url} failed with HTTP {exc.code} {exc.reason}") from exc
    except (OSError, http.client.HTTPException) as exc:  # URLError, refused, reset, timeout
        raise _Transient(getattr(exc, "reason", None) or str(exc) or type(exc).__name__) from exc

    with response:
        try:
            total = int(response.headers.get("Content-Length", ""))
        except ValueError:
            total = None
        digest = hashlib.sha1()
        received = 0
        show = progress_enabled(quiet)  # off with -q, $REPRO_QUIET, $CI or a non-terminal stderr
        with atomic_writer(dest) as f, tqdm(total=total, unit="B", unit_scale=True, desc=dest.name,
                                             disable=not show, leave=False) as bar:
            while True:
                try:
                    chunk = response.read(_CHUNK)
                except (OSError, http.client.HTTPException) as exc:
                    # raised as a non-OSError so atomic_writer drops the .part instead of blaming the disk
                    raise _Transient(f"connection dropped after {received} bytes ({type(exc).__name__})") from exc
                if not chunk:
                    break
                f.write(chunk)
                digest.update(chunk)
                received += len(chunk)
                bar.update(len(chunk))
            if total is not None and received != total:
                raise _Transient(f"connection closed after {received} of {total} bytes")
            actual = digest.hexdigest()
            if expected_sha1 is not None and actual != expected_sha1:
                raise ChecksumError(
                    f"downloaded {url} has sha1 {actual} but {expected_sha1} is expected; nothing was cached "
                    "(the remote file changed or is corrupt: check the data URL setting or report it)"
                )
    return actual


def download(url: str, dest: str | Path, expected_sha1: str | None = None, *, tries: int = 3,
             backoff: float = 0.5, timeout: float = 60.0, quiet: bool = False,
             allowed_hosts: Collection[str] | None = None) -> str:
    """Fetch ``url`` into ``dest`` (via ``dest.part`` and an atomic rename) and return its sha1.

    5xx/408/429 answers, refused or dropped connections and short bodies are retried up to ``tries``
    times in all, sleeping ``backoff * 2**k`` between tries; 404 and other 4xx fail at once. A sha1
    mismatch fails at once and leaves nothing at ``dest``. Callers sharing a cache hold a lock.
    """
    dest = Path(dest)
    check_url(url, allowed_hosts)
    expected = expected_sha1.lower() if expected_sha1 else None
    tries = max(1, int(tries))
    reason = ""
    for attempt in range(tries):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            return _attempt(url, dest, expected, timeout, quiet, allowed_hosts)
        except _Transient as exc:
            reason = str(exc)
    raise DataError(f"downloading {url} failed after {tries} tries (last: {reason}); check the connection and "
                    f"retry, or put {dest.name} into {dest.parent} by hand and use --offline")
