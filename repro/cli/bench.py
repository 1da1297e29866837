"""`repro bench`: repro timed against the real original packages and the GEMM floor (repro.bench).

repro.bench is imported only when `repro bench` runs: its options are parsed by its own parser, so
no other command pays for importing it.
"""

from __future__ import annotations

import argparse

DESCRIPTION = ("Speed of repro against the real Brain-Score Language 2.3.0, the legacy neural-nlp stack and the "
               "machine's GEMM floor, measured side by side (repro.bench).")
EXAMPLES = """examples:
  repro bench --output benchmarks/results.json
  repro bench --quick --output /tmp/bench.json
  repro bench --parts floor metric --threads 2
  repro bench --help    (all options)"""


def add_parser(sub) -> None:
    # add_help=False: -h/--help and every option go to repro.bench's own parser (see main in cli/__init__)
    p = sub.add_parser("bench", help="time repro against the real originals and the GEMM floor (table + JSON)",
                       add_help=False, description=DESCRIPTION, epilog=EXAMPLES)
    p.set_defaults(run=run, passthrough=True)


def run(args) -> int:
    from ..bench.run import __doc__ as doc
    from ..bench.run import build_parser
    from ..bench.run import run as run_bench

    parser = build_parser(argparse.ArgumentParser(prog="repro bench", description=doc, epilog=EXAMPLES,
                                                  formatter_class=argparse.RawDescriptionHelpFormatter))
    return run_bench(parser.parse_args(args.rest))
