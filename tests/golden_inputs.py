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
