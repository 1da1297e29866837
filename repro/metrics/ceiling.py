"""Brain-Score Language 2.3's ExtrapolationCeiling (Blank2014-*, Fedorenko2016-*), computed once and cached.

Spec: shared/spec/brainscore-language.md §6, legacy-neural-nlp.md §6.2; the golden fixtures
(modern/results/*.npz ``ceiling_*``) decide the details:

1. Hold-out: for every combination of the sorted subjects of size 2..N and every subject s in it,
   the pooled neuroids of the other subjects predict s's neuroids with the benchmark's own metric
   (same folds for every pair: drawn over the target's presentations, which all subjects share).
2. Per neuroid and subset size x, the r values of the subsets that contain the neuroid's subject
   are flattened subset-major (subsets in ``str(tuple)`` sort order, as xarray's merge leaves
   them), split-minor. 100 bootstraps with ``RandomState(0)`` re-created per neuroid: resample
   each x with replacement, mean, fit ``v0 * (1 - exp(-x / tau0))`` (scipy's curve_fit defaults:
   trf, 2-point Jacobian, p0 = (0.5, 1), bounds v0 in [0, 1]); any failure gives (NaN, NaN).
3. Neuroid ceiling = median of v0 over bootstraps, NaN if one fit failed (no NaN skipping);
   endpoint and error band from the curves of the successful fits. Aggregate = NaN-skipping
   median over neuroids.

The curve fit is numerically chaotic: a 1-ulp change in ``exp`` moves single bootstrap fits by up
to ~1e-4 and per-neuroid ceilings by ~1e-6. The curve therefore uses ``np1_exp``, numpy 1.26's
float64 exp on AVX-512 CPUs (the original's), and reproduces its bootstrap stage bit for bit
under any numpy (measured on perturbed Fedorenko2016 data and on the goldens).
"""

from __future__ import annotations

import itertools
import logging
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from ..errors import InputError
from .correlation import pearson_eps
from .cv import SplitSpec, splits
from .encoding import cross_regressed_correlation
from .np1_exp import exp as np1_exp
from .regression import BSL_COND, check_solver, one_blas_thread

log = logging.getLogger("repro")

# bump when anything changes the numbers a cached ceiling holds
# /2: hold-out fits keep the neural data in float64, as scikit-learn does for float64 inputs
# /3: the curve uses numpy 1.26's AVX-512 exp (np1_exp), not the running numpy's
ALGORITHM_VERSION = "bsl-2.3-extrapolation-ceiling/3"
NUM_BOOTSTRAPS = 100
ASYMPTOTE_THRESHOLD = 0.0005
_BOUNDS = (np.array([0.0, -np.inf]), np.array([1.0, np.inf]))
_P0 = np.array([0.5, 1.0])  # curve_fit's feasible start for these bounds (midpoint / 1 when unbounded)


def v(x, v0, tau0):
    # Not np.exp: the original runs numpy 1.26, whose float64 exp on AVX-512 CPUs (SVML __svml_exp8)
    # differs by 1-2 ulp from numpy 2.x's on ~24% of arguments; the chaotic bootstrap fits turned that
    # into 3.5e-6 on the Fedorenko2016 ceiling. np1_exp is that exp, bit for bit, on any CPU/numpy.
    return v0 * (1 - np1_exp(-x / tau0))


