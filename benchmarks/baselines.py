"""The original implementations the benchmark compares against, fitted the way their code fits them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from repro.metrics.cv import sort_by_id


def sklearn_original(layers: dict[str, np.ndarray], target: np.ndarray, ids: np.ndarray, folds) -> dict[str, np.ndarray]:
    """neural-nlp: per (fold, layer) a fresh ``LinearRegression`` on float32 activations, then
    ``scipy.stats.pearsonr`` voxel by voxel (its XarrayCorrelation loop)."""
    import scipy.stats
    from sklearn.linear_model import LinearRegression

    out = {name: np.empty((len(folds), target.shape[1])) for name in layers}
    for f, (train, test) in enumerate(folds):
        train = sort_by_id(np.asarray(train), ids)
        for name, X in layers.items():
            pred = LinearRegression().fit(X[train], target[train]).predict(X[test])
            obs = target[test]
            out[name][f] = [scipy.stats.pearsonr(pred[:, j], obs[:, j])[0] for j in range(obs.shape[1])]
    return out


def sklearn_as_bsl(X: np.ndarray, Y: np.ndarray, ids: np.ndarray, folds) -> list[np.ndarray]:
    """Brain-Score Language's linear_pearsonr without its xarray plumbing: one LinearRegression
    per split on float32 activations, then its batched Pearson."""
    from sklearn.linear_model import LinearRegression

    out = []
    for train, test in folds:
        train = sort_by_id(np.asarray(train), ids)
        pred = LinearRegression().fit(X[train], Y[train]).predict(X[test]).astype(np.float64)
        obs = Y[test]
        xm, ym = pred - pred.mean(0), obs - obs.mean(0)
        xm /= np.linalg.norm(xm, axis=0) + 1e-8
        ym /= np.linalg.norm(ym, axis=0) + 1e-8
        out.append((xm * ym).sum(0))
    return out


# -- Brain-Score Language ------------------------------------------------------------------------

def bsl_linear_pearsonr():
    """``brainscore_language``'s metric factory, or (None, reason) when it cannot be imported here."""
    try:
        from brainscore_language.metrics.linear_predictivity.metric import linear_pearsonr
    except Exception as exc:  # noqa: BLE001 - any import failure means "not available"
        return None, f"brainscore_language is not importable ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); " \
                     "it needs numpy<2: `pip install brainscore-language==2.3.0 'numpy<2'` in a separate venv and pass --bsl-python"
    return linear_pearsonr, None


def bsl_python_ok(python: str | None) -> tuple[bool, str]:
    """Whether an interpreter (e.g. a separate numpy<2 venv under /tmp) can import brainscore_language."""
    if not python:
        return False, "no --bsl-python given and brainscore_language is not importable in this interpreter"
    if not Path(python).exists():
        return False, f"--bsl-python {python} does not exist"
    r = subprocess.run([python, "-c", "import brainscore_language.metrics.linear_predictivity.metric"],
                       capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""})
    if r.returncode:
        return False, f"{python} cannot import brainscore_language: {(r.stderr.strip().splitlines() or ['?'])[-1]}"
    return True, ""


BSL_CHILD = r"""
import json, sys, time
import numpy as np
from brainio.assemblies import NeuroidAssembly
from brainscore_language.metrics.linear_predictivity.metric import linear_pearsonr
d = np.load(sys.argv[1])
X, Y, ids = d["X"], d["Y"], d["ids"]
def asm(v, dim):
    return NeuroidAssembly(v, coords={"stimulus_id": ("presentation", ids), dim + "_id": ("neuroid", np.arange(v.shape[1])),
                                       "neuroid_num": ("neuroid", np.arange(v.shape[1]))}, dims=["presentation", "neuroid"])
src, tgt = asm(X, "neuroid"), asm(Y, "neuroid")
t = time.perf_counter(); s = linear_pearsonr()(src, tgt); dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "score": float(s.values)}))
"""


def run_bsl_child(python: str, X: np.ndarray, Y: np.ndarray, ids: np.ndarray, tmp: Path) -> dict:
    """Time ``linear_pearsonr`` on the same arrays in another interpreter (numpy<2 venv)."""
    f = tmp / "bsl_arrays.npz"
    np.savez(f, X=X, Y=Y, ids=ids)
    script = tmp / "bsl_child.py"
    script.write_text(BSL_CHILD)
    r = subprocess.run([python, str(script), str(f)], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""})
    if r.returncode:
        return {"skipped": f"brainscore_language run failed: {(r.stderr.strip().splitlines() or ['?'])[-1]}"}
    import json

    return json.loads(r.stdout.strip().splitlines()[-1])


def python_info() -> str:
    return sys.version.split()[0]
