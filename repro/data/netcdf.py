"""Read the netCDF DataArray files of both suites (legacy S3 store and brainscore_core writer).

netCDF4 is used directly (no xarray): string coordinates arrive as plain Python ``str``,
nothing is unpickled, and the stored order of every dimension is kept exactly.
"""

from __future__ import annotations

from pathlib import Path

import netCDF4
import numpy as np
import pandas as pd

from ..errors import DataError
from .assembly import Assembly

_DATA_VARS = ("__xarray_dataarray_variable__", "data")
_INTERNAL_ATTRS = {"coordinates", "_FillValue"}


def _attr_value(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray) and v.size == 1:
        return v.item()
    return v


def read_dataarray(path: str | Path) -> Assembly:
    path = Path(path)
    try:
        ds = netCDF4.Dataset(str(path), "r")
    except OSError as exc:
        raise DataError(f"cannot read netCDF file {path} ({exc}); delete it so that it is downloaded again") from exc
    try:
        ds.set_auto_mask(False)
        var_name = next((n for n in _DATA_VARS if n in ds.variables), None)
        if var_name is None:
            raise DataError(f"{path} holds no DataArray variable (looked for {', '.join(_DATA_VARS)})")
        var = ds.variables[var_name]
        values = np.asarray(var[...])
        fill = var.getncattr("_FillValue") if "_FillValue" in var.ncattrs() else None
        if fill is not None and values.dtype.kind == "f" and not np.isnan(fill):
            values = np.where(values == fill, np.nan, values)
        dims = tuple(var.dimensions)
        coords: dict[str, dict[str, np.ndarray]] = {d: {} for d in dims}
        for name, cvar in ds.variables.items():
            if name == var_name or len(cvar.dimensions) != 1 or cvar.dimensions[0] not in coords:
                continue
            arr = np.asarray(cvar[...])
            if arr.dtype == object:
                arr = arr.astype(str)
            # a dimension coordinate is stored as '<dim>_' by the legacy writer (reset_index)
            coords[cvar.dimensions[0]][name[:-1] if name == cvar.dimensions[0] + "_" else name] = arr
        tables = {d: pd.DataFrame(c) if c else pd.DataFrame(index=range(values.shape[dims.index(d)]))
                  for d, c in coords.items()}
        attrs = {k: _attr_value(var.getncattr(k)) for k in var.ncattrs() if k not in _INTERNAL_ATTRS}
        attrs.update({k: _attr_value(ds.getncattr(k)) for k in ds.ncattrs()})
    finally:
        ds.close()
    return Assembly(values, dims, tables, attrs, path.stem)


def read_stimulus_csv(path: str | Path, int_columns=()) -> pd.DataFrame:
    """Stimulus-set CSVs: ids keep leading zeros and dots, so read everything as str."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in int_columns:
        if col in df.columns:
            df[col] = df[col].astype(np.int64)
    return df
