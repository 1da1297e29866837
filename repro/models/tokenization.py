"""Legacy tokenisation semantics: which transformers behaviour the neural-nlp wrapper is run under.

``paper`` (default): transformers 2.3.0, the environment of Schrimpf et al. 2021, stripped every
stimulus inside ``tokenize``. ``seed``: the seed report ran the same wrapper under transformers >= 3,
which keep a trailing space as a lone ``Ġ`` token; that token is carried into the next word's
context, and the seed's edit to ``align_tokens`` (stop once every word is matched) drops one that
ends a stream. Where the seed would zero-pad unmatched words we still refuse (it never happens on
the three benchmarks; see docs/why-0.8159.md).

Only the legacy suite has this option: Brain-Score Language tokenises whole contexts its own way.
"""

from __future__ import annotations

from ..errors import InputError

TOKENIZATIONS = ("paper", "seed")
DEFAULT = "paper"


def check(tokenization: str | None) -> str:
    """The semantics to use (``None`` -> the default); an unknown name is an InputError."""
    if tokenization is None:
        return DEFAULT
    if tokenization not in TOKENIZATIONS:
        raise InputError(f"unknown tokenization {tokenization!r}; choose one of {', '.join(TOKENIZATIONS)} "
                         "(paper: strip each stimulus as transformers 2.3.0; seed: the seed report's transformers >= 3 "
                         "semantics)")
    return tokenization


def for_benchmark(tokenization: str | None, bench) -> str | None:
    """The semantics a benchmark runs under: a name for legacy benchmarks, None for Brain-Score Language,
    which refuses an explicit choice (before any download)."""
    from ..benchmarks.bsl_encoding import BslEncodingBenchmark

    if isinstance(bench, BslEncodingBenchmark):
        if tokenization is not None:
            raise InputError(f"--tokenization is an option of the legacy neural-nlp suite; {bench.id} is a Brain-Score "
                             "Language benchmark, which tokenises whole contexts its own way: drop --tokenization")
        return None
    return check(tokenization)


def strips(tokenization: str) -> bool:
    return check(tokenization) == "paper"
