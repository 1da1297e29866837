"""Fixtures of the legacy-engine tests. Runs under Python 3.8 (the .venv38 contract run) and 3.11."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
STANDIN = os.path.join(HERE, "standin")
ROOT = os.path.dirname(os.path.dirname(HERE))

if ROOT not in sys.path:  # the py3.8 venv has no repro installed (pyproject needs >= 3.10)
    sys.path.insert(0, ROOT)

from legacy_fakes import FAKE_TORCH, FakeTransformers  # noqa: E402


def _forget_neural_nlp():
    for name in list(sys.modules):
        if name == "neural_nlp" or name.startswith("neural_nlp."):
            del sys.modules[name]


@pytest.fixture
def neural_nlp(monkeypatch):
    """A fresh stand-in neural_nlp (module-level pool dicts are mutated by registration)."""
    from repro.legacy import pool
    _forget_neural_nlp()
    pool.LOADED.clear()
    monkeypatch.syspath_prepend(STANDIN)
    import neural_nlp as module
    yield module
    _forget_neural_nlp()
    pool.LOADED.clear()


@pytest.fixture
def fake_hf(monkeypatch):
    """Fake transformers and torch installed as the modules repro.legacy imports."""
    fake = FakeTransformers()
    monkeypatch.setitem(sys.modules, "transformers", fake)
    monkeypatch.setitem(sys.modules, "torch", FAKE_TORCH)
    return fake
