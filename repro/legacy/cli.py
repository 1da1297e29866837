"""``python -m repro.legacy`` inside the legacy image (the Docker entrypoint runs this)."""

import argparse
import importlib
import json
import logging
import os
import sys
from typing import List, Optional

from repro.legacy import adapters, families, models, pool, provenance, runner
from repro.legacy.errors import LegacyError

BENCHMARKS = ("Pereira2018-encoding", "Blank2014fROI-encoding", "Fedorenko2016v3-encoding")


def _model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True,
                   help="short id (gpt2, pythia-70m, ...), Hugging Face id (org/name) or a model directory")
    p.add_argument("--revision", help="hub revision (branch, tag or commit) of a registered model")
    p.add_argument("--identifier", help="pool identifier to use instead of the derived one (cache key)")
    p.add_argument("--special-tokens", nargs="*", metavar="TOKEN",
                   help="tokenizer special-token strings removed during word alignment (default: per family)")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m repro.legacy", description=__doc__)
    sub = p.add_subparsers(dest="command")
    s = sub.add_parser("score", help="score a model on a legacy benchmark with the original code")
    _model_args(s)
    s.add_argument("--benchmark", required=True, help="e.g. %s" % ", ".join(BENCHMARKS))
    s.add_argument("--layers", nargs="+", help="subset of the model's layer labels (default: all)")
    s.add_argument("--output", help="write the repro.result/1 JSON here (default: stdout)")
    s.add_argument("--activations-output", metavar="NPZ",
                   help="also write the activations the benchmark regressed on (stimulus_id + one array per layer)")
    s.add_argument("--tokenization", default=adapters.DEFAULT_TOKENIZATION, choices=adapters.TOKENIZATIONS,
                   help="paper: strip each stimulus as transformers 2.3.0 did (default); seed: no strip and the "
                        "seed report's alignment guard (its 0.8159)")
    a = sub.add_parser("activations", help="the activations the benchmark regresses on, as .npz (no scoring)")
    a.add_argument("--model", required=True, help="as for score")
    a.add_argument("--identifier", help="pool identifier to use instead of the derived one (cache key)")
    a.add_argument("--benchmark", required=True, help="e.g. %s" % ", ".join(BENCHMARKS))
    a.add_argument("--layers", nargs="+", help="subset of the model's layer labels (default: all)")
    a.add_argument("--output", required=True, help="the .npz to write: stimulus_id + one array per layer")
    a.add_argument("--tokenization", default=adapters.DEFAULT_TOKENIZATION, choices=adapters.TOKENIZATIONS)
    l_ = sub.add_parser("layers", help="register a model and print its pool identifier, layers and tokens")
    _model_args(l_)
    sub.add_parser("models", help="list the models known by id")
    sub.add_parser("doctor", help="check the legacy stack imports and print versions (image build check)")
    sub.add_parser("versions", help="print the versions recorded in results")
    return p


def _print_json(obj) -> None:
    json.dump(obj, sys.stdout, indent=1, allow_nan=False)
    sys.stdout.write("\n")


def _special(args) -> Optional[tuple]:
    return tuple(args.special_tokens) if args.special_tokens is not None else None


def cmd_score(args) -> int:
    result = runner.score(args.model, args.benchmark, layers=args.layers, revision=args.revision,
                          identifier=args.identifier, special_tokens=args.special_tokens, output=args.output,
                          tokenization=args.tokenization, activations_output=args.activations_output)
    best = result["best_layer"] or {}
    logging.getLogger("repro.legacy").info("best layer %s: %s", best.get("layer"), best.get("score_center"))
    if not args.output:
        _print_json(result)
    return 0


def cmd_activations(args) -> int:
    from repro.legacy import activations
    arrays = activations.extract(args.model, args.benchmark, args.output, layers=args.layers,
                                 tokenization=args.tokenization, identifier=args.identifier)
    print("wrote %s: %d rows, layers %s" % (args.output, len(arrays["stimulus_id"]),
                                           ", ".join(k for k in arrays if k != "stimulus_id")))
    return 0


