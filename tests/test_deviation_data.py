"""The deviation measurement's inputs: off the goldens' grids, the same noise in both suites' files,
readable by repro's loaders, nothing written next to the fixtures."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import netCDF4
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import deviation_data as dd  # noqa: E402

from repro import activations as act_io  # noqa: E402


def _values(path, var):
    with netCDF4.Dataset(str(path)) as ds:
        ds.set_auto_mask(False)
        return (np.asarray(ds[var][...], dtype=np.float64), [str(s) for s in ds["stimulus_id"][...]],
                [str(n) for n in ds["neuroid_id"][...]])


@pytest.fixture(scope="module")
def made(tmp_path_factory, golden):
    out = tmp_path_factory.mktemp("deviation")
    return golden, dd.write_bsl_data(golden, out / "bsl"), dd.write_legacy_data(golden, out / "legacy"), \
        dd.write_activations(golden, out / "acts")


def test_neural_values_leave_the_grid_and_keep_their_nans(made):
    golden, bsl, legacy, _ = made
    for name in dd.BSL_ASSEMBLIES:
        new, _, _ = _values(bsl / name, "data")
        old, _, _ = _values(golden / "modern/data" / name, "data")
        assert np.array_equal(np.isnan(new), np.isnan(old))
        finite = new[np.isfinite(new)]
        assert not np.any(finite * 32 == np.round(finite * 32))
    manifest = json.loads((bsl / "sha1.json").read_text())
    assert manifest == {f.name: dd.sha1_of(f) for f in bsl.iterdir() if f.suffix == ".nc"}


def test_both_suites_get_the_same_noise_per_stimulus_and_neuroid(made):
    golden, bsl, legacy, _ = made
    for bsl_name, legacy_name in zip(dd.BSL_ASSEMBLIES, dd.LEGACY_ASSEMBLIES, strict=True):
        b, bs, bn = _values(bsl / bsl_name, "data")
        g, _, _ = _values(golden / "modern/data" / bsl_name, "data")
        lv, ls, ln = _values(legacy / legacy_name, "__xarray_dataarray_variable__")
        lg, _, _ = _values(golden / "legacy/s3" / legacy_name, "__xarray_dataarray_variable__")
        r = [ls.index(s) for s in bs]
        c = [ln.index(n) for n in bn]
        np.testing.assert_array_equal(b - g, (lv - lg)[np.ix_(r, c)])


def test_activations_float32_and_float64_variants(made):
    golden, _, _, files = made
    for dataset, paths in files.items():
        f32, f64 = act_io.load(paths["float32"]), act_io.load(paths["float64"])
        assert {a.dtype for a in f32.layers.values()} == {np.dtype(np.float32)}
        assert {a.dtype for a in f64.layers.values()} == {np.dtype(np.float64)}
        assert f"width_{dd.NEW_WIDTH[dataset]}" in f64.layers
        hi = f64.layers["high_dim"]
        assert not np.any(hi * 8 == np.round(hi * 8))
        np.testing.assert_array_equal(f32.layers["high_dim"], hi.astype(np.float32))
        assert act_io.content_sha1(f32) != act_io.content_sha1(f64)


def test_a_folder_made_from_the_same_goldens_is_reused_not_rewritten(made):
    golden, bsl, legacy, _ = made
    before = {f.name: f.stat().st_mtime_ns for f in bsl.iterdir()}
    assert dd.write_bsl_data(golden, bsl) == bsl
    assert {f.name: f.stat().st_mtime_ns for f in bsl.iterdir()} == before
