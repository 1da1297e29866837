"""How each dataset's stimuli are fed to a model (context streams / groups)."""

from __future__ import annotations


def _groups_in_first_appearance_order(df, column: str):
    import pandas as pd

    order = pd.unique(df[column])
    return [(key, df[df[column] == key]) for key in order]


def legacy_by_story(stimulus_set, text_column: str = "sentence"):
    """Pereira (story = experiment.topic) and Blank (story): one stream per story, file order."""
    from ..models.streams import LegacyStream

    return [LegacyStream(tuple(g[text_column]), tuple(g["stimulus_id"].tolist()))
            for _, g in _groups_in_first_appearance_order(stimulus_set, "story")]


def legacy_per_sentence_words(stimulus_set, word_column: str = "word"):
    """Fedorenko: each sentence is its own stream; one vector per word."""
    from ..models.streams import LegacyStream

    return [LegacyStream((" ".join(g[word_column]),), tuple(g["stimulus_id"].tolist()), per_word=True)
            for _, g in _groups_in_first_appearance_order(stimulus_set, "sentence_id")]
