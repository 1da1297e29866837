"""Your own neural data as a benchmark: a folder in a documented format (docs/own-data.md).

A dataset is either ``data.nc`` (netCDF) or three plain files:

``stimuli.csv``    one row per presentation, in the order of the ``values`` rows: ``stimulus_id``
                   (unique) and ``text``; optional ``group`` (the stimuli of one group are read as
                   one context, in file order; without it every stimulus is read on its own).
``neuroids.csv``   one row per recorded unit (voxel, electrode, fROI), in the order of the
                   ``values`` columns: ``neuroid_id`` (unique) and ``subject``.
``values.npy``     float array [presentation, neuroid] (read with allow_pickle=False).

``data.nc`` holds the same: variable ``values(presentation, neuroid)`` and variables
``stimulus_id``, ``text`` [, ``group``] along ``presentation``, ``neuroid_id``, ``subject`` along
``neuroid``. Scoring: a model's per-stimulus activations predict every neuroid under k-fold
cross-validation (grouped by ``group`` when given), Pearson r on the held-out stimuli, median over
neuroids per fold, mean over folds. No ceiling is estimated: the score is the raw r.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..atomic import sha1_file
from ..errors import DataError
from ..metrics.cv import SplitSpec, splits
from ..metrics.solvers import check_solver
from .base import BenchmarkScore, DataOptions, LayerScore, Loaded, ScoreContext, Stimuli

SUITE_OWN = "own-data"
FILES = ("stimuli.csv", "neuroids.csv", "values.npy")
NETCDF = "data.nc"


@dataclass
class OwnData:
    stimulus_id: np.ndarray
    text: np.ndarray
    group: np.ndarray | None
    neuroid_id: np.ndarray
    subject: np.ndarray
    values: np.ndarray  # [presentation, neuroid], float64


@dataclass(frozen=True)
class OwnDataBenchmark:
    """A benchmark over a dataset folder; ``regression``: 'linear' (solver as --solver) or 'ridge'."""

    id: str
    path: str  # the dataset folder (data.nc, or stimuli.csv + neuroids.csv + values.npy)
    n_splits: int = 5
    regression: str = "linear"
    random_state: int = 1
    description: str = ""
    suite: str = SUITE_OWN
    metric: str = "encoding"
    published_ceiling: float | None = None
    ceiling_note = "none"  # for `repro ls`: no ceiling is estimated, the score is the raw r

    # -- the Benchmark protocol ------------------------------------------------------------------
    def load(self, options: DataOptions) -> Loaded:
        folder = Path(self.path).expanduser()
        data = read_own_data(folder)
        names = [NETCDF] if (folder / NETCDF).is_file() else list(FILES)
        return Loaded(data, {n: sha1_file(folder / n) for n in names}, str(folder))

    def stimuli(self, data: OwnData) -> Stimuli:
        from ..models.streams import BslGroup

        if data.group is None:
            return Stimuli("bsl", [BslGroup((t,), (i,)) for t, i in zip(data.text, data.stimulus_id)])
        out = []
        for g in dict.fromkeys(data.group.tolist()):
            rows = np.flatnonzero(data.group == g)
            out.append(BslGroup(tuple(data.text[rows]), tuple(data.stimulus_id[rows].tolist())))
        return Stimuli("bsl", out)

    def resolve_solver(self, solver: str) -> str:
        return "stable" if solver == "exact" else check_solver(solver)  # no original suite to be exact to

    def cv_steps(self, n_layers: int) -> int:
        return n_layers * self.n_splits

    def split(self, data: OwnData) -> SplitSpec:
        if data.group is not None:
            return SplitSpec("GroupKFold", self.n_splits, self.random_state, stratify_coord="group")
        return SplitSpec("KFold", self.n_splits, self.random_state)

    def score(self, acts, data: OwnData, ctx: ScoreContext | None = None) -> BenchmarkScore:
        from ..metrics.conditioning import layers_conditioning
        from ..metrics.correlation import pearson_scipy
        from ..metrics.encoding import align_rows, cross_regressed_correlation
        from ..tolerances import annotate

        ctx = ctx or ScoreContext()
        acts.check_finite()
        rows = align_rows(np.asarray(acts.stimulus_id), data.stimulus_id)
        layers = {name: arr[rows] for name, arr in acts.layers.items()}
        spec = self.split(data)
        folds = splits(spec, len(data.stimulus_id), data.group)
        r = cross_regressed_correlation(layers, data.values, data.stimulus_id, folds, pearson_scipy, solver=ctx.solver,
                                        regression=self.regression, progress=ctx.progress, device=ctx.device)
        conditioning = layers_conditioning(layers, folds, None, self.regression)
        out, per_neuroid = [], {"neuroid_id": data.neuroid_id}
        for name, X in layers.items():
            per_split = np.median(r[name], axis=1)
            raw = float(np.mean(per_split))
            out.append(LayerScore(name, X.shape[1], raw, None, raw, None, {"per_split_median": per_split.tolist()},
                                  annotate(self.suite, self.id, conditioning[name])))
            per_neuroid[f"{name}__split_neuroid_r"] = r[name]
        folds_out = [{"splitter": spec.splitter, "split_coord": "stimulus_id",
                      "test_stimulus_ids": [data.stimulus_id[te].tolist() for _, te in folds]}]
        return BenchmarkScore(self.id, self.suite, self.metric, None, "none", "unavailable", out, folds_out,
                              per_neuroid, {}, {"solver": ctx.solver if self.regression == "linear" else "ridge-gcv",
                                                "seed": self.random_state, "cv": spec.describe(),
                                                "regression": self.regression})


# -- reading and writing the format ----------------------------------------------------------------
def is_dataset(folder: Path) -> bool:
    return (folder / NETCDF).is_file() or (folder / FILES[0]).is_file()


def read_own_data(folder: Path) -> OwnData:
    if not folder.is_dir():
        raise DataError(f"dataset folder {folder} does not exist (see docs/own-data.md for the format)")
    if (folder / NETCDF).is_file():
        data = _read_netcdf(folder / NETCDF)
    else:
        missing = [n for n in FILES if not (folder / n).is_file()]
        if missing:
            raise DataError(f"dataset {folder} has no {NETCDF} and lacks {', '.join(missing)} "
                            "(see docs/own-data.md for the format)")
        stim, neur = _read_csv(folder / "stimuli.csv"), _read_csv(folder / "neuroids.csv")
        try:
            values = np.load(folder / "values.npy", allow_pickle=False)
        except ValueError as exc:
            raise DataError(f"{folder / 'values.npy'} is not a plain numeric .npy array ({exc})") from exc
        data = _own_data(stim, neur, values, folder)
    return data


def _read_csv(path: Path) -> dict[str, list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise DataError(f"{path} has no rows")
    return {k: [r[k] for r in rows] for k in rows[0]}


def _read_netcdf(path: Path) -> OwnData:
    import netCDF4

    with netCDF4.Dataset(path) as ds:
        ds.set_auto_mask(False)
        cols = {k: [str(x) for x in np.asarray(ds.variables[k][:])] for k in ("stimulus_id", "text", "group",
                                                                             "neuroid_id", "subject")
                if k in ds.variables}
        if "values" not in ds.variables:
            raise DataError(f"{path} has no variable 'values' (see docs/own-data.md)")
        values = np.asarray(ds.variables["values"][:], dtype=np.float64)
    stim = {k: cols[k] for k in ("stimulus_id", "text", "group") if k in cols}
    neur = {k: cols[k] for k in ("neuroid_id", "subject") if k in cols}
    return _own_data(stim, neur, values, path)


def _own_data(stim: dict, neur: dict, values: np.ndarray, where: Path) -> OwnData:
    for table, need in ((stim, ("stimulus_id", "text")), (neur, ("neuroid_id", "subject"))):
        lacking = [c for c in need if c not in table]
        if lacking:
            raise DataError(f"dataset {where}: missing column(s) {', '.join(lacking)} (see docs/own-data.md)")
    values = np.asarray(values, dtype=np.float64)
    n_p, n_n = len(stim["stimulus_id"]), len(neur["neuroid_id"])
    if values.shape != (n_p, n_n):
        raise DataError(f"dataset {where}: values have shape {values.shape}, expected [{n_p} stimuli, {n_n} neuroids]")
    if not np.isfinite(values).all():
        raise DataError(f"dataset {where}: values contain NaN/inf; drop or impute those neuroids first")
    for name, ids in (("stimulus_id", stim["stimulus_id"]), ("neuroid_id", neur["neuroid_id"])):
        if len(set(ids)) != len(ids):
            raise DataError(f"dataset {where}: {name} values are not unique")
    group = np.asarray(stim["group"]) if "group" in stim else None
    return OwnData(np.asarray(stim["stimulus_id"]), np.asarray(stim["text"]), group,
                   np.asarray(neur["neuroid_id"]), np.asarray(neur["subject"]), values)


def write_own_data(folder: Path, stimulus_id, text, neuroid_id, subject, values, group=None) -> Path:
    """Write a dataset in the CSV + NumPy format (each file atomically)."""
    import io

    from ..atomic import atomic_write_bytes, atomic_write_text

    folder.mkdir(parents=True, exist_ok=True)

    def table(columns: dict) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(list(columns))
        w.writerows(zip(*columns.values()))
        return buf.getvalue()

    stim = {"stimulus_id": list(stimulus_id), "text": list(text)}
    if group is not None:
        stim["group"] = list(group)
    atomic_write_text(folder / "stimuli.csv", table(stim))
    atomic_write_text(folder / "neuroids.csv", table({"neuroid_id": list(neuroid_id), "subject": list(subject)}))
    buf = io.BytesIO()
    np.save(buf, np.asarray(values, dtype=np.float64), allow_pickle=False)
    atomic_write_bytes(folder / "values.npy", buf.getvalue())
    return folder
