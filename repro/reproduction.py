"""``repro reproduce``: our scores next to the published ones, with a pass/fail per row.

    import repro
    table = repro.reproduce("gpt2-pereira", output="results/reproduce")
    print(table.text()); assert table.passed

A target is a named table (``repro reproduce --list``), a registered model id (every published row for it),
or a reference CSV file (columns model, benchmark, layer, row, score_center[, score_error, raw_center, ceiling,
compare, tokenization, tolerance, source, note]). Rows of the legacy suite are scored under their
``tokenization`` (default paper). Scores already in ``output`` (or in ``from_dir``) are reused; activations
come from the activation cache when it has them.

Tolerance: a row's own ``tolerance`` column, else |ours - published| <= 0.015 on the normalised score (0.005
on raw scores): the default ``stable`` solver differs from the legacy float32 path by up to ~3e-3 normalised on
p > n problems (legacy spec §9), Blank/Fedorenko per-neuroid ceilings amplify the original code's own spread
to 6.5e-3 - 4.9e-2 (golden SPREAD.md), and 0.015 still catches a wrong layer (GPT-2's next-best Pereira layer
is 0.026 away) or a wrong ceiling.

``gpt2-pereira`` scores GPT-2 under both legacy tokenization semantics (``paper``: the published 0.826375;
``seed``: the seed report's 0.815898, see docs/why-0.8159.md) and holds each row to GPT2_PEREIRA_TOLERANCE.
The two references are 0.0105 apart, so a tolerance must be below half of that for the rows to tell the
semantics apart; the original code's own answer on a GPT-2-shaped 768-wide post-LayerNorm Pereira layer
(p >= n) moves by up to 1.0e-3 across BLAS kernels and threads (SPREAD.md), and the ``stable`` solver is within
3e-3 of the original on p > n Pereira layers, so 0.004 accepts every faithful run and no run can pass both rows.
Then an attribution: per layer, the score difference between the semantics and how many stimuli's contexts
changed (the seed run records it).
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
from .models.tokenization import DEFAULT as DEFAULT_TOKENIZATION
from .models.tokenization import check as check_tokenization
from .paths import slug
from .progress import progress_bar
from .references import Reference
from .registry import suggest

log = logging.getLogger("repro")

TOLERANCE = 0.015
RAW_TOLERANCE = 0.005
GPT2_PEREIRA_TOLERANCE = 0.004  # the rows' own tolerance (references CSV); why: module docstring

TABLES: dict[str, tuple[str, object]] = {
    "gpt2-pereira": ("GPT-2 on Pereira2018-encoding (legacy) under both tokenizations: paper (best layer) vs "
                     "published 0.826375, seed (encoder.h.11) vs the seed report's 0.815898",
                     lambda r: r.model == "gpt2" and r.benchmark == "Pereira2018-encoding"
                     and ((r.row == "best" and r.source == "neural-nlp-precomputed") or r.source == "seed-report")),
    "neural-nlp-gpt2": ("GPT-2 on the three legacy benchmarks, every layer vs neural-nlp's published scores",
                        lambda r: r.model == "gpt2" and r.source == "neural-nlp-precomputed"),
    "neural-nlp-distilgpt2": ("DistilGPT-2 on the three legacy benchmarks, every layer vs neural-nlp",
                              lambda r: r.model == "distilgpt2" and r.source == "neural-nlp-precomputed"),
    "seed-report": ("the seed report: GPT-2 Pereira (legacy, --tokenization seed), Gemma-2B Pereira and the "
                    "Brain-Score Language Blank2014/Fedorenko2016 table (Gemma-2B, Pythia-70M-deduped, SmolLM2-135M, "
                    "DistilGPT2) at the layers the seed committed",
                    lambda r: r.source == "seed-report"),
}
_FINAL_NORMS = ("ln_f", "norm", "final_layer_norm", "final_norm", "layer_norm", "norm_f")


@dataclass
class Row:
    ref: Reference
    tokenization: str | None = None  # legacy semantics the row is scored under (None: BSL)
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
                "our_layer": self.ours_layer or "", "quantity": r.compare, "tokenization": self.tokenization or "",
                "published": r.value,
                "published_error": r.score_error if r.compare == "score" else None, "ours": self.ours,
                "diff": self.diff, "tolerance": self.tolerance, "status": self.status, "source": r.source,
                "note": self.reason or r.note, "result_file": self.result_file or ""}


@dataclass
class Attribution:
    """What the tokenization semantics change for one model and benchmark: seed minus paper, per layer."""

    model: str
    benchmark: str
    layers: list[tuple[str, float | None, float | None]]  # (layer, paper score, seed score)
    changes: dict | None = None  # the seed run's context_changes (or rows with different activations)

    def lines(self) -> list[str]:
        out = [f"attribution {self.model} / {self.benchmark}: normalised score per layer, seed - paper"]
        width = max([len("layer")] + [len(n) for n, _, _ in self.layers])
        out.append(f"{'layer':<{width}}  {'paper':>10}  {'seed':>10}  {'seed-paper':>10}")
        for name, p, q in self.layers:
            d = None if p is None or q is None else q - p
            out.append(f"{name:<{width}}  {_fmt(p):>10}  {_fmt(q):>10}  {_fmt(d, signed=True):>10}")
        out.append(self.contexts_text())
        return out

    def contexts_text(self) -> str:
        c = self.changes
        if not c:
            return "contexts: not recorded by these results (score with `repro score --tokenization seed` to see them)"
        if c.get("by") == "activations":
            return (f"contexts: {c['different']} of {c['n']} stimuli have different activations under seed "
                    "(the activation files do not record their contexts)")
        deltas = ", ".join(f"{v} by {int(k):+d} token{'s' if abs(int(k)) != 1 else ''}"
                           for k, v in c.get("length_delta", {}).items())
        return (f"contexts: {c['different']} of {c['n']} stimuli see other tokens under seed"
                f"{f' ({deltas})' if deltas else ''}; the others see exactly the paper's tokens")


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
    attributions: list[Attribution] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.rows) and all(r.passed for r in self.rows)

    def _tolerance_text(self) -> str:
        used = {(r.ref.compare, r.tolerance) for r in self.rows}
        if not used:
            return f"tolerance |ours - published| <= {self.tolerance:g} normalised ({self.raw_tolerance:g} raw)"
        if len({q for q, _ in used}) < len(used):  # rows of one quantity differ: see the tol column
            return "tolerance |ours - published| <= the tol column of each row"
        names = {"score": "normalised", "raw": "raw"}
        return "tolerance |ours - published| <= " + ", ".join(f"{t:g} {names[q]}" for q, t in sorted(used, reverse=True))

    @property
    def n_failed(self) -> int:
        return sum(not r.passed for r in self.rows)

    def _cells(self) -> tuple[list[str], list[list[str]]]:
        head = ["model", "benchmark", "layer (published / ours)", "qty", "tokenization", "published", "ours", "diff",
                "tol", "status", "source"]
        body = []
        for r in self.rows:
            d = r.as_dict()
            layer = d["published_layer"] if d["row"] == "layer" else f"{d['published_layer']} / {d['our_layer'] or '-'}"
            if d["row"] != "layer":
                layer = f"{d['row']}: {layer}"
            body.append([d["model"], d["benchmark"], layer, d["quantity"], d["tokenization"] or "-",
                         _fmt(d["published"]), _fmt(d["ours"]),
                         _fmt(d["diff"], signed=True), f"{d['tolerance']:g}", d["status"], d["source"]])
        return head, body

    def text(self) -> str:
        head, body = self._cells()
        widths = [max(len(x) for x in col) for col in zip(head, *body)]
        line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
        # our per-layer tables first (what was scored), then the side-by-side comparison
        out = [(f"--tokenization {key[2]}: " if len(key) > 2 and key[2] else "") + res.table() + "\n"
               for key, res in self.results.items()]
        out += [f"{self.name}: {self.description}", line(head), line(["-" * w for w in widths])]
        out += [line(b) for b in body]
        verdict = "PASS" if self.passed else f"FAIL ({self.n_failed} of {len(self.rows)} rows outside tolerance or missing)"
        out.append(f"{verdict}; {self._tolerance_text()}")
        reasons = [f"  {r.ref.model} / {r.ref.benchmark}: {r.reason}" for r in self.rows if r.reason and r.ours is None]
        out += list(dict.fromkeys(reasons))
        for a in self.attributions:
            out += ["", *a.lines()]
        return "\n".join(out)

    def markdown(self) -> str:
        head, body = self._cells()
        out = [f"## {self.name}", "", self.description, "", "| " + " | ".join(head) + " |",
               "|" + "|".join("---" for _ in head) + "|"]
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in b) + " |" for b in body]
        cites = refs_mod.citations()
        sources = sorted({r.ref.source for r in self.rows if r.ref.source})
        out += ["", f"**{'PASS' if self.passed else 'FAIL'}**: {self._tolerance_text()}.", ""]
        out += [f"- `{s}`: {cites.get(s, s)}" for s in sources]
        for a in self.attributions:
            out += ["", "```", *a.lines(), "```"]
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


def result_path(output: Path, model: str, benchmark: str, tokenization: str | None = None) -> Path:
    tail = f"__{tokenization}" if tokenization not in (None, DEFAULT_TOKENIZATION) else ""
    return output / f"{_safe(model)}__{benchmark}{tail}.json"


def row_tokenization(ref: Reference) -> str | None:
    """The legacy semantics a reference row is scored under: its own, else paper; None for BSL rows."""
    if ref.tokenization:
        return ref.tokenization
    from .benchmarks import get_benchmark
    from .benchmarks.base import SUITE_LEGACY

    try:
        suite = get_benchmark(ref.benchmark).suite
    except UnknownIdError:
        return None
    return DEFAULT_TOKENIZATION if suite == SUITE_LEGACY else None


def result_tokenization(result: results_mod.Result) -> str | None:
    """What a result was scored under; legacy results from before the option (or the legacy engine) are paper."""
    from .benchmarks.base import SUITE_LEGACY

    recorded = (result.data.get("provenance") or {}).get("tokenization")
    return recorded or (DEFAULT_TOKENIZATION if result.data.get("suite") == SUITE_LEGACY else None)


# -- our numbers --------------------------------------------------------------------------------
Key = tuple[str, str, str | None]  # (model, benchmark, tokenization)


def index_results(folder: str | Path) -> dict[Key, tuple[results_mod.Result, Path]]:
    """Every result JSON under ``folder`` keyed by (canonical model id, benchmark, tokenization); later files win."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"--from {folder} is not a folder of result JSON files")
    found: dict[Key, tuple[results_mod.Result, Path]] = {}
    for p in sorted(folder.rglob("*.json")):
        try:
            res = results_mod.load(p)
        except InputError:
            continue  # a reproduce table, a cka file, ...
        model = res.data.get("model") or {}
        for name in {model.get("id"), model.get("hf_id")} - {None}:
            found[(canonical_model(str(name)), res.benchmark, result_tokenization(res))] = (res, p)
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


