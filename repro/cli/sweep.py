"""repro sweep: every model on every benchmark, one job per cell (local processes or Slurm via submitit).

Results go to --output (one JSON per cell, written atomically); rerunning the same command skips
finished cells, and a pre-empted Slurm job is re-queued and resumes from the activation cache. At
the end: results.csv, results.json, table.md and the HTML report (when available) in --output.
"""

from __future__ import annotations

import sys

from .common import add_data_options, add_run_options, add_solver_option, add_tokenization_option

EXAMPLES = """examples:
  repro sweep --models gpt2,distilgpt2 --benchmarks Pereira2018-encoding,Fedorenko2016v3-encoding --output sweep-out
  repro sweep --models gpt2,gpt2-medium --benchmarks Pereira2018-encoding --executor slurm \\
      --slurm-partition gpu --gpus-per-job 1 --output /scratch/$USER/sweep
"""


def _csv(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def add_parser(sub) -> None:
    p = sub.add_parser("sweep", help="score many models on many benchmarks (local or Slurm jobs)",
                       description=__doc__, epilog=EXAMPLES)
    p.add_argument("--models", required=True, type=_csv,
                   help="comma-separated model ids (registered, Hugging Face or local folders)")
    p.add_argument("--benchmarks", required=True, type=_csv, help="comma-separated benchmark ids")
    p.add_argument("--output", default="sweep", help="output folder (default: ./sweep); reuse it to resume")
    g = p.add_argument_group("jobs")
    g.add_argument("--executor", default="local", choices=["local", "slurm"],
                   help="local: subprocesses on this machine; slurm: a job array through sbatch (default: local)")
    g.add_argument("--slurm-partition", help="Slurm partition (default: the cluster's default partition)")
    g.add_argument("--gpus-per-job", type=int, default=0, help="GPUs per job (default: 0; >0 implies --device cuda)")
    g.add_argument("--cpus-per-job", type=int, default=1, help="CPU cores per job (default: 1)")
    g.add_argument("--mem-gb", type=float, help="memory per job in GB (default: the partition's default)")
    g.add_argument("--timeout-min", type=int, default=240,
                   help="time limit per job in minutes; a job that hits it is re-queued up to 3 times (default: 240)")
    g.add_argument("--max-parallel", type=int,
                   help="jobs running at once (default: half the cores locally, unlimited on Slurm)")
    g.add_argument("--retries", type=int, default=1, help="resubmit a failed cell this many times (default: 1)")
    m = p.add_argument_group("scoring")
    m.add_argument("--layers", nargs="+", metavar="LAYER", help="score only these layers (default: all)")
    add_solver_option(m, "regression numerics (see `repro score --help`)")
    add_run_options(m, None, "cpu, cuda, ... (default: cuda with --gpus-per-job, else cpu)")
    add_tokenization_option(m)
    add_data_options(p)
    p.set_defaults(run=run)


def run(args) -> int:
    from ..sweeps import sweep

    result = sweep(args.models, args.benchmarks, executor=args.executor, output=args.output,
                   slurm_partition=args.slurm_partition, gpus_per_job=args.gpus_per_job,
                   cpus_per_job=args.cpus_per_job, mem_gb=args.mem_gb, timeout_min=args.timeout_min,
                   max_parallel=args.max_parallel, retries=args.retries, data_dir=args.data_dir,
                   cache_dir=args.cache_dir, offline=args.offline, layers=args.layers, solver=args.solver,
                   device=args.device, dtype=args.dtype, batch_size=args.batch_size,
                   tokenization=args.tokenization, quiet=args.quiet)
    print(result.table(), end="")
    print(f"wrote {result.csv}, {result.json}" + (f" and {result.report}" if result.report else ""), file=sys.stderr)
    if result.failed:
        print(f"{len(result.failed)} cell(s) failed; see {result.output / 'jobs'} and rerun the same command "
              "to retry them", file=sys.stderr)
        return 1
    return 0
