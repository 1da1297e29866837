"""The report's matplotlib figures; each function writes ``<name>.png`` (+ ``.pdf``) and returns the PNG path.

Every figure reads only result dicts (schema ``repro.result/1``) or CKA dicts (``repro.cka/1``), so the
report can be rebuilt from the files alone.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..references import model_size

FORMATS = ("png", "pdf")


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _save(fig, folder: Path, name: str, formats=FORMATS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for ext in formats:
        # fixed metadata: the same results give byte-identical figures
        meta = {"Software": None} if ext == "png" else {"Creator": None, "Producer": None, "CreationDate": None}
        fig.savefig(folder / f"{name}.{ext}", dpi=110, bbox_inches="tight", metadata=meta)
    _plt().close(fig)
    return folder / f"{name}.png"


def _num(x) -> float:
    return float("nan") if x is None else float(x)


def layer_curves(bench: str, results: list[dict], folder: Path, name: str, formats=FORMATS) -> Path:
    """Normalised score per layer, one line per model, error band = score_error, ceiling at 1."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4))
    counts = {len(r["layers"]) for r in results}
    same = len(counts) == 1
    for r in results:
        ys = np.array([_num(ls["score_center"]) for ls in r["layers"]])
        es = np.array([_num(ls["score_error"]) for ls in r["layers"]])
        n = len(ys)
        xs = np.arange(n) if same else (np.arange(n) / max(n - 1, 1))
        (line,) = ax.plot(xs, ys, marker="o", ms=3, label=r["model"]["id"])
        lo, hi = _ci_band(r["layers"])
        if lo is not None:  # the bootstrap interval where the result has one, else ± the suite's error
            ax.fill_between(xs, lo, hi, color=line.get_color(), alpha=0.2)
        elif np.isfinite(es).any():
            ax.fill_between(xs, ys - np.nan_to_num(es), ys + np.nan_to_num(es), color=line.get_color(), alpha=0.2)
        best = r["best_layer"]["layer"]
        names = [ls["layer"] for ls in r["layers"]]
        if best in names:
            i = names.index(best)
            ax.plot([xs[i]], [ys[i]], marker="*", ms=12, color=line.get_color())
    ax.axhline(1.0, color="k", ls="--", lw=1, label="ceiling")
    if same:
        labels = [ls["layer"] for ls in results[0]["layers"]]
        step = max(1, len(labels) // 14)
        ax.set_xticks(range(0, len(labels), step))
        ax.set_xticklabels(labels[::step], rotation=45, ha="right", fontsize=7)
        ax.set_xlabel("layer")
    else:
        ax.set_xlabel("relative layer depth (0 = embedding, 1 = last)")
    ax.set_ylabel("normalised score")
    ax.set_title(f"{bench} ({results[0]['suite']})", fontsize=10)
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=0.3)
    return _save(fig, folder, name, formats)


def _ci_band(layers: list[dict]):
    cis = [ls.get("score_ci") for ls in layers]
    if not all(ci and None not in ci for ci in cis):
        return None, None
    return np.array([ci[0] for ci in cis], dtype=float), np.array([ci[1] for ci in cis], dtype=float)


def compare_forest(comparisons: list[dict], folder: Path, name: str, formats=FORMATS) -> Path:
    """Differences A - B with their 95 % intervals, one row per comparison (``repro compare`` files)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(comparisons) + 1.2))
    ys = np.arange(len(comparisons))[::-1]
    for y, c in zip(ys, comparisons):
        ci = c.get("ci") or [np.nan, np.nan]
        ax.errorbar([c["difference"]], [y], xerr=[[c["difference"] - _num(ci[0])], [_num(ci[1]) - c["difference"]]],
                    fmt="o", color="C3" if c.get("p_holm", c["p_value"]) < 0.05 else "C0", capsize=3)
    ax.axvline(0.0, color="k", lw=1)
    ax.set_yticks(ys)
    ax.set_yticklabels([f"{c['a']['model']} − {c['b']['model']}\n{c['benchmark']}" for c in comparisons], fontsize=7)
    ax.set_xlabel(f"difference in {comparisons[0]['quantity']} (95 % paired-bootstrap interval; red: p < 0.05)")
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, folder, name, formats)


def _bar_groups(benches: list[str], models: list[str]):
    """A figure with one group of bars per benchmark, one bar per model: (fig, ax, bar width, x of model j)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(5, 1.6 * len(benches) + 2), 4))
    width = 0.8 / max(len(models), 1)
    return fig, ax, width, lambda j: np.arange(len(benches)) + (j - (len(models) - 1) / 2) * width


