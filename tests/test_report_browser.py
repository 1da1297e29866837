"""The HTML report in a real headless Chromium: it loads from disk, every figure renders, no console errors.

Chromium is Debian's ``chromium`` package (``tests/setup_chromium.sh`` installs it; CI runs that script).
The browser is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: JSON messages
separated by NUL bytes on fds 3 and 4), so no websocket client or network port is needed.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from test_report import make_results

from repro.reporting import report

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                  "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio", "--window-size=1280,900"]


def chromium() -> str:
    for exe in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(exe)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("chromium is missing in CI: run tests/setup_chromium.sh first")
    pytest.skip("chromium not installed (run tests/setup_chromium.sh)")


class DevTools:
    """Minimal DevTools-protocol client over --remote-debugging-pipe."""

    def __init__(self, exe: str, profile: Path):
        to_browser_r, self._w = os.pipe()
        self._r, from_browser_w = os.pipe()
        # the browser reads commands on fd 3 and writes replies/events on fd 4
        self.proc = subprocess.Popen(
            [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=lambda: (os.dup2(to_browser_r, 3), os.dup2(from_browser_w, 4)))
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []

    def _read(self, deadline: float) -> dict:
        import select

        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from chromium")
            ready, _, _ = select.select([self._r], [], [], left)
            if ready:
                chunk = os.read(self._r, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe")
                self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        for e in self.events:
            if e.get("method") == method:
                return e
        while True:
            e = self._read(deadline)
            self.events.append(e)
            if e.get("method") == method:
                return e

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:  # noqa: BLE001 - it may already be gone
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._w)
        os.close(self._r)


def open_page(index: Path, tmp: Path) -> dict:
    """Load the page; return console errors, exceptions, failed loads, image sizes and a screenshot."""
    dt = DevTools(chromium(), tmp / "profile")
    try:
        target = dt.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = dt.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            dt.send(f"{domain}.enable", session=session)
        dt.send("Page.navigate", {"url": index.resolve().as_uri()}, session=session)
        dt.wait_event("Page.loadEventFired", timeout=60)
        js = ("JSON.stringify(Array.from(document.images).map(i => ({src: i.getAttribute('src'), "
              "complete: i.complete, w: i.naturalWidth, h: i.naturalHeight})))")
        images = json.loads(dt.send("Runtime.evaluate", {"expression": js, "returnByValue": True},
                                    session=session)["result"]["value"])
        height = dt.send("Runtime.evaluate", {"expression": "document.documentElement.scrollHeight",
                                              "returnByValue": True}, session=session)["result"]["value"]
        dt.send("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": min(int(height), 12000),
                                                       "deviceScaleFactor": 1, "mobile": False}, session=session)
        shot = base64.b64decode(dt.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                                        session=session, timeout=60)["data"])
        events = dt.events
    finally:
        dt.close()
    errors = [e["params"] for e in events if e.get("method") == "Runtime.consoleAPICalled"
              and e["params"].get("type") in ("error", "assert")]
    errors += [e["params"]["exceptionDetails"] for e in events if e.get("method") == "Runtime.exceptionThrown"]
    errors += [e["params"]["entry"] for e in events if e.get("method") == "Log.entryAdded"
               and e["params"]["entry"].get("level") == "error"]
    failed = [e["params"] for e in events if e.get("method") == "Network.loadingFailed"]
    return {"images": images, "errors": errors, "failed": failed, "screenshot": shot, "height": height}


@pytest.fixture(scope="module")
def site(tmp_path_factory, golden) -> Path:
    chromium()
    results = make_results(tmp_path_factory.mktemp("browser_inputs"), golden)
    return report([results], output=tmp_path_factory.mktemp("browser") / "site", quiet=True)


@pytest.fixture(scope="module")
def loaded(site, tmp_path_factory) -> dict:
    return open_page(site, tmp_path_factory.mktemp("chromium"))


def test_every_figure_renders(loaded):
    imgs = loaded["images"]
    assert len(imgs) == 7, imgs
    bad = [i for i in imgs if not i["complete"] or i["w"] <= 0 or i["h"] <= 0]
    assert not bad, f"figures that did not render: {bad}"


def test_no_console_errors_or_failed_loads(loaded):
    assert not loaded["errors"], loaded["errors"]
    assert not loaded["failed"], loaded["failed"]


def test_screenshot_shows_the_page(loaded, tmp_path):
    shot = loaded["screenshot"]
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    import matplotlib.image as mpimg

    path = tmp_path / "shot.png"
    path.write_bytes(shot)
    pixels = mpimg.imread(path)
    assert pixels.shape[0] >= min(loaded["height"], 12000) - 1
    # figures are colourful, the page chrome is black on white: a page with its figures has many coloured pixels
    rgb = pixels[..., :3]
    coloured = ((rgb.max(axis=2) - rgb.min(axis=2)) > 0.25).mean()
    assert coloured > 0.01, f"only {coloured:.4f} of the screenshot is coloured: figures missing?"


def test_missing_figure_is_detected(site, tmp_path):
    """The checks above fail when a figure file is missing (guards against a test that cannot fail)."""
    broken = tmp_path / "site"
    shutil.copytree(site.parent, broken)
    (broken / "figures" / "heatmap.png").unlink()
    page = open_page(broken / "index.html", tmp_path)
    bad = [i["src"] for i in page["images"] if i["w"] <= 0]
    assert bad == ["figures/heatmap.png"]
    assert page["failed"] or page["errors"]
