"""Blank et al. 2014 fMRI, 1317 story fragments, 60 fROIs (legacy neural-nlp)."""

from ..metrics.cv import SplitSpec
from .legacy_encoding import LegacyEncodingBenchmark
from .streams import legacy_by_story

BLANK2014FROI_ENCODING = LegacyEncodingBenchmark(
    id="Blank2014fROI-encoding",
    data_key="Blank2014fROI",
    ceiling_key="Blank2014fROI-encoding-ceiling",
    split=SplitSpec("StratifiedKFold", n_splits=5, random_state=1, stratify_coord="story"),
    aggregation="per-neuroid",
    neuroid_order="fROI_area",
    subject_coord="subject_UID",
    streams=legacy_by_story,  # the whole story, 512-token windows
    published_ceiling=0.200405,
    description="fMRI, 1317 story fragments, 5 subjects x 12 language fROIs, per-neuroid ceiling",
)
