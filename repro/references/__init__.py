"""Published reference numbers shipped with repro (package data), with their citations.

- ``neural_nlp_scores.csv``: legacy neural-nlp per-layer scores (gpt2, distilgpt2) and best layers of the
  models researchers compare against (Schrimpf et al. 2021, ``precomputed-scores.csv``).
- ``seed_report.csv``: the seed report's numbers as its own files print them (GPT-2 0.81589780 under
  ``--tokenization seed``; Gemma-2B Pereira; the Brain-Score Language Blank/Fedorenko table), per committed layer.
- ``bsl_expected.csv``: Brain-Score Language 2.3.0 integration-test expectations.
- ``model_sizes.json``: parameter counts for the report's size-vs-score figure.
- ``citations.json``: source id -> citation.

The figures were entered by hand from the repro specs; no upstream file is copied.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from ..errors import InputError

TABLE_FILES = ("neural_nlp_scores.csv", "seed_report.csv", "bsl_expected.csv")
COLUMNS = ("model", "benchmark", "layer", "row", "score_center")


@dataclass(frozen=True)
class Reference:
    """One published number. ``row``: 'layer' (that layer), 'best' (our best layer vs the published best)
    or 'committed' (the layer Brain-Score Language commits; the named layer)."""

    model: str
    benchmark: str
    layer: str
    row: str
    score_center: float
    score_error: float | None = None
    raw_center: float | None = None
    ceiling: float | None = None
    compare: str = "score"  # 'score' (normalised) or 'raw'
    source: str = ""
    note: str = ""
    tokenization: str | None = None  # legacy suite: 'paper' | 'seed' (None: paper)
    tolerance: float | None = None  # this row's own tolerance (None: the table's default)

    @property
    def value(self) -> float | None:
        return self.raw_center if self.compare == "raw" else self.score_center


def _float(text: str | None) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


def read_table(path: str | Path) -> list[Reference]:
    """Reference rows from a CSV with at least the columns model, benchmark, layer, row, score_center."""
    path = Path(path)
    try:
        with path.open(newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise InputError(f"cannot read reference table {path}: {exc}") from exc
    return _parse(rows, str(path))


def _parse(rows: list[dict], origin: str) -> list[Reference]:
    out = []
    for i, r in enumerate(rows, start=2):
        missing = [c for c in COLUMNS if not (r.get(c) or "").strip()]
        if missing:
            raise InputError(f"{origin} line {i}: missing {', '.join(missing)} (columns: {', '.join(COLUMNS)}, "
                             "optional score_error, raw_center, ceiling, compare, tokenization, tolerance, source, note)")
        compare = (r.get("compare") or "score").strip()
        if compare not in ("score", "raw"):
            raise InputError(f"{origin} line {i}: compare must be 'score' or 'raw', not {compare!r}")
        tokenization = (r.get("tokenization") or "").strip() or None
        if tokenization not in (None, "paper", "seed"):
            raise InputError(f"{origin} line {i}: tokenization must be 'paper', 'seed' or empty, not {tokenization!r}")
        row = r["row"].strip()
        if row not in ("layer", "best", "committed"):
            raise InputError(f"{origin} line {i}: row must be 'layer', 'best' or 'committed', not {row!r}")
        ref = Reference(model=r["model"].strip(), benchmark=r["benchmark"].strip(), layer=r["layer"].strip(),
                        row=row, score_center=float(r["score_center"]), score_error=_float(r.get("score_error")),
                        raw_center=_float(r.get("raw_center")), ceiling=_float(r.get("ceiling")), compare=compare,
                        source=(r.get("source") or "").strip(), note=(r.get("note") or "").strip(),
                        tokenization=tokenization, tolerance=_float(r.get("tolerance")))
        if ref.value is None:
            raise InputError(f"{origin} line {i}: compare=raw needs raw_center")
        out.append(ref)
    return out


def _text(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text()


@cache
def load_builtin(name: str) -> tuple[Reference, ...]:
    return tuple(_parse(list(csv.DictReader(_text(name).splitlines())), f"repro/references/{name}"))


def all_references() -> list[Reference]:
    return [r for name in TABLE_FILES for r in load_builtin(name)]


@lru_cache(maxsize=1)
def citations() -> dict[str, str]:
    return json.loads(_text("citations.json"))


@lru_cache(maxsize=1)
def model_sizes() -> dict[str, int]:
    return {k: int(v) for k, v in json.loads(_text("model_sizes.json")).items() if not k.startswith("_")}


def model_size(model_id: str) -> int | None:
    """Parameter count of a registered model (by id, alias or Hugging Face id), or None."""
    sizes = model_sizes()
    if model_id in sizes:
        return sizes[model_id]
    try:
        from ..models.registry import MODELS

        if model_id in MODELS:
            hub = MODELS.get(model_id).hf_id  # per-layer registrations (gemma-2b_l2) share their base's weights
            return next((sizes[k] for k in [MODELS.resolve(model_id)[0], *MODELS]
                         if k in sizes and MODELS.get(k).hf_id == hub), None)
    except Exception:  # noqa: BLE001 - the registry is optional here (sizes are a figure nicety)
        return None
    return None
