"""Stand-in benchmarks: run the model like FixedLayer does and turn each layer into a synthetic score."""

from neural_nlp.score import Ceiling, Score

STIMULI = ["The quick brown fox jumps.", "It was a clear and joyous day."]

# When True, Pereira's Score carries attrs['raw'] with the un-normalised center/error per layer (what
# brain-score's Score.merge keeps); when False it does not, and repro.legacy must derive raw from the ceiling.
PEREIRA_RAW_ATTRS = True


class _Benchmark:
    def __init__(self, identifier, ceiling_center):
        self.identifier = identifier
        self.ceiling = Ceiling(ceiling_center)

    def __call__(self, model_impl, layer):
        # the real benchmark goes through FixedLayer: model(stimuli, layers=[layer])
        activations = model_impl(STIMULI, layers=[layer])[layer]
        center = sum(activations) / float(len(activations)) / 100.0
        return center, 0.01

    def attrs_for(self, score):
        if not (self.identifier.startswith("Pereira2018") and PEREIRA_RAW_ATTRS):
            return {}
        ceiling = self.ceiling.sel(aggregation="center").values
        raw = Score(layers=score["layer"].values,
                    values=[(score.sel(layer=lay, aggregation="center").values * ceiling,
                             score.sel(layer=lay, aggregation="error").values * ceiling)
                            for lay in score["layer"].values])
        return {"raw": raw}


benchmark_pool = {
    "Pereira2018-encoding": _Benchmark("Pereira2018-encoding", 0.318567),
    "Blank2014fROI-encoding": _Benchmark("Blank2014fROI-encoding", 0.200405),
    "Fedorenko2016v3-encoding": _Benchmark("Fedorenko2016v3-encoding", 0.168649),
}
