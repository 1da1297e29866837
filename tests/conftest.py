"""Shared fixtures: the golden fixtures live read-only at ../shared/golden (CI has the same path)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = (ROOT / ".." / "shared" / "golden").resolve()
STIMULI = (ROOT / ".." / "shared" / "data" / "stimuli").resolve()

# tests never touch the network and never show progress bars
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("REPRO_QUIET", "1")


@pytest.fixture(scope="session")
def golden() -> Path:
    assert GOLDEN.is_dir(), f"golden fixtures missing at {GOLDEN}"
    return GOLDEN


@pytest.fixture(scope="session")
def legacy_data(golden) -> Path:
    return golden / "legacy" / "s3"


@pytest.fixture(scope="session")
def modern_data(golden) -> Path:
    return golden / "modern" / "data"


@pytest.fixture(scope="session")
def tiny_gpt2(golden) -> Path:
    return golden / "model" / "tiny-gpt2"


@pytest.fixture()
def isolated_cache(tmp_path, monkeypatch) -> Path:
    """A private cache and home so tests never read or write the user's caches."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("REPRO_CACHE_DIR", str(cache))
    monkeypatch.setenv("REPRO_NEURAL_NLP_HOME", str(tmp_path / "neural_nlp"))
    monkeypatch.setenv("BRAINIO_HOME", str(tmp_path / "brainio"))
    return cache
