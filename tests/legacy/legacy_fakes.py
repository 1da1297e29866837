"""Tiny fake ``transformers`` / ``torch`` for the contract tests (no torch needed, Python 3.8 compatible)."""

import types

FAKE_TORCH = types.SimpleNamespace(
    float32="torch.float32", bfloat16="torch.bfloat16",
    zeros=lambda n: types.SimpleNamespace(numpy=lambda: [0.0] * n))


class FakeConfig:
    def __init__(self, model_type, num_hidden_layers, hidden_size, tokenizer_kind, commit="0123abcd" * 5):
        self.model_type = model_type
        self.num_hidden_layers = num_hidden_layers
        self.hidden_size = hidden_size
        self.tokenizer_kind = tokenizer_kind
        self._commit_hash = commit
        self.output_hidden_states = False
        self.output_attentions = True  # repro.legacy must switch this off


CONFIGS = {
    "gpt2": ("gpt2", 12, 768, "byte"),
    "EleutherAI/pythia-70m": ("gpt_neox", 6, 512, "byte"),
    "HuggingFaceTB/SmolLM2-135M": ("llama", 30, 576, "byte"),
    "google/gemma-2b": ("gemma", 18, 2048, "sentencepiece"),
    "org/tiny-llama-sp": ("llama", 4, 64, "sentencepiece"),
    "org/tiny-bert": ("bert", 2, 32, "wordpiece"),
    "org/tiny-xlm": ("xlm", 2, 32, "wordend"),
}


class FakeTokenizer:
    cls_token = None

    def __init__(self, kind):
        self.kind = kind

    def tokenize(self, text):
        words = text.split()
        if self.kind == "byte":
            return words[:1] + ["Ġ" + w for w in words[1:]]
        if self.kind == "sentencepiece":
            return ["▁" + w for w in words]
        if self.kind == "wordend":
            return [w + "</w>" for w in words]
        return list(words)


class FakeModel:
    def __init__(self, config, dtype):
        self.config = config
        self.dtype = dtype

    def __call__(self, tokens):
        hidden = [float(i) for i in range(self.config.num_hidden_layers + 1)]
        out = (None, hidden)
        if self.config.output_attentions:
            out = out + (["attention"] * self.config.num_hidden_layers,)
        return out


class FakeTransformers:
    """Records every from_pretrained call; ``dtype_override`` simulates a checkpoint that ignores torch_dtype."""

    def __init__(self, dtype_override=None):
        self.calls = []
        fake = self

        class AutoConfig:
            @staticmethod
            def from_pretrained(name, **kwargs):
                fake.calls.append(("config", name, kwargs))
                if name not in CONFIGS:
                    raise OSError(f"{name} is not a local folder and is not a valid model identifier")
                return FakeConfig(*CONFIGS[name])

        class AutoTokenizer:
            @staticmethod
            def from_pretrained(name, **kwargs):
                fake.calls.append(("tokenizer", name, kwargs))
                return FakeTokenizer(CONFIGS[name][3])

        class AutoModel:
            @staticmethod
            def from_pretrained(name, config=None, torch_dtype=None, **kwargs):
                fake.calls.append(("model", name, dict(kwargs, torch_dtype=torch_dtype)))
                return FakeModel(config, dtype_override or torch_dtype)

        self.AutoConfig, self.AutoTokenizer, self.AutoModel = AutoConfig, AutoTokenizer, AutoModel
