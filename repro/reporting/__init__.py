"""``repro report``: a static HTML page (plus PNG/PDF figures) from result files.

    import repro
    index = repro.report(["results/"], output="report/")   # report/index.html, report/figures/*.png|pdf

Inputs are result JSONs (``repro.result/1``), CKA JSONs from ``repro cka`` (``repro.cka/1``) or folders of
them. The page shows layer curves per benchmark (normalised score, error band, ceiling line), benchmark bars,
raw vs ceiling, model size vs score, a model x benchmark heatmap, CKA heatmaps, every number in tables,
and the provenance of each result file. Figures are relative files next to the page, so the folder can be
copied or served as is.
"""

from __future__ import annotations

import html
import json
import logging
from importlib import resources
from pathlib import Path
from string import Template

from .. import provenance as prov
from ..atomic import atomic_write_text
from ..errors import InputError
from ..paths import slug
from ..progress import progress_bar
from ..results import SCHEMA as RESULT_SCHEMA
from ..tables import grid
from . import figures as figs
from .cka import SCHEMA as CKA_SCHEMA

COMPARE_SCHEMA = "repro.compare/1"

log = logging.getLogger("repro")


def collect(inputs) -> tuple[list[tuple[dict, Path]], list[tuple[dict, Path]]]:
    """(results, cka matrices) from files and folders; other JSON files in folders are skipped."""
    if isinstance(inputs, str | Path):
        inputs = [inputs]
    files: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            files += sorted(p.rglob("*.json"))
        elif p.is_file():
            files.append(p)
        else:
            raise InputError(f"{p} does not exist (give result JSON files or folders of them)")
    results, ckas = [], []
    for f in files:
        try:
            data = json.loads(f.read_text())
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read {f}: {exc}") from exc
        schema = data.get("schema") if isinstance(data, dict) else None
        if schema == RESULT_SCHEMA:
            results.append((data, f))
        elif schema == CKA_SCHEMA:
            ckas.append((data, f))
        elif schema == COMPARE_SCHEMA:
            continue  # read by _comparisons (repro compare files)
        elif f in [Path(i) for i in inputs]:
            raise InputError(f"{f} is neither a repro result ({RESULT_SCHEMA}) nor a CKA file ({CKA_SCHEMA})")
    if not results and not ckas:
        raise InputError(f"no result files found in {', '.join(map(str, inputs))} (make some with `repro score --output`)")
    return results, ckas


def _slug(text: str) -> str:
    return slug(text, limit=80, keep="")


def _f(x, digits: int = 4) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def report(results, output: str | Path = "report", title: str = "repro report",
           formats: tuple[str, ...] = figs.FORMATS, quiet: bool = False) -> Path:
    """Write ``output/index.html`` and ``output/figures/``; returns the page's path."""
    res, ckas = collect(results)
    out = Path(output)
    fig_dir = out / "figures"
    out.mkdir(parents=True, exist_ok=True)
    # one result per (model, benchmark): the last one given wins (rerun results override older ones)
    table: dict[tuple[str, str], dict] = {}
    origin: dict[tuple[str, str], Path] = {}
    for data, path in res:
        key = (data["model"]["id"], data["benchmark"])
        table[key] = data
        origin[key] = path
    models = list(dict.fromkeys(m for m, _ in table))
    benches = list(dict.fromkeys(b for _, b in table))
    sections: list[str] = []
    n_figs = len(benches) + (4 if table else 0) + len(ckas)
    with progress_bar(total=n_figs, desc="report figures", quiet=quiet) as bar:
        if table:
            sections.append("<h2>Best layer per model and benchmark</h2>" + _summary_table(table, models, benches))
            curves = []
            for b in benches:
                rs = [table[(m, b)] for m in models if (m, b) in table]
                png = figs.layer_curves(b, rs, fig_dir, f"layers_{_slug(b)}", formats)
                curves.append(_figure(png, out, f"{b}: normalised score per layer (band: 95 % bootstrap interval "
                                      "over stimuli where the result has one, else ± the suite's error; star: best "
                                      "layer; dashed: ceiling = 1).", formats))
                bar.update(1)
            sections.append("<h2>Layer curves</h2>" + "".join(curves))
            parts = [_figure(figs.benchmark_bars(table, models, benches, fig_dir, formats=formats), out,
                             "Best-layer normalised score per benchmark (error bars: normalised MAD).", formats)]
            bar.update(1)
            parts.append(_figure(figs.raw_vs_ceiling(table, models, benches, fig_dir, formats=formats), out,
                                 "Best-layer raw score and the ceiling it is divided by.", formats))
            bar.update(1)
            png, sizes = figs.size_vs_score(table, models, benches, fig_dir, formats=formats)
            bar.update(1)
            size_note = "; ".join(f"{m}: {v:,.0f} {k}" for m, (v, k) in sizes.items() if v == v)
            parts.append(_figure(png, out, f"Model size vs best-layer score ({html.escape(size_note)}).", formats))
            parts.append(_figure(figs.score_heatmap(table, models, benches, fig_dir, formats=formats), out,
                                 "Model × benchmark best-layer normalised scores.", formats))
            bar.update(1)
            sections.append("<h2>Benchmarks</h2>" + "".join(parts))
        if ckas:
            heat = []
            for data, path in ckas:
                png = figs.cka_heatmap(data, fig_dir, f"cka_{_slug(data['model'])}_{_slug(data['benchmark'])}", formats)
                heat.append(_figure(png, out, f"Layer × layer linear CKA of {html.escape(data['model'])} on the "
                                    f"{html.escape(data['benchmark'])} stimuli ({html.escape(str(path))}).", formats))
                bar.update(1)
            sections.append("<h2>Layer × layer CKA</h2>" + "".join(heat))
    sections += _comparisons(results, fig_dir, out, formats)
    if table:
        sections.append("<h2>Every number</h2>" + _layer_tables(table, origin))
    sections.append("<h2>Provenance</h2>" + _provenance(table, origin, ckas))
    page = Template(resources.files(__package__).joinpath("templates/report.html").read_text()).substitute(
        title=html.escape(title),
        meta=html.escape(f"{len(table)} results ({len(models)} models × {len(benches)} benchmarks), "
                         f"{len(ckas)} CKA matrices; made by repro {prov.versions().get('repro')}"),
        body="\n".join(sections))
    index = out / "index.html"
    atomic_write_text(index, page)
    return index


