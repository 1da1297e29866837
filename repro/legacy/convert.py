"""Legacy Score (``layer`` x ``aggregation``, see spec §5.3) -> ``repro.result/1`` dict.

The same schema as repro/results.py writes (repro/schemas/result.schema.json; both writers are tested against it).
"""

import math
from typing import List, Optional, Sequence

from repro.legacy import SCHEMA, SUITE
from repro.legacy.errors import LegacyError


def metric_of(benchmark: str) -> Optional[str]:
    for metric in ("encoding", "rdm", "cka"):
        if benchmark.endswith("-" + metric):
            return metric
    return None


def ceiling_kind(benchmark: str) -> str:
    # Pereira divides by the aggregate ceiling; Blank/Fedorenko encoding divide per neuroid (spec §5)
    if metric_of(benchmark) == "encoding" and not benchmark.startswith("Pereira2018"):
        return "per-neuroid"
    return "aggregate"


def _number(value) -> Optional[float]:
    x = float(getattr(value, "values", value))
    return None if math.isnan(x) else x  # JSON has no NaN


def _has(obj, dim: str, value) -> bool:
    try:
        return dim in obj.dims and value in list(obj[dim].values)
    except (AttributeError, KeyError, TypeError):
        return False


def score_layers(score) -> List[str]:
    return [str(layer) for layer in score["layer"].values]


def ceiling_center(ceiling) -> Optional[float]:
    if ceiling is None:
        return None
    if _has(ceiling, "aggregation", "center"):
        return _number(ceiling.sel(aggregation="center"))
    return _number(ceiling)


def best_layer(rows: Sequence[dict]) -> Optional[dict]:
    best = None
    for row in rows:  # strict '>' keeps the first of tied layers, in model order
        if row["score_center"] is not None and (best is None or row["score_center"] > best["score_center"]):
            best = row
    if best is None:
        return None
    return {"layer": best["layer"], "score_center": best["score_center"], "score_error": best["score_error"],
            "raw_center": best["raw_center"]}


def layer_rows(score, layers: Sequence[str], n_features: Optional[int], ceiling: Optional[float],
               benchmark: str) -> List[dict]:
    present = set(score_layers(score))
    missing = [layer for layer in layers if layer not in present]
    if missing:
        # neural_nlp.score is cached by (benchmark, model) only, so an earlier run on fewer layers wins
        raise LegacyError("neural-nlp returned no score for layers %s (a cached run on other layers?); clear "
                          "$RESULTCACHING_HOME/neural_nlp.score* or set RESULTCACHING_DISABLE=neural_nlp.score"
                          % ", ".join(missing))
    raw = (getattr(score, "attrs", None) or {}).get("raw")
    raw_has_aggregates = _has(raw, "aggregation", "center") and _has(raw, "layer", layers[0]) if layers else False
    rows = []
    for layer in layers:
        center = _number(score.sel(layer=layer, aggregation="center"))
        error = _number(score.sel(layer=layer, aggregation="error"))
        raw_center = raw_error = None
        extra = {}
        if raw_has_aggregates:
            raw_center = _number(raw.sel(layer=layer, aggregation="center"))
            raw_error = _number(raw.sel(layer=layer, aggregation="error"))
            extra["raw_from"] = "score.attrs.raw"
        elif ceiling_kind(benchmark) == "aggregate" and ceiling and center is not None:
            # Pereira: score = raw / aggregate ceiling exactly (spec §5.1 step 7), so raw is recoverable
            raw_center = center * ceiling
            raw_error = error * ceiling if error is not None else None
            extra["raw_from"] = "score_times_ceiling"
        rows.append({"layer": layer, "n_features": n_features, "raw_center": raw_center, "raw_error": raw_error,
                     "score_center": center, "score_error": error, "extra": extra})
    return rows


def score_to_result(score, *, benchmark: str, model: dict, layers: Sequence[str], n_features: Optional[int],
                    ceiling: Optional[float], provenance: dict) -> dict:
    """Build the result dict; ``model`` and ``provenance`` are the schema's sub-objects (engine set here)."""
    rows = layer_rows(score, layers, n_features, ceiling, benchmark)
    kind = ceiling_kind(benchmark)
    prov = dict(provenance)
    prov.update(engine="legacy", solver="legacy-exact", seed=1,
                ceiling_mode="positional" if kind == "per-neuroid" else None)
    return {
        "schema": SCHEMA,
        "benchmark": benchmark,
        "suite": SUITE,
        "metric": metric_of(benchmark),
        "model": model,
        "ceiling": {"center": ceiling, "kind": kind, "source": "stored"},
        "layers": rows,
        "best_layer": best_layer(rows),
        "committed_layer": None,
        "folds": None,  # neural-nlp draws its folds inside the metric and does not return them
        "provenance": prov,
    }
