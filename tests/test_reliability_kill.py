"""SIGKILL a real `repro score` at chosen points; the rerun resumes and matches an uninterrupted run.

The killed run is a subprocess: either an in-process hook kills it at an exact point (before the
rename of a finished ``.part``, before forward batch k, at cross-validation step k), or the test
kills it from outside while a download is stalled by the local HTTP server. Every ``*.part`` the
kill leaves behind is then overwritten with garbage, so a rerun that read one could not match the
uninterrupted result byte for byte (only ``provenance.created`` may differ).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from httpserver import LocalHTTPServer

from repro.cli import main

BENCH = "Fedorenko2016v3-encoding"
FILES = ["Fedorenko2016v3.nc", "Fedorenko2016v3-stimulus_set.csv", "Fedorenko2016v3-encoding-ceiling.nc",
         "Fedorenko2016v3-encoding-ceiling-raw.nc", "Fedorenko2016v3-encoding-ceiling-bootstrapped_params.nc"]

# runs inside the killed subprocess: install one kill point, then run the CLI unchanged
KILLER = r'''
import fnmatch, os, signal, sys
from pathlib import Path

def die():
    os.kill(os.getpid(), signal.SIGKILL)

kind, _, arg = os.environ.get("REPRO_TEST_KILL", "").partition("=")
if kind == "replace":  # just before a finished .part is renamed onto a matching name
    real_replace = os.replace
    def replace(src, dst, *a, **k):
        if fnmatch.fnmatch(Path(dst).name, arg):
            die()
        return real_replace(src, dst, *a, **k)
    os.replace = replace
elif kind == "load":  # just before the model weights are loaded
    import repro.models.cache as cache
    cache.load = lambda *a, **k: die()
elif kind == "batch":  # just before forward batch k
    import repro.models.extract as extract
    real_batches = extract._batches
    class Batches(list):
        def __iter__(self):
            for i, b in enumerate(list.__iter__(self)):
                if i == int(arg):
                    die()
                yield b
    extract._batches = lambda *a, **k: Batches(real_batches(*a, **k))
elif kind == "cv":  # at cross-validation step k (k-1 regressions done)
    import contextlib
    import repro.api as api
    real_bar = api.progress_bar
    @contextlib.contextmanager
    def progress_bar(*a, **k):
        with real_bar(*a, **k) as bar:
            real_update, seen = bar.update, [0]
            def update(n=1):
                seen[0] += 1
                if seen[0] == int(arg):
                    die()
                return real_update(n)
            bar.update = update
            yield bar
    api.progress_bar = progress_bar
elif kind:
    raise SystemExit(f"unknown kill point {kind!r}")
sys.argv[0] = "repro"
from repro.cli import main
sys.exit(main(sys.argv[1:]))
'''


def _args(model: Path) -> list[str]:
    # relative paths: the recorded command line is then the same in every work folder
    return ["-q", "-v", "score", "--model", str(model), "--benchmark", BENCH, "--data-dir", "data",
            "--cache-dir", "cache", "--output", "r.json"]


def _env(**extra) -> dict:
    env = dict(os.environ)
    env.update({"REPRO_QUIET": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    env.update(extra)
    return env


def _work(tmp: Path, legacy_data: Path | None, cache: Path | None = None) -> Path:
    work = tmp / "work"
    (work / "data").mkdir(parents=True)
    if legacy_data is not None:
        for name in FILES:
            shutil.copyfile(legacy_data / name, work / "data" / name)
    if cache is not None:  # the state a run leaves once extraction is complete
        shutil.copytree(cache, work / "cache", ignore=shutil.ignore_patterns("*.lock"))
    return work


def _run_in_process(work: Path, model: Path, monkeypatch, caplog) -> str:
    """The rerun (or the uninterrupted run): `repro score` in this process; returns its log."""
    monkeypatch.chdir(work)
    argv = _args(model)
    monkeypatch.setattr(sys, "argv", ["repro", *argv])
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="repro"):
        assert main(argv) == 0
    return caplog.text


def _spawn(work: Path, model: Path, kill: str = "", **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", KILLER, *_args(model)], cwd=work,
                            env=_env(REPRO_TEST_KILL=kill, **env), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def _killed(proc: subprocess.Popen, timeout: float = 300) -> None:
    _, err = proc.communicate(timeout=timeout)
    assert proc.returncode == -signal.SIGKILL, f"the kill point was never reached (rc {proc.returncode}): {err[-2000:]}"


def _comparable(json_path: Path) -> str:
    return re.sub(r'"created": "[^"]*"', '"created": null', json_path.read_text())


def _snapshot(work: Path) -> dict:
    return {"json": _comparable(work / "r.json"), "npz": (work / "r.per_neuroid.npz").read_bytes()}


def _same(work: Path, baseline: dict) -> bool:
    return _snapshot(work) == {k: baseline[k] for k in ("json", "npz")}


def _cache_entries(work: Path) -> list[Path]:
    return sorted((work / "cache").rglob("*.npz"))


def _check_after_kill(work: Path, legacy_data: Path, baseline: dict | None = None) -> None:
    """No file under a final name is partial; then poison every leftover .part.

    ``baseline``: the kill may have come after the result was complete, which must then be whole."""
    if baseline is not None and (work / "r.json").exists():
        assert _same(work, baseline)
    else:
        assert not (work / "r.json").exists()
    for name in FILES:
        final = work / "data" / name
        if final.exists():
            assert final.read_bytes() == (legacy_data / name).read_bytes(), f"{name} is partial or corrupt"
    for entry in _cache_entries(work) + sorted(work.glob("*.npz")):
        with np.load(entry, allow_pickle=False) as z:  # a complete zip: every member readable
            for k in z.files:
                z[k]
    for part in work.rglob("*.part"):
        part.write_bytes(b"\x00partial garbage that must never be read\n" * 64)


def _finish(work, model, baseline, monkeypatch, caplog, *, cache_hit: bool) -> None:
    entries = {p: p.stat().st_mtime_ns for p in _cache_entries(work)}
    log = _run_in_process(work, model, monkeypatch, caplog)
    assert ("cache hit" in log) is cache_hit, log
    if cache_hit:  # the completed activations were reused, not rewritten
        assert {p: p.stat().st_mtime_ns for p in _cache_entries(work)} == entries
    assert _same(work, baseline)
    ledger = json.loads((work / "data" / ".repro-sha1.json").read_text())
    assert ledger == {n: hashlib.sha1((work / "data" / n).read_bytes()).hexdigest() for n in FILES}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, legacy_data, tiny_gpt2) -> dict:
    work = _work(tmp_path_factory.mktemp("baseline"), legacy_data)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(work)
        mp.setattr(sys, "argv", ["repro", *_args(tiny_gpt2)])
        assert main(_args(tiny_gpt2)) == 0
    return _snapshot(work) | {"cache": work / "cache"}


# -- download: killed from outside while the server stalls one file's body ---------------------
@pytest.mark.parametrize("name", ["Fedorenko2016v3.nc", "Fedorenko2016v3-stimulus_set.csv",
                                  "Fedorenko2016v3-encoding-ceiling-bootstrapped_params.nc"],
                         ids=["first-file", "nested-file", "last-file"])
def test_kill_during_download_resumes(name, tmp_path, legacy_data, tiny_gpt2, baseline, monkeypatch, caplog):
    work = _work(tmp_path, None)
    with LocalHTTPServer(legacy_data) as server:
        server.fail("/" + name, delay=20, times=1)
        proc = _spawn(work, tiny_gpt2, REPRO_LEGACY_URL=server.url, REPRO_NEURAL_NLP_HOME="")
        part = work / "data" / (name + ".part")
        deadline = time.monotonic() + 240
        while not part.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert part.exists(), "the download never started"
        proc.kill()
        _killed(proc)
        assert not (work / "data" / name).exists()
        done = FILES[:FILES.index(name)]
        assert sorted(p.name for p in (work / "data").glob("*") if p.is_file() and p.suffix != ".part"
                      and not p.name.startswith(".")) == sorted(done)
        _check_after_kill(work, legacy_data)
        monkeypatch.setenv("REPRO_LEGACY_URL", server.url)
        _finish(work, tiny_gpt2, baseline, monkeypatch, caplog, cache_hit=False)
        for f in done:  # completed downloads are reused
            assert server.hits("/" + f) == 1, f
        assert server.hits("/" + name) == 2


@pytest.mark.parametrize("kill", ["replace=Fedorenko2016v3-encoding-ceiling.nc", "replace=.repro-sha1.json"],
                         ids=["before-rename", "ledger-write"])
def test_kill_while_storing_a_download_resumes(kill, tmp_path, legacy_data, tiny_gpt2, baseline, monkeypatch,
                                               caplog):
    work = _work(tmp_path, None)
    with LocalHTTPServer(legacy_data) as server:
        _killed(_spawn(work, tiny_gpt2, kill, REPRO_LEGACY_URL=server.url, REPRO_NEURAL_NLP_HOME=""))
        _check_after_kill(work, legacy_data)
        monkeypatch.setenv("REPRO_LEGACY_URL", server.url)
        _finish(work, tiny_gpt2, baseline, monkeypatch, caplog, cache_hit=False)


# -- extraction ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kill", ["load", "batch=3", "replace=legacy-*.npz"],
                         ids=["model-load", "mid-forward-passes", "activation-cache-write"])
def test_kill_during_extraction_resumes(kill, tmp_path, legacy_data, tiny_gpt2, baseline, monkeypatch, caplog):
    work = _work(tmp_path, legacy_data)
    _killed(_spawn(work, tiny_gpt2, kill))
    assert _cache_entries(work) == []  # nothing under the final cache name before the rename
    _check_after_kill(work, legacy_data)
    _finish(work, tiny_gpt2, baseline, monkeypatch, caplog, cache_hit=False)


# -- cross-validation ---------------------------------------------------------------------------
@pytest.mark.parametrize("step", [1, 20], ids=["first-split", "last-split"])
def test_kill_during_cross_validation_resumes(step, tmp_path, legacy_data, tiny_gpt2, baseline, monkeypatch,
                                              caplog):
    work = _work(tmp_path, legacy_data, baseline["cache"])
    _killed(_spawn(work, tiny_gpt2, f"cv={step}"))
    assert len(_cache_entries(work)) == 1 and not (work / "r.per_neuroid.npz").exists()
    _check_after_kill(work, legacy_data)
    _finish(work, tiny_gpt2, baseline, monkeypatch, caplog, cache_hit=True)


# -- result writing -----------------------------------------------------------------------------
@pytest.mark.parametrize("kill", ["replace=r.per_neuroid.npz", "replace=r.json"], ids=["side-file", "json"])
def test_kill_during_result_writing_resumes(kill, tmp_path, legacy_data, tiny_gpt2, baseline, monkeypatch, caplog):
    work = _work(tmp_path, legacy_data, baseline["cache"])
    _killed(_spawn(work, tiny_gpt2, kill))
    assert list(work.glob("r.*.part")), "the kill should leave the result's .part behind"
    _check_after_kill(work, legacy_data)
    _finish(work, tiny_gpt2, baseline, monkeypatch, caplog, cache_hit=True)


# -- random points: SIGKILL from outside after a random delay, repeatedly, in one folder --------
@pytest.mark.slow
def test_kill_at_random_times_then_resume(tmp_path, legacy_data, tiny_gpt2, baseline, monkeypatch, caplog):
    rng = random.Random(7)
    work = _work(tmp_path, None)
    with LocalHTTPServer(legacy_data) as server:
        for _ in range(3):
            proc = _spawn(work, tiny_gpt2, REPRO_LEGACY_URL=server.url, REPRO_NEURAL_NLP_HOME="")
            time.sleep(rng.uniform(0.5, 8.0))
            proc.kill()
            proc.communicate(timeout=300)
            _check_after_kill(work, legacy_data, baseline)
            (work / "r.json").unlink(missing_ok=True)
        monkeypatch.setenv("REPRO_LEGACY_URL", server.url)
        entries = _cache_entries(work)
        log = _run_in_process(work, tiny_gpt2, monkeypatch, caplog)
        assert ("cache hit" in log) is bool(entries)
        assert _same(work, baseline)
