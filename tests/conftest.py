"""Shared fixtures: the golden fixtures live read-only at ../shared/golden (CI has the same path).

Tests see them through a symlink mirror (golden_view.py), and the session fails if any test changed
the real fixtures.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from golden_view import GOLDEN, SOURCE, snapshot

ROOT = Path(__file__).resolve().parents[1]
STIMULI = (ROOT / ".." / "shared" / "data" / "stimuli").resolve()

# tests never touch the network and never show progress bars
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("REPRO_QUIET", "1")


def pytest_report_header(config):
    """Which BLAS kernels and thread counts ran: results on ill-conditioned layers depend on them."""
    try:
        import numpy  # noqa: F401  (loads the BLAS libraries to report)
        import scipy.linalg  # noqa: F401
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover
        return None
    libs = [f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')} x{i.get('num_threads')}"
            for i in threadpool_info() if i.get("user_api") == "blas"]
    return f"BLAS: {'; '.join(libs) or 'none loaded yet'} (OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')})"


@pytest.fixture(scope="session", autouse=True)
def fixtures_untouched():
    """No test may write into ../shared/golden: compare every entry's size and mtime before and after."""
    before = snapshot(SOURCE) if SOURCE.is_dir() else {}
    yield
    after = snapshot(SOURCE) if SOURCE.is_dir() else {}
    changed = sorted(set(before.items()) ^ set(after.items()))
    assert not changed, f"tests changed the golden fixtures in {SOURCE}: {changed[:5]}"


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