@dataclass
class CeilingResult:
    center: float  # NaN-skipping median of neuroid_center
    error_low: float  # NaN-skipping medians over neuroids, like the upstream attrs
    error_high: float
    endpoint_x: float
    n_nan: int  # neuroids whose ceiling is NaN (a failed bootstrap fit)
    neuroid_id: np.ndarray  # [neuroid], stored order
    neuroid_center: np.ndarray
    neuroid_error_low: np.ndarray
    neuroid_error_high: np.ndarray
    neuroid_endpoint_x: np.ndarray
    bootstrapped_params: np.ndarray  # [neuroid, bootstrap, (v0, tau0)]
    bootstrapped_params_median: np.ndarray  # [bootstrap, 2], NaN-skipping median over neuroids
    collected_r: np.ndarray  # [sub_subjects, num_subjects, split, neuroid], NaN where undefined
    sub_subjects: np.ndarray  # str(tuple) labels, sorted
    num_subjects: np.ndarray
    settings: dict = field(default_factory=dict)

    _SCALARS = ("center", "error_low", "error_high", "endpoint_x", "n_nan")
    _ARRAYS = ("neuroid_id", "neuroid_center", "neuroid_error_low", "neuroid_error_high", "neuroid_endpoint_x",
               "bootstrapped_params", "bootstrapped_params_median", "collected_r", "sub_subjects", "num_subjects")

    def scalars(self) -> dict:
        out = {k: getattr(self, k) for k in self._SCALARS}
        return {k: (None if isinstance(x, float) and np.isnan(x) else x) for k, x in out.items()}

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: np.asarray(getattr(self, k)) for k in self._ARRAYS}


# -- step 1: hold-out scores ---------------------------------------------------------------------
def subject_subsets(subjects) -> list[tuple]:
    """All combinations of the sorted subjects with 2..N members, in upstream merge order."""
    subjects = sorted(subjects)
    combos = [c for x in range(2, len(subjects) + 1) for c in itertools.combinations(subjects, x)]
    return sorted(combos, key=str)


def _subjects(neuroid: pd.DataFrame, subject_coord: str) -> np.ndarray:
    if subject_coord not in neuroid.columns:
        raise InputError(f"the neuroid table has no {subject_coord!r} column (it has {', '.join(map(str, neuroid.columns))}); "
                         "pass the coordinate that names each neuroid's subject")
    # Python scalars, so that str(tuple) reads '(1, 2)' as upstream's numpy 1.x did, not 'np.int64(1)'
    return np.array(neuroid[subject_coord].tolist(), dtype=object)


