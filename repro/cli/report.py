"""repro report: a static HTML page with figures (PNG + PDF) from result files.

Layer curves per benchmark (normalised score, error band, ceiling line), benchmark bars, raw vs ceiling,
model size vs score, a model x benchmark heatmap, CKA heatmaps (files from `repro cka`), every number,
and the provenance of each result. Open OUTPUT/index.html in a browser; the folder is self-contained.
"""

from __future__ import annotations

import sys

EXAMPLES = """examples:
  repro report results/ --output report/
  repro report gpt2-pereira.json distilgpt2-pereira.json results/cka/ --output report/ --title "GPT-2 family"
"""


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="HTML report with figures from result files", description=__doc__,
                       epilog=EXAMPLES)
    p.add_argument("results", nargs="+", metavar="RESULTS", help="result JSON files or folders of them")
    p.add_argument("--output", required=True, help="folder for index.html and figures/")
    p.add_argument("--title", default="repro report", help="page title")
    p.add_argument("--no-pdf", action="store_true", help="PNG figures only")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..reporting import report

    index = report(args.results, output=args.output, title=args.title,
                   formats=("png",) if args.no_pdf else ("png", "pdf"), quiet=args.quiet)
    print(f"wrote {index}", file=sys.stderr)
    print(index)
    return 0
