"""``repro reproduce``: our scores next to the published ones, with a pass/fail per row.

    import repro
    table = repro.reproduce("gpt2-pereira", output="results/reproduce")
    print(table.text()); assert table.passed

A target is a named table (``repro reproduce --list``), a registered model id (every published row for it),
or a reference CSV file (columns model, benchmark, layer, row, score_center[, score_error, raw_center, ceiling,
compare, source, note]). Scores already in ``output`` (or in ``from_dir``) are reused; activations come from
the activation cache when it has them.

Tolerance: |ours - published| <= 0.015 on the normalised score (0.005 on raw scores). Why: the default
``stable`` solver differs from the legacy float32 path by up to ~3e-3 normalised on p > n problems (legacy spec
§9), the published numbers are rounded to 1e-6, and the seed report, which also claims to reproduce the
published GPT-2 number, sits 0.0105 below it; 0.015 accepts both while still catching a wrong layer (GPT-2's
next-best Pereira layer is 0.026 away) or a wrong ceiling.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import references as refs_mod
from . import results as results_mod
from .atomic import atomic_write_text
from .errors import InputError, UnknownIdError
from .paths import slug
from .progress import progress_bar
from .references import Reference
from .registry import suggest

log = logging.getLogger("repro")

TOLERANCE = 0.015
RAW_TOLERANCE = 0.005

TABLES: dict[str, tuple[str, object]] = {
    "gpt2-pereira": ("GPT-2 on Pereira2018-encoding (legacy), best layer vs published 0.826375 and the seed "
                     "report's 0.8159",
                     lambda r: r.model == "gpt2" and r.benchmark == "Pereira2018-encoding" and r.row == "best"),
    "neural-nlp-gpt2": ("GPT-2 on the three legacy benchmarks, every layer vs neural-nlp's published scores",
                        lambda r: r.model == "gpt2" and r.source == "neural-nlp-precomputed"),
    "neural-nlp-distilgpt2": ("DistilGPT-2 on the three legacy benchmarks, every layer vs neural-nlp",
                              lambda r: r.model == "distilgpt2" and r.source == "neural-nlp-precomputed"),
    "seed-report": ("the seed report: GPT-2 Pereira (legacy) and the Brain-Score Language Blank2014/"
                    "Fedorenko2016 table (Gemma-2B, Pythia-70M, SmolLM2-135M, DistilGPT2)",
                    lambda r: r.source == "seed-report"),
}
_FINAL_NORMS = ("ln_f", "norm", "final_layer_norm", "final_norm", "layer_norm", "norm_f")


@dataclass
class Row:
    ref: Reference
    ours: float | None = None
    ours_layer: str | None = None
    tolerance: float = TOLERANCE
    result_file: str | None = None
    reason: str = ""

    @property
    def diff(self) -> float | None:
        return None if self.ours is None else self.ours - self.ref.value

    @property
    def passed(self) -> bool:
        return self.diff is not None and abs(self.diff) <= self.tolerance + 1e-12

    @property
    def status(self) -> str:
        if self.ours is None:
            return "MISSING"
        return "PASS" if self.passed else "FAIL"

    def as_dict(self) -> dict:
        r = self.ref
        return {"model": r.model, "benchmark": r.benchmark, "row": r.row, "published_layer": r.layer,
                "our_layer": self.ours_layer or "", "quantity": r.compare, "published": r.value,
                "published_error": r.score_error if r.compare == "score" else None, "ours": self.ours,
                "diff": self.diff, "tolerance": self.tolerance, "status": self.status, "source": r.source,
                "note": self.reason or r.note, "result_file": self.result_file or ""}


@dataclass
class Comparison:
    """The side-by-side table; ``passed`` is true when every row is within its tolerance."""

    name: str
    description: str
    rows: list[Row]
    results: dict[tuple[str, str], results_mod.Result] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    tolerance: float = TOLERANCE
    raw_tolerance: float = RAW_TOLERANCE

    @property
    def passed(self) -> bool:
        return bool(self.rows) and all(r.passed for r in self.rows)

    @property
    def n_failed(self) -> int:
        return sum(not r.passed for r in self.rows)

    def _cells(self) -> tuple[list[str], list[list[str]]]:
        head = ["model", "benchmark", "layer (published / ours)", "qty", "published", "ours", "diff", "tol",
                "status", "source"]
        body = []
        for r in self.rows:
            d = r.as_dict()
            layer = d["published_layer"] if d["row"] == "layer" else f"{d['published_layer']} / {d['our_layer'] or '-'}"
            if d["row"] != "layer":
                layer = f"{d['row']}: {layer}"
            body.append([d["model"], d["benchmark"], layer, d["quantity"], _fmt(d["published"]), _fmt(d["ours"]),
                         _fmt(d["diff"], signed=True), f"{d['tolerance']:g}", d["status"], d["source"]])
        return head, body

    def text(self) -> str:
        head, body = self._cells()
        widths = [max(len(x) for x in col) for col in zip(head, *body)]
        line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
        # our per-layer tables first (what was scored), then the side-by-side comparison
        out = [res.table() + "\n" for res in self.results.values()]
        out += [f"{self.name}: {self.description}", line(head), line(["-" * w for w in widths])]
        out += [line(b) for b in body]
        verdict = "PASS" if self.passed else f"FAIL ({self.n_failed} of {len(self.rows)} rows outside tolerance or missing)"
        out.append(f"{verdict}; tolerance |ours - published| <= {self.tolerance:g} normalised ({self.raw_tolerance:g} raw)")
        reasons = [f"  {r.ref.model} / {r.ref.benchmark}: {r.reason}" for r in self.rows if r.reason and r.ours is None]
        out += list(dict.fromkeys(reasons))
        return "\n".join(out)

    def markdown(self) -> str:
        head, body = self._cells()
        out = [f"## {self.name}", "", self.description, "", "| " + " | ".join(head) + " |",
               "|" + "|".join("---" for _ in head) + "|"]
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in b) + " |" for b in body]
        cites = refs_mod.citations()
        sources = sorted({r.ref.source for r in self.rows if r.ref.source})
        out += ["", f"**{'PASS' if self.passed else 'FAIL'}**: tolerance |ours − published| ≤ {self.tolerance:g} "
                f"normalised ({self.raw_tolerance:g} raw).", ""]
        out += [f"- `{s}`: {cites.get(s, s)}" for s in sources]
        return "\n".join(out) + "\n"

    def csv(self) -> str:
        buf = io.StringIO()
        rows = [r.as_dict() for r in self.rows]
        fields = list(rows[0]) if rows else ["model"]
        w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        for d in rows:
            w.writerow({k: ("" if v is None else repr(v) if isinstance(v, float) else v) for k, v in d.items()})
        return buf.getvalue()

    def save(self, output: str | Path) -> list[Path]:
        output = Path(output)
        output.mkdir(parents=True, exist_ok=True)
        md, cs = output / f"{self.name}.md", output / f"{self.name}.csv"
        atomic_write_text(md, self.markdown())
        atomic_write_text(cs, self.csv())
        self.files = [md, cs]
        return self.files


def _fmt(x, signed: bool = False) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:+.6f}" if signed else f"{x:.6f}"


# -- which rows ---------------------------------------------------------------------------------
def list_tables() -> dict[str, str]:
    return {name: desc for name, (desc, _) in TABLES.items()}


def select(target: str) -> tuple[str, str, list[Reference]]:
    """(table name, description, reference rows) for a table name, a model id or a reference CSV."""
    allrefs = refs_mod.all_references()
    if target in TABLES:
        desc, pick = TABLES[target]
        return target, desc, [r for r in allrefs if pick(r)]
    path = Path(target)
    if path.suffix.lower() == ".csv":
        if not path.is_file():
            raise InputError(f"reference table {path} does not exist")
        return f"{path.stem}-reproduced", f"reference table {path}", refs_mod.read_table(path)
    model = canonical_model(target)
    rows = [r for r in allrefs if canonical_model(r.model) == model]
    if rows:
        return _safe(target), f"every published row for model {model}", rows
    known = sorted(set(TABLES) | {r.model for r in allrefs})
    hint = suggest(target, known)
    extra = f"; did you mean {', '.join(repr(h) for h in hint)}?" if hint else ""
    raise UnknownIdError(f"no reference table or published numbers for {target!r}{extra} "
                         "(`repro reproduce --list` shows the tables; a .csv file works too)")


def canonical_model(name: str) -> str:
    from .models.registry import MODELS

    return MODELS.resolve(name)[0] if name in MODELS else name


def _safe(name: str) -> str:
    return slug(name, default="model")


def result_path(output: Path, model: str, benchmark: str) -> Path:
    return output / f"{_safe(model)}__{benchmark}.json"


# -- our numbers --------------------------------------------------------------------------------
def index_results(folder: str | Path) -> dict[tuple[str, str], tuple[results_mod.Result, Path]]:
    """Every result JSON under ``folder`` keyed by (canonical model id, benchmark); later files win."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"--from {folder} is not a folder of result JSON files")
    found: dict[tuple[str, str], tuple[results_mod.Result, Path]] = {}
    for p in sorted(folder.rglob("*.json")):
        try:
            res = results_mod.load(p)
        except InputError:
            continue  # a reproduce table, a cka file, ...
        model = res.data.get("model") or {}
        for name in {model.get("id"), model.get("hf_id")} - {None}:
            found[(canonical_model(str(name)), res.benchmark)] = (res, p)
    return found