def collect_holdout_r(values: np.ndarray, presentation: pd.DataFrame, neuroid: pd.DataFrame, subject_coord: str,
                      split: SplitSpec, regression: str, solver: str = "bsl-exact", progress=None):
    """Per-neuroid r of every (subset, held-out subject, split): returns (collected_r, sub_subjects, num_subjects)."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or values.shape != (len(presentation), len(neuroid)):
        raise InputError(f"values have shape {values.shape}, expected [presentation={len(presentation)}, "
                         f"neuroid={len(neuroid)}]")
    if regression not in ("linear", "ridge"):
        raise InputError(f"unknown regression {regression!r} (choose linear or ridge)")
    check_solver(solver)
    subj = _subjects(neuroid, subject_coord)
    subjects = sorted(set(subj.tolist()))
    if len(subjects) < 2:
        raise InputError(f"an extrapolation ceiling needs at least 2 subjects; {subject_coord!r} has {len(subjects)}")
    ids = presentation["stimulus_id"].to_numpy()
    labels = presentation[split.stratify_coord].to_numpy() if split.stratify_coord else None
    # every subject saw the same presentations, so the target's folds are the same for every pair
    folds = splits(split, len(ids), labels)
    subsets = subject_subsets(subjects)
    nums = np.arange(2, len(subjects) + 1)
    out = np.full((len(subsets), len(nums), len(folds), values.shape[1]), np.nan)
    members = {s: subj == s for s in subjects}
    for si, subset in enumerate(subsets):
        for s in subset:
            pool = np.logical_or.reduce([members[p] for p in subset if p != s])
            target = np.flatnonzero(members[s])
            # the pooled other subjects play the model: the benchmark's own metric
            r = cross_regressed_correlation({"pool": values[:, pool]}, values[:, target], ids, folds, pearson_eps,
                                            solver=solver, regression=regression, cutoff=BSL_COND)["pool"]
            out[si, len(subset) - 2][:, target] = r
            if progress is not None:
                progress.update(1)
    return out, np.array([str(s) for s in subsets]), nums


# -- step 2: per-neuroid extrapolation ------------------------------------------------------------
def _fit(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """curve_fit(v, xs, ys, bounds=...) without the covariance; NaN on any failure (as upstream)."""
    if not np.all(np.isfinite(ys)):
        return np.array([np.nan, np.nan])  # curve_fit's check_finite raises

    def residuals(p):
        return v(xs, *p) - ys

    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            res = least_squares(residuals, _P0, jac="2-point", bounds=_BOUNDS, method="trf")
    except Exception:  # upstream: bare except -> (NaN, NaN)
        return np.array([np.nan, np.nan])
    return res.x if res.success else np.array([np.nan, np.nan])


def extrapolate_neuroid(groups: list[np.ndarray], xs, num_bootstraps: int = NUM_BOOTSTRAPS) -> dict:
    """One neuroid: ``groups[i]`` are its flattened r values at subset size ``xs[i]``."""
    xs = np.asarray(xs, dtype=np.float64)
    rng = np.random.RandomState(0)
    means = np.full((num_bootstraps, len(groups)), np.nan)
    for b in range(num_bootstraps):
        for i, g in enumerate(groups):
            if len(g):  # upstream's choice() would raise on an empty group; keep NaN instead
                means[b, i] = np.mean(g[rng.choice(len(g), size=len(g), replace=True)])
    params = np.array([_fit(xs, m) for m in means])
    ok = ~np.isnan(params).any(axis=1)
    nan = float("nan")
    if not ok.any():
        return {"center": nan, "error_low": nan, "error_high": nan, "endpoint_x": nan, "params": params}
    with np.errstate(all="ignore"):
        curves = np.array([v(np.arange(1000), *p) for p in params[ok]])
    median_curve = np.median(curves, axis=0)
    below = np.flatnonzero(np.diff(median_curve) < ASYMPTOTE_THRESHOLD)
    center = float(np.median(params[:, 0]))  # no NaN skipping: one failed fit makes it NaN
    if not below.size:  # upstream raises here; the curve never flattens within x < 1000
        return {"center": center, "error_low": nan, "error_high": nan, "endpoint_x": nan, "params": params}
    end_x = int(below.min())
    low, high = np.nanpercentile(curves[:, end_x], 2.5), np.nanpercentile(curves[:, end_x], 97.5)
    return {"center": center, "error_low": float(center - low), "error_high": float(high - center),
            "endpoint_x": float(end_x), "params": params}


def neuroid_groups(collected_r: np.ndarray, n: int) -> list[np.ndarray]:
    """Neuroid n's values per subset size: subset rows with any NaN dropped, flattened subset-major."""
    out = []
    for j in range(collected_r.shape[1]):
        m = collected_r[:, j, :, n]
        out.append(m[~np.isnan(m).any(axis=1)].ravel())
    return out


def _extrapolate_many(groups, xs, num_bootstraps):
    return [extrapolate_neuroid(g, xs, num_bootstraps) for g in groups]


