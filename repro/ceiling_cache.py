"""The computed-ceiling cache: one (json, npz) pair per (data sha1, benchmark, settings), written atomically.

The json is written last and names the npz's sha1, so a half-written or hand-edited pair is
recomputed instead of trusted. The computation itself is ``repro.metrics.ceiling`` (pure arrays).
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .errors import DataError
from .metrics.ceiling import CeilingResult
from .paths import cache_root


def ceiling_cache_key(data_sha1: str, benchmark_id: str, settings: dict) -> str:
    payload = json.dumps({"data_sha1": data_sha1, "benchmark": benchmark_id, "settings": settings},
                         sort_keys=True, default=str)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


def content_sha1(values: np.ndarray, *columns) -> str:
    """Stand-in for a data file's sha1 when only the loaded arrays are at hand."""
    h = hashlib.sha1(np.ascontiguousarray(values, dtype=np.float64).tobytes())
    for col in columns:
        h.update(json.dumps([str(x) for x in np.asarray(col).tolist()]).encode("utf-8"))
    return h.hexdigest()


def _paths(cache_dir: Path, key: str) -> tuple[Path, Path]:
    return cache_dir / f"ceiling-{key}.json", cache_dir / f"ceiling-{key}.npz"


def _load(json_path: Path, npz_path: Path, key: str) -> CeilingResult | None:
    from .atomic import sha1_file

    if not (json_path.is_file() and npz_path.is_file()):
        return None
    try:
        meta = json.loads(json_path.read_text("utf-8"))
        if meta.get("key") != key or meta.get("npz_sha1") != sha1_file(npz_path):
            return None  # a stale or mismatched pair: recompute rather than trust it
        with np.load(npz_path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in CeilingResult._ARRAYS}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
    scalars = {k: (float("nan") if meta["result"][k] is None else meta["result"][k]) for k in CeilingResult._SCALARS}
    scalars["n_nan"] = int(scalars["n_nan"])
    return CeilingResult(**scalars, **arrays, settings=meta.get("settings", {}))


def _store(json_path: Path, npz_path: Path, key: str, result: CeilingResult, extra: dict) -> None:
    import numpy
    import scipy
    import sklearn

    from .atomic import atomic_write_text, atomic_writer, sha1_file

    arrays = result.arrays()
    for k, a in arrays.items():
        if a.dtype == object:
            arrays[k] = a.astype(str)  # never pickle
    with atomic_writer(npz_path) as f:
        np.savez_compressed(f, **arrays)
    # the JSON is written last and names the npz's sha1: it is the commit marker of the pair
    meta = {"key": key, "npz_sha1": sha1_file(npz_path), "result": result.scalars(), "settings": result.settings,
            "versions": {"numpy": numpy.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__},
            **extra}
    atomic_write_text(json_path, json.dumps(meta, indent=1, sort_keys=True))


def cached_ceiling(cache_dir: str | os.PathLike, inputs_hash: str, compute_fn: Callable[[], CeilingResult],
                   extra: dict | None = None) -> CeilingResult:
    """Load the ceiling cached under ``inputs_hash`` or compute it once (locked, written atomically)."""
    from .atomic import file_lock

    cache_dir = Path(cache_dir)
    json_path, npz_path = _paths(cache_dir, inputs_hash)
    hit = _load(json_path, npz_path, inputs_hash)
    if hit is not None:
        return hit
    with file_lock(json_path):
        hit = _load(json_path, npz_path, inputs_hash)  # another process may have finished meanwhile
        if hit is not None:
            return hit
        result = compute_fn()
        if not isinstance(result, CeilingResult):
            raise TypeError("compute_fn must return a CeilingResult")
        _store(json_path, npz_path, inputs_hash, result, dict(extra or {}))
    return result


def bsl_benchmark_ceiling(bench, assembly, data_sha1: str | None, cache_dir: str | os.PathLike | None = None,
                          quiet: bool = False, solver: str = "bsl-exact", workers: int = 1) -> float:
    """Scalar ceiling of a Brain-Score Language benchmark whose original recomputes it (Blank, Fedorenko).

    Computed once per (data, benchmark, settings, algorithm version) and cached under
    ``<cache_dir>/ceilings`` (default $REPRO_CACHE_DIR or ~/.cache/repro). ``workers`` > 1 spawns
    processes, which re-import ``__main__``: only for scripts guarded by ``if __name__ == "__main__"``.
    """
    from .metrics import ceiling as C
    from .progress import progress_bar

    pres, neur = assembly.presentation, assembly.neuroid
    settings = C.ceiling_settings(bench.subject_coord, bench.split, bench.regression, solver)
    if not data_sha1:
        cols = [pres["stimulus_id"], neur["neuroid_id"], neur[bench.subject_coord]]
        if bench.split.stratify_coord:
            cols.append(pres[bench.split.stratify_coord])
        data_sha1 = "content:" + content_sha1(assembly.values, *cols)
    key = ceiling_cache_key(data_sha1, bench.id, settings)

    def compute() -> CeilingResult:
        with progress_bar(C.progress_total(neur, bench.subject_coord), f"ceiling {bench.id}", quiet=quiet) as bar:
            return C.extrapolation_ceiling(assembly.values, pres, neur, bench.subject_coord, bench.split,
                                         bench.regression, solver=solver, progress=bar, workers=workers)

    result = cached_ceiling(cache_root("ceilings", cache_dir), key, compute,
                            extra={"benchmark": bench.id, "data_sha1": data_sha1})
    if np.isnan(result.center):
        raise DataError(f"the ceiling of {bench.id} is NaN (every neuroid's extrapolation failed); check the data file")
    return float(result.center)
