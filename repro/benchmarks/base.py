"""What every benchmark returns: per-layer scores plus what is needed to trace them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..suites import SUITE_BSL, SUITE_LEGACY  # noqa: F401  (re-exported: benchmarks import them from here)


@dataclass
class LayerScore:
    layer: str
    n_features: int
    raw_center: float | None
    raw_error: float | None
    score_center: float
    score_error: float | None
    extra: dict = field(default_factory=dict)
    conditioning: dict | None = None  # metrics/conditioning.py record + the original's expected spread
    # repro.stats (not in either original suite): 95 % bootstrap intervals and per-subject scores
    raw_ci: list[float] | None = None
    score_ci: list[float] | None = None
    subject_scores: dict | None = None


@dataclass
class BenchmarkScore:
    benchmark: str
    suite: str
    metric: str
    ceiling: float | None
    ceiling_kind: str
    ceiling_source: str
    layers: list[LayerScore]
    folds: list[dict] = field(default_factory=list)
    per_neuroid: dict[str, np.ndarray] = field(default_factory=dict)  # side-file arrays
    data_files: dict[str, str] = field(default_factory=dict)  # name -> sha1
    settings: dict = field(default_factory=dict)
    layer_selection: dict | None = None  # repro.stats.nested, beside the max over layers

    @property
    def best_layer(self) -> LayerScore:
        """Max normalised center; ties go to the first layer in model order (np.argmax)."""
        centers = np.array([-np.inf if ls.score_center is None or np.isnan(ls.score_center) else ls.score_center
                            for ls in self.layers])
        if np.isneginf(centers).all():  # no ceiling (CKA/RDM without one): rank by the raw score
            centers = np.array([-np.inf if ls.raw_center is None or np.isnan(ls.raw_center) else ls.raw_center
                                for ls in self.layers])
        return self.layers[int(np.argmax(centers))]

    def layer(self, name: str) -> LayerScore:
        return next(ls for ls in self.layers if ls.layer == name)
