"""Legacy neural-nlp data: an assembly, its stimulus set and its stored ceiling (S3 layout)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from .assembly import Assembly
from .netcdf import read_dataarray, read_stimulus_csv

_INT_STIMULUS_COLUMNS = ("sentence_num", "passage_index", "sentence_part", "sentence_id", "stimulus_id", "word_num")


@dataclass
class LegacyData:
    assembly: Assembly
    stimulus_set: pd.DataFrame
    ceiling: Assembly | None  # aggregate Score (aggregation: center, error_low, error_high)
    ceiling_raw: Assembly | None  # per-neuroid ceilings (neuroid x aggregation), file order
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha1

    @property
    def ceiling_center(self) -> float:
        agg = list(self.ceiling.coords["aggregation"]["aggregation"])
        return float(self.ceiling.values[agg.index("center")])

    def ceiling_neuroid_center(self) -> tuple[np.ndarray, np.ndarray]:
        """(neuroid_id, center) of the per-neuroid ceilings in the order stored in the file."""
        raw = self.ceiling_raw
        agg = list(raw.coords["aggregation"]["aggregation"])
        axis = raw.dims.index("aggregation")
        centers = np.take(raw.values, agg.index("center"), axis=axis)
        return raw.neuroid["neuroid_id"].to_numpy(), centers


def _nested(attrs: dict) -> dict[str, str]:
    return {k: v[3:] for k, v in attrs.items() if isinstance(v, str) and v.startswith("s3:")}


def load_legacy(data_key: str, ceiling_key: str | None, fetch) -> LegacyData:
    """``fetch(key) -> Path`` makes ``<key>.nc`` and its nested files available (download or cache)."""
    files: dict[str, str] = {}
    path = Path(fetch(data_key))
    assembly = read_dataarray(path)
    nested = _nested(assembly.attrs)
    if "stimulus_set" not in nested:
        raise DataError(f"{path.name} has no 's3:' stimulus_set attribute; it is not a neural-nlp assembly file")
    stim_path = path.parent / nested["stimulus_set"]
    int_cols = [c for c in _INT_STIMULUS_COLUMNS if not (c == "stimulus_id" and assembly.presentation["stimulus_id"].dtype.kind != "i")]
    stimulus_set = read_stimulus_csv(stim_path, int_columns=int_cols)
    files[path.name] = str(path)
    files[stim_path.name] = str(stim_path)
    ceiling = ceiling_raw = None
    if ceiling_key:
        cpath = Path(fetch(ceiling_key))
        ceiling = read_dataarray(cpath)
        files[cpath.name] = str(cpath)
        raw_name = _nested(ceiling.attrs).get("raw")
        if raw_name:
            rpath = cpath.parent / raw_name
            ceiling_raw = read_dataarray(rpath)
            files[rpath.name] = str(rpath)
    return LegacyData(assembly, stimulus_set, ceiling, ceiling_raw, files)
