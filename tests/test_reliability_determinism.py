"""Two runs with the same inputs, each from scratch, give byte-identical files (bar the timestamp)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

BENCH = "Fedorenko2016v3-encoding"
FILES = ["Fedorenko2016v3.nc", "Fedorenko2016v3-stimulus_set.csv", "Fedorenko2016v3-encoding-ceiling.nc",
         "Fedorenko2016v3-encoding-ceiling-raw.nc", "Fedorenko2016v3-encoding-ceiling-bootstrapped_params.nc"]


def _start(work: Path, legacy_data: Path, model: Path) -> subprocess.Popen:
    (work / "data").mkdir(parents=True)
    for name in FILES:
        shutil.copyfile(legacy_data / name, work / "data" / name)
    env = dict(os.environ, REPRO_QUIET="1", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    # relative paths, so that the recorded command line is the same for both runs
    argv = [sys.executable, "-m", "repro", "-q", "score", "--model", str(model), "--benchmark", BENCH,
            "--data-dir", "data", "--cache-dir", "cache", "--output", "r.json"]
    return subprocess.Popen(argv, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def test_two_runs_give_identical_result_files(tmp_path, legacy_data, tiny_gpt2):
    works = [tmp_path / "one", tmp_path / "two"]
    procs = [_start(w, legacy_data, tiny_gpt2) for w in works]  # separate caches: both extract
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-3000:]
    one, two = ((w / "r.json").read_text() for w in works)
    stamp = re.compile(r'"created": "[^"]+"')
    assert len(stamp.findall(one)) == 1
    assert stamp.sub("", one) == stamp.sub("", two)
    assert (works[0] / "r.per_neuroid.npz").read_bytes() == (works[1] / "r.per_neuroid.npz").read_bytes()
    with np.load(works[0] / "r.per_neuroid.npz") as z:
        assert z.files and all(np.asarray(z[k]).size for k in z.files)
    caches = [sorted(p.relative_to(w) for p in (w / "cache").rglob("*.npz")) for w in works]
    assert caches[0] == caches[1] and len(caches[0]) == 1
    assert (works[0] / caches[0][0]).read_bytes() == (works[1] / caches[1][0]).read_bytes()

