"""Legacy neural-nlp tokenisation and word alignment (legacy spec §3.2-3.3).

Each text of a context stream is tokenised on its own with ``tokenizer.tokenize`` (never adds
special tokens) and the token lists are chained, so the first word of every text has no
leading-space marker. Tokens are then glued back into whitespace words by cleaning and
lower-casing them; the last token of each word is its "end" position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InputError
from .tokenization import check, strips


@dataclass
class TokenizedStream:
    tokens: list[str]
    token_ids: list[int]
    word_ends: list[int]  # token index of the last token of each whitespace word
    words_per_text: list[int]
    cls_token_id: int | None  # set for CLS/SEP models: re-inserted at the front of cut windows


def clean_token(token: str) -> str:
    # order matters and matches the legacy wrapper: '##' (WordPiece), then '▁' (SentencePiece), then '@' (XLM/BPE)
    return token.lstrip("#").lstrip("\u2581").rstrip("@")


def align_words(tokens: Sequence[str], words: Sequence[str], special_tokens: Sequence[str] = (),
                skip: Sequence[str] = (), word_labels: Sequence[str] | None = None,
                stop_after_last: bool = False) -> list[int]:
    """Return the token index at which each word ends; raise InputError naming the word that fails.

    ``special_tokens``: lower-case strings deleted from the joined candidate (e.g. ``'ġ'``);
    ``skip``: token strings ignored for alignment (the added CLS/SEP). A token that cleans to
    nothing (a lone ``Ġ``) does not end a word and is carried into the next one, as in the legacy code.
    ``stop_after_last``: the seed's guard: tokens after the last word are ignored (upstream raises
    IndexError there, and so do we without it).
    """
    skip = set(skip)
    ends: list[int] = []
    acc: list[int] = []
    for t, tok in enumerate(tokens):
        if tok in skip:
            continue
        if len(ends) == len(words):
            if stop_after_last:
                break
            label = word_labels[-1] if word_labels else "?"
            raise InputError(
                f"cannot align tokens with words: token {tok!r} is left over after the last word {words[-1]!r} of "
                f"stimulus {label!r}; the legacy code fails here too (strip the stimulus or use another tokenizer)")
        cand = "".join(clean_token(tokens[i]) for i in acc + [t]).lower()
        for s in special_tokens:
            cand = cand.replace(s, "")
        if cand != words[len(ends)].lower():
            acc.append(t)
            continue
        ends.append(t)
        acc = []
    if len(ends) != len(words):
        w = len(ends)
        label = word_labels[w] if word_labels else "?"
        got = "".join(tokens[i] for i in acc)
        raise InputError(
            f"cannot align word {words[w]!r} of stimulus {label!r} with the model's tokens (they spell {got[:60]!r}); "
            f"non-ASCII, normalised or [UNK] tokens break the legacy alignment, edit the stimulus or choose another model")
    return ends


def legacy_tokenize(tokenizer, texts: Sequence[str], special_tokens: Sequence[str] = (),
                    tokenization: str = "paper", text_labels: Sequence[str] | None = None) -> TokenizedStream:
    """Tokenise one context stream the legacy way.

    ``tokenization`` (see :mod:`repro.models.tokenization`): ``paper`` strips every text first, as
    transformers 2.3.0 did inside ``tokenize``; ``seed`` keeps a trailing space as a lone ``Ġ`` token,
    as newer transformers do (golden README §7.2), with the seed's end-of-stream guard.
    """
    tokenization = check(tokenization)
    texts = [t.strip() if strips(tokenization) else t for t in texts]
    words_per_text = [len(t.split()) for t in texts]
    words = " ".join(texts).split()
    fed = list(texts)
    cls, sep = getattr(tokenizer, "cls_token", None), getattr(tokenizer, "sep_token", None)
    skip: tuple[str, ...] = ()
    if cls is not None and fed:
        # BERT-like: the CLS/SEP strings are glued onto the first/last text as text, as the legacy wrapper did
        fed[0] = cls + fed[0]
        fed[-1] = fed[-1] + (sep or "")
        skip = tuple(s for s in (cls, sep) if s is not None)
    tokens: list[str] = []
    for t in fed:
        tokens.extend(tokenizer.tokenize(t))
    labels = None
    if text_labels is not None:
        labels = [str(lab) for lab, n in zip(text_labels, words_per_text) for _ in range(n)]
    ends = align_words(tokens, words, special_tokens, skip, labels, stop_after_last=tokenization == "seed")
    ids = tokenizer.convert_tokens_to_ids(tokens)
    cls_id = tokenizer.convert_tokens_to_ids(cls) if cls is not None else None
    return TokenizedStream(tokens, list(ids), ends, words_per_text, cls_id)
