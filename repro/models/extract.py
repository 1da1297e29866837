"""Activations for the legacy (neural-nlp) and Brain-Score Language (BSL) model semantics.

Both modes plan a list of forward-pass *jobs* (token ids + the positions to read and the output
rows they fill) and run them batched: same-length jobs without padding, others right-padded
with an attention mask. For causal models right padding leaves real positions unchanged and the
default position ids start at 0 in every row.

``reference=True`` runs the original per-unit pattern instead (legacy: one pass per word;
BSL: one pass per part with its re-tokenised context), batch size 1, for parity tests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..activations import Activations
from ..errors import InputError, ModelError
from .alignment import legacy_tokenize
from .loading import LoadedModel
from .registry import bsl_layer_names, bsl_module, legacy_layer_labels
from .streams import BslGroup, LegacyStream
from .tokenization import check as check_tokenization

EXTRACTION_VERSION = 1
LEGACY_WINDOW = 512  # the legacy wrapper's max tokens per forward pass (511 + re-inserted CLS for CLS models)


@dataclass
class _Job:
    ids: list[int]
    reads: list[tuple[int, int]] = field(default_factory=list)  # (position, output row)


# --- legacy -------------------------------------------------------------------------------------

def extract_legacy(loaded: LoadedModel, streams: Sequence[LegacyStream], layers: Sequence[str] | None = None,
                   batch_size: int = 8, progress: bool = True, tokenization: str = "paper",
                   reference: bool = False) -> Activations:
    """Legacy neural-nlp activations: one row per id, in the order of the ids across ``streams``.

    Causal models: one pass over each stream's chained tokens, read at every kept word end
    (identical to the per-word loop because a causal state depends only on earlier tokens);
    only word ends past the 512-token window get their own 512-token window (positions from 0).
    Masked models: one window per kept word (no shortcut exists for bidirectional attention).
    ``tokenization``: ``paper`` or ``seed`` (:mod:`repro.models.tokenization`); under ``seed`` the meta
    also says how many kept words see another context than under ``paper`` (``context_changes``).
    """
    tokenization = check_tokenization(tokenization)
    spec = loaded.spec
    labels = legacy_layer_labels(spec, loaded.config)
    wanted = _select(labels, layers)
    idx = [labels.index(n) for n in wanted]
    has_cls = getattr(loaded.tokenizer, "cls_token", None) is not None
    width = LEGACY_WINDOW - 1 if has_cls else LEGACY_WINDOW
    jobs: list[_Job] = []
    out_ids: list = []
    ctx_tokens: list[int] = []
    tokens_reference = 0
    changes = _ContextChanges() if tokenization != "paper" else None
    for stream in streams:
        labels_txt = _text_labels(stream)
        ts = legacy_tokenize(loaded.tokenizer, stream.texts, spec.special_tokens, tokenization, labels_txt)
        ends = ts.word_ends
        tokens_reference += sum(_window_len(e, width, has_cls) for e in ends)
        if stream.per_word:
            keep = list(range(len(ends)))
        else:
            keep = list(np.cumsum(ts.words_per_text) - 1)
        rows = list(range(len(out_ids), len(out_ids) + len(keep)))
        if changes is not None:
            paper = legacy_tokenize(loaded.tokenizer, stream.texts, spec.special_tokens, "paper", labels_txt)
            changes.add(ts, paper, keep, width)
        out_ids.extend(stream.ids)
        ctx_tokens.extend(_window_len(ends[w], width, has_cls) for w in keep)
        if reference:
            # the legacy loop: one pass per word (all words, not only the kept ones)
            kept = dict(zip(keep, rows))
            for w, e in enumerate(ends):
                jobs.append(_Job(_legacy_window(ts.token_ids, e, width, ts.cls_token_id),
                                 [(_window_len(e, width, has_cls) - 1, kept[w])] if w in kept else []))
            continue
        prefix_reads = [(ends[w], r) for w, r in zip(keep, rows) if spec.is_causal and ends[w] < width]
        if prefix_reads:
            last = max(p for p, _ in prefix_reads)
            jobs.append(_Job(ts.token_ids[:last + 1], prefix_reads))
        for w, r in zip(keep, rows):
            e = ends[w]
            if spec.is_causal and e < width:
                continue
            win = _legacy_window(ts.token_ids, e, width, ts.cls_token_id)
            jobs.append(_Job(win, [(len(win) - 1, r)]))
    arrays, n_tokens, n_passes = _run(loaded, jobs, len(out_ids), ("hidden", idx), batch_size, progress,
                                      reference)
    meta = _meta(loaded, "legacy", wanted, n_tokens, n_passes, tokens_reference, reference, jobs)
    meta["tokenization"] = tokenization
    if changes is not None:
        meta["context_changes"] = changes.summary()
    return Activations(_id_array(out_ids), dict(zip(wanted, arrays)), meta, np.asarray(ctx_tokens, dtype=np.int64))


class _ContextChanges:
    """Kept words whose model input (the token window ending at the word) differs from ``paper``'s."""

    def __init__(self):
        self.n = 0
        self.delta: dict[int, int] = {}

    def add(self, ts, paper, keep: list[int], width: int) -> None:
        for w in keep:
            mine = _legacy_window(ts.token_ids, ts.word_ends[w], width, ts.cls_token_id)
            theirs = _legacy_window(paper.token_ids, paper.word_ends[w], width, paper.cls_token_id)
            self.n += 1
            if mine != theirs:
                d = len(mine) - len(theirs)
                self.delta[d] = self.delta.get(d, 0) + 1

    def summary(self) -> dict:
        return {"against": "paper", "n": self.n, "different": sum(self.delta.values()),
                "length_delta": {str(k): v for k, v in sorted(self.delta.items())}}