def compare_row(ref: Reference, result: results_mod.Result | None, tolerance: float | None = None,
                raw_tolerance: float | None = None) -> Row:
    """``tolerance``/``raw_tolerance``: override every row's; None: the row's own ``tolerance``, else the default."""
    given = raw_tolerance if ref.compare == "raw" else tolerance
    default = RAW_TOLERANCE if ref.compare == "raw" else TOLERANCE
    row = Row(ref, row_tokenization(ref),
              tolerance=given if given is not None else ref.tolerance if ref.tolerance is not None else default)
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


def _activations_map(activations, benchmarks: list[str]) -> dict[tuple[str, str | None], str]:
    """``[BENCH[@TOKENIZATION]=]PATH`` entries (or such a dict) -> {(benchmark, tokenization or None): path};
    a bare path needs a single benchmark. No tokenization: the file stands for the default (paper) rows."""
    if not activations:
        return {}
    if isinstance(activations, str | Path):
        activations = [str(activations)]
    items = [f"{k}={v}" for k, v in activations.items()] if isinstance(activations, dict) else list(activations)
    out = {}
    for item in items:
        key, sep, path = str(item).partition("=")
        if not sep:
            if len(benchmarks) != 1:
                raise InputError(f"--activations {item}: this table needs {len(benchmarks)} benchmarks; "
                                 "write BENCHMARK=PATH for each")
            key, path = benchmarks[0], str(item)
        bench, _, tok = key.partition("@")
        out[(bench, check_tokenization(tok) if tok else None)] = path
    return out


