"""Brain-Score Language 2.3: Pereira2018, one experiment per benchmark, stored ceilings."""

from .bsl_encoding import BslEncodingBenchmark, group_kfold, shuffle_split


def _pereira(exp: str, kind: str) -> BslEncodingBenchmark:
    base = f"Pereira2018.{exp}"
    linear = kind == "linear-shuffle"
    return BslEncodingBenchmark(
        id=f"{base}-{kind}",
        data_file="assy_Pereira2018_language.nc",
        split=shuffle_split() if linear else group_kfold(10, "story"),
        regression="linear" if linear else "ridge",
        group_coord="passage_label",  # a topic in 243sentences, a passage in 384sentences
        subject_coord="subject",
        experiment=exp,
        # stored under the suffix-less pre-2.3 id
        ceiling_file=f"ceiling_Pereira2018_{exp}-{'linear' if linear else 'ridge'}.nc",
        published_ceiling={("243sentences", True): 0.35378928, ("384sentences", True): 0.36343748,
                           ("243sentences", False): 0.1337, ("384sentences", False): 0.1352125}[(exp, linear)],
        aliases=((f"{base}-linear", "renamed to -linear-shuffle in Brain-Score Language 2.3"),) if linear else (),
        description=f"fMRI, {exp[:3]} sentences, language voxels, {'ShuffleSplit 10x0.9 + OLS' if linear else 'GroupKFold 10 by topic + RidgeGCV'}",
    )


BENCHMARKS = [_pereira(exp, kind) for exp in ("243sentences", "384sentences") for kind in ("linear-shuffle", "ridge")]
