"""repro activations: a model's activations on a benchmark's stimuli, as an .npz file."""

from __future__ import annotations

from .common import (
    add_data_options,
    add_layers_option,
    add_model_options,
    add_tokenization_option,
    config_kwargs,
)

EXAMPLES = """examples:
  repro activations --model gpt2 --benchmark Pereira2018-encoding --output gpt2-pereira.npz
  repro activations --model ./my-model --benchmark Blank2014-linear-shuffle --output acts.npz --device cuda
"""


def add_parser(sub) -> None:
    p = sub.add_parser("activations", help="extract activations (all layers, one pass per context stream)",
                       description=__doc__, epilog=EXAMPLES)
    p.add_argument("--benchmark", required=True, help="benchmark whose stimuli and context rule to use")
    add_model_options(p, required=True)
    add_layers_option(p)
    add_tokenization_option(p)
    add_data_options(p)
    p.add_argument("--output", required=True, help="where to write the .npz")
    p.set_defaults(run=run)


def run(args) -> int:
    from .. import api

    acts = api.extract(args.benchmark, args.model, output=args.output, **config_kwargs(args))
    print(f"wrote {args.output}: {len(acts.stimulus_id)} stimuli x {len(acts.layers)} layers "
          f"({'cache hit' if acts.meta.get('cache_hit') else 'computed'})")
    return 0