def cmd_layers(args) -> int:
    runner.import_neural_nlp()
    spec = models.resolve(args.model, args.revision, args.identifier, _special(args))
    layers = pool.register(spec)
    info = pool.LOADED.get(spec.identifier, {})
    _print_json({"identifier": spec.identifier, "hf_id": spec.hf_id, "native": spec.native, "layers": layers,
                 "special_tokens": list(_tokens_of(spec, info)), "revision": info.get("revision")})
    return 0


def _tokens_of(spec, info) -> tuple:
    if spec.special_tokens is not None:
        return spec.special_tokens
    if spec.native:
        return families.BYTE_LEVEL_BPE  # neural-nlp's own gpt2 entries pass ('ġ',)
    if "special_tokens" in info:
        return tuple(info["special_tokens"])
    # registration reads only the config; the family's tokens follow from its model_type, or from the tokenizer
    transformers = importlib.import_module("transformers")
    tokenizer = None
    if info.get("model_type") not in families.SPECIAL_TOKENS_BY_MODEL_TYPE:
        tokenizer = transformers.AutoTokenizer.from_pretrained(spec.hf_id, **pool._pretrained_kwargs(spec))
    return families.special_tokens(info.get("model_type"), tokenizer)


def cmd_models(args) -> int:
    rows = [dict(id=k, hf_id=v.hf_id, layers=v.num_hidden_layers + 1, pool="neural-nlp")
            for k, v in models.NATIVE.items()]
    rows += [dict(id=k, hf_id=v.hf_id, layers=v.num_hidden_layers + 1, pool="repro.legacy")
             for k, v in models.REGISTERED.items()]
    _print_json(rows)
    return 0


def doctor_problems() -> List[str]:
    problems = []
    if sys.version_info[:2] != (3, 8):
        problems.append("Python %d.%d, the legacy stack needs 3.8" % sys.version_info[:2])
    if os.environ.get("USE_TF") != "0":
        problems.append("USE_TF is not 0: transformers may import TensorFlow")
    try:
        import torch
        torch.zeros(2).numpy()  # the wrapper converts every hidden state with .numpy()
    except Exception as e:
        problems.append("torch/numpy bridge: %s" % e)
    try:
        neural_nlp = runner.import_neural_nlp()
        impl = pool.implementations()
        for name in ("model_pool", "model_layers", "_PytorchTransformerWrapper", "word_last", "LazyLoad"):
            if not hasattr(impl, name):
                problems.append("neural_nlp.models.implementations has no %s" % name)
        for bench in BENCHMARKS:
            if bench not in getattr(neural_nlp, "benchmark_pool", {}):
                problems.append("neural-nlp has no benchmark %s" % bench)
        for model in models.NATIVE:
            if model not in impl.model_pool:
                problems.append("neural-nlp's pool has no %s" % model)
    except Exception as e:
        problems.append("neural_nlp: %s" % e)
    return problems


def cmd_doctor(args) -> int:
    problems = doctor_problems()
    _print_json({"versions": provenance.versions(), "problems": problems})
    return 1 if problems else 0


def cmd_versions(args) -> int:
    _print_json(provenance.versions())
    return 0


COMMANDS = {"score": cmd_score, "activations": cmd_activations, "layers": cmd_layers, "models": cmd_models, "doctor": cmd_doctor,
            "versions": cmd_versions}


def main(argv: Optional[List[str]] = None) -> int:
    logging.basicConfig(level=os.environ.get("REPRO_LOG_LEVEL", "INFO"), stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    args = parser().parse_args(argv)
    if not args.command:
        parser().print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except LegacyError as e:
        print("error: %s" % e, file=sys.stderr)
        return e.exit_code
    except Exception as e:  # a bug or an upstream failure: one line; the traceback only when asked for
        logging.getLogger("repro.legacy").debug("traceback", exc_info=True)
        first = (str(e).splitlines() or [""])[0][:300]
        print("error: %s: %s (traceback: REPRO_LOG_LEVEL=DEBUG)" % (type(e).__name__, first), file=sys.stderr)
        return 1
