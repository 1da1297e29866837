"""Brain-Score Language 2.3 encoding benchmarks, as brainscore-language 2.3.0 scores them.

Spec: shared/spec/brainscore-language.md §3–§6. Pooled median over neuroids per split, mean
over splits, division by a scalar ceiling, clipping to [0, 1] (the unclipped value is kept).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..activations import Activations
from ..metrics.conditioning import layers_conditioning
from ..metrics.correlation import pearson_eps
from ..metrics.cv import SplitSpec, splits
from ..metrics.encoding import align_rows, cross_regressed_correlation
from ..metrics.regression import BSL_COND
from ..stats.aggregate import BslAggregate
from ..stats.attach import add_intervals
from ..stats.attach import layer_selection as stats_selection
from ..stats.bootstrap import FoldObserver
from ..tolerances import annotate
from .base import SUITE_BSL, BenchmarkScore, LayerScore


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

    def score(self, acts: Activations, assembly, ceiling: float, ceiling_source: str, solver: str = "stable",
              progress=None, data_files: dict | None = None, device: str | None = None, bootstrap=None,
              layer_selection: str = "max") -> BenchmarkScore:
        acts.check_finite()
        ids = assembly.presentation["stimulus_id"].to_numpy()
        rows = align_rows(np.asarray(acts.stimulus_id), ids)
        layers = {name: arr[rows] for name, arr in acts.layers.items()}
        folds = self.folds(assembly)
        agg = BslAggregate(ceiling, assembly.neuroid[self.subject_coord].to_numpy())
        r = cross_regressed_correlation(layers, assembly.values, ids, folds, pearson_eps, solver=solver,
                                        regression=self.regression, progress=progress, device=device,
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
                              [fold_info], per_neuroid, dict(data_files or {}),
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
