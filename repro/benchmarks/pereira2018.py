"""Pereira et al. 2018 fMRI, 627 sentences (legacy neural-nlp: both experiments together)."""

from ..metrics.cv import SplitSpec
from .legacy_encoding import LegacyEncodingBenchmark
from .streams import legacy_by_story

PEREIRA2018_ENCODING = LegacyEncodingBenchmark(
    id="Pereira2018-encoding",
    data_key="Pereira2018",
    ceiling_key="Pereira2018-encoding-ceiling",
    split=SplitSpec("KFold", n_splits=5, random_state=1),  # per experiment
    aggregation="pereira",
    neuroid_order="neuroid_id",
    subject_coord="subject",
    streams=legacy_by_story,  # context = the whole topic within an experiment
    published_ceiling=0.318567,
    description="fMRI, 627 sentences (243 + 384), language-network voxels, aggregate ceiling 0.318567",
)
