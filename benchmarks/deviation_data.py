"""Off-grid inputs for the deviation measurement, made the same way for both suites.

The goldens' neural values are multiples of 1/32 and their activations multiples of 1/8, both
exact in float32; that hides every float32-vs-float64 difference of a solver. Here float64
noise from a new seed moves every value off those grids. Each suite's files are copies of its
golden files with only the value variable rewritten in place (netCDF4, same dimensions, coords,
attributes, dtypes and compression), so the originals' own loaders read them as they read the
goldens. Activations stay float32 as models give them; a float64 copy of the same perturbed
values is the float64-features variant; one extra layer has a width no golden has.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import netCDF4
import numpy as np

from repro.atomic import sha1_file as sha1_of

SEED = 20261201  # not a golden seed
NEURAL_NOISE = 0.25  # x the value's own neuroid std
ACTIVATION_NOISE = 0.1  # x the layer's std
# extra layer (random projection of high_dim) with a width no golden has; below every
# training size, so it is well-conditioned in both suites
NEW_WIDTH = {"pereira2018": 150, "blank2014": 600, "fedorenko2016": 300}

BSL_ASSEMBLIES = {"assy_Pereira2018_language.nc": "pereira2018", "assy_Blank2014_fROI.nc": "blank2014",
                  "assy_Fedorenko2016_language.nc": "fedorenko2016"}
LEGACY_ASSEMBLIES = {"Pereira2018.nc": "pereira2018", "Blank2014fROI.nc": "blank2014",
                     "Fedorenko2016v3.nc": "fedorenko2016"}
DATASETS = ("pereira2018", "blank2014", "fedorenko2016")


def _rng(*keys: str) -> np.random.Generator:
    """One stream per (purpose, dataset): the same noise whichever suite's file it goes into."""
    salt = int.from_bytes(hashlib.sha256("/".join(keys).encode()).digest()[:4], "little")
    return np.random.default_rng([SEED, salt])


def neural_noise(golden: Path, dataset: str) -> tuple[dict, dict, np.ndarray]:
    """Float64 noise per (stimulus_id, neuroid_id) of the plain golden table, scaled by each
    neuroid's std: both suites' files (other neuroid subsets and orders) take it by label."""
    with np.load(golden / "inputs/neural_plain" / f"{dataset}_neural.npz") as z:
        values = z["data"].astype(np.float64)
        rows = {str(s): i for i, s in enumerate(z["stimulus_id"])}
        cols = {str(n): j for j, n in enumerate(z["neuroid_id"])}
    std = np.nanstd(values, axis=0, keepdims=True)
    noise = _rng("neural", dataset).normal(size=values.shape) * NEURAL_NOISE * np.where(std > 0, std, 1.0)
    return rows, cols, noise


def _rewrite_values(path: Path, var: str, noise_table) -> None:
    """Add the labelled noise to ``var`` of a copied netCDF file, in place; NaN stays NaN."""
    rows, cols, noise = noise_table
    with netCDF4.Dataset(str(path), "r+") as ds:
        ds.set_auto_mask(False)
        v = ds.variables[var]
        if v.dimensions != ("presentation", "neuroid"):
            raise ValueError(f"{path}: {var} has dimensions {v.dimensions}, expected (presentation, neuroid)")
        r = [rows[s] for s in _coord(ds, "presentation", "stimulus_id")]
        c = [cols[n] for n in _coord(ds, "neuroid", "neuroid_id")]
        values = np.asarray(v[...], dtype=np.float64)
        v[...] = (values + noise[np.ix_(r, c)]).astype(v.dtype)


def _coord(ds, dim: str, name: str) -> list[str]:
    var = ds.variables[name]
    if var.dimensions != (dim,):
        raise ValueError(f"{name} is not a coordinate of {dim} in {ds.filepath()}")
    return [str(x) for x in var[...]]


