"""Score one model on one legacy benchmark with the original neural-nlp code."""

import difflib
import importlib
import json
import logging
import os
import sys
import tempfile
from typing import List, Optional, Sequence

from repro.legacy import adapters, convert, pool, provenance
from repro.legacy.errors import LegacyError
from repro.legacy.models import ModelSpec, resolve

_log = logging.getLogger(__name__)


def import_neural_nlp():
    try:
        return importlib.import_module("neural_nlp")
    except ImportError as e:
        raise LegacyError("cannot import neural_nlp (%s); run inside the legacy image or install "
                          "conda/git-pins.txt" % e)


def select_layers(all_layers: Sequence[str], wanted: Optional[Sequence[str]]) -> List[str]:
    if not wanted:
        return list(all_layers)
    unknown = [w for w in wanted if w not in all_layers]
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(all_layers), n=3)
        raise LegacyError("unknown layer %r%s; layers are %s" % (
            unknown[0], " (did you mean %s?)" % ", ".join(close) if close else "",
            ", ".join(all_layers)))
    return [layer for layer in all_layers if layer in set(wanted)]  # model order, as score() returns them


def check_benchmark(neural_nlp, benchmark: str) -> None:
    pool_ = getattr(neural_nlp, "benchmark_pool", None)
    if pool_ is None or benchmark in pool_:
        return
    close = difflib.get_close_matches(benchmark, list(pool_), n=3)
    raise LegacyError("unknown benchmark %r%s" % (benchmark, " (did you mean %s?)" % ", ".join(close)
                                                   if close else ""))


def stored_ceiling(neural_nlp, score, benchmark: str) -> Optional[float]:
    """Aggregate ceiling center: from the Score's attrs if merge kept it, else from the benchmark object."""
    center = convert.ceiling_center((getattr(score, "attrs", None) or {}).get("ceiling"))
    if center is not None:
        return center
    try:
        return convert.ceiling_center(neural_nlp.benchmark_pool[benchmark].ceiling)
    except Exception as e:  # provenance only; the scores themselves are already normalised
        _log.warning("no ceiling for %s: %s", benchmark, e)
        return None


def model_entry(spec: ModelSpec) -> dict:
    info = pool.LOADED.get(spec.identifier, {})
    return {"id": spec.identifier, "hf_id": spec.hf_id, "revision": info.get("revision") or spec.revision,
            "source": spec.source, "activations_sha1": None}


def score(model: str, benchmark: str, layers: Optional[Sequence[str]] = None, revision: Optional[str] = None,
          identifier: Optional[str] = None, special_tokens: Optional[Sequence[str]] = None,
          output: Optional[str] = None, command: Optional[str] = None, tokenization: str = "paper",
          transformers=None, torch=None, activations_output: Optional[str] = None) -> dict:
    """``activations_output``: also write what the benchmark regressed on (.npz, stimulus_id + one array per
    layer), from which the host derives each layer's conditioning."""
    from repro.legacy import activations  # it imports this module
    adapters.check_tokenization(tokenization)
    neural_nlp = import_neural_nlp()
    check_benchmark(neural_nlp, benchmark)
    adapters.install_read_words_positions()
    spec = resolve(model, revision=revision, identifier=identifier,
                   special_tokens=tuple(special_tokens) if special_tokens is not None else None,
                   tokenization=tokenization)
    all_layers = pool.register(spec, transformers=transformers, torch=torch)
    chosen = select_layers(all_layers, layers)
    _log.info("scoring %s on %s, %d layers", spec.identifier, benchmark, len(chosen))
    with activations.recording() as seen:
        result_score = neural_nlp.score(benchmark=benchmark, model=spec.identifier, layers=chosen)
    if activations_output:
        wrapper = pool.implementations().model_pool[spec.identifier]
        activations.write_npz(activations_output, activations.scored(benchmark, wrapper, chosen, seen))
    info = pool.LOADED.get(spec.identifier, {})
    result = convert.score_to_result(
        result_score, benchmark=benchmark, model=model_entry(spec), layers=chosen,
        n_features=info.get("hidden_size") or spec.hidden_size,
        ceiling=stored_ceiling(neural_nlp, result_score, benchmark),
        provenance={"versions": provenance.versions(), "data": provenance.data_files(benchmark),
                    "adapters": adapters.describe(tokenization), "tokenization": tokenization,
                    "created": provenance.utc_now(),
                    "command": command or os.environ.get("REPRO_COMMAND") or " ".join(
                        ["python -m repro.legacy"] + sys.argv[1:])})
    if output:
        write_json(output, result)
    return result


def write_json(path: str, payload: dict) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a result is as readable as any file the user writes
        with os.fdopen(fd, "w") as f:
            json.dump(payload, f, indent=1, allow_nan=False)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
