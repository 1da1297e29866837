"""repro compare: is result A better than result B? A paired test on the same benchmark and folds.

Both results must come from the same data (sha1s), folds, suite and bootstrap draws (`repro score`
with the same --bootstrap/--bootstrap-seed). The difference A - B of the chosen layers (default: each
result's best layer) gets a 95 % interval and a p-value from the paired bootstrap over stimuli, plus
a sign-flip permutation test over subjects. Two folders are paired by benchmark, with Holm's
correction over the benchmarks. Writes JSON (--output) and a Markdown table next to it.
"""

from __future__ import annotations

import json
import sys

EXAMPLES = """examples:
  repro compare gpt2.json distilgpt2.json --output gpt2-vs-distilgpt2.json
  repro compare gpt2.json gpt2.json --layer-a encoder.h.6 --layer-b encoder.h.11
  repro compare results/gpt2/ results/control-oasm/ --output gpt2-vs-oasm.json
"""


def add_parser(sub) -> None:
    p = sub.add_parser("compare", help="paired comparison of two results (difference, 95%% CI, p-value)",
                       description=__doc__, epilog=EXAMPLES)
    p.add_argument("a", metavar="A", help="result JSON (or a folder of them)")
    p.add_argument("b", metavar="B", help="result JSON (or a folder of them) to compare A with")
    p.add_argument("--layer-a", help="layer of A (default: its best layer)")
    p.add_argument("--layer-b", help="layer of B (default: its best layer)")
    p.add_argument("--quantity", default="score", choices=["score", "raw"],
                   help="normalised score (default) or raw score")
    p.add_argument("--output", help="JSON file to write (a .md table goes next to it)")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..stats.compare import compare, markdown

    result = compare(args.a, args.b, layer_a=args.layer_a, layer_b=args.layer_b, quantity=args.quantity,
                     output=args.output)
    print(markdown(result))
    if args.output:
        print(f"wrote {args.output}", file=sys.stderr)
    elif args.verbose:
        print(json.dumps(result, indent=1), file=sys.stderr)
    return 0