def _bench_ticks(ax, benches: list[str]) -> None:
    ax.set_xticks(range(len(benches)))
    ax.set_xticklabels(benches, rotation=20, ha="right", fontsize=8)


def benchmark_bars(table: dict[tuple[str, str], dict], models: list[str], benches: list[str], folder: Path,
                   name: str = "benchmark_bars", formats=FORMATS) -> Path:
    """Best-layer normalised score per benchmark, one bar per model, error bars where the suite has them."""
    fig, ax, width, xs_of = _bar_groups(benches, models)
    for j, m in enumerate(models):
        ys = [_num(table[(m, b)]["best_layer"]["score_center"]) if (m, b) in table else np.nan for b in benches]
        es = [_num(table[(m, b)]["best_layer"].get("score_error")) if (m, b) in table else np.nan for b in benches]
        ax.bar(xs_of(j), ys, width, yerr=np.nan_to_num(es), capsize=3, label=m)
    ax.axhline(1.0, color="k", ls="--", lw=1, label="ceiling")
    _bench_ticks(ax, benches)
    ax.set_ylabel("best-layer normalised score")
    ax.legend(fontsize=7)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, folder, name, formats)


def raw_vs_ceiling(table: dict[tuple[str, str], dict], models: list[str], benches: list[str], folder: Path,
                   name: str = "raw_vs_ceiling", formats=FORMATS) -> Path:
    """Best-layer raw score next to the benchmark's ceiling (what the normalisation divides by)."""
    fig, ax, width, xs_of = _bar_groups(benches, models)
    for j, m in enumerate(models):
        ys = []
        for b in benches:
            r = table.get((m, b))
            raw = None
            if r is not None:
                best = r["best_layer"]["layer"]
                raw = next((ls["raw_center"] for ls in r["layers"] if ls["layer"] == best), None)
            ys.append(_num(raw))
        ax.bar(xs_of(j), ys, width, label=f"{m} (raw)")
    for i, b in enumerate(benches):
        ceil = next((table[(m, b)]["ceiling"]["center"] for m in models if (m, b) in table), None)
        if ceil is not None:
            ax.hlines(ceil, i - 0.45, i + 0.45, colors="k", linestyles="--", lw=1.5,
                      label="ceiling" if i == 0 else None)
    _bench_ticks(ax, benches)
    ax.set_ylabel("raw score (Pearson r)")
    ax.set_ylim(top=max(ax.get_ylim()[1], 1.25 * max((table[k]["ceiling"]["center"] or 0) for k in table)))
    ax.set_title("raw best-layer score vs ceiling (legacy Blank/Fedorenko normalise per neuroid: no raw)",
                 fontsize=8)
    ax.legend(fontsize=7)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, folder, name, formats)