def _window_len(e: int, width: int, has_cls: bool) -> int:
    start = max(0, e - width + 1)
    return e - start + 1 + (1 if has_cls and start > 0 else 0)


def _legacy_window(ids: list[int], e: int, width: int, cls_id: int | None) -> list[int]:
    start = max(0, e - width + 1)
    win = ids[start:e + 1]
    if cls_id is not None and start > 0:  # the legacy wrapper re-inserts the CLS token it cut off
        win = [cls_id] + win
    return win


def _text_labels(stream: LegacyStream) -> list[str]:
    if not stream.per_word:
        return [str(i) for i in stream.ids]
    out, k = [], 0
    for t in stream.texts:  # per-word stream: name a text by its first..last word id
        n = len(t.split())
        out.append(f"{stream.ids[k]}..{stream.ids[k + n - 1]}" if n else "(empty)")
        k += n
    return out


# --- Brain-Score Language ----------------------------------------------------------------------

_PUNCT_SPACE = re.compile(r"\s+([.,!?;:])")


def prepare_context(parts: Sequence[str]) -> str:
    """BSL ``HuggingfaceSubject`` context: non-empty parts joined by one space, no space before punctuation."""
    text = " ".join(p for p in parts if p.strip())
    return _PUNCT_SPACE.sub(r"\1", text)


def bsl_encode(tokenizer, context: str) -> list[int]:
    """Token ids exactly as BSL feeds them: tokenizer defaults (special tokens on), left truncation."""
    max_len = getattr(tokenizer, "model_max_length", None)
    bounded = isinstance(max_len, int) and max_len < 10**8  # "infinite" model_max_length: no truncation
    old = tokenizer.truncation_side
    tokenizer.truncation_side = "left"
    try:
        enc = tokenizer(context, truncation=bounded, max_length=max_len if bounded else None)
    finally:
        tokenizer.truncation_side = old
    return list(enc["input_ids"])


