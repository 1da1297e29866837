"""Run the REAL Brainscore Language 2.3.0 benchmarks on given data files and activations.

Runs inside a venv with brainscore-language 2.3.0 (numpy < 2), not in repro's: only numpy and the
upstream packages are imported. The registered benchmarks are loaded with ``load_benchmark``
unmodified; two things are redirected, as when the goldens were made (golden README §6.2):
  * the S3 fetch returns the file of the same name from ``--data-dir`` (checked against its
    ``sha1.json``) instead of downloading;
  * Pereira's stored ceiling is read without its ``raw`` attributes (not shipped).
The model is a stand-in ArtificialSubject whose ``digest_text`` returns precomputed activation
rows, all layers at once (neuroid ids ``<layer>--<i>``), so each layer is scored separately.

usage: python deviation_bsl_driver.py --data-dir D --benchmark B --activations A.npz [...] --output out.json
"""

import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np
from deviation_io import write_json


def _sha1(path):
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def serve_local_files(data_dir):
    """Point brainscore_language's S3 fetch at ``data_dir``; every file must match its sha1.json."""
    import brainscore_language.utils.s3 as s3

    with open(os.path.join(data_dir, "sha1.json")) as f:
        manifest = json.load(f)

    def fetch_file(location_type, location, sha1=None, version_id=None):
        name = location.rsplit("/", 1)[-1]
        path = os.path.join(data_dir, name)
        if name not in manifest or _sha1(path) != manifest[name]:
            raise RuntimeError(f"{path}: missing or not the file listed in sha1.json")
        return path

    s3.fetch_file = fetch_file

    from brainscore_language.benchmarks.pereira2018 import benchmark as pereira

    load_ceiling = pereira._Pereira2018Experiment._load_ceiling

    def without_raw(self, identifier, sha1, version_id=None, assembly_prefix="ceiling_", raw_kwargs=None):
        return load_ceiling(self, identifier, sha1, version_id=version_id, assembly_prefix=assembly_prefix)

    pereira._Pereira2018Experiment._load_ceiling = without_raw


def stand_in_subject(data, activations):
    """An ArtificialSubject returning the rows of ``activations`` (npz: stimulus_id + layers)."""
    from brainscore_core.supported_data_standards.brainio.assemblies import NeuroidAssembly
    from brainscore_language.artificial_subject import ArtificialSubject

    with np.load(activations) as z:
        sids = [str(s) for s in z["stimulus_id"]]
        layers = sorted(k for k in z.files if k != "stimulus_id")
        values = np.concatenate([z[k] for k in layers], axis=1)
        widths = [z[k].shape[1] for k in layers]
    row_of = {s: i for i, s in enumerate(sids)}
    layer = np.concatenate([[name] * w for name, w in zip(layers, widths)])
    number = np.concatenate([np.arange(w) for w in widths])
    neuroid_id = np.array([f"{a}--{b}" for a, b in zip(layer, number)])
    groups = _groups(data)

    class StandIn(ArtificialSubject):
        def identifier(self):
            return "deviation-stand-in"

        def start_neural_recording(self, recording_target, recording_type):
            self.target = recording_target

        def digest_text(self, text):
            ids = groups[tuple(str(t) for t in text)].pop(0)
            rows = [row_of[s] for s in ids]
            neural = NeuroidAssembly(
                values[rows], dims=["presentation", "neuroid"],
                coords={"stimulus": ("presentation", list(text)), "layer": ("neuroid", layer),
                        "region": ("neuroid", [self.target] * len(layer)),
                        "neuron_number_in_layer": ("neuroid", number), "neuroid_id": ("neuroid", neuroid_id)})
            return {"neural": neural, "behavior": None}

    return StandIn()


def _groups(data):
    """{tuple of stimulus texts: [stimulus ids in data order], ...} for every presentation grouping the
    benchmarks digest by (Pereira passage_label, Blank story, Fedorenko sentence_id), first group first."""
    stim = [str(s) for s in data["stimulus"].values]
    sid = [str(s) for s in data["stimulus_id"].values]
    out = {}
    for coord in ("passage_label", "story", "sentence_id"):
        try:  # a MultiIndex level is not in data.coords in this xarray, but indexes
            keys = data[coord].values
        except KeyError:
            continue
        for key in sorted(set(keys.tolist())):
            idx = [i for i, k in enumerate(keys) if k == key]
            texts = tuple(stim[i] for i in idx)
            ids = [sid[i] for i in idx]
            if ids not in out.setdefault(texts, []):
                out[texts].append(ids)
    return out


def _ceiling_record(ceiling):
    rec = {"center": float(ceiling.item() if ceiling.ndim == 0 else ceiling.sel(aggregation="center"))}
    for k in ("endpoint_x",):
        if k in ceiling.attrs:
            rec[k] = float(np.asarray(ceiling.attrs[k]))
    raw = ceiling.attrs.get("raw")
    if raw is not None and getattr(raw, "ndim", 0) >= 1 and "neuroid" in raw.dims:
        centers = raw.sel(aggregation="center").values if "aggregation" in raw.dims else raw.values
        rec["n_neuroids"] = int(centers.size)
        rec["n_nan_neuroid_ceilings"] = int(np.isnan(centers).sum())
    return rec


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", required=True)
    p.add_argument("--benchmark", required=True)
    p.add_argument("--activations", nargs="+", required=True, help="one or more npz variants, scored in turn")
    p.add_argument("--output", required=True)
    args = p.parse_args(argv)

    serve_local_files(args.data_dir)
    from brainscore_language import load_benchmark
    from threadpoolctl import threadpool_info

    t0 = time.time()
    benchmark = load_benchmark(args.benchmark)
    result = {"benchmark": args.benchmark, "ceiling": _ceiling_record(benchmark.ceiling),
              "ceiling_seconds": time.time() - t0,
              "blas": [{k: i.get(k) for k in ("internal_api", "num_threads", "version", "architecture")}
                       for i in threadpool_info()],
              "variants": {}}
    for acts in args.activations:
        t0 = time.time()
        score = benchmark(stand_in_subject(benchmark.data, acts))
        layers = {}
        for name, s in score.attrs["layer_scores"].items():
            layers[str(name)] = {"score": float(s), "raw": float(s.attrs["raw"]),
                                 "unclipped": s.attrs.get("original_out_of_range_score")}
        result["variants"][os.path.basename(acts)] = {"layers": layers, "seconds": time.time() - t0}
    write_json(args.output, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
