"""The real original packages as peers: each in its own interpreter, driven over stdin/stdout.

The Brain-Score Language peer gets a venv of its own (it needs numpy<2), created once from
``requirements-bsl.txt``; the legacy neural-nlp peer is the Python 3.8 ``.venv-legacy`` that
``make legacy-env`` builds. A peer that is missing is skipped with the reason, never replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BSL_REQUIREMENTS = HERE / "requirements-bsl.txt"
BSL_PACKAGES = ("brainscore-language==2.3.0", "brainscore-core==2.5.0")
DRIVERS = HERE / "drivers"


@dataclass
class Peer:
    name: str
    python: str | None
    skipped: str | None = None
    seconds_to_create: float | None = None


def thread_env(threads: int) -> dict:
    """The same thread count for every BLAS and OpenMP pool, in whatever process reads it."""
    n = str(threads)
    return {"OMP_NUM_THREADS": n, "OPENBLAS_NUM_THREADS": n, "MKL_NUM_THREADS": n, "NUMEXPR_NUM_THREADS": n}


def _requirements_hash() -> str:
    h = hashlib.sha256(BSL_REQUIREMENTS.read_bytes())
    h.update(" ".join(BSL_PACKAGES).encode())
    return h.hexdigest()[:16]


def bsl_peer(root: Path, create: bool = True) -> Peer:
    """A venv with brainscore-language 2.3.0 under ``root``; built when absent or stale. The
    marker is written last, so a half-built venv (interrupted pip) is rebuilt, not used."""
    import time

    venv = root / "venv-bsl"
    python = venv / "bin" / "python"
    marker = venv / "repro-bench-complete"
    want = _requirements_hash()
    if marker.is_file() and marker.read_text() == want and python.exists():
        return Peer("brainscore-language 2.3.0", str(python))
    if not create:
        return Peer("brainscore-language 2.3.0", None, f"no complete peer venv at {venv} (run without --no-create)")
    t = time.perf_counter()
    shutil.rmtree(venv, ignore_errors=True)
    base = getattr(sys, "_base_executable", sys.executable)
    env = {**os.environ, "BS_INSTALL_DEPENDENCIES": "no", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    steps = [[base, "-m", "venv", str(venv)],
             [str(python), "-m", "pip", "install", "-q", "-r", str(BSL_REQUIREMENTS)],
             # their declared requirements pull gensim, psycopg2 and CUDA torch: not needed to score
             [str(python), "-m", "pip", "install", "-q", "--no-deps", *BSL_PACKAGES]]
    for cmd in steps:
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if r.returncode:
            last = (r.stderr.strip().splitlines() or ["?"])[-1]
            return Peer("brainscore-language 2.3.0", None, f"creating {venv} failed at `{' '.join(cmd[-3:])}`: {last}")
    marker.write_text(want)
    return Peer("brainscore-language 2.3.0", str(python), seconds_to_create=time.perf_counter() - t)


def legacy_peer(explicit: str | None = None) -> Peer:
    """The real neural-nlp stack: ``--legacy-python``, $REPRO_LEGACY_PYTHON or the checkout's
    ``.venv-legacy`` (``make legacy-env``)."""
    name = "neural-nlp 6e1a989 (brain-score c0cbeed9)"
    candidates = [explicit, os.environ.get("REPRO_LEGACY_PYTHON"), str(REPO / ".venv-legacy" / "bin" / "python")]
    for c in candidates:
        if c and Path(c).exists():
            r = subprocess.run([c, "-c", "import neural_nlp, brainscore.metrics.regression"], capture_output=True,
                               text=True, env={**os.environ, "PYTHONPATH": ""})
            if r.returncode:
                last = (r.stderr.strip().splitlines() or ["?"])[-1]
                return Peer(name, None, f"{c} cannot import neural_nlp: {last}")
            return Peer(name, c)
    return Peer(name, None, f"no legacy stack: {REPO / '.venv-legacy'} does not exist (build it with "
                            "`make legacy-env`, or pass --legacy-python)")


class Driver:
    """One peer interpreter running a driver script: a JSON request per line in, a JSON reply per
    line out. The interpreter (and its slow imports) lives for the whole bench, so the peer and
    repro can alternate call by call."""

    def __init__(self, python: str, script: str, threads: int, cwd: Path):
        env = {**os.environ, **thread_env(threads), "PYTHONPATH": "", "PYTHONUNBUFFERED": "1",
               "BS_INSTALL_DEPENDENCIES": "no"}
        # stderr to a file: a pipe nobody reads blocks the peer once its warnings fill it
        self.log = cwd / f"{Path(script).stem}.stderr.log"
        self._err = open(self.log, "w")  # noqa: SIM115 - lives as long as the peer process
        self.proc = subprocess.Popen([python, str(DRIVERS / script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._err, text=True, env=env, cwd=str(cwd))
        self.ready = self.call({"op": "hello"})

    def call(self, request: dict) -> dict:
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            err = self.log.read_text().strip().splitlines()
            return {"error": (err or ["peer exited"])[-1]}
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._err.close()
