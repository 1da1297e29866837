"""`make reproduce-gpt2` offline, without data or weights: fails at once naming the missing file and its URL."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_reproduce_gpt2_offline_names_file_and_url(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REPRO_OFFLINE": "1", "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "REPRO_NEURAL_NLP_HOME": str(tmp_path / "neural_nlp"),
           "REPRO_CACHE_DIR": str(tmp_path / "cache"), "HF_HOME": str(tmp_path / "hf")}
    start = time.monotonic()
    # run from an empty folder so that nothing can be written into the checkout
    proc = subprocess.run(["make", "-s", "-I", str(ROOT), "-f", str(ROOT / "Makefile"), "reproduce-gpt2", "REPRO_ENGINE=native",
                           f"PYTHON={sys.executable}"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode != 0
    err = proc.stderr
    assert "error: " in err and "Pereira2018.nc" in err and "https://brainio-language.s3.amazonaws.com/" in err, err
    assert "native engine" in proc.stdout
    assert time.monotonic() - start < 120  # at once: no model is loaded, nothing is downloaded
    assert not (tmp_path / "results").exists()  # nothing half-written
