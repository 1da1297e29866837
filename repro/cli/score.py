"""repro score: per-layer scores of a model (or of precomputed activations) on one benchmark."""

from __future__ import annotations

import json
import sys

from .common import (
    add_data_options,
    add_layers_option,
    add_model_options,
    add_solver_option,
    add_tokenization_option,
    config_kwargs,
)

EXAMPLES = """examples:
  repro score --model gpt2 --benchmark Pereira2018-encoding --output gpt2-pereira.json
  repro score --activations acts.npz --benchmark Blank2014fROI-encoding --data-dir ~/.neural_nlp
  repro score --model distilgpt2 --benchmark Pereira2018.243sentences-linear-shuffle --solver exact
  repro score --model gpt2 --benchmark Pereira2018-encoding --tokenization seed   # the seed report's 0.8159
  repro score --model control:oasm --benchmark Pereira2018-encoding@grouped --layer-selection nested
"""


def add_parser(sub) -> None:
    p = sub.add_parser("score", help="score a model or activations on a benchmark", description=__doc__,
                       epilog=EXAMPLES)
    p.add_argument("--benchmark", required=True, help="benchmark id (see `repro ls benchmarks`)")
    p.add_argument("--activations", help="precomputed activations (.npz: stimulus_id + one array per layer)")
    add_model_options(p)
    add_layers_option(p)
    add_tokenization_option(p)
    add_solver_option(p)
    p.add_argument("--ceiling-mode", default="positional", choices=["positional", "aligned"],
                   help="legacy Blank/Fedorenko: divide per-neuroid r by the ceiling file's rows by position "
                        "(the original behaviour, default) or aligned by neuroid_id (a correction)")
    p.add_argument("--ceiling", type=float, help="CKA/RDM benchmarks: the ceiling to normalise by (upstream "
                   "recomputes it and published none; without it only raw scores are reported)")
    p.add_argument("--engine", default="native", choices=["native", "legacy"],
                   help="native (this package) or legacy (the original neural-nlp code in the Docker image)")
    p.add_argument("--image", help="legacy engine: Docker image (default: repro-legacy:cpu)")
    g = p.add_argument_group("statistics (repro additions; point scores are unchanged)")
    g.add_argument("--bootstrap", type=int, default=200, metavar="N",
                   help="replicates of the bootstrap over held-out stimuli giving raw_ci/score_ci (default 200; 0: none)")
    g.add_argument("--bootstrap-seed", type=int, default=0, help="seed of the bootstrap draws (default 0)")
    g.add_argument("--bootstrap-method", default="linear", choices=["linear", "exact"],
                   help="r of each resample: linear (first order in the weights, fast, default) or exact")
    g.add_argument("--layer-selection", default="max", choices=["max", "nested"],
                   help="max: the suites' best layer only; nested: also the layer chosen on other folds than it is "
                        "scored on (unbiased)")
    p.add_argument("--legacy-python", metavar="PYTHON",
                   help="legacy engine without Docker: a Python 3.8 with the legacy stack, e.g. "
                        ".venv-legacy/bin/python from `make legacy-env` (also $REPRO_LEGACY_PYTHON)")
    add_data_options(p)
    p.add_argument("--output", help="result JSON to write (a .per_neuroid.npz side file goes next to it)")
    p.set_defaults(run=run)


def run(args) -> int:
    from .. import api

    result = api.score(args.benchmark, model=args.model, activations=args.activations, output=args.output,
                       engine=args.engine, image=args.image, ceiling=args.ceiling, **config_kwargs(args))
    # the legacy engine returns its container's JSON as is when it holds no layer table
    print(result.table() if "layers" in result.data else json.dumps(result.data, indent=1))
    if args.output:
        print(f"wrote {args.output}", file=sys.stderr)
    return 0
