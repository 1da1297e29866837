"""A local HTTP file server on 127.0.0.1 with per-path fault injection, for download tests.

    with LocalHTTPServer(directory) as server:
        server.fail("/Pereira2018.nc", status=503, times=2)   # first two GETs answer 503
        url = server.url + "/Pereira2018.nc"
        ...
        server.hits("/Pereira2018.nc")                       # GETs of that path so far

Faults (``times`` = how many requests get the fault; None = all):
``status``    answer with this HTTP status and no file;
``truncate``  send only this many body bytes with the full Content-Length, then close cleanly;
``drop``      send this many body bytes, then reset the connection (RST);
``corrupt``   send the right length with the bytes altered;
``delay``     wait this many seconds before sending the body (to overlap concurrent clients);
``location``  with a 3xx ``status``: where the redirect points.
"""

from __future__ import annotations

import os
import socket
import struct
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass
class Fault:
    status: int | None = None
    truncate: int | None = None
    drop: int | None = None
    corrupt: bool = False
    delay: float = 0.0
    location: str | None = None
    times: int | None = 1


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # keep pytest output clean; the server keeps its own log
        pass

    def do_GET(self):
        owner = self.server.owner
        path = unquote(urlsplit(self.path).path)
        fault = owner._take_fault(path)
        target = owner._resolve(path)
        if fault and fault.status:
            owner._log(path, fault.status)
            self._plain(fault.status, b"injected failure\n", fault.location)
            return
        if target is None:
            owner._log(path, 404)
            self._plain(404, b"not found\n")
            return
        body = target.read_bytes()
        owner._log(path, 200)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.corrupt:
            body = bytes(b ^ 0x5A for b in body[:64]) + body[64:]
        if fault and fault.truncate is not None:
            self.wfile.write(body[: fault.truncate])
            self.wfile.flush()
            self.close_connection = True
            return
        if fault and fault.drop is not None:
            self.wfile.write(body[: fault.drop])
            self.wfile.flush()
            # linger 0 turns close() into a TCP reset: the client sees the connection die mid-body
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        self.wfile.write(body)

    def _plain(self, status: int, body: bytes, location: str | None = None):
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LocalHTTPServer


class LocalHTTPServer:
    """Serves ``directory`` under ``prefix`` (e.g. ``/brainscore-language``) at ``self.url``."""

    def __init__(self, directory: str | Path, prefix: str = ""):
        self.directory = Path(os.path.abspath(directory))
        self.prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        self.log: list[tuple[str, int]] = []  # (path, status) per request, in order
        self._faults: dict[str, Fault] = {}
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """Base URL of the served directory (no trailing slash)."""
        return self.base + self.prefix

    def start(self) -> LocalHTTPServer:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = None

    def __enter__(self) -> LocalHTTPServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def fail(self, path: str, **fault) -> None:
        """Inject a Fault (see module doc) for ``path`` (as requested, e.g. ``/x.nc``; prefix added)."""
        with self._lock:
            self._faults[self._full(path)] = Fault(**fault)

    def hits(self, path: str) -> int:
        full = self._full(path)
        with self._lock:
            return sum(1 for p, _ in self.log if p == full)

    def _full(self, path: str) -> str:
        path = "/" + path.lstrip("/")
        return path if self.prefix and path.startswith(self.prefix + "/") else self.prefix + path

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            fault = self._faults.get(path)
            if fault is None or fault.times == 0:
                return None
            if fault.times is not None:
                fault.times -= 1
            return fault

    def _log(self, path: str, status: int) -> None:
        with self._lock:
            self.log.append((path, status))

    def _resolve(self, path: str) -> Path | None:
        if not path.startswith(self.prefix + "/"):
            return None
        # normalised, not resolved: the served tree may be a mirror of symlinks (golden_view.py)
        target = Path(os.path.normpath(self.directory / path[len(self.prefix) + 1:]))
        if self.directory not in target.parents or not target.is_file():
            return None
        return target
