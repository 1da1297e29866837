"""Arrays with the real benchmarks' shapes (values synthetic: timing only, plus peer agreement).

Targets share a low-dimensional latent with the activations, so scores are not pure noise and
the agreement between repro and a peer on the same arrays means something.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# presentations x neuroids of the real data. Pereira: the language-atlas voxels of the subjects who
# did that experiment (8,031 and 12,155: spec/brainscore-language.md); the legacy file's other
# atlases are regressed too upstream but its count is unknown, so both suites use these.
LEGACY = {"Pereira2018/243sentences": (243, 8031), "Pereira2018/384sentences": (384, 12155),
          "Blank2014fROI": (1317, 60), "Fedorenko2016v3": (416, 97)}
BSL = {"Pereira2018.243sentences": (243, 8031), "Pereira2018.384sentences": (384, 12155),
       "Blank2014": (1317, 60), "Fedorenko2016": (416, 97)}
GROUPS = {"Blank": 8, "Fedorenko": 52}  # stories / sentences: the legacy stratification labels


@dataclass
class Case:
    suite: str  # "legacy" | "bsl"
    name: str
    X: dict[str, np.ndarray]  # layer -> [presentation, feature] float32
    Y: np.ndarray  # [presentation, neuroid] float64
    stimulus_id: np.ndarray
    labels: np.ndarray  # stratification labels (legacy Blank/Fedorenko)

    @property
    def shape(self) -> list[int]:
        return [len(self.stimulus_id), self.Y.shape[1], len(self.X), next(iter(self.X.values())).shape[1]]


def _case(rng, suite, name, n, m, layers, features) -> Case:
    k = 16
    latent = rng.standard_normal((n, k))
    X = {}
    for i in range(layers):
        mix = rng.standard_normal((k, features)).astype(np.float32)
        noise = rng.standard_normal((n, features)).astype(np.float32)
        X["embedding" if i == 0 else f"encoder.h.{i - 1}"] = latent.astype(np.float32) @ mix + (1 + 0.2 * i) * noise
    Y = latent @ rng.standard_normal((k, m)) * 0.3 + rng.standard_normal((n, m))
    group = next((g for key, g in GROUPS.items() if name.startswith(key)), None)
    if name.startswith("Pereira"):
        exp = name.split("/")[-1].split(".")[-1]
        ids = np.asarray([f"{exp}.{i}" for i in rng.permutation(n)])
    else:
        ids = np.arange(n)
    labels = np.arange(n) % min(group, max(1, n // 5)) if group else np.zeros(n, dtype=int)
    return Case(suite, name, X, Y, ids, labels)


def cases(scale: float, legacy_layers: int, features: int, seed: int = 0) -> list[Case]:
    """Legacy cases score every layer (``legacy_layers``); BSL benchmarks score one committed layer.
    ``scale`` < 1 shrinks the neuroid counts (presentations stay: they set the CV problem)."""
    rng = np.random.default_rng(seed)
    out = []
    for suite, table, layers in (("legacy", LEGACY, legacy_layers), ("bsl", BSL, 1)):
        for name, (n, m) in table.items():
            out.append(_case(rng, suite, name, n, max(8, int(m * scale)), layers, features))
    return out
