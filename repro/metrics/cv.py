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
    order_coord: str | None = None  # ContiguousKFold: position within a group (repro variant, not original)

    def describe(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def splits(spec: SplitSpec, n: int, labels: np.ndarray | None = None,
           order: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import (  # slow import: not at start-up
        GroupKFold,
        KFold,
        ShuffleSplit,
        StratifiedKFold,
    )

    dummy = np.zeros(n)
    if spec.splitter == "ContiguousKFold":
        return contiguous_kfold(spec.n_splits, labels, order)
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


def contiguous_kfold(n_splits: int, groups: np.ndarray, order: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Fold k tests the k-th of ``n_splits`` contiguous blocks of every group (story), in ``order``.

    Neighbouring stimuli of a story share slow signals (and, for models, context); a shuffled split
    puts them on both sides. Here only the block edges touch. Deterministic: no seed.
    """
    if groups is None or order is None:
        raise ValueError("ContiguousKFold needs group labels and an order coordinate")
    import pandas as pd

    fold_of = np.empty(len(groups), dtype=np.int64)
    for g in pd.unique(np.asarray(groups)):
        rows = np.flatnonzero(groups == g)
        rows = rows[np.argsort(np.asarray(order)[rows], kind="stable")]
        for k, block in enumerate(np.array_split(rows, n_splits)):
            fold_of[block] = k
    return [(np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)) for k in range(n_splits)]


def sort_by_id(positions: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Reorder row positions by their stimulus_id (string ids sort lexicographically, ints numerically)."""
    return positions[np.argsort(ids[positions], kind="stable")]