def extrapolate(collected_r: np.ndarray, num_subjects, neuroid_id, sub_subjects, num_bootstraps: int = NUM_BOOTSTRAPS,
                settings: dict | None = None, progress=None, workers: int = 1) -> CeilingResult:
    """Steps 2-3 for every neuroid. ``workers`` > 1 fits neuroids in parallel processes (same numbers:
    each neuroid has its own RandomState)."""
    n_neuroids = collected_r.shape[-1]
    groups = [neuroid_groups(collected_r, n) for n in range(n_neuroids)]
    xs = np.asarray(num_subjects)
    per = []
    if workers > 1 and n_neuroids > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        chunks = [groups[i:i + 4] for i in range(0, n_neuroids, 4)]
        try:
            # spawn: forking a process whose BLAS/OpenMP threads are running can deadlock
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
                for chunk in pool.map(_extrapolate_many, chunks, [xs] * len(chunks), [num_bootstraps] * len(chunks)):
                    per.extend(chunk)
                    if progress is not None:
                        progress.update(len(chunk))
        except BrokenProcessPool:
            # spawned workers re-import __main__, which fails for stdin/notebook mains: go serial
            log.warning("parallel ceiling workers could not start; continuing in one process")
            groups = groups[len(per):]
            workers = 1
    if workers <= 1 or n_neuroids <= 1:
        for g in groups:
            per.append(extrapolate_neuroid(g, xs, num_bootstraps))
            if progress is not None:
                progress.update(1)
    col = {k: np.array([p[k] for p in per], dtype=np.float64) for k in ("center", "error_low", "error_high", "endpoint_x")}
    params = np.stack([p["params"] for p in per])

    def nanmedian(x, axis=None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices stay NaN
            return np.nanmedian(x, axis=axis)

    return CeilingResult(
        center=float(nanmedian(col["center"])), error_low=float(nanmedian(col["error_low"])),
        error_high=float(nanmedian(col["error_high"])), endpoint_x=float(nanmedian(col["endpoint_x"])),
        n_nan=int(np.isnan(col["center"]).sum()), neuroid_id=np.asarray(neuroid_id),
        neuroid_center=col["center"], neuroid_error_low=col["error_low"], neuroid_error_high=col["error_high"],
        neuroid_endpoint_x=col["endpoint_x"], bootstrapped_params=params,
        bootstrapped_params_median=nanmedian(params, axis=0), collected_r=collected_r,
        sub_subjects=np.asarray(sub_subjects), num_subjects=np.asarray(num_subjects), settings=dict(settings or {}))


def ceiling_settings(subject_coord: str, split: SplitSpec, regression: str, solver: str = "bsl-exact",
                     num_bootstraps: int = NUM_BOOTSTRAPS) -> dict:
    return {"algorithm": ALGORITHM_VERSION, "subject_coord": subject_coord, "cv": split.describe(),
            "regression": regression, "solver": solver if regression == "linear" else "ridge-gcv",
            "correlation": "pearson_eps", "num_bootstraps": num_bootstraps}


def progress_total(neuroid: pd.DataFrame, subject_coord: str) -> int:
    """Number of ``progress.update(1)`` calls: one per (subset, held-out subject) and one per neuroid."""
    k = len(set(_subjects(neuroid, subject_coord).tolist()))
    return sum(len(c) for c in subject_subsets(range(k))) + len(neuroid)


def extrapolation_ceiling(values: np.ndarray, presentation: pd.DataFrame, neuroid: pd.DataFrame, subject_coord: str,
                          split: SplitSpec, regression: str, solver: str = "bsl-exact", progress=None,
                          num_bootstraps: int = NUM_BOOTSTRAPS, workers: int = 1) -> CeilingResult:
    """Brain-Score Language 2.3's ExtrapolationCeiling of a [presentation, neuroid] recording.

    ``presentation`` needs ``stimulus_id`` (and the split's group column), ``neuroid`` needs
    ``neuroid_id`` and ``subject_coord``. ``progress.update`` is called ``progress_total(...)`` times.
    """
    if "neuroid_id" not in neuroid.columns:
        raise InputError("the neuroid table has no 'neuroid_id' column")
    # small matrices: BLAS threads only add overhead; the goldens were made single-threaded too
    with one_blas_thread():
        collected, labels, nums = collect_holdout_r(values, presentation, neuroid, subject_coord, split, regression,
                                                    solver, progress)
        return extrapolate(collected, nums, neuroid["neuroid_id"].to_numpy(), labels, num_bootstraps,
                           ceiling_settings(subject_coord, split, regression, solver, num_bootstraps), progress,
                           workers=workers)
