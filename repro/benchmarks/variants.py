"""Leakage-safe split variants of the encoding benchmarks (repro additions, NOT the original benchmarks).

Shuffled splits put sentences of one passage or story on both sides of a split, where shared slow
signals (and a model's shared context) let a trivial autocorrelation model score well (Hadidi et
al. 2025; Brain-Score Language PR #361). Each variant keeps everything of its original - data,
regression, aggregation and ceiling - except the folds:

- ``@grouped`` (Pereira): whole topics (``story``: experiment.topic, the legacy context unit) held out;
- ``@contiguous`` (Blank): fold k tests the k-th contiguous block of every story, in time order;
- ``@by-sentence`` (Fedorenko): whole sentences held out.

The ceilings are the originals' (estimated with the original splits), so a variant's normalised
score is comparable across models but not with the published ceilings' meaning; the raw score is
the plain measurement. Brain-Score Language's ``Pereira2018.*-ridge`` and ``Fedorenko2016-ridge``
already hold out topics / sentences and get no variant.
"""

from __future__ import annotations

from dataclasses import replace

from ..metrics.cv import SplitSpec

VARIANT_PREFIX = "repro-variant-of:"
_ORIGINAL: dict[str, object] = {}

SPLITS = {
    "grouped": lambda n: SplitSpec("GroupKFold", n_splits=n, random_state=1, stratify_coord="story"),
    "contiguous": lambda n: SplitSpec("ContiguousKFold", n_splits=n, random_state=0, stratify_coord="story",
                                      order_coord="timepoint_value"),
    "by-sentence": lambda n: SplitSpec("GroupKFold", n_splits=n, random_state=1, stratify_coord="sentence_id"),
}
WHAT = {"grouped": "whole topics held out (GroupKFold by story)",
        "contiguous": "contiguous blocks within each story held out (time order)",
        "by-sentence": "whole sentences held out (GroupKFold by sentence_id)"}

# original id -> variant tags; legacy uses 5 folds (as the originals), BSL 10 (as its 10 splits)
PLAN = {
    "Pereira2018-encoding": ("grouped",),
    "Blank2014fROI-encoding": ("contiguous",),
    "Fedorenko2016v3-encoding": ("by-sentence",),
    "Pereira2018.243sentences-linear-shuffle": ("grouped",),
    "Pereira2018.384sentences-linear-shuffle": ("grouped",),
    "Blank2014-linear-shuffle": ("contiguous",),
    "Blank2014-ridge": ("contiguous",),
    "Fedorenko2016-linear-shuffle": ("by-sentence",),
}


def variant(bench, tag: str):
    n = 5 if bench.split.splitter in ("KFold", "StratifiedKFold") else 10
    extra = {"aliases": ()} if hasattr(bench, "aliases") else {}
    v = replace(bench, id=f"{bench.id}@{tag}", split=SPLITS[tag](n), suite=VARIANT_PREFIX + bench.suite,
                description=f"NOT ORIGINAL ({WHAT[tag]}, {n} folds); else as {bench.id}", **extra)
    _ORIGINAL[v.id] = bench
    return v


def variants_of(benchmarks) -> list:
    return [variant(b, tag) for b in benchmarks for tag in PLAN.get(b.id, ())]


def original(bench):
    """The benchmark a variant was made from (itself for an original)."""
    return _ORIGINAL.get(bench.id, bench)


def is_variant(bench) -> bool:
    return bench.id in _ORIGINAL
