"""repro bench's driver for the real legacy stack; runs in .venv-legacy (Python 3.8, no repro).

Requests, one JSON object per line on stdin, one reply per line on stdout:
  {"op": "hello"}
  {"op": "metric", "npz": path, "case": name}   brain-score's CrossRegressedCorrelation as
                                                neural_nlp.benchmarks.neural builds it, per layer
  {"op": "e2e", "argv": [...]}                  python -m repro.legacy score ... (the legacy engine:
                                                neural_nlp.score on the real benchmark pool)
"""
import json
import os
import subprocess
import sys
import time
import warnings

warnings.filterwarnings("ignore")


def _versions():
    import brainscore
    import numpy
    import sklearn

    return {"brainscore": getattr(brainscore, "__version__", "c0cbeed9"), "numpy": numpy.__version__,
            "sklearn": sklearn.__version__, "python": sys.version.split()[0]}


def _metric_for(case):
    from brainscore.metrics.regression import (
        CrossRegressedCorrelation,
        linear_regression,
        pearsonr_correlation,
    )

    if case.startswith("Pereira"):
        return CrossRegressedCorrelation(
            regression=linear_regression(xarray_kwargs=dict(stimulus_coord="stimulus_id")),
            correlation=pearsonr_correlation(xarray_kwargs=dict(correlation_coord="stimulus_id")),
            crossvalidation_kwargs=dict(splits=5, kfold=True, split_coord="stimulus_id", stratification_coord=None))
    coord = "story" if case.startswith("Blank") else "sentence_id"
    return CrossRegressedCorrelation(
        regression=linear_regression(xarray_kwargs=dict(stimulus_coord="stimulus_id", neuroid_coord="neuroid_id")),
        correlation=pearsonr_correlation(xarray_kwargs=dict(correlation_coord="stimulus_id",
                                                            neuroid_coord="neuroid_id")),
        crossvalidation_kwargs=dict(splits=5, kfold=True, split_coord="stimulus_id", stratification_coord=coord))


def metric(req):
    import numpy as np
    from brainio.assemblies import NeuroidAssembly

    d = np.load(req["npz"])
    ids, labels = d["stimulus_id"], d["labels"]
    strat = "story" if req["case"].startswith("Blank") else "sentence_id"

    def assembly(values, neuroid_ids, subject):
        return NeuroidAssembly(values, coords={"stimulus_id": ("presentation", ids), strat: ("presentation", labels),
                                               "neuroid_id": ("neuroid", neuroid_ids), "subject": ("neuroid", subject)},
                               dims=["presentation", "neuroid"])

    target = assembly(d["Y"], d["neuroid_id"], d["subject"])
    seconds, scores = 0.0, []
    for layer in d["layers"]:
        X = d["X__" + str(layer)]
        source = assembly(X, np.asarray([f"x--{i}" for i in range(X.shape[1])]), np.asarray(["model"] * X.shape[1]))
        fn = _metric_for(req["case"])
        t = time.perf_counter()
        score = fn(source, target)
        seconds += time.perf_counter() - t
        scores.append(float(score.sel(aggregation="center").values))
    return {"seconds": seconds, "score": float(np.mean(scores))}


def e2e(req):
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "repro.legacy"] + req["argv"], capture_output=True, text=True,
                       env=dict(os.environ, **req.get("env", {})))
    if r.returncode:
        return {"error": (r.stderr.strip().splitlines() or ["repro.legacy failed"])[-1]}
    seconds = time.perf_counter() - t
    out = {"seconds": seconds}
    if "--output" in req["argv"]:
        with open(req["argv"][req["argv"].index("--output") + 1]) as f:
            best = json.load(f)["best_layer"]
        out.update(score=best["score_center"], raw=best["raw_center"])
    return out


if __name__ == "__main__":
    from protocol import serve  # next to this script

    serve({"metric": metric, "e2e": e2e}, _versions)
