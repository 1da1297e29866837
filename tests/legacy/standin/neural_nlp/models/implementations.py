"""Stand-in for neural_nlp/models/implementations.py: the pool dicts, LazyLoad, the wrapper and word_last."""

from collections import OrderedDict


class LazyLoad:
    """brain-score's LazyLoad: builds on first attribute access or call, forwards everything afterwards."""

    def __init__(self, load_fnc):
        self.load_fnc = load_fnc
        self.content = None

    def __getattr__(self, name):
        self._ensure_loaded()
        return getattr(self.content, name)

    def __setattr__(self, key, value):
        if key not in ("content", "load_fnc"):
            self._ensure_loaded()
            return setattr(self.content, key, value)
        return super().__setattr__(key, value)

    def __call__(self, *args, **kwargs):
        self._ensure_loaded()
        return self.content(*args, **kwargs)

    def _ensure_loaded(self):
        if self.content is None:
            self.content = self.load_fnc()


def word_last(layer_activations):
    return layer_activations


class _ModelContainer:
    """The real wrapper's ModelContainer keeps the tokenizer and aligns tokens to words; repro.legacy's
    tokenization adapters replace these two attributes."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def align_tokens(self, tokenized_sentences, sentences, *args, **kwargs):
        return iter(tokenized_sentences)


class _Extractor:
    def __init__(self, identifier):
        self.identifier = identifier


class _PytorchTransformerWrapper:
    instances = []

    def __init__(self, identifier, tokenizer, model, layers, sentence_average, tokenizer_special_tokens=()):
        self._model_container = _ModelContainer(tokenizer)
        self._extractor = _Extractor(identifier)
        self.tokenizer = tokenizer
        self.model = model
        self.layer_names = layers
        self.default_layers = self.available_layers = layers
        self.sentence_average = sentence_average
        self.tokenizer_special_tokens = tokenizer_special_tokens
        _PytorchTransformerWrapper.instances.append(self)

    def __call__(self, sentences, layers, average_sentence=True):
        features = {name: [] for name in self.layer_names}
        for sentence in sentences:
            tokens = self._model_container.tokenizer.tokenize(sentence)
            # as the real ModelContainer: the last output element must be the hidden states, one per label
            context_encoding, = self.model(tokens)[-1:]
            assert len(context_encoding) == len(self.layer_names)
            for name, value in zip(self.layer_names, context_encoding):
                features[name].append(value)
        return self.sentence_average(OrderedDict((k, v) for k, v in features.items() if k in layers))


    @property
    def identifier(self):
        return self._extractor.identifier


class _NativeGPT2:
    """What neural-nlp builds for its own gpt2-family entries: one synthetic hidden state per label."""

    def __init__(self, num_layers):
        self.num_layers = num_layers

    def __call__(self, tokens):
        return (None, [float(i) for i in range(self.num_layers + 1)])


class _WhitespaceTokenizer:
    cls_token = None

    def tokenize(self, text):
        words = text.split()
        return words[:1] + ["Ġ" + w for w in words[1:]]


def _native(identifier, num_layers):
    layers = ("drop",) + tuple(f"encoder.h.{i}" for i in range(num_layers))
    return LazyLoad(lambda: _PytorchTransformerWrapper(
        identifier=identifier, tokenizer=_WhitespaceTokenizer(), model=_NativeGPT2(num_layers), layers=layers,
        sentence_average=word_last, tokenizer_special_tokens=("ġ",))), layers


model_pool = {}
model_layers = {}
for _identifier, _num_layers in [("gpt2", 12), ("gpt2-medium", 24), ("gpt2-large", 36), ("gpt2-xl", 48),
                                 ("distilgpt2", 6)]:
    model_pool[_identifier], model_layers[_identifier] = _native(_identifier, _num_layers)
