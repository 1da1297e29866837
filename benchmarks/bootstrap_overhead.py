#!/usr/bin/env python
"""What the stimulus bootstrap (repro.stats) adds to a score's wall time, on the golden fixtures.

    python benchmarks/bootstrap_overhead.py [--repeats 3] [--n 200] [--method linear]

Scores each golden benchmark with precomputed activations with ``--bootstrap 0`` and with the
bootstrap, alternating, and prints the fastest of ``--repeats`` runs of each (in-process, so
interpreter start-up is not counted: the overhead shown is an upper bound of what a CLI run sees).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

GOLDEN = Path(__file__).resolve().parents[1] / ".." / "shared" / "golden"
CASES = [("Pereira2018-encoding", "pereira2018", "legacy/s3"), ("Blank2014fROI-encoding", "blank2014", "legacy/s3"),
         ("Fedorenko2016v3-encoding", "fedorenko2016", "legacy/s3"),
         ("Pereira2018.243sentences-linear-shuffle", "pereira2018", "modern/data"),
         ("Pereira2018.384sentences-linear-shuffle", "pereira2018", "modern/data")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n", type=int, default=200, help="bootstrap replicates (default: repro's default)")
    ap.add_argument("--method", default="linear", choices=["linear", "exact"])
    ap.add_argument("--json", help="also write the numbers here")
    args = ap.parse_args()
    import repro

    rows = []
    for bench, acts, data in CASES:
        times: dict[int, list[float]] = {0: [], args.n: []}
        cpu: dict[int, list[float]] = {0: [], args.n: []}
        for _ in range(args.repeats):
            for n in times:
                t, c = time.perf_counter(), time.process_time()
                repro.score(bench, activations=str(GOLDEN / "inputs/activations" / f"{acts}.npz"),
                            data_dir=str(GOLDEN / data), bootstrap=n, bootstrap_method=args.method, quiet=True)
                times[n].append(time.perf_counter() - t)
                cpu[n].append(time.process_time() - c)
        base, boot = min(times[0]), min(times[args.n])
        cbase, cboot = min(cpu[0]), min(cpu[args.n])
        rows.append({"benchmark": bench, "without_s": round(base, 3), "with_s": round(boot, 3),
                     "overhead_pct": round(100 * (boot - base) / base, 1),
                     "cpu_without_s": round(cbase, 3), "cpu_with_s": round(cboot, 3),
                     "cpu_overhead_pct": round(100 * (cboot - cbase) / cbase, 1)})
        print(f"{bench:<42} wall {base:6.3f} -> {boot:6.3f} s ({rows[-1]['overhead_pct']:+5.1f} %)   "
              f"cpu {cbase:6.3f} -> {cboot:6.3f} s ({rows[-1]['cpu_overhead_pct']:+5.1f} %)", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"n": args.n, "method": args.method, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
