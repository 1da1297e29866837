"""The result file (schema ``repro.result/1``): JSON with provenance, plus an npz side file.

Everything except ``provenance.created`` is a deterministic function of the inputs, so two runs
on the same machine give identical files apart from that timestamp.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .activations import npz_bytes
from .atomic import atomic_write_bytes, atomic_write_text
from .benchmarks.base import BenchmarkScore
from .errors import InputError

SCHEMA = "repro.result/1"


def _clean(x):
    """JSON-safe: numpy scalars to Python, NaN/inf to null."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return _clean(x.tolist())
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


@dataclass
class Result:
    data: dict
    per_neuroid: dict | None = None

    @property
    def benchmark(self) -> str:
        return self.data["benchmark"]

    @property
    def best_layer(self) -> dict:
        return self.data["best_layer"]

    @property
    def layers(self) -> list[dict]:
        return self.data["layers"]

    def table(self) -> str:
        ceiling = self.data["ceiling"]["center"]
        lines = [f"{self.data['benchmark']} ({self.data['suite']}) - model {self.data['model']['id']}, "
                 f"solver {self.data['provenance']['solver'] or 'n/a'}, ceiling {ceiling if ceiling is None else f'{ceiling:.6f}'}",
                 f"{'layer':<28} {'raw':>10} {'score':>10} {'error':>10}  {'cond':<4} {'95% CI (score)':>21}"]
        best = self.data["best_layer"]["layer"]
        ill = False
        for ls in self.data["layers"]:
            raw = "" if ls["raw_center"] is None else f"{ls['raw_center']:.6f}"
            err = "" if ls["score_error"] is None else f"{ls['score_error']:.6f}"
            sc = "nan" if ls["score_center"] is None else f"{ls['score_center']:.6f}"
            cond = conditioning_mark(ls)
            ill = ill or cond.startswith("ill")
            ci = ls.get("score_ci")
            ci = f"[{ci[0]:.4f}, {ci[1]:.4f}]" if ci and None not in ci else ""
            lines.append(f"{ls['layer']:<28} {raw:>10} {sc:>10} {err:>10}  {cond:<4} {ci:>21}"
                         f"{'  <- best' if ls['layer'] == best else ''}")
        if ill:
            lines.append("ill: ill-conditioned layer (features >= training samples, or rank deficient); the original code's "
                         "own answer moves by about the spread shown (±) across BLAS kernels and thread counts")
        lines += selection_lines(self.data)
        return "\n".join(lines)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        data = dict(self.data)
        if self.per_neuroid:
            side = path.with_name(path.stem + ".per_neuroid.npz")
            atomic_write_bytes(side, npz_bytes({k: _plain(v) for k, v in self.per_neuroid.items()}, compress=True))
            data["side_files"] = {"per_neuroid": side.name}
        # the JSON goes last: its presence means the result (and its side file) is complete
        atomic_write_text(path, json.dumps(_clean(data), indent=1, sort_keys=False) + "\n")
        return path


def conditioning_mark(layer: dict) -> str:
    """'well', 'ill±<spread>' or '' (no regression, e.g. CKA) for a layer record."""
    cond = layer.get("conditioning")
    if not cond:
        return ""
    if cond["conditioning"] == "well":
        return "well"
    spread = cond.get("expected_spread")
    return "ill" if spread is None else f"ill±{spread:.0e}"


def selection_lines(data: dict) -> list[str]:
    sel = data.get("layer_selection")
    if not sel:
        return []
    best = data["best_layer"]

    def fmt(x):
        return "n/a" if x is None else f"{x:.6f}"
    return [f"layer selection: max over layers {fmt(best['score_center'])} ({best['layer']}); nested (held-out "
            f"choice) {fmt(sel.get('score_center'))} vs {fmt(sel.get('max_over_layers_same_rule'))} for the max under "
            f"the same per-fold rule; layers chosen {sel.get('layer_counts')}"]


def _plain(v):
    a = np.asarray(v)
    if a.dtype == object:
        a = a.astype(str)
    return a


def build(score: BenchmarkScore, model: dict, provenance: dict, committed_layer: str | None = None) -> Result:
    best = score.best_layer
    data = {
        "schema": SCHEMA,
        "benchmark": score.benchmark,
        "suite": score.suite,
        "metric": score.metric,
        "model": model,
        "ceiling": {"center": score.ceiling, "kind": score.ceiling_kind, "source": score.ceiling_source},
        "layers": [{"layer": ls.layer, "n_features": ls.n_features, "raw_center": ls.raw_center,
                    "raw_error": ls.raw_error, "score_center": ls.score_center, "score_error": ls.score_error,
                    "raw_ci": ls.raw_ci, "score_ci": ls.score_ci, "subject_scores": ls.subject_scores,
                    "conditioning": ls.conditioning, "extra": ls.extra} for ls in score.layers],
        "best_layer": {"layer": best.layer, "score_center": best.score_center, "score_error": best.score_error,
                       "raw_center": best.raw_center, "score_ci": best.score_ci, "raw_ci": best.raw_ci},
        # the layer Brain-Score Language would commit for this model, and its score (the number BSL reports)
        "committed_layer": _committed(score, committed_layer),
        "folds": score.folds,
        "bootstrap": score.settings.get("bootstrap"),  # how raw_ci/score_ci were made (repro.stats)
        "layer_selection": score.layer_selection,  # the held-out layer choice, when asked for
        "provenance": provenance,
    }
    return Result(_clean(data), score.per_neuroid)


def _committed(score: BenchmarkScore, name: str | None) -> dict | None:
    if name is None:
        return None
    hit = next((ls for ls in score.layers if ls.layer == name), None)
    if hit is None:
        return {"layer": name, "score_center": None, "raw_center": None, "note": "layer not scored"}
    return {"layer": name, "score_center": hit.score_center, "raw_center": hit.raw_center}


def load(path: str | Path) -> Result:
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read result file {path}: {exc}") from exc
    if data.get("schema") != SCHEMA:
        raise InputError(f"{path} is not a repro result file (schema {data.get('schema')!r}, expected {SCHEMA!r})")
    return Result(data)


def json_schema() -> dict:
    """The JSON Schema of ``repro.result/1`` (package data; the legacy engine's writer follows it too)."""
    from importlib import resources

    return json.loads(resources.files("repro").joinpath("schemas/result.schema.json").read_text())
