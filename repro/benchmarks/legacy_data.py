"""Data loading and stimuli shared by the legacy neural-nlp benchmarks (encoding and CKA/RDM)."""

from __future__ import annotations

from ..metrics.solvers import check_solver
from .base import DataOptions, Loaded, Stimuli


class LegacyDataMixin:
    """Needs ``data_key``, ``ceiling_key`` (None: no stored ceiling) and ``streams`` on the dataclass."""

    def read(self, fetch):
        """The data from ``fetch(bucket key) -> path`` (a store, or a folder of the bucket's files)."""
        from ..data.legacy import load_legacy

        return load_legacy(self.data_key, self.ceiling_key, fetch)

    def load(self, options: DataOptions) -> Loaded:
        from ..data.store import fetch_legacy, legacy_store

        store = legacy_store(options.data_dir, options.offline, options.quiet)
        data = self.read(lambda key: fetch_legacy(key, store=store))
        return Loaded(data, dict(store.sha1s), str(store.root))

    def stimuli(self, data) -> Stimuli:
        return Stimuli("legacy", self.streams(data.stimulus_set))

    def resolve_solver(self, solver: str) -> str:
        return "legacy-exact" if solver == "exact" else check_solver(solver)