def extract_bsl(loaded: LoadedModel, groups: Sequence[BslGroup], layers: Sequence[str] | None = None,
                batch_size: int = 8, progress: bool = True, reference: bool = False) -> Activations:
    """Brain-Score Language activations: module outputs (block hooks) at the last token of each part's context.

    Every part's context is tokenised as BSL does it (so BOS handling and left truncation are the
    tokenizer's own). Shortcut, causal models only: within a group, the longest context shorter than
    ``model_max_length`` is run once and every other context whose ids are a prefix of it is read from
    that pass (provably identical: a causal state depends only on earlier tokens at the same positions).
    Contexts failing the prefix check (checked per part at run time: e.g. SentencePiece merges
    across the join, or BOS tokenizers) and truncated contexts (a left-truncated window is not a
    prefix of anything) get their own pass; windows share a length, so they batch without padding.
    Masked models: every part gets its own pass.
    """
    model = loaded.model
    names = list(layers) if layers is not None else bsl_layer_names(loaded.spec, model)
    modules = [bsl_module(model, n) for n in names]
    jobs: list[_Job] = []
    out_ids: list = []
    ctx_tokens: list[int] = []
    contexts: list[str] = []
    tokens_reference = 0
    for group in groups:
        encoded = []
        for i, sid in enumerate(group.ids):
            ctx = prepare_context(group.parts[:i + 1])
            if not ctx:
                raise InputError(f"stimulus {sid!r} has an empty context (all parts so far are blank)")
            ids = bsl_encode(loaded.tokenizer, ctx)
            if not ids:
                raise InputError(f"stimulus {sid!r}: the tokenizer returns no tokens for its context {ctx[:60]!r}")
            encoded.append(ids)
            contexts.append(ctx)
            tokens_reference += len(ids)
        rows = list(range(len(out_ids), len(out_ids) + len(group.ids)))
        out_ids.extend(group.ids)
        ctx_tokens.extend(len(e) for e in encoded)
        if reference or not loaded.spec.is_causal:
            jobs.extend(_Job(e, [(len(e) - 1, r)]) for e, r in zip(encoded, rows))
            continue
        max_len = getattr(loaded.tokenizer, "model_max_length", 10**9)
        short = [k for k, e in enumerate(encoded) if len(e) < max_len]
        anchor = max(short, key=lambda k: len(encoded[k])) if short else None
        shared = _Job(encoded[anchor]) if anchor is not None else None
        for e, r in zip(encoded, rows):
            if shared is not None and len(e) <= len(shared.ids) and shared.ids[:len(e)] == e:
                shared.reads.append((len(e) - 1, r))
            else:
                jobs.append(_Job(e, [(len(e) - 1, r)]))
        if shared is not None:
            jobs.append(shared)
    arrays, n_tokens, n_passes = _run(loaded, jobs, len(out_ids), ("hooks", modules), batch_size, progress,
                                      reference)
    meta = _meta(loaded, "bsl", names, n_tokens, n_passes, tokens_reference, reference, jobs)
    # the strings actually tokenised: BSL's `context` coordinate (for inspection; not saved)
    return Activations(_id_array(out_ids), dict(zip(names, arrays)), meta, np.asarray(ctx_tokens, dtype=np.int64),
                       coords={"context": np.asarray(contexts)})


# --- running jobs ------------------------------------------------------------------------------

def _run(loaded: LoadedModel, jobs: list[_Job], n_rows: int, collect, batch_size: int, progress: bool,
         reference: bool):
    import torch

    model = loaded.model
    device = loaded.device
    mode, what = collect
    n_out = len(what)
    out: list[np.ndarray | None] = [None] * n_out
    pad_id = _pad_id(loaded.tokenizer)
    batches = _batches(jobs, 1 if reference else max(1, batch_size))
    state: dict = {}
    handles = []
    if mode == "hooks":
        def make_hook(j):
            def hook(_module, _inp, output):
                t = output[0] if isinstance(output, tuple) else output
                state["got"][j] = t[state["rows"], state["pos"]].float().cpu().numpy()
            return hook
        handles = [m.register_forward_hook(make_hook(j)) for j, m in enumerate(what)]
    kwargs = {"output_hidden_states": mode == "hidden", "return_dict": True}
    if "use_cache" in _forward_params(model):
        kwargs["use_cache"] = False
    n_tokens = 0

    def forward(batch: list[_Job]) -> None:
        nonlocal n_tokens
        lengths = [len(j.ids) for j in batch]
        width = max(lengths)
        ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
        for b, j in enumerate(batch):
            ids[b, :len(j.ids)] = torch.tensor(j.ids, dtype=torch.long)
        mask = None
        if min(lengths) != width:
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for b, n in enumerate(lengths):
                mask[b, :n] = 1
            mask = mask.to(device)
        rows_b = [b for b, j in enumerate(batch) for _ in j.reads]
        pos = [p for j in batch for p, _ in j.reads]
        dest = np.asarray([r for j in batch for _, r in j.reads], dtype=np.int64)
        state["rows"] = torch.tensor(rows_b, dtype=torch.long, device=device)
        state["pos"] = torch.tensor(pos, dtype=torch.long, device=device)
        state["got"] = [None] * n_out
        res = model(input_ids=ids.to(device), attention_mask=mask, **kwargs)
        n_tokens += sum(lengths)
        if mode == "hidden":
            hs = res.hidden_states
            state["got"] = [hs[i][state["rows"], state["pos"]].float().cpu().numpy() for i in what]
        if not len(dest):
            return
        for j, got in enumerate(state["got"]):
            if out[j] is None:
                out[j] = np.zeros((n_rows, got.shape[-1]), dtype=np.float32)
            out[j][dest] = got

    def forward_or_split(batch: list[_Job]) -> None:
        # out of memory on a batch: halve it and retry (same rows, same per-row results); only a
        # single context that does not fit is an error
        try:
            forward(batch)
        except (torch.OutOfMemoryError, MemoryError, RuntimeError) as exc:
            if not _is_oom(exc):
                raise
            if device.startswith("cuda"):
                torch.cuda.empty_cache()
            if len(batch) == 1:
                raise ModelError(
                    f"out of memory on {device} for a single context of {len(batch[0].ids)} tokens of model "
                    f"{loaded.spec.id!r}; try --dtype bfloat16, a smaller model, or another --device") from None
            half = len(batch) // 2
            forward_or_split(batch[:half])
            forward_or_split(batch[half:])

    try:
        it = batches
        if progress:
            from tqdm.auto import tqdm

            from ..progress import enabled
            it = tqdm(batches, desc=f"{loaded.spec.id} forward passes", unit="batch", disable=not enabled())
        with torch.inference_mode():
            for batch in it:
                forward_or_split(batch)
    finally:
        for h in handles:
            h.remove()
    if n_rows and any(o is None for o in out):
        raise InputError("no activations were produced; the stimuli are empty")
    return [o if o is not None else np.zeros((0, 0), np.float32) for o in out], n_tokens, len(batches)


