"""Brain-Score Language 2.3: Blank2014 fROI story fragments; ceiling recomputed (cached)."""

from .bsl_encoding import BslEncodingBenchmark, group_kfold, shuffle_split

BENCHMARKS = [
    BslEncodingBenchmark(
        id="Blank2014-linear-shuffle", data_file="assy_Blank2014_fROI.nc", split=shuffle_split(),
        regression="linear", group_coord="story", subject_coord="subject_id",
        aliases=(("Blank2014-linear", "renamed to Blank2014-linear-shuffle in Brain-Score Language 2.3"),),
        description="fMRI, 1317 story fragments, 60 fROIs, ShuffleSplit 10x0.9 + OLS"),
    BslEncodingBenchmark(
        id="Blank2014-ridge", data_file="assy_Blank2014_fROI.nc", split=group_kfold(8, "story"),
        regression="ridge", group_coord="story", subject_coord="subject_id",
        description="fMRI, 1317 story fragments, 60 fROIs, GroupKFold 8 by story + RidgeGCV"),
]
