"""Readers for the golden fixtures' plain inputs (importable: pytest puts tests/ on sys.path)."""

from __future__ import annotations

import pandas as pd
from golden_view import GOLDEN


def golden_stimuli(name: str) -> pd.DataFrame:
    """inputs/stimuli/<name>_stimuli.csv with ids kept as strings (Fedorenko's ids are ints)."""
    df = pd.read_csv(GOLDEN / "inputs" / "stimuli" / f"{name}_stimuli.csv", dtype=str, keep_default_na=False)
    if name == "fedorenko2016":
        df["stimulus_id"] = df["stimulus_id"].astype(int)
        df["sentence_id"] = df["sentence_id"].astype(int)
    return df


def golden_streams(name: str):
    """The legacy context streams of a golden stimulus table (Pereira/Blank: per story; Fedorenko: per sentence)."""
    from repro.models import legacy_streams, legacy_word_streams

    df = golden_stimuli(name)
    return legacy_word_streams(df) if name == "fedorenko2016" else legacy_streams(df, "story")


def assert_matches_activations(acts, path, atol: float) -> list[int]:
    """``acts`` equal a golden activations file within ``atol``, rows aligned by stimulus_id (context
    tokens exactly); returns the row order that aligns ``acts`` to the file."""
    import numpy as np

    from repro.activations import load

    gold = load(path)
    got = [str(s) for s in acts.stimulus_id.tolist()]
    assert sorted(got) == sorted(str(s) for s in gold.stimulus_id.tolist())
    pos = {s: i for i, s in enumerate(got)}
    order = [pos[str(s)] for s in gold.stimulus_id.tolist()]
    assert acts.layer_names == gold.layer_names
    for layer in gold.layer_names:
        np.testing.assert_allclose(acts.layers[layer][order], gold.layers[layer], rtol=0, atol=atol, err_msg=layer)
    if gold.context_tokens is not None:
        np.testing.assert_array_equal(acts.context_tokens[order], gold.context_tokens)
    return order
