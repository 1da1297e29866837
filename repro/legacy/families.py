"""Layer labels and tokenizer special tokens per model family (spec legacy-neural-nlp §1.2, §12)."""

from typing import List, Optional, Sequence, Tuple

from repro.legacy.errors import LegacyError

# model_type values whose labels follow neural-nlp's own configuration of that family (transformer_configurations
# in implementations.py), so a registered variant lines up with the natively pooled models and published layer
# names: (embedding label, block label pattern).
NATIVE_LABELS = {
    "gpt2": ("drop", "encoder.h.%d"),
    "bert": ("embedding", "encoder.layer.%d.output"),
    "roberta": ("embedding", "encoder.layer.%d"),
    "distilbert": ("embeddings", "transformer.layer.%d"),
}

# Strings removed from the lower-cased, joined tokens during word alignment (spec §12 step 3).
BYTE_LEVEL_BPE = ("ġ",)
SENTENCEPIECE = ("▁",)
WORD_END_BPE = ("</w>",)
WORDPIECE = ()  # type: Tuple[str, ...]

# Families whose tokenizer kind follows from model_type alone. Llama/Mistral/Qwen-style configs do not:
# Llama-2 uses SentencePiece, Llama-3 and SmolLM2 byte-level BPE, so those are probed (see special_tokens).
SPECIAL_TOKENS_BY_MODEL_TYPE = {
    "gpt2": BYTE_LEVEL_BPE,
    "gpt_neox": BYTE_LEVEL_BPE,
    "roberta": BYTE_LEVEL_BPE,
    "gemma": SENTENCEPIECE,
    "gemma2": SENTENCEPIECE,
    "t5": SENTENCEPIECE,
    "xlnet": SENTENCEPIECE,
    "openai-gpt": WORD_END_BPE,
    "xlm": WORD_END_BPE,
    "bert": WORDPIECE,
    "distilbert": WORDPIECE,
}


def layer_labels(model_type: str, num_hidden_layers: int) -> List[str]:
    """Labels for ``hidden_states[0..L]``: the embeddings, then one per block (L + 1 in all)."""
    if not isinstance(num_hidden_layers, int) or num_hidden_layers < 1:
        raise LegacyError(
            "config of model_type %r has num_hidden_layers=%r; need a positive integer to label layers"
            % (model_type, num_hidden_layers))
    embedding, block = NATIVE_LABELS.get(model_type, ("embedding", "layer.%d"))
    return [embedding] + [block % k for k in range(num_hidden_layers)]


def probe_special_tokens(tokenizer) -> Tuple[str, ...]:
    """Tell the tokenizer kind from how it marks a word boundary in ``"a b"`` (``tokenize``, as the wrapper)."""
    tokens = [str(t) for t in tokenizer.tokenize("a b")]
    if any(t.startswith("Ġ") for t in tokens):
        return BYTE_LEVEL_BPE
    if any("▁" in t for t in tokens):
        return SENTENCEPIECE
    if any(t.endswith("</w>") for t in tokens):
        return WORD_END_BPE
    return WORDPIECE


def special_tokens(model_type: str, tokenizer=None,
                   override: Optional[Sequence[str]] = None) -> Tuple[str, ...]:
    if override is not None:
        return tuple(t.lower() for t in override)  # the wrapper removes them after lower-casing
    if model_type in SPECIAL_TOKENS_BY_MODEL_TYPE:
        return SPECIAL_TOKENS_BY_MODEL_TYPE[model_type]
    if tokenizer is None:
        raise LegacyError("cannot tell the tokenizer family of model_type %r without its tokenizer; "
                          "pass --special-tokens" % model_type)
    return probe_special_tokens(tokenizer)
