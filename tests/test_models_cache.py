"""Activation cache: keys, atomic npz entries, reuse on rerun."""


import numpy as np
import pandas as pd
import pytest
from golden_view import GOLDEN

import repro.models.cache as cache_mod
from repro.models import (
    ActivationCache,
    LegacyStream,
    cached_extract,
    legacy_word_streams,
    load,
    resolve_model,
)
from repro.models.streams import fingerprint


@pytest.fixture(scope="module")
def streams():
    df = pd.read_csv(GOLDEN / "inputs" / "stimuli" / "fedorenko2016_stimuli.csv", dtype=str, keep_default_na=False)
    df["stimulus_id"] = df["stimulus_id"].astype(int)
    return legacy_word_streams(df)[:4]


@pytest.fixture(scope="module")
def spec():
    return resolve_model(str(GOLDEN / "model" / "tiny-gpt2"))


def test_rerun_reuses_cache_without_loading(tmp_path, monkeypatch, spec, streams):
    cache = ActivationCache(tmp_path / "acts")
    first = cached_extract(spec, "legacy", streams, cache=cache, progress=False)
    assert first.meta["cache_hit"] is False
    files = list((tmp_path / "acts").rglob("*.npz"))
    assert len(files) == 1 and not list((tmp_path / "acts").rglob("*.part"))

    def no_load(*_a, **_k):
        raise AssertionError("the model must not be loaded on a cache hit")

    monkeypatch.setattr(cache_mod, "load", no_load)
    again = cached_extract(spec, "legacy", streams, cache=cache, progress=False)
    assert again.meta["cache_hit"] is True
    np.testing.assert_array_equal(again.stimulus_id, first.stimulus_id)
    for layer in first.layer_names:
        np.testing.assert_array_equal(again.layers[layer], first.layers[layer])
    assert again.meta["revision"] == first.meta["revision"]
    # another extraction mode or other stimuli are a miss (and would need the model)
    with pytest.raises(AssertionError, match="must not be loaded"):
        cached_extract(spec, "legacy", streams[:2], cache=cache, progress=False)


def test_key_parts_change_the_entry(tmp_path, spec, streams):
    cache = ActivationCache(tmp_path)
    fp = fingerprint(streams)
    base = cache.key(spec, "rev1", "legacy", "float32", fp, None, tokenization="paper")
    variants = [cache.key(spec, "rev2", "legacy", "float32", fp, None, tokenization="paper"),
                cache.key(spec, "rev1", "bsl", "float32", fp, None),
                cache.key(spec, "rev1", "legacy", "bfloat16", fp, None, tokenization="paper"),
                cache.key(spec, "rev1", "legacy", "float32", fingerprint(streams[:1]), None, tokenization="paper"),
                cache.key(spec, "rev1", "legacy", "float32", fp, ["drop"], tokenization="paper"),
                cache.key(spec, "rev1", "legacy", "float32", fp, None, tokenization="seed")]
    paths = {cache.path(k) for k in variants}
    assert len(paths) == len(variants) and cache.path(base) not in paths
    # ids and stream structure are part of the stimulus fingerprint, not only the texts
    s = streams[0]
    assert fingerprint([s]) != fingerprint([LegacyStream(s.texts, tuple(i + 1000 for i in s.ids), per_word=True)])


def test_corrupt_entry_is_recomputed(tmp_path, spec, streams):
    cache = ActivationCache(tmp_path)
    loaded = load(spec)
    first = cached_extract(loaded, "legacy", streams[:1], cache=cache, progress=False)
    (path,) = list(tmp_path.rglob("*.npz"))
    path.write_bytes(b"not an npz")
    again = cached_extract(loaded, "legacy", streams[:1], cache=cache, progress=False)
    assert again.meta["cache_hit"] is False
    np.testing.assert_allclose(again.layers["drop"], first.layers["drop"])
    assert cached_extract(loaded, "legacy", streams[:1], cache=cache, progress=False).meta["cache_hit"] is True


def test_default_root_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("REPRO_CACHE_DIR", str(tmp_path))
    assert ActivationCache().root == tmp_path / "activations"
