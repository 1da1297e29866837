"""A minimal labelled 2-d array: values plus per-dimension coordinate tables.

The stored files are xarray DataArrays written after ``reset_index``; every MultiIndex became
plain per-dimension coordinates. We keep them flat (pandas tables) and never reorder anything:
fold assignment depends on the stored presentation order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class Assembly:
    values: np.ndarray  # [presentation, neuroid] (or any dims in ``dims`` order)
    dims: tuple[str, ...]
    coords: dict[str, pd.DataFrame]  # dim -> table with one row per index along that dim
    attrs: dict = field(default_factory=dict)
    name: str = ""

    @property
    def presentation(self) -> pd.DataFrame:
        return self.coords["presentation"]

    @property
    def neuroid(self) -> pd.DataFrame:
        return self.coords["neuroid"]

    def isel(self, **indexers) -> Assembly:
        """Positional selection along named dims (keeps order of the indexer)."""
        values = self.values
        coords = dict(self.coords)
        for dim, idx in indexers.items():
            axis = self.dims.index(dim)
            idx = np.asarray(idx)
            values = np.take(values, np.flatnonzero(idx) if idx.dtype == bool else idx, axis=axis)
            sel = np.flatnonzero(idx) if idx.dtype == bool else idx
            coords[dim] = coords[dim].iloc[sel].reset_index(drop=True)
        return Assembly(values, self.dims, coords, self.attrs, self.name)

    def coord(self, name: str) -> np.ndarray:
        for table in self.coords.values():
            if name in table.columns:
                return table[name].to_numpy()
        raise KeyError(name)
