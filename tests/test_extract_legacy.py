"""Legacy neural-nlp extraction: golden parity and one-pass vs the per-word loop (tiny GPT-2)."""


import numpy as np
import pytest
from golden_inputs import assert_matches_activations, golden_streams
from golden_view import GOLDEN

from repro.models import extract_legacy, load, resolve_model

ATOL = 1e-5  # golden README §9: float32 kernels differ at ~1e-7..1e-6


@pytest.fixture(scope="module")
def tiny():
    return load(resolve_model(str(GOLDEN / "model" / "tiny-gpt2")))


def _check_golden(acts, name):
    assert_matches_activations(acts, GOLDEN / "model" / "activations" / f"legacy_{name}.npz", ATOL)
    assert acts.layer_names == ["drop", "encoder.h.0", "encoder.h.1", "encoder.h.2"]
    assert all(a.dtype == np.float32 for a in acts.layers.values())


def test_golden_pereira(tiny):
    acts = extract_legacy(tiny, golden_streams("pereira2018"), progress=False)
    _check_golden(acts, "pereira2018")
    assert acts.meta["mode"] == "legacy" and acts.meta["revision"].startswith("local-")
    # one pass per topic stream vs one pass per word: >= 20x fewer tokens through the model
    assert acts.meta["tokens_reference_pattern"] >= 20 * acts.meta["tokens_forward"]


def test_golden_fedorenko(tiny):
    _check_golden(extract_legacy(tiny, golden_streams("fedorenko2016"), progress=False), "fedorenko2016")


@pytest.mark.slow
def test_golden_blank_512_windows(tiny):
    acts = extract_legacy(tiny, golden_streams("blank2014"), progress=False, batch_size=16)
    _check_golden(acts, "blank2014")
    assert int((acts.context_tokens == 512).sum()) == 798  # golden legacy_manifest.json


def test_one_pass_equals_per_word_loop(tiny):
    from repro.models import LegacyStream

    topic = golden_streams("pereira2018")[0]
    streams = [LegacyStream(topic.texts[:4], topic.ids[:4])] + golden_streams("fedorenko2016")[:2]
    fast = extract_legacy(tiny, streams, progress=False)
    ref = extract_legacy(tiny, streams, progress=False, reference=True)
    np.testing.assert_array_equal(fast.stimulus_id, ref.stimulus_id)
    for layer in fast.layer_names:
        np.testing.assert_allclose(fast.layers[layer], ref.layers[layer], rtol=0, atol=1e-5)
    # the reference really ran the legacy per-word pattern, and the analytic count describes it
    assert ref.meta["tokens_forward"] == ref.meta["tokens_reference_pattern"] == fast.meta["tokens_reference_pattern"]
    n_words = sum(len(" ".join(s.texts).split()) for s in streams)
    assert ref.meta["forward_batches"] == n_words
    assert fast.meta["tokens_forward"] * 10 < ref.meta["tokens_forward"]


def test_window_past_512_matches_per_word_loop(tiny):
    # a stream longer than 512 tokens: kept words past the window get their own 512-token window
    # ~9 tokens per word, so 64 words give ~580 tokens and the per-word reference stays cheap
    import random

    rnd = random.Random(0)
    words = ["".join(rnd.choice("qxzjkvbw") for _ in range(12)) for _ in range(64)]
    texts = tuple(" ".join(words[i:i + 4]) for i in range(0, 64, 4))
    from repro.models import LegacyStream

    stream = LegacyStream(texts, tuple(f"s{i}" for i in range(len(texts))))
    fast = extract_legacy(tiny, [stream], progress=False)
    ref = extract_legacy(tiny, [stream], progress=False, reference=True)
    assert fast.context_tokens.max() == 512 and fast.context_tokens.min() < 512
    for layer in fast.layer_names:
        np.testing.assert_allclose(fast.layers[layer], ref.layers[layer], rtol=0, atol=1e-5)


def test_layer_subset_and_unknown_layer(tiny):
    from repro.errors import UnknownIdError

    streams = golden_streams("fedorenko2016")[:1]
    acts = extract_legacy(tiny, streams, layers=["encoder.h.2"], progress=False)
    assert acts.layer_names == ["encoder.h.2"]
    with pytest.raises(UnknownIdError, match="did you mean 'encoder.h.2'"):
        extract_legacy(tiny, streams, layers=["encoder.h2"], progress=False)


def test_bfloat16_returns_float32_close_to_float32(tiny):
    bf16 = load(tiny.spec, dtype="bfloat16")
    streams = golden_streams("fedorenko2016")[:2]
    lo = extract_legacy(bf16, streams, progress=False)
    hi = extract_legacy(tiny, streams, progress=False)
    assert lo.meta["dtype"] == "bfloat16" and lo.layers["encoder.h.2"].dtype == np.float32
    scale = float(np.abs(hi.layers["encoder.h.2"]).max())
    np.testing.assert_allclose(lo.layers["encoder.h.2"], hi.layers["encoder.h.2"], rtol=0, atol=0.05 * scale)


def test_bad_device_and_dtype_are_model_errors(tiny):
    import torch

    from repro.errors import ModelError

    with pytest.raises(ModelError, match="unknown dtype 'float8'"):
        load(tiny.spec, dtype="float8")
    if not torch.cuda.is_available():
        with pytest.raises(ModelError, match="CUDA is not available"):
            load(tiny.spec, device="cuda")
