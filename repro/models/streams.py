"""What the extractors are fed: legacy context streams and Brain-Score Language context groups.

Builders for the three benchmarks' stimulus tables live here too, so the benchmark code and the
tests form streams the same way (legacy spec §3.1, BSL spec §7.4).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InputError


@dataclass(frozen=True)
class LegacyStream:
    """One legacy context stream: its texts are chained and the model sees them as one sequence.

    ``ids``: one per text (``word_last``: the vector of the text's last word), or, with
    ``per_word``, one per whitespace word across all texts (Fedorenko: one vector per word).
    """

    texts: tuple[str, ...]
    ids: tuple
    per_word: bool = False

    def __post_init__(self):
        object.__setattr__(self, "texts", tuple(self.texts))
        object.__setattr__(self, "ids", tuple(self.ids))
        want = sum(len(t.split()) for t in self.texts) if self.per_word else len(self.texts)
        if len(self.ids) != want:
            unit = "whitespace words" if self.per_word else "texts"
            raise InputError(f"a legacy stream has {len(self.ids)} ids but {want} {unit}; give one id per {unit[:-1]}")
        if not self.per_word:
            for sid, text in zip(self.ids, self.texts):
                if not text.split():
                    raise InputError(f"stimulus {sid!r} is empty; the legacy word_last representation needs at least one word")


@dataclass(frozen=True)
class BslGroup:
    """One Brain-Score Language context group: part i is read after parts 0..i (one id per part)."""

    parts: tuple[str, ...]
    ids: tuple

    def __post_init__(self):
        object.__setattr__(self, "parts", tuple(self.parts))
        object.__setattr__(self, "ids", tuple(self.ids))
        if len(self.ids) != len(self.parts):
            raise InputError(f"a context group has {len(self.ids)} ids for {len(self.parts)} parts; give one id per part")


def fingerprint(units: Sequence[LegacyStream] | Sequence[BslGroup]) -> str:
    """sha1 over the exact texts, ids and stream structure (the cache key's stimulus part)."""
    h = hashlib.sha1()
    for u in units:
        if isinstance(u, LegacyStream):
            rec = ["legacy", list(u.texts), [_jsonable(i) for i in u.ids], u.per_word]
        else:
            rec = ["bsl", list(u.parts), [_jsonable(i) for i in u.ids]]
        h.update(json.dumps(rec, ensure_ascii=False).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def _jsonable(x):
    return x.item() if hasattr(x, "item") else x


def _first_seen(values) -> list:
    seen: dict = {}
    for v in values:
        seen.setdefault(v, None)
    return list(seen)


# --- builders from the stimulus tables (columns as in golden/inputs/stimuli/*.csv) -------------

def legacy_streams(df, stream_col: str, text_col: str = "sentence", id_col: str = "stimulus_id") -> list[LegacyStream]:
    """One ``word_last`` stream per value of ``stream_col``, streams in order of first appearance,
    texts in table order (Pereira: ``story`` = experiment.topic; Blank: ``story``)."""
    streams = []
    for key in _first_seen(df[stream_col]):
        sub = df[df[stream_col] == key]
        streams.append(LegacyStream(tuple(sub[text_col]), tuple(sub[id_col])))
    return streams


def legacy_word_streams(df, sentence_col: str = "sentence_id", word_col: str = "word",
                        id_col: str = "stimulus_id") -> list[LegacyStream]:
    """Fedorenko: each sentence (its words joined by single spaces) is its own stream, one id per word."""
    streams = []
    for key in _first_seen(df[sentence_col]):
        sub = df[df[sentence_col] == key]
        words = [str(w) for w in sub[word_col]]
        for w in words:
            if len(w.split()) != 1:
                raise InputError(f"word {w!r} of sentence {key!r} is not a single whitespace word")
        streams.append(LegacyStream((" ".join(words),), tuple(sub[id_col]), per_word=True))
    return streams


def bsl_groups(df, group_col: str, text_col: str = "sentence", id_col: str = "stimulus_id") -> list[BslGroup]:
    """Brain-Score Language grouping: ``sorted(set(df[group_col]))``, parts in table order
    (Pereira: ``passage_label``; Blank: ``story``; Fedorenko: ``sentence_id`` with the words as parts)."""
    groups = []
    for key in sorted(set(df[group_col])):
        sub = df[df[group_col] == key]
        groups.append(BslGroup(tuple(str(t) for t in sub[text_col]), tuple(sub[id_col])))
    return groups
