"""Benchmark registry: every id of both suites, with the retired ids as aliases."""

from __future__ import annotations

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


def get_benchmark(name: str, warn=None):
    """Resolve an id (or a retired alias, reporting what it maps to through ``warn``)."""
    canonical, note = BENCHMARKS.resolve(name)
    if note and warn is not None:
        warn(f"benchmark id {name!r} is retired: using {canonical!r} ({note})")
    return BENCHMARKS.get(canonical)
