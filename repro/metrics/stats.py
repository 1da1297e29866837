"""Robust summary statistics of the legacy aggregation."""

from __future__ import annotations

import numpy as np


def mad(x) -> float:
    """scipy<1.9 ``median_absolute_deviation`` default (scale 1.4826); NaNs count as 0 (legacy)."""
    x = np.nan_to_num(np.asarray(x, dtype=np.float64), nan=0.0)
    return float(1.4826 * np.median(np.abs(x - np.median(x))))