def _copy_tree(src: Path, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for f in sorted(src.iterdir()):
        if f.is_file() and not f.name.startswith("."):
            shutil.copyfile(f, dst / f.name)


STAMP = ".deviation-inputs.json"


def _stamp(golden: Path, source: str) -> dict:
    """What a folder was made from: a folder with the same stamp is reused as it is (a rerun, or a
    second measurement running alongside, never rewrites files another one is reading)."""
    src = golden / source
    return {"seed": SEED, "neural_noise": NEURAL_NOISE,
            "golden": {f.name: sha1_of(f) for f in sorted(src.iterdir()) if f.is_file() and not f.name.startswith(".")}}


def _reusable(out: Path, stamp: dict) -> bool:
    try:
        return json.loads((out / STAMP).read_text()) == stamp
    except (OSError, ValueError):
        return False


def write_bsl_data(golden: Path, out: Path) -> Path:
    """Brain-Score Language folder: perturbed assy_*.nc, the golden Pereira ceiling files, sha1.json."""
    return _write_suite(golden, "modern/data", out, "data", BSL_ASSEMBLIES, manifest=True)


def write_legacy_data(golden: Path, out: Path) -> Path:
    """neural-nlp S3 folder (golden README §5): perturbed assemblies, the golden ceiling files."""
    return _write_suite(golden, "legacy/s3", out, "__xarray_dataarray_variable__", LEGACY_ASSEMBLIES, manifest=False)


def _write_suite(golden: Path, source: str, out: Path, var: str, assemblies: dict, manifest: bool) -> Path:
    stamp = _stamp(golden, source)
    if _reusable(out, stamp):
        return out
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    _copy_tree(golden / source, tmp)
    for name, dataset in assemblies.items():
        _rewrite_values(tmp / name, var, neural_noise(golden, dataset))
    if manifest:  # a flat Brain-Score Language folder declares its files' sha1s (repro and the driver check them)
        sums = {f.name: sha1_of(f) for f in sorted(tmp.iterdir()) if f.suffix == ".nc"}
        (tmp / "sha1.json").write_text(json.dumps(sums, indent=1) + "\n")
    (tmp / STAMP).write_text(json.dumps(stamp))
    return _publish(tmp, out)


def perturbed_activations(golden: Path, dataset: str) -> dict[str, np.ndarray]:
    """float64 perturbed layers (+ the new-width layer) of one dataset, and stimulus_id."""
    with np.load(golden / "inputs/activations" / f"{dataset}.npz") as z:
        acts = {k: z[k] for k in z.files}
    out = {"stimulus_id": acts.pop("stimulus_id")}
    for layer in sorted(acts):
        X = acts[layer].astype(np.float64)
        out[layer] = X + _rng("activations", dataset, layer).normal(size=X.shape) * ACTIVATION_NOISE * X.std()
    hi = out["high_dim"]
    k = NEW_WIDTH[dataset]
    proj = _rng("projection", dataset).normal(size=(hi.shape[1], k)) / np.sqrt(hi.shape[1])
    out[f"width_{k}"] = hi @ proj
    return out


def write_activations(golden: Path, out: Path) -> dict[str, dict[str, Path]]:
    """{dataset: {'float32': npz, 'float64': npz}} in repro's activations format (stimulus_id + layers)."""
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, Path]] = {}
    for dataset in DATASETS:
        acts = perturbed_activations(golden, dataset)
        files[dataset] = {}
        for dtype in ("float32", "float64"):
            arrays = {k: (v if k == "stimulus_id" else v.astype(dtype)) for k, v in acts.items()}
            path = out / f"{dataset}_{dtype}.npz"
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".npz", dir=out)
            os.close(fd)
            np.savez(tmp, **arrays)
            os.replace(tmp, path)
            files[dataset][dtype] = path
    return files


def _publish(tmp: Path, out: Path) -> Path:
    """Move a finished folder into place whole: a reader never sees a half-written data set."""
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)
    return out