def _activations_for(acts: dict, bench: str, tok: str | None) -> str | None:
    hit = acts.get((bench, tok))
    if hit is None and tok in (None, DEFAULT_TOKENIZATION):
        hit = acts.get((bench, None))
    return hit


def reproduce(target: str, *, output: str | Path | None = None, from_dir: str | Path | None = None,
              activations=None, layers: list[str] | None = None, tolerance: float | None = None,
              raw_tolerance: float | None = None, solver: str = "exact", quiet: bool = False,
              **score_kwargs) -> Comparison:
    """Score what the table needs (reusing result files in ``output``), compare, write ``<table>.md/.csv``.

    ``from_dir``: compare the result JSONs in that folder without running anything. ``activations``:
    ``{benchmark: npz}`` (or ``["BENCH=PATH", "BENCH@seed=PATH", ...]``) scored instead of running the model
    (one model per table; a row without a file is then missing). ``tolerance``/``raw_tolerance``: override
    every row's (None: the row's own, else 0.015 / 0.005). ``score_kwargs`` go to :func:`repro.score`
    (data_dir, cache_dir, offline, device, dtype, ...).
    """
    name, desc, refs = select(str(target))
    if not refs:
        raise InputError(f"table {name!r} has no rows")
    keys: list[Key] = list(dict.fromkeys((r.model, r.benchmark, row_tokenization(r)) for r in refs))
    acts = _activations_map(activations, list(dict.fromkeys(b for _, b, _ in keys)))
    out = Path(output) if output is not None else None
    found: dict[Key, tuple[results_mod.Result, Path | None]] = {}
    reasons: dict[Key, str] = {}
    if from_dir is not None:
        index = index_results(from_dir)
        for key in keys:
            model, bench, tok = key
            hit = index.get((canonical_model(model), bench, tok))
            file = _activations_for(acts, bench, tok)
            if hit is None and file:  # golden activations: results are named after the file
                hit = index.get((Path(file).stem, bench, tok))
            if hit is not None:
                found[key] = hit
            else:
                reasons[key] = f"no result for {model} on {bench}{_under(tok)} in {from_dir}"
    else:
        from . import api
        from .benchmarks import get_benchmark

        with progress_bar(total=len(keys), desc=f"reproduce {name}", quiet=quiet) as bar:
            for key in keys:
                model, bench, tok = key
                path = result_path(out, model, bench, tok) if out is not None else None
                file = _activations_for(acts, bench, tok)
                kw = {"activations": file} if file else {"model": model}
                if tok is not None:
                    kw["tokenization"] = tok
                cfg = api.ScoreConfig(benchmark=bench, layers=layers, solver=solver, **kw, **score_kwargs)
                want = api.resolved_config(cfg, get_benchmark(bench).resolve_solver(solver))
                cached = _reuse(path, want, cfg.data_dir, tok)
                if cached is not None:
                    log.info("score %s on %s%s: cached in %s", model, bench, _under(tok), path)
                    found[key] = (cached, path)
                elif acts and file is None:
                    reasons[key] = (f"no activations given for {bench}{_under(tok)} "
                                    f"(write {bench}{'@' + tok if tok else ''}=PATH)")
                else:
                    log.info("score %s on %s%s: computing", model, bench, _under(tok))
                    # no mkdir here: the result's writer makes the folder once there is something to write
                    res = api.score(bench, layers=layers, solver=solver, quiet=quiet,
                                    output=str(path) if path else None, **kw, **score_kwargs)
                    found[key] = (res, path)
                bar.update(1)
    rows = []
    for ref in refs:
        key = (ref.model, ref.benchmark, row_tokenization(ref))
        res, path = found.get(key, (None, None))
        row = compare_row(ref, res, tolerance, raw_tolerance)
        row.result_file = str(path) if path else None
        if res is None:
            row.reason = reasons.get(key, "no result")
        rows.append(row)
    comp = Comparison(name, desc, rows, {k: v[0] for k, v in found.items()},
                      tolerance=TOLERANCE if tolerance is None else tolerance,
                      raw_tolerance=RAW_TOLERANCE if raw_tolerance is None else raw_tolerance,
                      attributions=attribute(found, acts))
    if out is not None:
        comp.save(out)
    return comp


