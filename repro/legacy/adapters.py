"""Runtime adapters that let the original neural-nlp code run with today's transformers and xarray.

No neural-nlp file is edited: each adapter wraps an object or a module attribute at run time, is switched by a
name, and is recorded in the result's provenance (``adapters``). See docs/legacy-engine.md.

* tokenization ``paper`` (default): every stimulus is stripped before ``tokenize``, as transformers 2.3.0 (the
  paper's environment) did inside ``tokenize``. transformers >= 3 keeps a trailing space as a lone ``Ġ`` token,
  which shifts every later context of the stream and makes ``align_tokens`` raise IndexError when it ends one.
* tokenization ``seed``: no strip, and ``align_tokens`` stops after the last word, as the seed report's edited
  ``implementations.py`` did (``if sentence_index >= len(sentences_chain): break``): the semantics of its 0.8159.
* ``read_words`` positions: upstream ``read_words`` (Fedorenko2016v3) cannot merge sentences that use a word twice
  (duplicate presentation index); a word-position level makes each row unique during the merge and is dropped
  afterwards, so the activations and scores are those of a per-sentence run.
"""

import importlib
import itertools
import logging
from typing import Dict

from repro.legacy.errors import LegacyError

_log = logging.getLogger(__name__)

TOKENIZATIONS = ("paper", "seed")
DEFAULT_TOKENIZATION = "paper"
WORD_POSITION = "repro_word_position"


def check_tokenization(mode: str) -> str:
    if mode not in TOKENIZATIONS:
        raise LegacyError("unknown tokenization %r; choose %s" % (mode, " or ".join(TOKENIZATIONS)))
    return mode


class StrippingTokenizer:
    """A tokenizer whose ``tokenize`` strips its text first; everything else is the wrapped tokenizer's."""

    def __init__(self, tokenizer):
        self.__dict__["_inner"] = tokenizer

    def tokenize(self, text, *args, **kwargs):
        return self._inner.tokenize(text.strip(), *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def __setattr__(self, name, value):
        setattr(self._inner, name, value)


def _stop_after_last_word(align_tokens):
    def guarded(tokenized_sentences, sentences, *args, **kwargs):
        # one context per word is yielded; upstream's loop only raises when it is pulled past the last word
        words = len(" ".join(sentences).split())
        return itertools.islice(align_tokens(tokenized_sentences, sentences, *args, **kwargs), words)
    return guarded


def adapt_wrapper(wrapper, tokenization: str):
    """Give a built ``_PytorchTransformerWrapper`` the tokenization semantics ``tokenization``; returns it."""
    container = wrapper._model_container
    if tokenization == "paper":
        if not isinstance(container.tokenizer, StrippingTokenizer):
            container.tokenizer = StrippingTokenizer(container.tokenizer)
    elif tokenization == "seed":
        if "align_tokens" not in vars(container):
            container.align_tokens = _stop_after_last_word(container.align_tokens)
    else:
        check_tokenization(tokenization)
    return wrapper


def adapted_entry(impl, entry, tokenization: str, identifier: str):
    """A LazyLoad pool entry that builds ``entry`` (neural-nlp's own, for gpt2 & co.) and adapts it."""
    def build():
        entry._ensure_loaded()
        wrapper = adapt_wrapper(entry.content, tokenization)
        wrapper._extractor.identifier = identifier  # the activations cache key follows the semantics
        return wrapper
    lazy = getattr(impl, "LazyLoad", None) or importlib.import_module("brainscore.utils").LazyLoad
    return lazy(build)


class _PositionedCandidate:
    """Forwards to a model candidate and adds a word-position level to each per-word activation it returns."""

    def __init__(self, candidate):
        self._candidate = candidate

    def __call__(self, *args, **kwargs):
        activations = self._candidate(*args, **kwargs)
        return _with_index_level(activations, WORD_POSITION, list(range(len(activations["presentation"]))))

    def __getattr__(self, name):
        return getattr(self._candidate, name)


def _with_index_level(assembly, name, values):
    plain = assembly.reset_index("presentation")
    plain = plain.assign_coords(**{name: ("presentation", values)})
    return type(assembly)(plain)  # brainio re-gathers every presentation coordinate into the MultiIndex


def _without_index_level(assembly, name):
    plain = assembly.reset_index("presentation").drop_vars(name)
    return type(assembly)(plain)


def positioned_read_words(read_words):
    def read_words_by_position(candidate, stimulus_set, *args, **kwargs):
        merged = read_words(_PositionedCandidate(candidate), stimulus_set, *args, **kwargs)
        return _without_index_level(merged, WORD_POSITION)
    read_words_by_position.repro_adapter = True
    read_words_by_position.__wrapped__ = read_words
    return read_words_by_position


def install_read_words_positions() -> None:
    """Replace ``neural_nlp.benchmarks.neural.read_words`` (looked up at call time by the Fedorenko benchmark)."""
    neural = importlib.import_module("neural_nlp.benchmarks.neural")
    if not getattr(neural.read_words, "repro_adapter", False):
        neural.read_words = positioned_read_words(neural.read_words)


def describe(tokenization: str) -> Dict[str, str]:
    """What the result's provenance records under ``adapters``."""
    return {"tokenization": tokenization, "read_words": "word-position-merge"}