def size_vs_score(table: dict[tuple[str, str], dict], models: list[str], benches: list[str], folder: Path,
                  name: str = "size_vs_score", formats=FORMATS) -> tuple[Path, dict[str, tuple[float, str]]]:
    """Best-layer score against parameter count (reference data), or the best layer's width where unknown."""
    plt = _plt()
    sizes: dict[str, tuple[float, str]] = {}
    for m in models:
        n = model_size(m)
        if n is None:
            for b in benches:
                r = table.get((m, b))
                if r is not None:
                    best = r["best_layer"]["layer"]
                    n_feat = next((ls.get("n_features") for ls in r["layers"] if ls["layer"] == best), None)
                    if n_feat:
                        n = n_feat
                        break
            sizes[m] = (float(n) if n else float("nan"), "n_features of the best layer")
        else:
            sizes[m] = (float(n), "parameters")
    fig, ax = plt.subplots(figsize=(6, 4))
    markers = "osD^vP*X"
    for k, b in enumerate(benches):
        xs = [sizes[m][0] for m in models if (m, b) in table]
        ys = [_num(table[(m, b)]["best_layer"]["score_center"]) for m in models if (m, b) in table]
        ax.scatter(xs, ys, marker=markers[k % len(markers)], label=b)
    for m in models:
        x = sizes[m][0]
        ys = [_num(table[(m, b)]["best_layer"]["score_center"]) for b in benches if (m, b) in table]
        if math.isfinite(x) and ys:
            ax.annotate(m, (x, float(np.nanmax(ys))), fontsize=7, xytext=(3, 3), textcoords="offset points")
    finite = [v for v, _ in sizes.values() if math.isfinite(v) and v > 0]
    log_x = len(finite) == len(sizes) and max(finite) / min(finite) > 20
    if log_x:
        ax.set_xscale("log")
    kinds = {k for _, k in sizes.values()}
    ax.set_xlabel(" / ".join(sorted(kinds)) + (" (log)" if log_x else ""))
    ax.set_ylabel("best-layer normalised score")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return _save(fig, folder, name, formats), sizes


def score_heatmap(table: dict[tuple[str, str], dict], models: list[str], benches: list[str], folder: Path,
                  name: str = "heatmap", formats=FORMATS) -> Path:
    """Model x benchmark best-layer normalised scores."""
    plt = _plt()
    m = np.array([[_num(table[(mo, b)]["best_layer"]["score_center"]) if (mo, b) in table else np.nan
                   for b in benches] for mo in models])
    fig, ax = plt.subplots(figsize=(1.5 * len(benches) + 3, 0.6 * len(models) + 2))
    im = ax.imshow(m, cmap="viridis", vmin=min(0.0, float(np.nanmin(m)) if np.isfinite(m).any() else 0.0),
                   vmax=max(1.0, float(np.nanmax(m)) if np.isfinite(m).any() else 1.0), aspect="auto")
    for i in range(len(models)):
        for j in range(len(benches)):
            if np.isfinite(m[i, j]):
                ax.text(j, i, f"{m[i, j]:.3f}", ha="center", va="center", fontsize=8,
                        color="w" if m[i, j] < 0.6 else "k")
    _bench_ticks(ax, benches)
    ax.set_yticks(range(len(models)))
    ax.set_yticklabels(models, fontsize=8)
    fig.colorbar(im, ax=ax, label="best-layer normalised score")
    return _save(fig, folder, name, formats)


def cka_heatmap(cka: dict, folder: Path, name: str, formats=FORMATS) -> Path:
    """Layer x layer linear CKA of one model on one benchmark's stimuli."""
    plt = _plt()
    layers = cka["layers"]
    mat = np.array(cka["matrix"], dtype=float)
    size = min(9.0, 3 + 0.25 * len(layers))
    fig, ax = plt.subplots(figsize=(size + 1, size))
    im = ax.imshow(mat, cmap="magma", vmin=0, vmax=1)
    step = max(1, len(layers) // 16)
    ax.set_xticks(range(0, len(layers), step))
    ax.set_xticklabels(layers[::step], rotation=90, fontsize=7)
    ax.set_yticks(range(0, len(layers), step))
    ax.set_yticklabels(layers[::step], fontsize=7)
    ax.set_title(f"linear CKA, {cka['model']} on {cka['benchmark']} stimuli", fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.046, label="CKA")
    return _save(fig, folder, name, formats)
