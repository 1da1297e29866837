"""`repro bench`: repro timed against the real original packages and the GEMM floor (repro.bench)."""

from __future__ import annotations

from .common import formatter

EXAMPLES = """examples:
  repro bench --output benchmarks/results.json
  repro bench --quick --output /tmp/bench.json
  repro bench --parts floor metric --threads 2"""


def add_parser(sub) -> None:
    from ..bench.run import __doc__ as doc
    from ..bench.run import build_parser

    p = sub.add_parser("bench", help="time repro against the real originals and the GEMM floor (table + JSON)",
                       description=doc, epilog=EXAMPLES, formatter_class=formatter())
    build_parser(p)
    p.set_defaults(run=run)


def run(args) -> int:
    from ..bench.run import run as run_bench

    return run_bench(args)
