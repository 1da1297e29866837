"""Baseline controls scored as if they were models: ``repro score --model control:oasm ...``.

None of them reads language the way a model does; a benchmark on which they score as well as a
language model measures something else (position, length, story identity, autocorrelation).
Each builds one layer from the benchmark's own stimulus units (legacy context streams or
Brain-Score Language groups: a unit is a story, topic, passage or sentence, in reading order).

- ``oasm``: an orthogonal autocorrelated sequence model after Hadidi et al. 2025 (Brain-Score
  Language ``models/oasm``): an identity matrix over all stimuli whose columns are smoothed with a
  Gaussian along reading order within each unit. It knows only "which stimulus, and its neighbours".
- ``sentence-length``: words and characters of the stimulus text.
- ``word-position``: index of the stimulus within its unit and the position of its last word.
- ``random-embedding-100``: a fixed random 100-d vector per lower-cased word (seeded by the word's
  sha1), averaged over the stimulus's words (BSL's ``randomembedding-100`` idea: lexical identity only).
- ``story-identity``: one-hot of the unit.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from ..activations import Activations
from ..errors import InputError

PREFIX = "control:"
REVISION = "repro-controls-1"  # bump when a definition changes (it is the 'weights revision' of a control)
OASM_SIGMA = 1.0  # stimuli; the Gaussian's width along reading order
EMBED_DIM = 100

DESCRIPTIONS = {
    "oasm": f"identity over stimuli, Gaussian-smoothed (sigma {OASM_SIGMA}) along reading order within each unit",
    "sentence-length": "number of words and characters of the stimulus",
    "word-position": "index of the stimulus within its unit, position of its last word",
    "random-embedding-100": "mean over words of a fixed random 100-d vector per lower-cased word",
    "story-identity": "one-hot of the stimulus's unit (story, topic, passage or sentence)",
}


def is_control(model: str | None) -> bool:
    return bool(model) and model.startswith(PREFIX)


def names() -> list[str]:
    return [PREFIX + n for n in DESCRIPTIONS]


def check(model: str) -> str:
    from ..registry import suggest

    name = model[len(PREFIX):]
    if name not in DESCRIPTIONS:
        hint = suggest(model, names())
        raise InputError(f"unknown control {model!r}{'; did you mean ' + repr(hint[0]) + '?' if hint else ''} "
                         f"(controls: {', '.join(names())})")
    return name


def describe(model: str) -> str:
    return DESCRIPTIONS[check(model)]


def _items(mode: str, units) -> list[tuple[int, int, str, object]]:
    """(unit, index in unit, text, stimulus id) per stimulus, in unit and reading order."""
    out = []
    for u, unit in enumerate(units):
        if mode == "legacy" and unit.per_word:
            texts = " ".join(unit.texts).split()
        else:
            texts = unit.texts if mode == "legacy" else unit.parts
        out += [(u, i, t, sid) for i, (t, sid) in enumerate(zip(texts, unit.ids))]
    return out


def _word_vector(word: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha1(word.encode()).digest()[:8], "little")
    return np.random.default_rng(seed).standard_normal(EMBED_DIM)


def _words(text: str) -> list[str]:
    return [w for w in (re.sub(r"[^\w']", "", t.lower()) for t in text.split()) if w]


def features(name: str, items) -> np.ndarray:
    unit = np.array([it[0] for it in items])
    pos = np.array([it[1] for it in items], dtype=np.float64)
    texts = [it[2] for it in items]
    if name == "oasm":
        same = unit[:, None] == unit[None, :]
        return np.where(same, np.exp(-0.5 * ((pos[:, None] - pos[None, :]) / OASM_SIGMA) ** 2), 0.0)
    if name == "sentence-length":
        return np.array([[len(t.split()), len(t.strip())] for t in texts], dtype=np.float64)
    if name == "word-position":
        last_word = np.zeros(len(items))
        for u in np.unique(unit):
            rows = np.flatnonzero(unit == u)
            last_word[rows] = np.cumsum([len(texts[i].split()) for i in rows])
        return np.stack([pos, last_word], axis=1)
    if name == "random-embedding-100":
        cache: dict[str, np.ndarray] = {}
        rows = []
        for t in texts:
            ws = _words(t) or ["<empty>"]
            rows.append(np.mean([cache.setdefault(w, _word_vector(w)) for w in ws], axis=0))
        return np.array(rows)
    if name == "story-identity":
        _, inv = np.unique(unit, return_inverse=True)
        return np.eye(inv.max() + 1)[inv]
    raise InputError(f"unknown control {name!r}")


def activations(model: str, mode: str, units) -> Activations:
    name = check(model)
    items = _items(mode, units)
    ids = np.asarray([it[3] for it in items])
    return Activations(ids, {name: features(name, items).astype(np.float32)},
                       {"model": model, "revision": REVISION, "mode": mode, "control": DESCRIPTIONS[name]})
