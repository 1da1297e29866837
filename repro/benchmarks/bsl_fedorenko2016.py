"""Brain-Score Language 2.3: Fedorenko2016 ECoG words; ceiling recomputed (cached)."""

from .bsl_encoding import BslEncodingBenchmark, group_kfold, shuffle_split

BENCHMARKS = [
    BslEncodingBenchmark(
        id="Fedorenko2016-linear-shuffle", data_file="assy_Fedorenko2016_language.nc", split=shuffle_split(),
        regression="linear", group_coord="sentence_id", subject_coord="subject_UID",
        aliases=(("Fedorenko2016-linear", "renamed to Fedorenko2016-linear-shuffle in Brain-Score Language 2.3"),),
        description="ECoG, 416 words, 97 electrodes, ShuffleSplit 10x0.9 + OLS"),
    BslEncodingBenchmark(
        id="Fedorenko2016-ridge", data_file="assy_Fedorenko2016_language.nc", split=group_kfold(10, "sentence_id"),
        regression="ridge", group_coord="sentence_id", subject_coord="subject_UID",
        description="ECoG, 416 words, 97 electrodes, GroupKFold 10 by sentence + RidgeGCV"),
]
