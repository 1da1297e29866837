"""Fedorenko et al. 2016 ECoG, 416 words, 97 language electrodes (legacy neural-nlp)."""

from ..metrics.cv import SplitSpec
from .legacy_encoding import LegacyEncodingBenchmark
from .streams import legacy_per_sentence_words

FEDORENKO2016V3_ENCODING = LegacyEncodingBenchmark(
    id="Fedorenko2016v3-encoding",
    data_key="Fedorenko2016v3",
    ceiling_key="Fedorenko2016v3-encoding-ceiling",
    split=SplitSpec("StratifiedKFold", n_splits=5, random_state=1, stratify_coord="sentence_id"),
    aggregation="per-neuroid",
    neuroid_order="neuroid_id",
    subject_coord="subject_UID",
    streams=legacy_per_sentence_words,  # per sentence, one vector per word
    per_word=True,
    published_ceiling=0.168649,
    description="ECoG, 52 sentences x 8 words, 97 language electrodes, per-neuroid ceiling",
)
