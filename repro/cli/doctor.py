"""repro doctor: versions, devices, cache locations and sizes, reachability of the data and model hosts,
and the offline switches in effect. Paste its output into bug reports."""

from __future__ import annotations

import json

EXAMPLES = """examples:
  repro doctor
  repro doctor --no-network            # skip the reachability checks
  repro doctor --json > doctor.json
"""


def add_parser(sub) -> None:
    p = sub.add_parser("doctor", help="environment report (versions, devices, caches, network)",
                       description=__doc__, epilog=EXAMPLES)
    p.add_argument("--no-network", action="store_true", help="do not contact the data and model hosts")
    p.add_argument("--timeout", type=float, default=3.0, help="seconds per host check (default: 3)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..doctor import diagnose, format_report

    rep = diagnose(network=not args.no_network, timeout=args.timeout)
    print(json.dumps(rep, indent=1) if args.json else format_report(rep))
    return 0
