"""Plugins and your own data (issue 15): a dataset folder, a benchmark file and an installed entry
point all score through `repro score`; the entry point's benchmark appears in `repro ls`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from sklearn.model_selection import GroupKFold

from repro.activations import Activations, save
from repro.cli import main
from repro.demo import write_synthetic_dataset

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def dataset(tmp_path) -> Path:
    return write_synthetic_dataset(tmp_path / "plugin" / "data", n_stimuli=60, n_subjects=2, per_subject=4)


@pytest.fixture()
def acts_file(dataset, tmp_path) -> Path:
    """Random features with a planted linear relation to the first neuroids (p < n: OLS is well posed)."""
    ids = np.loadtxt(dataset / "stimuli.csv", delimiter=",", skiprows=1, usecols=0, dtype=str)
    values = np.load(dataset / "values.npy")
    rng = np.random.RandomState(3)
    feats = np.hstack([values[:, :3] + 0.5 * rng.standard_normal((len(ids), 3)), rng.standard_normal((len(ids), 4))])
    path = tmp_path / "acts.npz"
    save(Activations(ids, {"a": feats.astype(np.float32), "b": rng.standard_normal((len(ids), 6)).astype(np.float32)}),
         path)
    return path


def _expected(dataset: Path, acts: Path) -> dict[str, float]:
    """The documented metric written out independently: GroupKFold(5) by group, OLS with intercept,
    Pearson r per neuroid on the held-out stimuli, median over neuroids, mean over folds."""
    groups = np.loadtxt(dataset / "stimuli.csv", delimiter=",", skiprows=1, usecols=2, dtype=str)
    Y = np.load(dataset / "values.npy")
    out = {}
    with np.load(acts) as z:
        for layer in ("a", "b"):
            X = z[layer].astype(np.float64)
            per_fold = []
            for train, test in GroupKFold(5, shuffle=True, random_state=1).split(X, groups=groups):
                A = np.hstack([X[train], np.ones((len(train), 1))])
                coef = np.linalg.lstsq(A, Y[train], rcond=None)[0]
                pred = np.hstack([X[test], np.ones((len(test), 1))]) @ coef
                r = [np.corrcoef(pred[:, j], Y[test, j])[0, 1] for j in range(Y.shape[1])]
                per_fold.append(np.median(r))
            out[layer] = float(np.mean(per_fold))
    return out


def _score(capsys, benchmark: str, acts: Path, out: Path) -> dict:
    rc = main(["-q", "score", "--activations", str(acts), "--benchmark", benchmark, "--output", str(out)])
    assert rc == 0, capsys.readouterr().err
    return json.loads(out.read_text())


def test_dataset_folder_scores_as_documented(dataset, acts_file, tmp_path, capsys):
    res = _score(capsys, str(dataset), acts_file, tmp_path / "r.json")
    want = _expected(dataset, acts_file)
    assert res["suite"] == "own-data" and res["ceiling"]["center"] is None
    got = {ls["layer"]: ls["raw_center"] for ls in res["layers"]}
    for layer, value in want.items():
        assert got[layer] == pytest.approx(value, abs=1e-9)
    assert res["best_layer"]["layer"] == "a" and got["a"] > 0.3  # the planted relation is found


def test_netcdf_dataset_scores_like_the_csv_one(dataset, acts_file, tmp_path, capsys):
    import netCDF4

    nc_dir = tmp_path / "nc"
    nc_dir.mkdir()
    stim = np.loadtxt(dataset / "stimuli.csv", delimiter=",", skiprows=1, dtype=str)
    neur = np.loadtxt(dataset / "neuroids.csv", delimiter=",", skiprows=1, dtype=str)
    with netCDF4.Dataset(nc_dir / "data.nc", "w") as ds:
        ds.createDimension("presentation", len(stim))
        ds.createDimension("neuroid", len(neur))
        ds.createVariable("values", "f8", ("presentation", "neuroid"))[:] = np.load(dataset / "values.npy")
        for i, name in enumerate(("stimulus_id", "text", "group")):
            ds.createVariable(name, str, ("presentation",))[:] = stim[:, i].astype(object)
        for i, name in enumerate(("neuroid_id", "subject")):
            ds.createVariable(name, str, ("neuroid",))[:] = neur[:, i].astype(object)
    a = _score(capsys, str(dataset), acts_file, tmp_path / "csv.json")
    b = _score(capsys, str(nc_dir), acts_file, tmp_path / "nc.json")
    assert [ls["raw_center"] for ls in a["layers"]] == [ls["raw_center"] for ls in b["layers"]]


PLUGIN = """
from pathlib import Path