def _is_oom(exc: BaseException) -> bool:
    import torch

    if isinstance(exc, torch.OutOfMemoryError | MemoryError):
        return True
    return "out of memory" in str(exc).lower()


def _batches(jobs: list[_Job], batch_size: int) -> list[list[_Job]]:
    """Longest first; equal lengths (legacy/BSL windows) batch without padding, and a batch only
    takes jobs at least 3/4 as long as its first so that padding wastes little compute."""
    out: list[list[_Job]] = []
    for j in sorted(jobs, key=lambda j: -len(j.ids)):
        if out and len(out[-1]) < batch_size and 4 * len(j.ids) >= 3 * len(out[-1][0].ids):
            out[-1].append(j)
        else:
            out.append([j])
    return out


def _pad_id(tokenizer) -> int:
    for attr in ("pad_token_id", "eos_token_id", "unk_token_id"):
        v = getattr(tokenizer, attr, None)
        if isinstance(v, int):
            return v
    return 0


def _forward_params(model) -> set[str]:
    import inspect

    return set(inspect.signature(model.forward).parameters)


# --- helpers -----------------------------------------------------------------------------------

def _select(labels: list[str], layers: Sequence[str] | None) -> list[str]:
    if layers is None:
        return list(labels)
    from ..errors import UnknownIdError
    from ..registry import suggest

    for n in layers:
        if n not in labels:
            hint = suggest(n, labels)
            extra = f"; did you mean {hint[0]!r}?" if hint else ""
            raise UnknownIdError(f"unknown layer {n!r}{extra} (legacy labels: {labels[0]} … {labels[-1]})")
    return list(layers)


def _id_array(ids: list) -> np.ndarray:
    if ids and all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in ids):
        return np.asarray(ids, dtype=np.int64)
    return np.asarray([str(i) for i in ids])


def _meta(loaded: LoadedModel, mode: str, layers: list[str], n_tokens: int, n_passes: int,
          tokens_reference: int, reference: bool, jobs: list[_Job]) -> dict:
    import torch
    import transformers

    return {
        "model": loaded.spec.id, "hf_id": loaded.spec.hf_id, "revision": loaded.revision, "mode": mode,
        "dtype": loaded.dtype, "device": loaded.device, "layers": list(layers),
        "tokens_forward": int(n_tokens), "forward_batches": int(n_passes),
        # sum of squared context lengths: the attention share of the FLOPs (repro bench's floor)
        "token_pairs_forward": int(sum(len(j.ids) ** 2 for j in jobs)),
        "tokens_reference_pattern": int(tokens_reference), "reference": bool(reference),
        "extraction_version": EXTRACTION_VERSION,
        "torch": torch.__version__, "transformers": transformers.__version__,
    }
