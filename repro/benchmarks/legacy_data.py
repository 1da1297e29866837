"""Data loading and stimuli shared by the legacy neural-nlp benchmarks (encoding and CKA/RDM)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..metrics.cv import SplitSpec
from ..metrics.solvers import check_solver
from .base import SUITE_LEGACY, DataOptions, Loaded, Stimuli


@dataclass(frozen=True, kw_only=True)
class LegacyBenchmark:
    """What the legacy encoding and CKA/RDM benchmarks share: their data, subjects and context streams.
    Subclasses add ``ceiling_key`` (None: no stored ceiling) and their scoring."""

    id: str
    data_key: str
    split: SplitSpec
    aggregation: str  # "pereira" (subject/experiment/atlas) | "per-neuroid" or "per-subject" (Blank, Fedorenko)
    subject_coord: str
    streams: Callable  # (stimulus_set DataFrame) -> list[LegacyStream]
    description: str = ""
    per_word: bool = False
    suite: str = SUITE_LEGACY

    def read(self, fetch):
        """The data from ``fetch(bucket key) -> path`` (a store, or a folder of the bucket's files)."""
        from ..data.legacy import load_legacy

        return load_legacy(self.data_key, self.ceiling_key, fetch)

    def load(self, options: DataOptions) -> Loaded:
        from ..data.store import fetch_legacy, legacy_store

        store = legacy_store(options.data_dir, options.offline, options.quiet)
        data = self.read(lambda key: fetch_legacy(key, store=store))
        return Loaded(data, dict(store.sha1s), str(store.root))

    def aligned_layers(self, acts, data) -> dict:
        """Each layer's rows in the assembly's presentation order (finite values checked first)."""
        import numpy as np

        from ..metrics.encoding import align_rows

        acts.check_finite()
        rows = align_rows(np.asarray(acts.stimulus_id), data.assembly.presentation["stimulus_id"].to_numpy())
        return {name: arr[rows] for name, arr in acts.layers.items()}

    def stimuli(self, data) -> Stimuli:
        return Stimuli("legacy", self.streams(data.stimulus_set))

    def resolve_solver(self, solver: str) -> str:
        return "legacy-exact" if solver == "exact" else check_solver(solver)