from repro.benchmarks.own_data import OwnDataBenchmark

BENCHMARKS = [OwnDataBenchmark(id="MyLab2026-encoding", path=str(Path(__file__).parent / "data"),
                               description="a test plugin over a synthetic dataset")]
"""


def test_benchmark_file_scores_through_repro_score(dataset, acts_file, tmp_path, capsys):
    plugin = dataset.parent / "mylab_plugin.py"
    plugin.write_text(textwrap.dedent(PLUGIN))
    res = _score(capsys, str(plugin), acts_file, tmp_path / "r.json")
    assert res["benchmark"] == "MyLab2026-encoding"
    assert res["layers"][0]["raw_center"] == pytest.approx(_expected(dataset, acts_file)["a"], abs=1e-9)
    res = _score(capsys, f"{plugin}:MyLab2026-encoding", acts_file, tmp_path / "r2.json")
    assert res["benchmark"] == "MyLab2026-encoding"
    rc = main(["-q", "score", "--activations", str(acts_file), "--benchmark", f"{plugin}:MyLab2026-encodng"])
    err = capsys.readouterr().err
    assert rc == 2 and "did you mean 'MyLab2026-encoding'" in err


def test_benchmark_file_without_benchmark_is_one_error(tmp_path, capsys):
    (tmp_path / "empty.py").write_text("X = 1\n")
    rc = main(["-q", "score", "--model", "gpt2", "--benchmark", str(tmp_path / "empty.py")])
    lines = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(lines) == 1 and "defines neither BENCHMARK nor BENCHMARKS" in lines[0]


def test_entry_point_plugin_is_listed_and_scores(dataset, acts_file, tmp_path):
    """A real installed distribution (a dist-info on sys.path) declaring the `repro.benchmarks` group."""
    (dataset.parent / "mylab_plugin.py").write_text(textwrap.dedent(PLUGIN))
    info = dataset.parent / "mylab_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mylab-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[repro.benchmarks]\nmylab = mylab_plugin:BENCHMARKS\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(dataset.parent), str(REPO)]), "REPRO_QUIET": "1"}
    listing = subprocess.run([sys.executable, "-m", "repro", "ls", "benchmarks"], env=env, capture_output=True,
                             text=True, timeout=120)
    assert listing.returncode == 0, listing.stderr
    row = next(line for line in listing.stdout.splitlines() if line.startswith("MyLab2026-encoding"))
    assert "own-data" in row and "none" in row
    out = tmp_path / "ep.json"
    run = subprocess.run([sys.executable, "-m", "repro", "-q", "score", "--activations", str(acts_file), "--benchmark",
                          "MyLab2026-encoding", "--output", str(out)], env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    got = json.loads(out.read_text())["layers"][0]["raw_center"]
    assert got == pytest.approx(_expected(dataset, acts_file)["a"], abs=1e-9)


@pytest.mark.slow
def test_demo_runs_offline_and_writes_result_and_report(tmp_path, monkeypatch, isolated_cache, capsys):
    monkeypatch.setenv("REPRO_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(["demo", "--output", str(tmp_path / "demo")]) == 0
    cap = capsys.readouterr()
    assert "mean nothing" in cap.err and "<- best" in cap.out
    res = json.loads((tmp_path / "demo" / "result.json").read_text())
    assert res["model"]["id"] == "minilm-l6-pypi" and res["suite"] == "own-data"
    assert all(np.isfinite(ls["raw_center"]) for ls in res["layers"]) and len(res["layers"]) == 6
    assert "<img" in (tmp_path / "demo" / "report" / "index.html").read_text()


def test_ls_labels_each_kind_of_ceiling(capsys):
    assert main(["ls", "benchmarks"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line and line[0].isalpha()}
    assert "--ceiling" in rows["Pereira2018-cka"] and "computed" not in rows["Pereira2018-cka"]  # none is computed
    assert "computed" in rows["Blank2014-ridge"]  # recomputed once and cached
    assert "0.318567" in rows["Pereira2018-encoding"]
