"""`repro bench`: the speed benchmark of a source checkout (benchmarks/run.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ..errors import InputError
from .common import formatter

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"
_module = None


def _load():
    """benchmarks/run.py as a module, or None outside a source checkout (it is not packaged)."""
    global _module
    if _module is None and SCRIPT.is_file():
        spec = importlib.util.spec_from_file_location("repro_benchmarks_run", SCRIPT)
        _module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_module)
    return _module


def add_parser(sub) -> None:
    p = sub.add_parser("bench", help="time repro against the original pipelines (table + JSON)",
                       description="Speed of repro against scikit-learn, brainscore_language and the legacy "
                                   "per-word extraction, measured side by side (benchmarks/run.py).",
                       epilog="examples:\n  repro bench --size tiny --output /tmp/bench.json\n  repro bench --parts metric e2e",
                       formatter_class=formatter())
    mod = _load()
    if mod is not None:
        mod.build_parser(p)
    p.set_defaults(run=run)


def run(args) -> int:
    mod = _load()
    if mod is None:
        raise InputError(f"repro bench needs a source checkout: {SCRIPT} is missing (clone the repository and "
                         "run `python benchmarks/run.py`)")
    return mod.run(args)
