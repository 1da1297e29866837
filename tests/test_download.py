"""The single-file transfer: retries, integrity, atomicity and URL policy (no network: 127.0.0.1 only)."""

from __future__ import annotations

import errno
import socket

import pytest
from golden_view import GOLDEN
from httpserver import LocalHTTPServer

import repro.atomic
from repro.atomic import sha1_file
from repro.data import download as dl
from repro.data.download import check_url, download
from repro.errors import ChecksumError, DataError

LEGACY = GOLDEN / "legacy" / "s3"
NAME = "Fedorenko2016v3.nc"  # 115 kB: several read chunks, so mid-body faults land mid-body
SHA1 = sha1_file(LEGACY / NAME)


@pytest.fixture
def server():
    with LocalHTTPServer(LEGACY) as s:
        yield s


@pytest.fixture
def sleeps(monkeypatch):
    """Backoff sleeps are recorded instead of slept, so retry tests take no time."""
    slept: list[float] = []
    monkeypatch.setattr(dl.time, "sleep", slept.append)
    return slept


def fetch(server, tmp_path, expected=SHA1, **kw):
    return download(f"{server.url}/{NAME}", tmp_path / NAME, expected, **kw)


def assert_nothing_cached(tmp_path):
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "a failed download must leave neither file nor .part"


def one_line(exc_info) -> str:
    msg = str(exc_info.value)
    assert "\n" not in msg
    return msg


def test_download_writes_the_file_and_returns_its_sha1(server, tmp_path):
    assert fetch(server, tmp_path) == SHA1
    assert (tmp_path / NAME).read_bytes() == (LEGACY / NAME).read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == [NAME]


def test_download_without_expected_sha1_returns_the_sha1_to_record(server, tmp_path):
    assert fetch(server, tmp_path, expected=None) == SHA1


def test_truncated_body_is_retried_and_then_succeeds(server, tmp_path, sleeps):
    server.fail(f"/{NAME}", truncate=1000, times=1)
    assert fetch(server, tmp_path, expected=None) == SHA1
    assert server.hits(f"/{NAME}") == 2
    assert sleeps == [0.5]


def test_truncated_body_every_time_gives_one_error_and_no_file(server, tmp_path, sleeps):
    server.fail(f"/{NAME}", truncate=1000, times=None)
    with pytest.raises(DataError) as exc:
        fetch(server, tmp_path, expected=None)
    assert "1000 of 115119 bytes" in one_line(exc) and "3 tries" in str(exc.value)
    assert server.hits(f"/{NAME}") == 3
    assert_nothing_cached(tmp_path)


def test_wrong_bytes_raise_checksum_error_at_once_and_nothing_lands(server, tmp_path, sleeps):
    server.fail(f"/{NAME}", corrupt=True, times=None)
    with pytest.raises(ChecksumError) as exc:
        fetch(server, tmp_path)
    msg = one_line(exc)
    assert SHA1 in msg and NAME in msg
    assert server.hits(f"/{NAME}") == 1
    assert_nothing_cached(tmp_path)


def test_http_404_fails_at_once(server, tmp_path, sleeps):
    with pytest.raises(DataError) as exc:
        download(f"{server.url}/missing.nc", tmp_path / "missing.nc")
    assert "404" in one_line(exc) and "missing.nc" in str(exc.value)
    assert server.hits("/missing.nc") == 1 and sleeps == []
    assert_nothing_cached(tmp_path)


def test_http_500_is_retried_with_growing_backoff_then_succeeds(server, tmp_path, sleeps):
    server.fail(f"/{NAME}", status=500, times=2)
    assert fetch(server, tmp_path, backoff=0.1) == SHA1
    assert server.hits(f"/{NAME}") == 3
    assert sleeps == [0.1, 0.2]


def test_http_500_every_time_gives_one_error_after_three_tries(server, tmp_path, sleeps):
    server.fail(f"/{NAME}", status=503, times=None)
    with pytest.raises(DataError) as exc:
        fetch(server, tmp_path)
    assert "HTTP 503" in one_line(exc) and "3 tries" in str(exc.value)
    assert server.hits(f"/{NAME}") == 3
    assert_nothing_cached(tmp_path)


def test_dropped_connection_is_retried_and_then_succeeds(server, tmp_path, sleeps):
    server.fail(f"/{NAME}", drop=20000, times=1)
    assert fetch(server, tmp_path) == SHA1
    assert server.hits(f"/{NAME}") == 2


def test_dropped_connection_every_time_gives_one_error_and_no_file(server, tmp_path, sleeps):
    server.fail(f"/{NAME}", drop=20000, times=None)
    with pytest.raises(DataError) as exc:
        fetch(server, tmp_path, tries=2)
    assert "2 tries" in one_line(exc)
    assert server.hits(f"/{NAME}") == 2
    assert_nothing_cached(tmp_path)


def test_refused_connection_is_retried_then_reported(tmp_path, sleeps):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DataError) as exc:
        download(f"http://127.0.0.1:{port}/{NAME}", tmp_path / NAME, tries=3, backoff=0.01)
    assert "3 tries" in one_line(exc) and len(sleeps) == 2


@pytest.mark.parametrize("url", ["http://brainio-language.s3.amazonaws.com/x.nc", "ftp://127.0.0.1/x.nc",
                                 "file:///etc/passwd", "http://10.0.0.1/x.nc"])
def test_only_https_or_loopback_http_urls_are_allowed(url, tmp_path):
    with pytest.raises(DataError, match="only https"):
        download(url, tmp_path / "x.nc")


def test_hosts_outside_the_configured_ones_are_refused():
    check_url("https://brainio-language.s3.amazonaws.com/x.nc", {"brainio-language.s3.amazonaws.com"})
    with pytest.raises(DataError, match="not one of the configured data hosts"):
        check_url("https://evil.example.com/x.nc", {"brainio-language.s3.amazonaws.com"})


def test_redirect_to_another_host_is_refused(server, tmp_path):
    port = server.base.rsplit(":", 1)[1]
    server.fail("/moved.nc", status=302, location=f"http://localhost:{port}/{NAME}", times=None)
    with pytest.raises(DataError, match="host localhost is not one"):
        download(f"{server.url}/moved.nc", tmp_path / "moved.nc", allowed_hosts={"127.0.0.1"})
    assert server.hits(f"/{NAME}") == 0
    assert_nothing_cached(tmp_path)


def test_full_disk_gives_one_actionable_line_and_no_part_file(server, tmp_path, monkeypatch):
    real_open = open

    class FullDisk:
        def __init__(self, f):
            self.f = f

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    monkeypatch.setattr(repro.atomic, "open", lambda *a, **k: FullDisk(real_open(*a, **k)), raising=False)
    with pytest.raises(DataError, match="no space left") as exc:
        fetch(server, tmp_path)
    one_line(exc)
    assert_nothing_cached(tmp_path)


def test_progress_bar_shows_on_a_terminal_and_not_when_quiet(server, tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    fetch(server, tmp_path, quiet=True)
    assert NAME not in capsys.readouterr().err
    (tmp_path / NAME).unlink()
    fetch(server, tmp_path, quiet=False)
    assert NAME in capsys.readouterr().err


def test_progress_bar_is_off_when_stderr_is_not_a_terminal(server, tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    fetch(server, tmp_path, quiet=False)
    assert capsys.readouterr().err == ""
