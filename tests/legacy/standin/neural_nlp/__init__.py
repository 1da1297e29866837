"""Stand-in for neural-nlp 6e1a989's pool interface (spec legacy-neural-nlp §3.5, §5.3, §12).

The real code is tested in tests/legacy/real (inside .venv-legacy, offline, on the golden models and data). This
stand-in stays only for what no offline run of the real code can exercise: models that exist only on the Hugging
Face hub (pythia-70m, SmolLM2-135M, gemma-2b configs and their tokenizer probing), hub revisions, a checkpoint that
ignores torch_dtype, a cached score with fewer layers, and neural-nlp's own gpt2 entries without their weights. It keeps what repro.legacy relies on: the two module-level dicts re-exported
here as the same objects, LazyLoad constructors, the wrapper's constructor signature and its assertion that
the model returns one hidden state per label, and ``score(benchmark, model, layers)`` returning a
``layer`` x ``aggregation`` Score in model-layer order. Scores are synthetic.
"""

from neural_nlp.benchmarks import benchmark_pool
from neural_nlp.models import model_layers, model_pool
from neural_nlp.score import Score

CALLS = []


def score(benchmark, model, layers=None, model_impl=None, subsample=None):
    model_impl = model_impl or model_pool[model]
    layers = layers or model_layers[model]
    benchmark_impl = benchmark_pool[benchmark]
    CALLS.append({"benchmark": benchmark, "model": model, "layers": list(layers)})
    per_layer = [benchmark_impl(model_impl, layer) for layer in layers]
    result = Score(layers=list(layers), values=per_layer)
    result.attrs.update(benchmark_impl.attrs_for(result))
    result.attrs["model"] = model
    result.attrs["benchmark"] = benchmark
    return result
