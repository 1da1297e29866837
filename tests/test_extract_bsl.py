"""Brain-Score Language extraction: golden parity and one pass per group vs the per-part original."""

import copy

import numpy as np
import pandas as pd
import pytest
from golden_view import GOLDEN

from repro.models import (
    BslGroup,
    bsl_groups,
    bsl_layer_names,
    extract_bsl,
    load,
    prepare_context,
    resolve_model,
)

ATOL = 1e-5


def _stimuli(name):
    return pd.read_csv(GOLDEN / "inputs" / "stimuli" / f"{name}_stimuli.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def tiny():
    return load(resolve_model(str(GOLDEN / "model" / "tiny-gpt2")))


@pytest.fixture(scope="module")
def pereira243():
    df = _stimuli("pereira2018")
    return bsl_groups(df[df["experiment"] == "243sentences"], "passage_label")


def test_layer_names(tiny):
    assert bsl_layer_names(tiny.spec, tiny.model) == ["transformer.h.0", "transformer.h.1", "transformer.h.2",
                                                       "transformer.ln_f"]


def test_prepare_context():
    assert prepare_context(["A day it ", "was , fine .", "  ", "Next !"]) == "A day it  was, fine. Next!"


def test_golden_pereira243(tiny, pereira243):
    # np.load: this file also holds string/int presentation coordinates (context, part_number, ...)
    with np.load(GOLDEN / "model" / "activations" / "modern_pereira2018_243sentences.npz") as z:
        gold = {k: z[k] for k in z.files}
    acts = extract_bsl(tiny, pereira243, progress=False)
    np.testing.assert_array_equal(acts.stimulus_id, gold["stimulus_id"])  # sorted passage_label groups, data order
    assert acts.coords["context"].tolist() == gold["context"].tolist()
    assert acts.layer_names == ["transformer.h.0", "transformer.h.1", "transformer.h.2", "transformer.ln_f"]
    for layer in acts.layer_names:
        np.testing.assert_allclose(acts.layers[layer], gold[layer], rtol=0, atol=ATOL, err_msg=layer)
    # ln_f is the legacy last-layer semantics; the block output before it differs
    assert np.abs(acts.layers["transformer.h.2"] - acts.layers["transformer.ln_f"]).max() > 1e-2
    assert acts.meta["tokens_forward"] * 3 < acts.meta["tokens_reference_pattern"]


def test_one_pass_equals_per_part_original(tiny, pereira243):
    groups = pereira243[:4]
    fast = extract_bsl(tiny, groups, progress=False)
    ref = extract_bsl(tiny, groups, progress=False, reference=True)
    assert ref.meta["forward_batches"] == sum(len(g.parts) for g in groups)  # one pass per part
    assert fast.meta["forward_batches"] < ref.meta["forward_batches"]
    for layer in fast.layer_names:
        np.testing.assert_allclose(fast.layers[layer], ref.layers[layer], rtol=0, atol=1e-5)


def test_left_truncated_windows_equal_per_part_original(tiny):
    # Blank-style story (trailing spaces -> double spaces, lone 'Ġ' last tokens) with a small
    # model_max_length so that later parts are left-truncated windows
    df = _stimuli("blank2014")
    group = bsl_groups(df[df["story"] == "Aqua"], "story")[0]
    group = BslGroup(group.parts[:40], group.ids[:40])
    small = copy.copy(tiny)
    small.tokenizer = copy.deepcopy(tiny.tokenizer)
    small.tokenizer.model_max_length = 64
    fast = extract_bsl(small, [group], progress=False)
    ref = extract_bsl(small, [group], progress=False, reference=True)
    assert (fast.context_tokens == 64).sum() > 20 and fast.context_tokens.min() < 64
    for layer in fast.layer_names:
        np.testing.assert_allclose(fast.layers[layer], ref.layers[layer], rtol=0, atol=1e-5)


def test_words_as_parts(tiny):
    df = _stimuli("fedorenko2016")
    df["sentence_id"] = df["sentence_id"].astype(int)
    df["stimulus_id"] = df["stimulus_id"].astype(int)
    groups = bsl_groups(df, "sentence_id", text_col="word")[:3]
    fast = extract_bsl(tiny, groups, layers=["transformer.h.1"], progress=False)
    ref = extract_bsl(tiny, groups, layers=["transformer.h.1"], progress=False, reference=True)
    assert fast.stimulus_id.dtype == np.int64 and fast.layer_names == ["transformer.h.1"]
    np.testing.assert_allclose(fast.layers["transformer.h.1"], ref.layers["transformer.h.1"], rtol=0, atol=1e-5)
