"""`repro bench`: the speed benchmark of a source checkout (benchmarks/run.py).

The script is loaded only when `repro bench` runs: its options are parsed by its own parser, so
no other command pays for executing it.
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

from ..errors import InputError
from .common import formatter

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"
EXAMPLES = """examples:
  repro bench --size tiny --tokenizer ../shared/golden/model/tiny-gpt2 --output /tmp/bench.json
  repro bench --parts metric e2e --tokenizer path/to/gpt2-tokenizer
  repro bench --help    (all options of benchmarks/run.py)
"""


def _load():
    """benchmarks/run.py as a module; only a source checkout has it (it is not packaged)."""
    if not SCRIPT.is_file():
        raise InputError(f"repro bench needs a source checkout: {SCRIPT} is missing (clone the repository and "
                         "run `python benchmarks/run.py`)")
    spec = importlib.util.spec_from_file_location("repro_benchmarks_run", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def add_parser(sub) -> None:
    # add_help=False: -h/--help and every option go to the script's own parser (see main in cli/__init__)
    p = sub.add_parser("bench", help="time repro against the original pipelines (table + JSON)", add_help=False,
                       description="Speed of repro against scikit-learn, brainscore_language and the legacy "
                                   "per-word extraction, measured side by side (benchmarks/run.py).",
                       epilog=EXAMPLES, formatter_class=formatter())
    p.set_defaults(run=run, passthrough=True)


def run(args) -> int:
    mod = _load()
    parser = mod.build_parser(argparse.ArgumentParser(prog="repro bench", description=mod.__doc__.splitlines()[0],
                                                      epilog=EXAMPLES, formatter_class=formatter()))
    return mod.run(parser.parse_args(args.rest))
