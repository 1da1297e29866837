"""Robust summary statistics of the legacy aggregation."""

from __future__ import annotations

import contextlib
import warnings

import numpy as np


def mad(x) -> float:
    """scipy<1.9 ``median_absolute_deviation`` default (scale 1.4826); NaNs count as 0 (legacy)."""
    x = np.nan_to_num(np.asarray(x, dtype=np.float64), nan=0.0)
    return float(1.4826 * np.median(np.abs(x - np.median(x))))


def median_and_mad(per_subject: dict) -> tuple[float, float]:
    """The legacy aggregate over subjects: NaN-skipping median (center) and MAD (error); NaN if empty."""
    values = list(per_subject.values())
    if not values:
        return float("nan"), float("nan")
    with quiet_nan():
        return float(np.nanmedian(values)), mad(values)


@contextlib.contextmanager
def quiet_nan():
    """All-NaN slices are expected (e.g. voxels of subjects who skipped an experiment)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def sorted_unique(values) -> list:
    """Distinct values in sorted order (the order of xarray's groupby), mixed types kept apart."""
    import pandas as pd

    return sorted(pd.unique(np.asarray(values)), key=lambda v: (str(type(v)), v))
