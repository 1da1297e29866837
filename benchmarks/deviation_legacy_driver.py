"""Run the REAL legacy neural-nlp encoding benchmarks on given S3-format data and activations.

Runs inside the legacy stack (CPython 3.8, .venv-legacy from ``make legacy-env``); imports only
numpy and the original packages. ``neural_nlp.benchmark_pool[...]`` is used unmodified with its
data read from ``--data-dir`` (HOME is pointed at a temporary folder whose ``.neural_nlp`` is that
folder, so its own S3 loader finds the files there and downloads nothing; result_caching writes
into a temporary folder). The model is replaced where the benchmark drives it: ``listen_to`` and
``read_words`` return the precomputed activation rows of the candidate's layer for the benchmark's
own stimulus set (what the legacy ``word_last`` pooling returns for a stand-in whose last word of
each stimulus carries that row, golden README §4.3), so the regression, cross-validation,
correlation, ceiling normalisation and aggregation are the original code.

usage: python deviation_legacy_driver.py --data-dir D --benchmark B --activations A.npz [...] --output out.json
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

import numpy as np
from deviation_io import write_json


class Layer:
    """The candidate a benchmark is called with: only its layer name is used."""

    def __init__(self, name, rows):
        self.layer = name
        self.rows = rows  # {stimulus_id: row}, values float32/float64 as given


def _assembly(candidate, stimulus_ids, extra_coords):
    from brainio_base.assemblies import NeuroidAssembly

    values = np.stack([candidate.rows[s] for s in stimulus_ids])
    n = values.shape[1]
    # two presentation levels at least: brainio turns a lone coordinate into the dimension's index
    coords = {"stimulus_id": ("presentation", list(stimulus_ids)),
              "presentation_num": ("presentation", np.arange(len(stimulus_ids))),
              "neuroid_num": ("neuroid", np.arange(n)),
              "neuroid_id": ("neuroid", [f"{candidate.layer}--{i}" for i in range(n)]),
              "layer": ("neuroid", [candidate.layer] * n)}
    coords.update(extra_coords)
    return NeuroidAssembly(values, coords=coords, dims=["presentation", "neuroid"])


def _stimulus_ids(stimulus_set):
    return [str(s) if not isinstance(s, (int, np.integer)) else int(s) for s in stimulus_set["stimulus_id"].values]


def _columns(stimulus_set):
    """The stimulus set's columns as presentation coordinates, as the wrapper's output carries them
    (the cross-validation stratifies on ``story`` / ``sentence_id`` of the source)."""
    return {c: ("presentation", stimulus_set[c].values) for c in stimulus_set.columns if c != "stimulus_id"}


def listen_to(candidate, stimulus_set, reset_column="story", average_sentence=True):
    return _assembly(candidate, _stimulus_ids(stimulus_set), _columns(stimulus_set))


def read_words(candidate, stimulus_set, reset_column="sentence_id", copy_columns=(), average_sentence=False):
    return _assembly(candidate, _stimulus_ids(stimulus_set), _columns(stimulus_set))


def load_layers(path):
    with np.load(path) as z:
        sid = z["stimulus_id"]
        keys = [int(s) for s in sid] if sid.dtype.kind in "iu" else [str(s) for s in sid]
        return {k: dict(zip(keys, z[k])) for k in sorted(z.files) if k != "stimulus_id"}


def _center(score):
    if "aggregation" in getattr(score, "dims", ()):
        aggs = list(score["aggregation"].values)
        error = float(score.sel(aggregation="error")) if "error" in aggs else None
        return float(score.sel(aggregation="center")), error
    return float(score), None


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", required=True)
    p.add_argument("--benchmark", required=True)
    p.add_argument("--activations", nargs="+", required=True)
    p.add_argument("--output", required=True)
    args = p.parse_args(argv)

    home = tempfile.mkdtemp(prefix="deviation-legacy-home-")
    try:  # HOME is ours alone; the data folder is only linked from it (rmtree unlinks, never follows)
        os.symlink(os.path.abspath(args.data_dir), os.path.join(home, ".neural_nlp"))
        os.environ["HOME"] = home
        os.environ["RESULTCACHING_HOME"] = os.path.join(home, "result_caching")

        import neural_nlp
        from neural_nlp.benchmarks import neural
        from threadpoolctl import threadpool_info

        neural.listen_to, neural.read_words = listen_to, read_words
        benchmark = neural_nlp.benchmark_pool[args.benchmark]
        ceiling = getattr(benchmark, "ceiling", None)
        result = {"benchmark": args.benchmark, "ceiling": _center(ceiling)[0] if ceiling is not None else None,
                  "blas": [{k: i.get(k) for k in ("internal_api", "num_threads", "version", "architecture")}
                           for i in threadpool_info()], "variants": {}}
        for acts in args.activations:
            t0 = time.time()
            layers = {}
            for name, rows in load_layers(acts).items():
                score = benchmark(Layer(name, rows))
                center, error = _center(score)
                layers[name] = {"score": center, "error": error}
            result["variants"][os.path.basename(acts)] = {"layers": layers, "seconds": time.time() - t0}
        write_json(args.output, result)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
