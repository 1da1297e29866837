"""Two `repro score` processes share one data folder and one activation cache at the same time.

The local server stalls the first download, so the second process reaches the same file (and
later the same activation cache entry) while the first still holds its lock. Both must finish
with the same scores, every file must be fetched and computed once, and the cache must stay valid.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from httpserver import LocalHTTPServer

from repro.activations import load as load_activations

BENCH = "Fedorenko2016v3-encoding"
FILES = ["Fedorenko2016v3.nc", "Fedorenko2016v3-stimulus_set.csv", "Fedorenko2016v3-encoding-ceiling.nc",
         "Fedorenko2016v3-encoding-ceiling-raw.nc", "Fedorenko2016v3-encoding-ceiling-bootstrapped_params.nc"]


def _spawn(work: Path, model: Path, out: str, url: str) -> subprocess.Popen:
    env = dict(os.environ, REPRO_LEGACY_URL=url, REPRO_NEURAL_NLP_HOME="", REPRO_QUIET="1", HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1")
    argv = [sys.executable, "-m", "repro", "-q", "-v", "score", "--model", str(model), "--benchmark", BENCH,
            "--data-dir", "data", "--cache-dir", "cache", "--output", out]
    return subprocess.Popen(argv, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _scores(path: Path) -> dict:
    data = json.loads(path.read_text())
    data["provenance"].pop("created")
    data["provenance"].pop("command")  # names the output file, which differs
    data.pop("side_files")  # likewise
    return data


def test_two_processes_share_data_and_activation_cache(tmp_path, legacy_data, tiny_gpt2):
    work = tmp_path
    (work / "data").mkdir()
    with LocalHTTPServer(legacy_data) as server:
        server.fail("/" + FILES[0], delay=8, times=1)
        first = _spawn(work, tiny_gpt2, "a.json", server.url)
        part = work / "data" / (FILES[0] + ".part")
        deadline = time.monotonic() + 240
        while not part.exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert part.exists(), "the first process never started downloading"
        second = _spawn(work, tiny_gpt2, "b.json", server.url)  # reaches the lock while the first holds it
        logs = []
        for proc in (first, second):
            _, err = proc.communicate(timeout=600)
            assert proc.returncode == 0, err[-3000:]
            logs.append(err)
        for name in FILES:  # each file was downloaded once; the other process waited and reused it
            assert server.hits("/" + name) == 1, (name, server.log)
    assert _scores(work / "a.json") == _scores(work / "b.json")
    assert (work / "a.per_neuroid.npz").read_bytes() == (work / "b.per_neuroid.npz").read_bytes()
    assert sorted("computed" in log for log in logs) == [False, True], logs  # extracted once, reused once
    assert sum("cache hit" in log for log in logs) == 1
    # the shared cache is valid: complete files only, each matching its recorded sha1
    assert not list(work.rglob("*.part"))
    ledger = json.loads((work / "data" / ".repro-sha1.json").read_text())
    assert ledger == {n: hashlib.sha1((legacy_data / n).read_bytes()).hexdigest() for n in FILES}
    assert all((work / "data" / n).read_bytes() == (legacy_data / n).read_bytes() for n in FILES)
    entries = list((work / "cache").rglob("*.npz"))
    assert len(entries) == 1
    acts = load_activations(entries[0])
    assert acts.meta["cache_key"]["model"] == str(tiny_gpt2)
    assert all(np.isfinite(a).all() for a in acts.layers.values())