def _under(tok: str | None) -> str:
    return f" (--tokenization {tok})" if tok not in (None, DEFAULT_TOKENIZATION) else ""


def attribute(found: dict[Key, tuple[results_mod.Result, Path | None]], acts: dict | None = None) -> list[Attribution]:
    """For every model and benchmark scored under both semantics: per-layer seed - paper, and the contexts
    that changed (recorded by the seed run; for activation files, the rows whose activations differ)."""
    out = []
    for (model, bench, tok), (seed, _) in found.items():
        if tok != "seed" or (model, bench, DEFAULT_TOKENIZATION) not in found:
            continue
        paper = found[(model, bench, DEFAULT_TOKENIZATION)][0]
        by_name = {ls["layer"]: ls.get("score_center") for ls in paper.layers}
        layers = [(ls["layer"], by_name.get(ls["layer"]), ls.get("score_center")) for ls in seed.layers]
        changes = (seed.data.get("provenance") or {}).get("context_changes")
        files = (_activations_for(acts or {}, bench, DEFAULT_TOKENIZATION), _activations_for(acts or {}, bench, "seed"))
        if not changes and all(files):
            changes = _rows_that_differ(*files)
        out.append(Attribution(model, bench, layers, changes))
    return out


def _rows_that_differ(paper_file: str, seed_file: str) -> dict:
    from . import activations as act_io

    a, b = act_io.load(paper_file), act_io.load(seed_file)
    pos = {str(s): i for i, s in enumerate(b.stimulus_id.tolist())}
    order = [pos.get(str(s)) for s in a.stimulus_id.tolist()]
    if None in order or set(a.layers) != set(b.layers):
        return {}
    differ = sum(any(not (a.layers[n][i] == b.layers[n][j]).all() for n in a.layers) for i, j in enumerate(order))
    return {"by": "activations", "n": len(order), "different": int(differ)}


def _reuse(path: Path | None, want: dict, data_dir: str | None,
           tokenization: str | None = None) -> results_mod.Result | None:
    """The stored result at ``path`` if it was scored with the same resolved config (``want``, see
    ``api.resolved_config``) under the same tokenization on the same data files (their sha1s, checked
    locally, nothing downloaded)."""
    from .api import REUSE_KEYS
    from .benchmarks.base import SUITE_LEGACY
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
    # the semantics, not the spelling: a legacy result asked for with no tokenization is a paper one
    asked = tokenization if tokenization is not None else want.get("tokenization")
    if asked is None and res.data.get("suite") == SUITE_LEGACY:
        asked = DEFAULT_TOKENIZATION
    if result_tokenization(res) != asked:
        return None
    return res


def _data_present(suite: str | None, files: dict, data_dir: str | None) -> bool:
    from .benchmarks.base import SUITE_BSL
    from .data.store import bsl_store, legacy_store

    if not files:
        return False
    store = (bsl_store if suite == SUITE_BSL else legacy_store)(data_dir, offline=True, quiet=True)
    return all(store.holds(name, sha1) for name, sha1 in files.items())
