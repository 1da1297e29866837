"""Each suite's aggregation of per-neuroid r into a score, for bootstrap replicates and fold subsets.

The point scores are computed by the benchmark modules as the original code does; these classes
repeat the same aggregation (a) on resampled r, vectorised over replicates, reducing each fold as
it arrives so that memory stays at [replicate, neuroid] per layer, and (b) on a subset of the
folds' point r (the held-out layer choice of ``repro.stats.nested``).
"""

from __future__ import annotations

import numpy as np

from ..metrics.stats import quiet_nan, sorted_unique


def median_last(a: np.ndarray) -> np.ndarray:
    """np.median over the last axis (no NaN), with one partition instead of np.median's two-point one
    (the [replicate, neuroid] medians dominate the bootstrap's cost)."""
    n = a.shape[-1]
    if n == 0:
        return np.full(a.shape[:-1], np.nan)
    k = n // 2
    p = np.partition(a, k, axis=-1)
    hi = p[..., k]
    return hi if n % 2 else (p[..., :k].max(axis=-1) + hi) / 2


def _nanmedian(a: np.ndarray) -> np.ndarray:
    """np.nanmedian over the last axis, but one partition when there is no NaN (nanmedian loops per row)."""
    if not np.isnan(a).any():
        return median_last(a)
    with quiet_nan():
        return np.nanmedian(a, axis=-1)


def _subject_nanmedians(values: np.ndarray, subjects: np.ndarray) -> np.ndarray:
    """[..., subject]: NaN-skipping median over each subject's neuroids (last axis of ``values``)."""
    return np.stack([_nanmedian(values[..., subjects == s]) for s in sorted_unique(subjects)], axis=-1)


def _median_of_subjects(values: np.ndarray, subjects: np.ndarray) -> np.ndarray:
    return _nanmedian(_subject_nanmedians(values, subjects))


class PereiraAggregate:
    """Legacy Pereira2018: mean over folds, mean over experiments, language voxels, median per
    subject, median over subjects; score = raw / aggregate ceiling."""

    def __init__(self, n_neuroids: int, lang: np.ndarray, subjects: np.ndarray, ceiling: float):
        self.n, self.lang, self.subjects, self.ceiling = n_neuroids, lang, subjects, ceiling
        self._acc: dict[str, list] = {}  # layer -> [(cols, sum [B, cols], count [B, cols])] per experiment

    def block_reducer(self, cols: np.ndarray):
        """What the observer of one experiment calls with each fold's resampled r [B, cols]."""
        slots: dict[str, tuple] = {}

        def reduce(layer, fold, r_b):
            if layer not in slots:
                slots[layer] = (cols, np.zeros(r_b.shape, np.float32), np.zeros(r_b.shape, np.uint8))
                self._acc.setdefault(layer, []).append(slots[layer])
            _, s, c = slots[layer]
            finite = np.isfinite(r_b)
            s += np.nan_to_num(r_b, nan=0.0)
            c += finite
        return reduce

    def replicates(self, layer: str) -> tuple[np.ndarray, np.ndarray]:
        blocks = self._acc.pop(layer)
        B = blocks[0][1].shape[0]
        total = np.zeros((B, self.n), np.float32)
        n_exp = np.zeros((B, self.n), np.uint8)
        for cols, s, c in blocks:
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = s / c
            ok = c > 0
            total[:, cols] += np.where(ok, mean, 0.0)
            n_exp[:, cols] += ok.astype(np.uint8)
        with np.errstate(invalid="ignore", divide="ignore"):
            r_v = (total / n_exp)[:, self.lang]
        raw = _median_of_subjects(r_v, self.subjects)
        return raw, raw / self.ceiling

    def fold_score(self, fold_r: np.ndarray, folds) -> tuple[float, float]:
        """fold_r [experiment, fold, neuroid] point r; the same aggregation over ``folds`` only."""
        with np.errstate(all="ignore"), quiet_nan():
            r_v = np.nanmean(np.nanmean(fold_r[:, list(folds)], axis=1), axis=0)[self.lang]
        raw = float(_median_of_subjects(r_v, self.subjects))
        return raw, raw / self.ceiling

    def subject_scores(self, subject_medians: dict) -> dict:
        return {s: v / self.ceiling for s, v in subject_medians.items()}


class PerNeuroidAggregate:
    """Legacy Blank2014fROI / Fedorenko2016v3: mean over folds, each neuroid divided by its own
    ceiling, median per subject, median over subjects. No raw score (the suite reports none)."""

    def __init__(self, ceiling: np.ndarray, subjects: np.ndarray):
        self.ceiling, self.subjects = ceiling, subjects
        self._r: dict[str, dict[int, np.ndarray]] = {}

    def reduce(self, layer, fold, r_b):
        self._r.setdefault(layer, {})[fold] = r_b.astype(np.float32)

    def _score(self, r) -> np.ndarray:
        with quiet_nan():
            q = np.nanmean(r, axis=-2) / self.ceiling
        return _median_of_subjects(q, self.subjects)

    def replicates(self, layer: str) -> tuple[None, np.ndarray]:
        per_fold = self._r.pop(layer)
        return None, self._score(np.stack([per_fold[f] for f in sorted(per_fold)], axis=1))

    def fold_score(self, r: np.ndarray, folds) -> tuple[None, float]:
        return None, float(self._score(r[list(folds)]))


class BslAggregate:
    """Brain-Score Language 2.3: median over all pooled neuroids per split, mean over splits;
    score = raw / ceiling clipped to [0, 1]."""

    def __init__(self, ceiling: float, subjects: np.ndarray):
        self.ceiling, self.subjects = ceiling, subjects
        self._m: dict[str, dict[int, np.ndarray]] = {}

    def reduce(self, layer, fold, r_b):
        self._m.setdefault(layer, {})[fold] = median_last(r_b)

    def _clip(self, raw):
        return np.clip(np.asarray(raw) / self.ceiling, 0.0, 1.0)

    def replicates(self, layer: str) -> tuple[np.ndarray, np.ndarray]:
        per_split = self._m.pop(layer)
        raw = np.mean(np.stack([per_split[f] for f in sorted(per_split)], axis=1), axis=1)
        return raw, self._clip(raw)

    def fold_score(self, r: np.ndarray, folds) -> tuple[float, float]:
        raw = float(np.mean(np.median(r[list(folds)], axis=1)))
        return raw, float(self._clip(raw))

    def subject_scores(self, r: np.ndarray) -> dict:
        """Per subject: mean over splits of the median over that subject's neuroids, / ceiling (unclipped)."""
        per = _subject_nanmedians(r, self.subjects).mean(axis=0) / self.ceiling
        return {str(s): float(v) for s, v in zip(sorted_unique(self.subjects), per)}
