"""Benchmark registry: every id of both suites, with the retired ids as aliases, plus plugins.

Plugins (docs/own-data.md): an installed distribution's entry point in the group
``repro.benchmarks`` (loaded on `repro ls` and when an id is not built in), or a Python file
given as ``--benchmark path/to/benchmark.py[:ID]``. Either provides an object implementing
``repro.benchmarks.base.Benchmark``, a list of them, or a function returning one or a list.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from ..registry import Registry
from . import bsl_blank2014, bsl_fedorenko2016, bsl_pereira2018
from .blank2014 import BLANK2014FROI_ENCODING
from .fedorenko2016 import FEDORENKO2016V3_ENCODING
from .legacy_similarity import LEGACY_SIMILARITY_BENCHMARKS
from .pereira2018 import PEREIRA2018_ENCODING
from .variants import variants_of

BENCHMARKS: Registry = Registry("benchmark")

for _b in (PEREIRA2018_ENCODING, BLANK2014FROI_ENCODING, FEDORENKO2016V3_ENCODING, *LEGACY_SIMILARITY_BENCHMARKS):
    BENCHMARKS.register(_b.id, _b)
for _b in (*bsl_pereira2018.BENCHMARKS, *bsl_blank2014.BENCHMARKS, *bsl_fedorenko2016.BENCHMARKS):
    BENCHMARKS.register(_b.id, _b, aliases=dict(_b.aliases))
# repro's leakage-safe split variants (ids '<original>@<split>'; suite 'repro-variant-of:<suite>')
for _b in variants_of([b for _, b in BENCHMARKS.items() if b.metric == "encoding"]):
    BENCHMARKS.register(_b.id, _b)


ENTRY_POINT_GROUP = "repro.benchmarks"
_log = logging.getLogger(__name__)
_plugins_loaded = False


def _as_benchmarks(obj, origin: str) -> list:
    from ..errors import InputError
    from .base import Benchmark

    if callable(obj) and not isinstance(obj, Benchmark):
        obj = obj()
    items = list(obj) if isinstance(obj, (list, tuple)) else [obj]
    for b in items:
        if not isinstance(b, Benchmark):
            raise InputError(f"{origin} provides {type(b).__name__}, not a benchmark: it needs id, suite, metric, "
                             "description, load, stimuli, resolve_solver, cv_steps and score (docs/own-data.md)")
    return items


def load_plugins() -> None:
    """Register the benchmarks of every installed ``repro.benchmarks`` entry point (once per process)."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    from importlib.metadata import entry_points

    from ..errors import InputError

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        origin = f"plugin {ep.name!r} ({ep.value})"
        try:
            loaded = ep.load()
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not break the built-in benchmarks
            _log.warning("%s cannot be loaded: %s", origin, exc)
            continue
        for b in _as_benchmarks(loaded, origin):
            if b.id in BENCHMARKS:
                raise InputError(f"{origin} registers benchmark {b.id!r}, which exists already; rename it")
            BENCHMARKS.register(b.id, b)


def from_file(spec: str):
    """The benchmark defined in a Python file: ``path.py`` (its ``BENCHMARK``) or ``path.py:ID``."""
    from ..errors import InputError, UnknownIdError
    from ..registry import suggest

    base, sep, wanted = spec.rpartition(".py:")
    path = Path(base + ".py" if sep else spec).expanduser()
    wanted = wanted if sep else ""
    if not path.is_file():
        raise InputError(f"--benchmark {spec}: no such file")
    mod_spec = importlib.util.spec_from_file_location(f"repro_plugin_{path.stem}", path)
    module = importlib.util.module_from_spec(mod_spec)
    mod_spec.loader.exec_module(module)  # the user's own file, named on the command line
    found = getattr(module, "BENCHMARKS", None) or getattr(module, "BENCHMARK", None)
    if found is None:
        raise InputError(f"{path} defines neither BENCHMARK nor BENCHMARKS (see docs/own-data.md)")
    items = _as_benchmarks(found, str(path))
    if not wanted:
        if len(items) != 1:
            raise InputError(f"{path} defines {len(items)} benchmarks; pick one with {path}:ID "
                             f"({', '.join(b.id for b in items)})")
        return items[0]
    ids = {b.id: b for b in items}
    if wanted not in ids:
        hint = suggest(wanted, list(ids))
        raise UnknownIdError(f"{path} has no benchmark {wanted!r}{'; did you mean ' + repr(hint[0]) + '?' if hint else ''}")
    return ids[wanted]


def get_benchmark(name: str, warn=None):
    """Resolve an id (or a retired alias, reporting what it maps to through ``warn``), a plugin's id,
    a benchmark file (``path.py[:ID]``) or a dataset folder in the own-data format."""
    if name.endswith(".py") or ".py:" in name:
        return from_file(name)
    folder = Path(name).expanduser()
    if folder.is_dir():
        from .own_data import OwnDataBenchmark, is_dataset

        if is_dataset(folder):
            return OwnDataBenchmark(id=folder.resolve().name, path=str(folder.resolve()),
                                    description=f"own data in {folder}")
    if name not in BENCHMARKS:
        load_plugins()
    canonical, note = BENCHMARKS.resolve(name)
    if note and warn is not None:
        warn(f"benchmark id {name!r} is retired: using {canonical!r} ({note})")
    return BENCHMARKS.get(canonical)
