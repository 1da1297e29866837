"""repro reproduce: our scores next to the published ones (difference, pass/fail per row), as Markdown and CSV.

TARGET is a table (see --list), a registered model id (every published row for it) or a reference CSV file
(columns model, benchmark, layer, row, score_center[, score_error, raw_center, ceiling, compare, tokenization,
tolerance, source, note]). A row passes when |ours - published| <= its own tolerance, else 0.015 normalised
(0.005 raw). gpt2-pereira scores both tokenizations (paper vs the published 0.826375, seed vs the seed
report's 0.815898) at 0.004 each, which tells them apart (docs/why-0.8159.md), then attributes the gap.
Exit status: 0 all rows pass, 1 some row fails or is missing, 2 error (e.g. offline and a data file is missing).
"""

from __future__ import annotations

import sys

from .common import add_data_options, add_layers_option, add_run_options, add_solver_option

EXAMPLES = """examples:
  repro reproduce gpt2-pereira --output results/reproduce
  repro reproduce neural-nlp-gpt2 --output results/reproduce      # 3 legacy benchmarks, every layer
  repro reproduce gpt2-pereira --from results/legacy              # compare existing result JSONs only
  repro reproduce distilgpt2 --output results/reproduce           # every published row for a model
  repro reproduce my_refs.csv --activations Pereira2018-encoding=acts.npz --data-dir data/
  repro reproduce gpt2-pereira --activations Pereira2018-encoding=paper.npz Pereira2018-encoding@seed=seed.npz
  repro reproduce --list
"""


def add_parser(sub) -> None:
    p = sub.add_parser("reproduce", help="compare our scores with published ones (pass/fail per row)",
                       description=__doc__, epilog=EXAMPLES)
    p.add_argument("target", nargs="?", help="table name, model id or reference .csv")
    p.add_argument("--list", action="store_true", help="list the reference tables and exit")
    p.add_argument("--output", help="folder for <table>.md, <table>.csv and the result JSONs (reused on reruns)")
    p.add_argument("--from", dest="from_dir", metavar="DIR",
                   help="compare the result JSONs in DIR (e.g. from the legacy engine) without running anything")
    p.add_argument("--activations", nargs="+", metavar="[BENCH[@TOKENIZATION]=]PATH",
                   help="score these activations instead of running the model (one model per table; "
                        "BENCH@seed=PATH for rows under --tokenization seed)")
    add_layers_option(p)
    p.add_argument("--tolerance", type=float, default=None,
                   help="normalised-score tolerance for every row (default: each row's own, else 0.015)")
    p.add_argument("--raw-tolerance", type=float, default=None,
                   help="raw-score tolerance for every row (default: each row's own, else 0.005)")
    add_solver_option(p, "regression numerics (see `repro score --help`; default: exact)")
    add_run_options(p.add_argument_group("model"))
    add_data_options(p)
    p.set_defaults(run=run)


def run(args) -> int:
    from ..errors import InputError
    from ..reproduction import list_tables, reproduce

    if args.list:
        tables = list_tables()
        width = max(map(len, tables))
        for name, desc in tables.items():
            print(f"{name:<{width}}  {desc}")
        print("or: any registered model id with published rows (e.g. gpt2, distilgpt2, bert-base-uncased), "
              "or a reference .csv")
        return 0
    if not args.target:
        raise InputError("give a table name, model id or reference .csv (`repro reproduce --list` shows the tables)")
    kwargs = {k: getattr(args, k) for k in ("data_dir", "cache_dir", "offline") if getattr(args, k) is not None}
    if not args.from_dir:
        kwargs.update(device=args.device, dtype=args.dtype, batch_size=args.batch_size)
    comp = reproduce(args.target, output=args.output, from_dir=args.from_dir, activations=args.activations,
                     layers=args.layers, solver=args.solver, quiet=args.quiet,
                     tolerance=args.tolerance, raw_tolerance=args.raw_tolerance, **kwargs)
    print(comp.text())
    for f in comp.files:
        print(f"wrote {f}", file=sys.stderr)
    return 0 if comp.passed else 1
