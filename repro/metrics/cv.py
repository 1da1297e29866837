"""Cross-validation splits, always drawn over the target's stored presentation order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SplitSpec:
    splitter: str  # KFold | StratifiedKFold | ShuffleSplit | GroupKFold
    n_splits: int
    random_state: int
    stratify_coord: str | None = None  # StratifiedKFold labels / GroupKFold groups
    train_size: float | None = None  # ShuffleSplit

    def describe(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def splits(spec: SplitSpec, n: int, labels: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import (  # slow import: not at start-up
        GroupKFold,
        KFold,
        ShuffleSplit,
        StratifiedKFold,
    )

    dummy = np.zeros(n)
    if spec.splitter == "KFold":
        it = KFold(n_splits=spec.n_splits, shuffle=True, random_state=spec.random_state).split(dummy)
    elif spec.splitter == "StratifiedKFold":
        it = StratifiedKFold(n_splits=spec.n_splits, shuffle=True, random_state=spec.random_state).split(dummy, labels)
    elif spec.splitter == "ShuffleSplit":
        it = ShuffleSplit(n_splits=spec.n_splits, train_size=spec.train_size, test_size=None,
                          random_state=spec.random_state).split(dummy)
    elif spec.splitter == "GroupKFold":
        it = GroupKFold(n_splits=spec.n_splits, shuffle=True, random_state=spec.random_state).split(dummy, groups=labels)
    else:
        raise ValueError(spec.splitter)
    return [(np.asarray(tr), np.asarray(te)) for tr, te in it]


def sort_by_id(positions: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Reorder row positions by their stimulus_id (string ids sort lexicographically, ints numerically)."""
    return positions[np.argsort(ids[positions], kind="stable")]
