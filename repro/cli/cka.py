"""repro cka: layer x layer linear CKA of a model on a benchmark's stimuli (JSON + heatmap PNG/PDF).

Activations come from the activation cache when present (else the model runs once and fills it).
`repro report` draws the CKA JSON files it is given as heatmaps too.
"""

from __future__ import annotations

import sys

from .common import add_data_options, add_layers_option, add_model_options, config_kwargs

EXAMPLES = """examples:
  repro cka --model gpt2 --output results/cka                     # on the Pereira2018-encoding stimuli
  repro cka --model distilgpt2 --benchmark Fedorenko2016v3-encoding --output results/cka
  repro cka --activations acts.npz --benchmark Blank2014fROI-encoding --output results/cka
"""


def add_parser(sub) -> None:
    p = sub.add_parser("cka", help="layer x layer linear CKA heatmap of a model", description=__doc__,
                       epilog=EXAMPLES)
    p.add_argument("--benchmark", default="Pereira2018-encoding",
                   help="whose stimuli to use (default: Pereira2018-encoding)")
    p.add_argument("--activations", help="precomputed activations (.npz) instead of --model")
    add_model_options(p)
    add_layers_option(p)
    add_data_options(p)
    p.add_argument("--output", default="results/cka", help="folder for cka__<model>__<benchmark>.json/.png/.pdf "
                   "(default: results/cka)")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..reporting.cka import layer_cka

    kwargs = config_kwargs(args)
    layers = kwargs.pop("layers", None)
    if args.activations:
        kwargs = {}
    else:
        kwargs.pop("solver", None)
        kwargs.pop("ceiling_mode", None)
    result = layer_cka(args.benchmark, model=args.model, activations=args.activations, layers=layers, **kwargs)
    path, png = result.save(args.output)
    print(result.table())
    print(f"wrote {path} and {png}", file=sys.stderr)
    return 0
