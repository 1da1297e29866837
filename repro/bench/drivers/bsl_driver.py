"""repro bench's Brain-Score Language 2.3.0 driver; runs in the peer venv (numpy<2, no repro).

Requests (one JSON object per line on stdin, one reply per line on stdout):
  {"op": "hello"}
  {"op": "metric", "npz": path}             linear_pearsonr as the -linear-shuffle benchmarks build it
  {"op": "e2e", "benchmark": id, "model": folder, "layer": name, "data": folder}
                                            load_benchmark + HuggingfaceSubject, data served from ``data``
Only the packages' public functions are called. Two patches serve the data, as the golden runs
did: the S3 loader reads local files (their SHA-1s differ from the registered ones), and the
Pereira ceiling is read without its nested ``raw`` files (not in the golden set; the score uses
only the top-level value).
"""
import os
import sys
import time
import warnings

os.environ.setdefault("BS_INSTALL_DEPENDENCIES", "no")
warnings.filterwarnings("ignore")


def _versions():
    import brainscore_core
    import brainscore_language
    import numpy
    import sklearn

    return {"brainscore_language": getattr(brainscore_language, "__version__", "2.3.0"),
            "brainscore_core": getattr(brainscore_core, "__version__", "2.5.0"), "numpy": numpy.__version__,
            "sklearn": sklearn.__version__, "python": sys.version.split()[0]}


def metric(req):
    import numpy as np
    from brainscore_core.supported_data_standards.brainio.assemblies import NeuroidAssembly
    from brainscore_language import load_metric

    d = np.load(req["npz"])
    ids = d["stimulus_id"]

    def assembly(values, neuroid_ids, subject):
        # two coords per dim, as the package's own files have (one alone becomes the dim index)
        return NeuroidAssembly(values, coords={"stimulus_id": ("presentation", ids), "stimulus": ("presentation", ids),
                                               "neuroid_id": ("neuroid", neuroid_ids), "subject": ("neuroid", subject)},
                               dims=["presentation", "neuroid"])

    n_x = d["X"].shape[1]
    source = assembly(d["X"], np.asarray([f"x--{i}" for i in range(n_x)]), np.asarray(["model"] * n_x))
    target = assembly(d["Y"], d["neuroid_id"], d["subject"])
    fn = load_metric("linear_pearsonr", crossvalidation_kwargs=dict(splits=10, train_size=0.9, kfold=False,
                                                                    random_state=1))
    t = time.perf_counter()
    score = fn(source, target)
    return {"seconds": time.perf_counter() - t, "score": float(score.values)}


def _serve_local(folder):
    import brainscore_language.utils.s3 as s3

    def fetch_file(location_type, location, version_id=None, sha1=None):
        path = os.path.join(folder, location.rsplit("/", 1)[-1])
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{path} (the bench serves Brain-Score data from {folder})")
        return path

    s3.fetch_file = fetch_file

    from brainscore_language.benchmarks.pereira2018.benchmark import _Pereira2018Experiment

    load_ceiling = _Pereira2018Experiment._load_ceiling

    def top_level_ceiling(self, identifier, sha1, version_id=None, assembly_prefix="ceiling_", raw_kwargs=None):
        return load_ceiling(self, identifier, sha1, version_id, assembly_prefix)

    _Pereira2018Experiment._load_ceiling = top_level_ceiling


def e2e(req):
    import resource

    from brainscore_language import ArtificialSubject, load_benchmark
    from brainscore_language.model_helpers.huggingface import HuggingfaceSubject

    _serve_local(req["data"])
    t0 = time.perf_counter()
    bench = load_benchmark(req["benchmark"])
    t1 = time.perf_counter()
    subject = HuggingfaceSubject(model_id=req["model"], region_layer_mapping={
        ArtificialSubject.RecordingTarget.language_system: req["layer"]})
    score = bench(subject)
    t2 = time.perf_counter()
    return {"seconds": t2 - t0, "seconds_benchmark_construction": t1 - t0, "seconds_scoring": t2 - t1,
            "score": float(score.values), "raw": float(score.attrs["raw"].values), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _hello():
    # the libraries' imports, once, outside any timing (repro's child does the same)
    import brainscore_language.metrics.linear_predictivity  # noqa: F401
    import brainscore_language.model_helpers.huggingface  # noqa: F401
    import transformers  # noqa: F401

    return _versions()


if __name__ == "__main__":
    from protocol import serve  # next to this script

    serve({"metric": metric, "e2e": e2e}, _hello)
