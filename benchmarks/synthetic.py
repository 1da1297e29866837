"""Synthetic data with the shapes of the legacy benchmarks (values are made up; timing only).

Targets share a low-dimensional latent with the activations so the correlations are not pure
noise and the score comparisons between solvers mean something.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from repro.metrics.cv import SplitSpec, splits

# real neural shapes (presentations x neuroids); Pereira: voxels of all subjects, NaN where a
# subject skipped an experiment (5 of 10 subjects did both, 1 only 243, 4 only 384)
SHAPES = {
    "Pereira2018": {"experiments": {"243sentences": 243, "384sentences": 384}, "neuroids": 13553,
                    "share": {"243sentences": 0.6, "384sentences": 0.9}},
    "Blank2014fROI": {"presentations": 1317, "neuroids": 60, "groups": 8},
    "Fedorenko2016v3": {"presentations": 416, "neuroids": 97, "groups": 52},
}


@dataclass
class Problem:
    """One cross-validated regression problem: every layer against one target block."""
    name: str
    layers: dict[str, np.ndarray]  # [presentation, feature] float32, rows aligned with target
    target: np.ndarray  # [presentation, neuroid] float64
    ids: np.ndarray
    folds: list[tuple[np.ndarray, np.ndarray]]


def _layers(rng, latent, n_layers, n_features):
    n, k = latent.shape
    out = {}
    for i in range(n_layers):
        mix = rng.standard_normal((k, n_features)).astype(np.float32)
        noise = rng.standard_normal((n, n_features)).astype(np.float32)
        out["embedding" if i == 0 else f"encoder.h.{i - 1}"] = latent.astype(np.float32) @ mix + (1 + 0.2 * i) * noise
    return out


def _target(rng, latent, n_neuroids):
    w = rng.standard_normal((latent.shape[1], n_neuroids))
    return latent @ w * 0.3 + rng.standard_normal((latent.shape[0], n_neuroids))


def problems(scale: float = 1.0, n_layers: int = 13, n_features: int = 768, seed: int = 0) -> dict[str, list[Problem]]:
    """{benchmark: [Problem, ...]} (Pereira: one per experiment). ``scale`` < 1 shrinks every size."""
    rng = np.random.default_rng(seed)
    k = 16
    out: dict[str, list[Problem]] = {}
    per = SHAPES["Pereira2018"]
    n_vox = max(8, int(per["neuroids"] * scale))
    out["Pereira2018"] = []
    for exp, n in per["experiments"].items():
        n = max(20, int(n * scale))
        latent = rng.standard_normal((n, k))
        ids = np.asarray([f"{exp}.{i:04d}" for i in rng.permutation(n)])
        folds = splits(SplitSpec("KFold", 5, 1), n)
        out["Pereira2018"].append(Problem(f"Pereira2018/{exp}", _layers(rng, latent, n_layers, n_features),
                                          _target(rng, latent, max(4, int(n_vox * per["share"][exp]))), ids, folds))
    for name in ("Blank2014fROI", "Fedorenko2016v3"):
        s = SHAPES[name]
        n = max(40, int(s["presentations"] * scale))
        latent = rng.standard_normal((n, k))
        labels = np.arange(n) % min(s["groups"], n // 5)
        folds = splits(SplitSpec("StratifiedKFold", 5, 1, "group"), n, labels)
        out[name] = [Problem(name, _layers(rng, latent, n_layers, n_features), _target(rng, latent, s["neuroids"]),
                             np.arange(n), folds)]
    return out