def _layer_entry(result: results_mod.Result, label: str) -> dict | None:
    layers = result.layers
    by_name = {ls["layer"]: ls for ls in layers}
    if label in by_name:
        return by_name[label]
    # the seed report names layers "L<k>" (k-th block) and "last" (last block, not the final norm)
    blocks = [ls for ls in layers if ls["layer"].rsplit(".", 1)[-1] not in _FINAL_NORMS]
    m = re.fullmatch(r"[Ll](\d+)", label)
    if m and int(m.group(1)) < len(blocks):
        return blocks[int(m.group(1))]
    if label == "last" and blocks:
        return blocks[-1]
    return None


def compare_row(ref: Reference, result: results_mod.Result | None, tolerance: float = TOLERANCE,
                raw_tolerance: float = RAW_TOLERANCE) -> Row:
    row = Row(ref, tolerance=raw_tolerance if ref.compare == "raw" else tolerance)
    if result is None:
        row.reason = "no result"
        return row
    key = "raw_center" if ref.compare == "raw" else "score_center"
    if ref.row == "best":
        best = result.best_layer
        entry = _layer_entry(result, best["layer"]) or best
    else:
        entry = _layer_entry(result, ref.layer)
        if entry is None and ref.row == "committed" and result.data.get("committed_layer"):
            committed = result.data["committed_layer"]
            entry = _layer_entry(result, committed["layer"] if isinstance(committed, dict) else committed)
        if entry is None:
            names = [ls["layer"] for ls in result.layers]
            row.reason = f"layer {ref.layer!r} not in the result (has {', '.join(names[:6])}{', ...' if len(names) > 6 else ''})"
            return row
    row.ours_layer = entry["layer"]
    value = entry.get(key)
    row.ours = None if value is None else float(value)
    if row.ours is None:
        row.reason = f"the result has no {key}"
    return row


