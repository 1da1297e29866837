"""The legacy neural-nlp encoding benchmarks (Schrimpf et al. 2021), as the original code scores them.

Spec: shared/spec/legacy-neural-nlp.md §4–§7. A concrete benchmark is a declaration
(see pereira2018.py, blank2014.py, fedorenko2016.py); this module holds the shared machinery.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..activations import Activations
from ..errors import DataError, InputError
from ..metrics.correlation import pearson_scipy
from ..metrics.cv import splits
from ..metrics.encoding import cross_regressed_correlation
from ..metrics.stats import median_and_mad, quiet_nan, sorted_unique
from ..stats.aggregate import PereiraAggregate, PerNeuroidAggregate
from ..stats.attach import add_intervals
from ..stats.attach import layer_selection as stats_selection
from ..stats.bootstrap import FoldObserver
from .base import BenchmarkScore, LayerScore, ScoreContext
from .legacy_data import LegacyBenchmark

CEILING_MODES = ("positional", "aligned")


@dataclass(frozen=True, kw_only=True)
class LegacyEncodingBenchmark(LegacyBenchmark):
    """``aggregation``: "pereira" (aggregate ceiling) | "per-neuroid" (Blank, Fedorenko)."""

    ceiling_key: str
    neuroid_order: str  # coordinate the correlation's output is stably sorted by
    published_ceiling: float | None = None  # for listings only; scoring reads the stored ceiling file
    metric: str = "encoding"

    def cv_steps(self, n_layers: int) -> int:
        return n_layers * self.split.n_splits * (2 if self.aggregation == "pereira" else 1)  # two experiments

    def score(self, acts: Activations, data, ctx: ScoreContext | None = None) -> BenchmarkScore:
        ctx = ctx or ScoreContext()
        solver, ceiling_mode, progress, device = ctx.solver, ctx.ceiling_mode, ctx.progress, ctx.device
        bootstrap, layer_selection = ctx.bootstrap, ctx.layer_selection
        if ceiling_mode not in CEILING_MODES:
            raise InputError(f"unknown ceiling mode {ceiling_mode!r}; choose from {', '.join(CEILING_MODES)}")
        layers = self.aligned_layers(acts, data)
        if self.aggregation == "pereira":
            result = self._score_pereira(layers, data, solver, ctx.atlases, progress, device, bootstrap, layer_selection)
        else:
            result = self._score_per_neuroid(layers, data, solver, ceiling_mode, progress, device, bootstrap,
                                             layer_selection)
        result.settings.update({"solver": solver, "seed": self.split.random_state,
                                "ceiling_mode": ceiling_mode if self.aggregation != "pereira" else None,
                                "cv": self.split.describe()})
        return result

    # -- Pereira2018: experiment x atlas, aggregate ceiling ------------------------------------
    def _score_pereira(self, layers, data, solver, atlases, progress, device=None, bootstrap=None,
                       layer_selection="max") -> BenchmarkScore:
        from ..metrics.conditioning import layers_conditioning  # scipy: not at start-up

        asm = data.assembly
        pres, neur = asm.presentation, asm.neuroid
        ids = pres["stimulus_id"].to_numpy()
        lang = (neur["atlas"] == "language").to_numpy()
        agg = PereiraAggregate(asm.values.shape[1], lang, neur["subject"].to_numpy()[lang], data.ceiling_center)
        observer = FoldObserver(bootstrap, None) if bootstrap else None
        n_experiments = pres["experiment"].nunique()
        fold_r = {name: np.full((n_experiments, self.split.n_splits, asm.values.shape[1]), np.nan) for name in layers}
        folds_out, per_block = [], []
        for e, exp, prow, folds, cols in self._experiment_blocks(asm, atlases):
            target = asm.values[prow][:, cols]
            exp_ids = ids[prow]
            folds_out.append({"experiment": exp, "splitter": self.split.splitter, "split_coord": "stimulus_id",
                              "test_stimulus_ids": [exp_ids[te].tolist() for _, te in folds]})
            block_layers = {n: X[prow] for n, X in layers.items()}
            obs = observer.for_block(e, agg.block_reducer(cols)) if observer else None
            r = cross_regressed_correlation(block_layers, target, exp_ids, folds,
                                            pearson_scipy, solver=solver, progress=progress, device=device,
                                            observer=obs)
            per_block.append(layers_conditioning(block_layers, folds, None))
            for name in layers:
                fold_r[name][e][:, cols] = r[name]
        conditioning = self._annotated(per_block)
        subjects = neur["subject"].to_numpy()[lang]
        ceiling = data.ceiling_center
        out_layers, per_neuroid = [], {"neuroid_id": neur["neuroid_id"].to_numpy()}
        for name, X in layers.items():
            with np.errstate(all="ignore"), quiet_nan():
                per_exp = np.nanmean(fold_r[name], axis=1)  # mean over folds
                r_v = np.nanmean(per_exp, axis=0)[lang]  # mean over the experiments a voxel was scored in
            medians = _subject_medians(r_v, subjects)
            center, error = median_and_mad(medians)
            out_layers.append(LayerScore(name, X.shape[1], center, error, center / ceiling, error / ceiling,
                                         {"subject_medians": medians, "n_language_neuroids": int(lang.sum())},
                                         conditioning[name], subject_scores=agg.subject_scores(medians)))
            per_neuroid[f"{name}__fold_r"] = fold_r[name]
            per_neuroid[f"{name}__language_neuroid_r"] = r_v
        per_neuroid["language_neuroid_id"] = neur["neuroid_id"].to_numpy()[lang]
        add_intervals(out_layers, agg, bootstrap, per_neuroid)
        return BenchmarkScore(self.id, self.suite, self.metric, ceiling, "aggregate", "stored", out_layers,
                              folds_out, per_neuroid,
                              layer_selection=stats_selection(out_layers, agg, fold_r, self.split.n_splits,
                                                              layer_selection))

    def _experiment_blocks(self, asm, atlases) -> list[tuple]:
        """Pereira2018, per experiment in sorted order: (its index, experiment, presentation rows, folds, the
        neuroid columns scored: in ``atlases``, of subjects who did it); experiments without any are left out."""
        pres, neur = asm.presentation, asm.neuroid
        in_atlas = neur["atlas"].isin(atlases).to_numpy()
        out = []
        for e, exp in enumerate(sorted(pres["experiment"].unique())):
            prow = np.flatnonzero(pres["experiment"].to_numpy() == exp)
            cols = np.flatnonzero(in_atlas & ~np.isnan(asm.values[prow]).any(axis=0))
            if cols.size == 0:
                continue
            labels = pres[self.split.stratify_coord].to_numpy()[prow] if self.split.stratify_coord else None
            order = pres[self.split.order_coord].to_numpy()[prow] if self.split.order_coord else None
            out.append((e, exp, prow, splits(self.split, len(prow), labels, order), cols))
        return out

    def _folds(self, asm) -> list:
        """Blank2014fROI / Fedorenko2016v3: the folds over every presentation row."""
        pres = asm.presentation
        labels = pres[self.split.stratify_coord].to_numpy() if self.split.stratify_coord else None
        return splits(self.split, len(pres), labels,
                      pres[self.split.order_coord].to_numpy() if self.split.order_coord else None)

    def _annotated(self, per_block: list[dict]) -> dict[str, dict]:
        """Each layer's annotated conditioning record from the scored blocks' records (``layers_conditioning``
        per block; Pereira: the worse of its experiments, with both listed)."""
        from ..metrics.conditioning import merge_blocks  # scipy: not at start-up
        from ..tolerances import annotate

        merge = merge_blocks if self.aggregation == "pereira" else (lambda records: records[0])
        return {n: annotate(self.suite, self.id, merge([b[n] for b in per_block])) for n in per_block[0]}

    def conditioning(self, acts: Activations, data) -> dict[str, dict]:
        """Per layer, the conditioning record ``score`` attaches, without scoring: for activations that were
        scored elsewhere (the legacy engine's, which the original code regressed on)."""
        from ..metrics.conditioning import layers_conditioning  # scipy: not at start-up

        layers = self.aligned_layers(acts, data)
        asm = data.assembly
        if self.aggregation == "pereira":
            per_block = [layers_conditioning({n: X[prow] for n, X in layers.items()}, folds, None)
                         for _, _, prow, folds, _ in self._experiment_blocks(asm, ScoreContext().atlases)]
        else:
            per_block = [layers_conditioning(layers, self._folds(asm), None)]
        return self._annotated(per_block)

    # -- Blank2014fROI / Fedorenko2016v3: per-neuroid ceiling --------------------------------------
    def _score_per_neuroid(self, layers, data, solver, ceiling_mode, progress, device=None, bootstrap=None,
                           layer_selection="max") -> BenchmarkScore:
        from ..metrics.conditioning import layers_conditioning  # scipy: not at start-up

        asm = data.assembly
        pres, neur = asm.presentation, asm.neuroid
        ids = pres["stimulus_id"].to_numpy()
        folds = self._folds(asm)
        # the correlation's output neuroid order: a stable sort by the neuroid coordinate
        order = np.argsort(neur[self.neuroid_order].to_numpy(), kind="stable")
        target = asm.values[:, order]
        neuroid_ids = neur["neuroid_id"].to_numpy()[order]
        subjects = neur[self.subject_coord].to_numpy()[order]
        c_ids, c_center = data.ceiling_neuroid_center()
        if set(map(str, c_ids)) != set(map(str, neuroid_ids)) or len(c_ids) != len(neuroid_ids):
            raise DataError(f"the per-neuroid ceilings of {self.ceiling_key} do not cover the same neuroids as {self.data_key}")
        if ceiling_mode == "aligned":
            pos = {str(k): i for i, k in enumerate(c_ids)}
            c = c_center[[pos[str(k)] for k in neuroid_ids]]
        else:
            # legacy quirk (spec §5.2): the alignment by neuroid_id is a no-op upstream, so the
            # i-th score neuroid is divided by the i-th ceiling row as stored in the file
            c = c_center
        agg = PerNeuroidAggregate(c, subjects)
        r = cross_regressed_correlation(layers, target, ids, folds, pearson_scipy, solver=solver, progress=progress,
                                        device=device, observer=FoldObserver(bootstrap, agg.reduce) if bootstrap else None)
        conditioning = self._annotated([layers_conditioning(layers, folds, None)])
        out_layers, per_neuroid = [], {"neuroid_id": neuroid_ids, "ceiling_center_file_order": c_center,
                                        "ceiling_neuroid_id_file_order": c_ids}
        for name, X in layers.items():
            with quiet_nan():
                r_n = np.nanmean(r[name], axis=0)
            q = r_n / c
            medians = _subject_medians(q, subjects)
            center, error = median_and_mad(medians)
            out_layers.append(LayerScore(name, X.shape[1], None, None, center, error, {"subject_medians": medians},
                                         conditioning[name],
                                         subject_scores=dict(medians)))
            per_neuroid[f"{name}__split_neuroid_r"] = r[name]
            per_neuroid[f"{name}__neuroid_r"] = r_n
            per_neuroid[f"{name}__neuroid_normalized"] = q
        folds_out = [{"experiment": None, "splitter": self.split.splitter, "split_coord": "stimulus_id",
                      "stratification_coord": self.split.stratify_coord,
                      "test_stimulus_ids": [ids[te].tolist() for _, te in folds]}]
        add_intervals(out_layers, agg, bootstrap, per_neuroid)
        return BenchmarkScore(self.id, self.suite, self.metric, data.ceiling_center, "per-neuroid", "stored",
                              out_layers, folds_out, per_neuroid,
                              layer_selection=stats_selection(out_layers, agg, r, self.split.n_splits, layer_selection))


def _subject_medians(values: np.ndarray, subjects: np.ndarray) -> dict[str, float]:
    out = {}
    for s in sorted_unique(subjects):
        with quiet_nan():
            out[str(s)] = float(np.nanmedian(values[subjects == s]))
    return out