def _comparisons(inputs, fig_dir: Path, out: Path, formats) -> list[str]:
    """A forest plot and a table of the ``repro compare`` files among the inputs."""
    from ..stats.compare import markdown

    files = [Path(i) for i in ([inputs] if isinstance(inputs, str | Path) else inputs)]
    files = [g for f in files for g in (sorted(f.rglob("*.json")) if f.is_dir() else [f])]
    rows = []
    for f in files:
        try:
            data = json.loads(f.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("schema") == COMPARE_SCHEMA:
            rows += data["comparisons"]
    if not rows:
        return []
    png = figs.compare_forest(rows, fig_dir, "comparisons", formats)
    table = "".join(f"<tr><td>{html.escape(c)}</td></tr>" for c in markdown({"comparisons": rows}).splitlines()[2:])
    return ["<h2>Paired comparisons</h2>" + _figure(png, out, "Differences A − B (repro compare) with 95 % "
                                                    "paired-bootstrap intervals.", formats)
            + f"<table class='mono'>{table}</table>"]


def _figure(png: Path, root: Path, caption: str, formats) -> str:
    rel = png.relative_to(root).as_posix()
    links = " ".join(f'<a href="{html.escape(png.with_suffix("." + ext).relative_to(root).as_posix())}">{ext.upper()}</a>'
                     for ext in formats if ext != "png")
    return (f'<figure><img src="{html.escape(rel)}" alt="{html.escape(png.stem)}">'
            f"<figcaption>{caption} {links}</figcaption></figure>")


def _summary_table(table, models, benches) -> str:
    head = "<tr><th>model</th>" + "".join(f"<th>{html.escape(b)}</th>" for b in benches) + "</tr>"

    def cell(r) -> str:
        if r is None:
            return "<td></td>"
        best = r["best_layer"]
        err = best.get("score_error")
        ill = _cond(next((ls for ls in r["layers"] if ls["layer"] == best["layer"]), {}))
        flag = f' <span class="ill" title="{html.escape(ill)}">ill-conditioned</span>' if ill.startswith("ill") else ""
        ci = best.get("score_ci")
        ci = f"<br><span class='meta'>95% CI [{_f(ci[0])}, {_f(ci[1])}]</span>" if ci else ""
        return (f'<td class="num">{_f(best["score_center"])}{" ± " + _f(err) if err is not None else ""}{ci}'
                f'<br><span class="meta">{html.escape(best["layer"])}</span>{flag}</td>')

    rows = [f"<tr><td>{html.escape(m)}</td>{''.join(cells)}</tr>" for m, cells in grid(table, models, benches, cell)]
    return f"<table>{head}{''.join(rows)}</table>"


def _ci(ci) -> str:
    return "–" if not ci or None in ci else f"[{ci[0]:.4f}, {ci[1]:.4f}]"


def _cond(layer: dict) -> str:
    """'well (full-rank)', 'ill (underdetermined, original spread 2e-03)' or '' (no regression)."""
    c = layer.get("conditioning")
    if not c:
        return ""
    spread = c.get("expected_spread")
    return f"{c['conditioning']} ({c['class']}{'' if spread is None else f', original spread {spread:.0e}'})"


def _layer_tables(table, origin) -> str:
    out = []
    for (m, b), r in table.items():
        rows = "".join(
            f"<tr><td>{html.escape(ls['layer'])}</td><td class='num'>{ls.get('n_features') or ''}</td>"
            f"<td class='num'>{_f(ls.get('raw_center'))}</td><td class='num'>{_f(ls.get('raw_error'))}</td>"
            f"<td class='num'>{_f(ls.get('score_center'))}</td><td class='num'>{_f(ls.get('score_error'))}</td>"
            f"<td class='num'>{_ci(ls.get('raw_ci'))}</td><td class='num'>{_ci(ls.get('score_ci'))}</td>"
            f"<td class='{'ill' if _cond(ls).startswith('ill') else 'meta'}'>{html.escape(_cond(ls))}</td>"
            f"<td>{'best' if ls['layer'] == r['best_layer']['layer'] else ''}</td></tr>" for ls in r["layers"])
        ceil = r["ceiling"]
        out.append(f"<details><summary>{html.escape(m)} — {html.escape(b)} ({html.escape(r['suite'])}; ceiling "
                   f"{_f(ceil.get('center'), 6)} {html.escape(str(ceil.get('kind')))}, {html.escape(str(ceil.get('source')))}; "
                   f"file <code>{html.escape(str(origin[(m, b)]))}</code>)</summary><table><tr><th>layer</th>"
                   "<th>features</th><th>raw</th><th>raw error</th><th>score</th><th>score error</th>"
                   "<th>raw 95% CI</th><th>score 95% CI</th>"
                   "<th title='ill: features >= training samples or rank deficient; the original code itself moves by "
                   "about the spread shown across BLAS kernels and thread counts'>conditioning</th><th></th></tr>"
                   f"{rows}</table></details>")
    return "".join(out)


def _provenance(table, origin, ckas) -> str:
    head = ("<tr><th>model</th><th>benchmark</th><th>file</th><th>source</th><th>engine / solver / seed</th>"
            "<th>ceiling</th><th>data (sha1)</th><th>versions</th><th>created / command</th></tr>")
    rows = []
    for (m, b), r in table.items():
        p = r.get("provenance") or {}
        model = r.get("model") or {}
        src = ", ".join(f"{k}: {model[k]}" for k in ("source", "hf_id", "revision", "activations_sha1",
                                                    "activations_content_sha1") if model.get(k))
        data = "<br>".join(f"{html.escape(k)}: <span class='mono'>{html.escape(str(v))[:12]}</span>"
                           for k, v in (p.get("data") or {}).items())
        versions = ", ".join(f"{k} {v}" for k, v in (p.get("versions") or {}).items())
        ceil = r.get("ceiling") or {}
        rows.append(
            f"<tr><td>{html.escape(m)}</td><td>{html.escape(b)}<br><span class='meta'>{html.escape(r.get('suite', ''))}"
            f"</span></td><td><code>{html.escape(str(origin[(m, b)]))}</code></td><td>{html.escape(src)}</td>"
            f"<td>{html.escape(str(p.get('engine')))} / {html.escape(str(p.get('solver')))} / "
            f"{html.escape(str(p.get('seed')))}</td><td>{_f(ceil.get('center'), 6)} ({html.escape(str(ceil.get('kind')))}, "
            f"{html.escape(str(ceil.get('source')))})</td><td>{data}</td><td class='meta'>{html.escape(versions)}</td>"
            f"<td class='meta'>{html.escape(str(p.get('created')))}<br><code>{html.escape(str(p.get('command')))}</code>"
            "</td></tr>")
    for data, path in ckas:
        p = data.get("provenance") or {}
        rows.append(f"<tr><td>{html.escape(data['model'])}</td><td>{html.escape(data['benchmark'])} (CKA)</td>"
                    f"<td><code>{html.escape(str(path))}</code></td><td>{html.escape(str(data.get('source', '')))}</td>"
                    f"<td>linear CKA</td><td></td><td></td><td class='meta'>"
                    f"{html.escape(', '.join(f'{k} {v}' for k, v in (p.get('versions') or {}).items()))}</td>"
                    f"<td class='meta'>{html.escape(str(p.get('created')))}<br><code>{html.escape(str(p.get('command')))}"
                    "</code></td></tr>")
    return f"<table>{head}{''.join(rows)}</table>"
