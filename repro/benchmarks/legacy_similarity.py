"""The legacy neural-nlp secondary benchmarks: ``*-cka`` (linear CKA) and ``*-rdm`` (RDM + Spearman).

Spec: shared/spec/legacy-neural-nlp.md §8; goldens: shared/golden/README.md §5.2-5.3, §8.
Each benchmark reuses the data key, subject coordinate and context streams of the encoding
benchmark of the same dataset. Cross-validation is test-only: in each fold the similarity is
computed on the test stimuli (sorted by ``stimulus_id``) and training folds are unused.

- Pereira2018: per subject x experiment x atlas (voxels with a NaN dropped), ``KFold(5)`` per
  experiment as in the encoding benchmark; per-subject value = mean over folds, then mean over the
  experiments the subject did; ``language`` atlas only.
- Blank2014fROI / Fedorenko2016v3: per subject over all presentations. Blank uses plain
  ``KFold(5)`` (not the encoding benchmark's story-stratified split; the golden folds show it),
  Fedorenko ``StratifiedKFold(5)`` by ``sentence_id``. Legacy quirk: the per-subject value is
  ``(CV mean + CV standard error) / 2`` because upstream takes a groupby-median over a Score that
  still carries its ``aggregation`` = [center, error] dimension. ``subject_value="center"`` uses
  the CV mean instead (a correction, not legacy).
- CV error = population std over folds / sqrt(n_folds) (brain-score's standard error, ddof 0).
- ``raw_center`` = median over subjects, ``raw_error`` = MAD; both divided by the aggregate ceiling.

Ceilings: upstream recomputes the CKA/RDM ceilings on the fly (inter-subject extrapolation) and
the stored S3 data carry none we could load, so no ceiling is shipped here. Pass ``ceiling=`` (a
scalar, e.g. from a ceiling you computed); without one the raw values are reported and the
normalised score is marked unavailable (``score_center`` NaN, ``ceiling_source='unavailable'``).

The ``-cka`` benchmarks reproduce the legacy goldens; the upstream ``-rdm`` benchmarks do not run
with the golden library versions, so ``-rdm`` follows the spec and shares the CKA aggregation path
(including the Blank/Fedorenko quirk, since upstream shares that code) without golden numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..activations import Activations
from ..errors import InputError
from ..metrics.cka import SIMILARITIES
from ..metrics.cv import SplitSpec, sort_by_id, splits
from ..metrics.stats import median_and_mad, quiet_nan, sorted_unique
from .base import BenchmarkScore, LayerScore, ScoreContext
from .blank2014 import BLANK2014FROI_ENCODING
from .fedorenko2016 import FEDORENKO2016V3_ENCODING
from .legacy_data import LegacyBenchmark
from .legacy_encoding import LegacyEncodingBenchmark
from .pereira2018 import PEREIRA2018_ENCODING

SUBJECT_VALUES = ("legacy", "center")


@dataclass(frozen=True, kw_only=True)
class LegacySimilarityBenchmark(LegacyBenchmark):
    """``aggregation``: "pereira" (subject x experiment x atlas) | "per-subject" (Blank, Fedorenko)."""

    similarity: str  # key of repro.metrics.cka.SIMILARITIES
    ceiling_key: str | None = None  # none is stored upstream (see module docstring)
    context_options = ("ceiling", "subject_value", "atlases")  # the ScoreContext fields beyond the common ones

    @property
    def metric(self) -> str:
        return self.similarity

    def resolve_solver(self, solver: str) -> str:
        return solver  # nothing is fitted: the solver does not apply (the pipeline refuses a non-default one)

    def cv_steps(self, n_layers: int) -> int:
        return n_layers * self.split.n_splits * (2 if self.aggregation == "pereira" else 1)

    def score(self, acts: Activations, data, ctx: ScoreContext | None = None) -> BenchmarkScore:
        """Score every layer; ``ctx.ceiling``, ``ctx.subject_value`` and ``ctx.atlases`` apply, nothing is fitted."""
        ctx = ctx or ScoreContext()
        ceiling, subject_value, atlases, progress = ctx.ceiling, ctx.subject_value, ctx.atlases, ctx.progress
        if subject_value not in SUBJECT_VALUES:
            raise InputError(f"unknown subject value {subject_value!r}; choose from {', '.join(SUBJECT_VALUES)}")
        if ceiling is not None:
            ceiling = _positive_float(ceiling, self.id)
        if self.aggregation == "pereira" and "language" not in atlases:
            raise InputError(f"{self.id} scores the 'language' atlas; include it in atlases (got {', '.join(atlases)})")
        layers = self.aligned_layers(acts, data)
        sim = SIMILARITIES[self.similarity]
        if self.aggregation == "pereira":
            values, folds_out, side = self._pereira(layers, data, sim, atlases, progress)
            subject_value = "center"  # the quirk does not reach Pereira's aggregation
        else:
            values, folds_out, side = self._per_subject(layers, data, sim, subject_value, progress)
        out_layers = []
        for name, X in layers.items():
            used = values[name]["used"]
            center, error = median_and_mad(used)
            extra = {"per_subject_value_used": used}
            extra.update({k: v for k, v in values[name].items() if k != "used"})
            if ceiling is None:
                out_layers.append(LayerScore(name, X.shape[1], center, error, float("nan"), None, extra))
            else:
                out_layers.append(LayerScore(name, X.shape[1], center, error, center / ceiling, error / ceiling, extra))
        result = BenchmarkScore(self.id, self.suite, self.metric, ceiling, "aggregate",
                                "supplied" if ceiling is not None else "unavailable", out_layers, folds_out, side)
        result.settings.update({"solver": None, "seed": self.split.random_state, "cv": self.split.describe(),
                                "cv_mode": "test-only", "subject_value": subject_value,
                                "atlases": list(atlases) if self.aggregation == "pereira" else None})
        return result

    # -- Pereira2018: subject x experiment x atlas, mean over folds then experiments ------------------
    def _pereira(self, layers, data, sim, atlases, progress):
        asm = data.assembly
        pres, neur = asm.presentation, asm.neuroid
        ids = pres["stimulus_id"].to_numpy()
        experiments = sorted(pres["experiment"].unique())
        subjects_all = neur[self.subject_coord].to_numpy()
        atlas_all = neur["atlas"].to_numpy()
        subjects = sorted_unique(subjects_all[np.isin(atlas_all, list(atlases))])
        # fold[layer][atlas] -> [experiment, subject, fold]
        fold_sim = {name: {a: np.full((len(experiments), len(subjects), self.split.n_splits), np.nan)
                           for a in atlases} for name in layers}
        folds_out = []
        for e, exp in enumerate(experiments):
            prow = np.flatnonzero(pres["experiment"].to_numpy() == exp)
            exp_ids = ids[prow]
            block = asm.values[prow]
            folds = splits(self.split, len(prow))
            folds_out.append({"experiment": exp, "splitter": self.split.splitter, "split_coord": "stimulus_id",
                              "stratification_coord": None,
                              "test_stimulus_ids": [exp_ids[te].tolist() for _, te in folds]})
            targets = {}
            for a in atlases:
                for s_i, s in enumerate(subjects):
                    cols = np.flatnonzero((subjects_all == s) & (atlas_all == a))
                    cols = cols[~np.isnan(block[:, cols]).any(axis=0)]  # dropna('neuroid'): skipped experiment
                    if cols.size:
                        targets[a, s_i] = block[:, cols]
            for f, (_, test) in enumerate(folds):
                test = sort_by_id(np.asarray(test), exp_ids)
                prepared = {key: sim.prepare(Y[test]) for key, Y in targets.items()}
                for name, X in layers.items():
                    px = sim.prepare(X[prow][test])
                    for (a, s_i), py in prepared.items():
                        fold_sim[name][a][e, s_i, f] = sim.compare(px, py)
                    if progress is not None:
                        progress.update(1)
        values, side = {}, {"subject": np.asarray([str(s) for s in subjects]),
                            "experiments": np.asarray(experiments)}
        for name in layers:
            per_atlas = {}
            for a in atlases:
                with np.errstate(all="ignore"), quiet_nan():
                    per_exp = fold_sim[name][a].mean(axis=2)  # mean over folds (NaN if not done)
                    per_atlas[a] = np.nanmean(per_exp, axis=0)  # mean over the experiments done
                side[f"{name}__{a}__fold_similarity"] = fold_sim[name][a]
            lang = per_atlas.get("language")
            used = {} if lang is None else {str(s): float(v) for s, v in zip(subjects, lang) if not np.isnan(v)}
            values[name] = {"used": used,
                            "per_atlas_subject_value": {a: {str(s): float(v) for s, v in zip(subjects, vals)}
                                                        for a, vals in per_atlas.items()}}
        return values, folds_out, side

    # -- Blank2014fROI / Fedorenko2016v3: per subject over all presentations ----------------------------
    def _per_subject(self, layers, data, sim, subject_value, progress):
        asm = data.assembly
        pres, neur = asm.presentation, asm.neuroid
        ids = pres["stimulus_id"].to_numpy()
        labels = pres[self.split.stratify_coord].to_numpy() if self.split.stratify_coord else None
        folds = splits(self.split, len(ids), labels)
        subjects_all = neur[self.subject_coord].to_numpy()
        subjects = sorted_unique(subjects_all)
        targets = [asm.values[:, subjects_all == s] for s in subjects]
        fold_sim = {name: np.full((len(subjects), len(folds)), np.nan) for name in layers}
        for f, (_, test) in enumerate(folds):
            test = sort_by_id(np.asarray(test), ids)
            prepared = [sim.prepare(Y[test]) for Y in targets]
            for name, X in layers.items():
                px = sim.prepare(X[test])
                for s_i, py in enumerate(prepared):
                    fold_sim[name][s_i, f] = sim.compare(px, py)
                if progress is not None:
                    progress.update(1)
        values, side = {}, {"subject": np.asarray([str(s) for s in subjects])}
        for name in layers:
            cv_center = fold_sim[name].mean(axis=1)
            cv_error = fold_sim[name].std(axis=1) / np.sqrt(len(folds))
            used = (cv_center + cv_error) / 2 if subject_value == "legacy" else cv_center
            keys = [str(s) for s in subjects]
            values[name] = {"used": {k: float(v) for k, v in zip(keys, used) if not np.isnan(v)},
                            "per_subject_cv_center": dict(zip(keys, map(float, cv_center))),
                            "per_subject_cv_error": dict(zip(keys, map(float, cv_error)))}
            side[f"{name}__fold_similarity"] = fold_sim[name]
        folds_out = [{"experiment": None, "splitter": self.split.splitter, "split_coord": "stimulus_id",
                      "stratification_coord": self.split.stratify_coord,
                      "test_stimulus_ids": [ids[te].tolist() for _, te in folds]}]
        return values, folds_out, side


def _positive_float(value, benchmark: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = float("nan")
    if not (math.isfinite(v) and v > 0):
        raise InputError(f"the {benchmark} ceiling must be a positive finite number, got {value!r}")
    return v


def _secondary(enc: LegacyEncodingBenchmark, similarity: str, split: SplitSpec, aggregation: str,
               description: str) -> LegacySimilarityBenchmark:
    name = enc.id.rsplit("-", 1)[0]
    return LegacySimilarityBenchmark(
        id=f"{name}-{similarity}", data_key=enc.data_key, split=split, similarity=similarity,
        aggregation=aggregation, subject_coord=enc.subject_coord, streams=enc.streams,
        per_word=enc.per_word, description=description)


_KFOLD = SplitSpec("KFold", n_splits=5, random_state=1)

PEREIRA2018_CKA = _secondary(PEREIRA2018_ENCODING, "cka", PEREIRA2018_ENCODING.split, "pereira",
                             "fMRI, 627 sentences, linear CKA per subject x experiment (language voxels), test-only CV")
BLANK2014FROI_CKA = _secondary(BLANK2014FROI_ENCODING, "cka", _KFOLD, "per-subject",
                               "fMRI, 1317 story fragments, linear CKA per subject (12 fROIs), test-only CV")
FEDORENKO2016V3_CKA = _secondary(FEDORENKO2016V3_ENCODING, "cka", FEDORENKO2016V3_ENCODING.split, "per-subject",
                                 "ECoG, 416 words, linear CKA per subject (language electrodes), test-only CV")
PEREIRA2018_RDM = replace(PEREIRA2018_CKA, id="Pereira2018-rdm", similarity="rdm",
                          description=PEREIRA2018_CKA.description.replace("linear CKA", "RDM Spearman"))
BLANK2014FROI_RDM = replace(BLANK2014FROI_CKA, id="Blank2014fROI-rdm", similarity="rdm",
                            description=BLANK2014FROI_CKA.description.replace("linear CKA", "RDM Spearman"))
FEDORENKO2016V3_RDM = replace(FEDORENKO2016V3_CKA, id="Fedorenko2016v3-rdm", similarity="rdm",
                              description=FEDORENKO2016V3_CKA.description.replace("linear CKA", "RDM Spearman"))

LEGACY_SIMILARITY_BENCHMARKS = (PEREIRA2018_CKA, BLANK2014FROI_CKA, FEDORENKO2016V3_CKA,
                                PEREIRA2018_RDM, BLANK2014FROI_RDM, FEDORENKO2016V3_RDM)
