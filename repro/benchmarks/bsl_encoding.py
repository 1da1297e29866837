"""Brain-Score Language 2.3 encoding benchmarks, as brainscore-language 2.3.0 scores them.

Spec: shared/spec/brainscore-language.md §3–§6. Pooled median over neuroids per split, mean
over splits, division by a scalar ceiling, clipping to [0, 1] (the unclipped value is kept).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..activations import Activations
from ..metrics.correlation import pearson_eps
from ..metrics.cv import SplitSpec, splits
from ..metrics.encoding import align_rows, cross_regressed_correlation
from ..metrics.solvers import BSL_COND, check_solver
from ..stats.aggregate import BslAggregate
from ..stats.attach import add_intervals
from ..stats.attach import layer_selection as stats_selection
from ..stats.bootstrap import FoldObserver
from .base import SUITE_BSL, BenchmarkScore, DataOptions, LayerScore, Loaded, ScoreContext, Stimuli


@dataclass
class BslData:
    assembly: object  # the benchmark's selection of the assembly
    stored_ceiling: float | None  # the ceiling file's scalar; None: recomputed at scoring time (cached)
    data_sha1: str | None  # keys the computed ceiling's cache


@dataclass(frozen=True)
class BslEncodingBenchmark:
    id: str
    data_file: str  # assy_*.nc
    split: SplitSpec
    regression: str  # "linear" | "ridge"
    group_coord: str  # digest_text is called once per sorted(set(group_coord))
    subject_coord: str
    experiment: str | None = None  # Pereira: sel(experiment) then dropna('neuroid')
    ceiling_file: str | None = None  # stored scalar ceiling; None -> recomputed (cached)
    aliases: tuple[tuple[str, str], ...] = ()
    description: str = ""
    published_ceiling: float | None = None  # for listings only; scoring reads the ceiling file or recomputes
    suite: str = SUITE_BSL
    metric: str = "encoding"

    def load(self, options: DataOptions) -> Loaded:
        from ..data.netcdf import read_dataarray
        from ..data.store import bsl_store, fetch_bsl

        store = bsl_store(options.data_dir, options.offline, options.quiet)
        assembly = self.select(read_dataarray(fetch_bsl(self.data_file, store=store)))
        stored = None
        if self.ceiling_file:
            arr = read_dataarray(fetch_bsl(self.ceiling_file, store=store)).values
            stored = float(np.asarray(arr).reshape(-1)[0])
        data = BslData(assembly, stored, store.sha1s.get(self.data_file))
        return Loaded(data, dict(store.sha1s), str(store.root))

    def stimuli(self, data: BslData) -> Stimuli:
        return Stimuli("bsl", self.groups(data.assembly))

    def resolve_solver(self, solver: str) -> str:
        return "bsl-exact" if solver == "exact" else check_solver(solver)

    def cv_steps(self, n_layers: int) -> int:
        return n_layers * self.split.n_splits

    def ceiling(self, data: BslData, ctx: ScoreContext) -> tuple[float, str]:
        if data.stored_ceiling is not None:
            return data.stored_ceiling, "stored"
        from ..ceiling_cache import bsl_benchmark_ceiling
        from .variants import original

        # a leakage-safe variant is normalised by its original's ceiling (the original's splits)
        return bsl_benchmark_ceiling(original(self), data.assembly, data.data_sha1, ctx.cache_dir, quiet=ctx.quiet), "computed"

    def select(self, assembly):
        if self.experiment is None:
            return assembly
        asm = assembly.isel(presentation=assembly.presentation["experiment"].to_numpy() == self.experiment)
        return asm.isel(neuroid=~np.isnan(asm.values).any(axis=0))

    def groups(self, assembly) -> list:
        """What HuggingfaceSubject.digest_text receives: parts of each group in stored order."""
        from ..models.streams import BslGroup

        pres = assembly.presentation
        keys = pres[self.group_coord].to_numpy()
        out = []
        for key in sorted(set(keys.tolist())):
            rows = np.flatnonzero(keys == key)
            out.append(BslGroup(tuple(str(s) for s in pres["stimulus"].to_numpy()[rows]),
                                tuple(pres["stimulus_id"].to_numpy()[rows].tolist())))
        return out

    def folds(self, assembly):
        pres = assembly.presentation
        labels = pres[self.split.stratify_coord].to_numpy() if self.split.stratify_coord else None
        order = pres[self.split.order_coord].to_numpy() if self.split.order_coord else None
        return splits(self.split, assembly.values.shape[0], labels, order)

    def score(self, acts: Activations, data: BslData, ctx: ScoreContext | None = None) -> BenchmarkScore:
        from ..metrics.conditioning import layers_conditioning  # scipy: not at start-up
        from ..tolerances import annotate

        ctx = ctx or ScoreContext()
        solver, assembly = ctx.solver, data.assembly
        bootstrap, layer_selection = ctx.bootstrap, ctx.layer_selection
        acts.check_finite()
        ceiling, ceiling_source = self.ceiling(data, ctx)
        ids = assembly.presentation["stimulus_id"].to_numpy()
        rows = align_rows(np.asarray(acts.stimulus_id), ids)
        layers = {name: arr[rows] for name, arr in acts.layers.items()}
        folds = self.folds(assembly)
        agg = BslAggregate(ceiling, assembly.neuroid[self.subject_coord].to_numpy())
        r = cross_regressed_correlation(layers, assembly.values, ids, folds, pearson_eps, solver=solver,
                                        regression=self.regression, progress=ctx.progress, device=ctx.device,
                                        cutoff=BSL_COND,
                                        observer=FoldObserver(bootstrap, agg.reduce, eps=1e-8) if bootstrap else None)
        conditioning = layers_conditioning(layers, folds, BSL_COND, self.regression)
        out, per_neuroid = [], {"neuroid_id": assembly.neuroid["neuroid_id"].to_numpy()}
        for name, X in layers.items():
            per_split = np.median(r[name], axis=1)
            raw = float(np.mean(per_split))
            unclipped = raw / ceiling
            score = float(min(max(unclipped, 0.0), 1.0))
            out.append(LayerScore(name, X.shape[1], raw, None, score, None, {
                "unclipped_score": unclipped if score != unclipped else None,
                "per_split_median": per_split.tolist()}, annotate(self.suite, self.id, conditioning[name]),
                subject_scores=agg.subject_scores(r[name])))
            per_neuroid[f"{name}__split_neuroid_r"] = r[name]
        fold_info = {"splitter": self.split.splitter, "split_coord": "stimulus_id",
                     "test_stimulus_ids": [ids[te].tolist() for _, te in folds]}
        if self.split.splitter == "GroupKFold":
            groups = assembly.presentation[self.split.stratify_coord].to_numpy()
            fold_info["split_coord"] = self.split.stratify_coord
            fold_info["test_split_values"] = [list(dict.fromkeys(groups[np.sort(te)].tolist())) for _, te in folds]
        add_intervals(out, agg, bootstrap, per_neuroid)
        return BenchmarkScore(self.id, self.suite, self.metric, ceiling, "scalar", ceiling_source, out,
                              [fold_info], per_neuroid, {},
                              {"solver": solver if self.regression == "linear" else "ridge-gcv",
                               "seed": self.split.random_state, "cv": self.split.describe(),
                               "regression": self.regression},
                              layer_selection=stats_selection(out, agg, r, len(folds), layer_selection,
                                                              disjoint=self.split.splitter != "ShuffleSplit"))


def shuffle_split() -> SplitSpec:
    return SplitSpec("ShuffleSplit", n_splits=10, random_state=1, train_size=0.9)


def group_kfold(n_splits: int, groups: str) -> SplitSpec:
    return SplitSpec("GroupKFold", n_splits=n_splits, random_state=1234, stratify_coord=groups)


Declare = Callable[..., BslEncodingBenchmark]