def _activations_map(activations, benchmarks: list[str]) -> dict[str, str]:
    """``[BENCH=]PATH`` entries (or a dict) -> {benchmark: path}; a bare path needs a single benchmark."""
    if not activations:
        return {}
    if isinstance(activations, dict):
        return {str(k): str(v) for k, v in activations.items()}
    if isinstance(activations, str | Path):
        activations = [str(activations)]
    out = {}
    for item in activations:
        bench, sep, path = str(item).partition("=")
        if not sep:
            if len(benchmarks) != 1:
                raise InputError(f"--activations {item}: this table needs {len(benchmarks)} benchmarks; "
                                 "write BENCHMARK=PATH for each")
            bench, path = benchmarks[0], item
        out[bench] = path
    return out


def reproduce(target: str, *, output: str | Path | None = None, from_dir: str | Path | None = None,
              activations=None, layers: list[str] | None = None, tolerance: float = TOLERANCE,
              raw_tolerance: float = RAW_TOLERANCE, solver: str = "stable", quiet: bool = False,
              **score_kwargs) -> Comparison:
    """Score what the table needs (reusing result files in ``output``), compare, write ``<table>.md/.csv``.

    ``from_dir``: compare the result JSONs in that folder without running anything. ``activations``:
    ``{benchmark: npz}`` (or ``["BENCH=PATH", ...]``) scored instead of running the model (one model per
    table). ``score_kwargs`` go to :func:`repro.score` (data_dir, cache_dir, offline, device, dtype, ...).
    """
    name, desc, refs = select(str(target))
    if not refs:
        raise InputError(f"table {name!r} has no rows")
    pairs = list(dict.fromkeys((r.model, r.benchmark) for r in refs))
    acts = _activations_map(activations, list(dict.fromkeys(b for _, b in pairs)))
    out = Path(output) if output is not None else None
    found: dict[tuple[str, str], tuple[results_mod.Result, Path | None]] = {}
    reasons: dict[tuple[str, str], str] = {}
    if from_dir is not None:
        index = index_results(from_dir)
        for model, bench in pairs:
            hit = index.get((canonical_model(model), bench))
            if hit is None and acts.get(bench):  # golden activations: results are named after the file
                hit = index.get((Path(acts[bench]).stem, bench))
            if hit is not None:
                found[(model, bench)] = hit
            else:
                reasons[(model, bench)] = f"no result for {model} on {bench} in {from_dir}"
    else:
        from . import api
        from .benchmarks import get_benchmark

        with progress_bar(total=len(pairs), desc=f"reproduce {name}", quiet=quiet) as bar:
            for model, bench in pairs:
                path = result_path(out, model, bench) if out is not None else None
                kw = {"activations": acts[bench]} if bench in acts else {"model": model}
                cfg = api.ScoreConfig(benchmark=bench, layers=layers, solver=solver, **kw, **score_kwargs)
                want = api.resolved_config(cfg, get_benchmark(bench).resolve_solver(solver))
                cached = _reuse(path, want, cfg.data_dir)
                if cached is not None:
                    log.info("score %s on %s: cached in %s", model, bench, path)
                    found[(model, bench)] = (cached, path)
                else:
                    log.info("score %s on %s: computing", model, bench)
                    if out is not None:
                        out.mkdir(parents=True, exist_ok=True)
                    res = api.score(bench, layers=layers, solver=solver, quiet=quiet,
                                    output=str(path) if path else None, **kw, **score_kwargs)
                    found[(model, bench)] = (res, path)
                bar.update(1)
    rows = []
    for ref in refs:
        res, path = found.get((ref.model, ref.benchmark), (None, None))
        row = compare_row(ref, res, tolerance, raw_tolerance)
        row.result_file = str(path) if path else None
        if res is None:
            row.reason = reasons.get((ref.model, ref.benchmark), "no result")
        rows.append(row)
    comp = Comparison(name, desc, rows, {k: v[0] for k, v in found.items()}, tolerance=tolerance,
                      raw_tolerance=raw_tolerance)
    if out is not None:
        comp.save(out)
    return comp


def _reuse(path: Path | None, want: dict, data_dir: str | None) -> results_mod.Result | None:
    """The stored result at ``path`` if it was scored with the same resolved config (``want``, see
    ``api.resolved_config``) on the same data files (their sha1s, checked locally, nothing downloaded)."""
    from .api import REUSE_KEYS

    if path is None or not path.is_file():
        return None
    try:
        res = results_mod.load(path)
    except InputError:
        return None
    prov = res.data.get("provenance") or {}
    stored = prov.get("config") or {}
    for key in REUSE_KEYS:
        if stored.get(key) != want.get(key):
            return None
    if not _data_present(res.data.get("suite"), prov.get("data") or {}, data_dir):
        return None
    return res


def _data_present(suite: str | None, files: dict, data_dir: str | None) -> bool:
    from .benchmarks.base import SUITE_BSL
    from .data.store import bsl_store, legacy_store

    if not files:
        return False
    store = (bsl_store if suite == SUITE_BSL else legacy_store)(data_dir, offline=True, quiet=True)
    return all(store.holds(name, sha1) for name, sha1 in files.items())
