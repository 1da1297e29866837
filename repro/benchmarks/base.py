"""What every benchmark returns: per-layer scores plus what is needed to trace them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, runtime_checkable

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


@dataclass(frozen=True)
class DataOptions:
    """Where a benchmark's data files come from (explicit argument > environment > default)."""

    data_dir: str | None = None
    offline: bool | None = None
    quiet: bool = False


@dataclass
class Loaded:
    """A benchmark's data as its ``score`` wants it, plus the files it was read from."""

    data: Any
    files: dict[str, str]  # file name -> sha1
    root: str


class Stimuli(NamedTuple):
    """What a model is fed: ``mode`` 'legacy' (context streams, neural-nlp) or 'bsl' (digest_text groups)."""

    mode: str
    units: list


@dataclass(frozen=True)
class ScoreContext:
    """Everything a benchmark's ``score`` may use besides activations and data; options that do not
    apply to a benchmark are ignored by it (the pipeline refuses the ones a user set explicitly)."""

    solver: str = "stable"  # already resolved for the benchmark's suite (see Benchmark.resolve_solver)
    ceiling_mode: str = "positional"  # legacy per-neuroid ceilings: by file position or aligned by neuroid_id
    ceiling: float | None = None  # CKA/RDM: a ceiling the user supplies
    subject_value: str = "legacy"  # CKA/RDM Blank/Fedorenko: the legacy quirk or the CV center
    atlases: tuple[str, ...] = ("language",)
    device: str | None = None  # where the stable regression's products run (None: NumPy on the CPU)
    progress: Any = None  # something with .update(n), advanced once per cross-validation step
    cache_dir: str | None = None  # computed ceilings are cached under it
    quiet: bool = False
    bootstrap: Any = None  # repro.stats.bootstrap.BootstrapSpec (None: no intervals); encoding benchmarks only
    layer_selection: str = "max"  # max (the suites' rule) | nested (also report the held-out choice)


@runtime_checkable
class Benchmark(Protocol):
    """What the pipeline needs of a benchmark; built-in and plugin benchmarks implement it alike."""

    id: str
    suite: str
    metric: str
    description: str

    def load(self, options: DataOptions) -> Loaded:
        """Fetch (download if allowed) and read the data files."""

    def stimuli(self, data) -> Stimuli:
        """The units a model is fed, in the order the benchmark's context rule needs."""

    def resolve_solver(self, solver: str) -> str:
        """``exact`` names the original suite's solver; anything else is checked and returned."""

    def cv_steps(self, n_layers: int) -> int:
        """How many ``progress.update(1)`` calls scoring ``n_layers`` layers makes."""

    def score(self, acts, data, ctx: ScoreContext) -> BenchmarkScore:
        """Per-layer scores of the activations against the data."""
