"""`repro bench`: repro against the real originals and the machine's GEMM floor, in one run.

    repro bench                    # full: real shapes, tiny + GPT-2-sized models end to end
    repro bench --quick            # CI smoke: small shapes, the golden tiny GPT-2 only
    repro bench --parts metric     # only the metric comparison

Parts: ``floor`` (fp32 and bf16 GEMM rate), ``metric`` (repro and each peer's metric on the same
arrays of the real shapes, alternating), ``e2e`` (each pipeline scoring the same model folder on
the golden-format data, cold caches), ``gpu`` (skipped with the reason without CUDA).
Peers: Brain-Score Language 2.3.0 in a venv the bench creates once (``--peer-dir``), the real
neural-nlp stack in ``.venv-legacy`` (``make legacy-env``; skipped with the reason without it).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from .peers import REPO

GOLDEN = REPO.parent / "shared" / "golden"
PARTS = ("floor", "metric", "e2e", "gpu")
QUICK = {"scale": 0.02, "legacy_layers": 2, "features": 64, "models": ["tiny"], "repeats": 1,
         "legacy": ["Fedorenko2016v3-encoding"], "bsl": ["Pereira2018.243sentences-linear-shuffle"]}
FULL = {"scale": 1.0, "legacy_layers": 13, "features": 768, "models": ["tiny", "gpt2-sized"], "repeats": 2,
        "legacy": None, "bsl": None}


def build_parser(p):
    p.add_argument("--quick", action="store_true", help="small shapes and the tiny model only (CI smoke test)")
    p.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    p.add_argument("--threads", type=int, default=0, help="threads for repro and every peer (default: usable cores)")
    p.add_argument("--repeats", type=int, help="alternations per metric case (default 2; --quick 1)")
    p.add_argument("--scale", type=float, help="neuroid counts of the metric cases x this (default 1; --quick 0.02)")
    p.add_argument("--models", nargs="+", choices=["tiny", "gpt2-sized"],
                   help="models end to end (default tiny gpt2-sized; --quick tiny)")
    p.add_argument("--peer-dir", default=str(Path.home() / ".cache" / "repro" / "bench"),
                   help="where the Brain-Score Language peer venv is created once (default ~/.cache/repro/bench)")
    p.add_argument("--no-create", action="store_true", help="use the peer venv only if it exists; never build it")
    p.add_argument("--legacy-python", help="python of the legacy stack (default $REPRO_LEGACY_PYTHON or ./.venv-legacy)")
    p.add_argument("--golden", default=str(GOLDEN), help="golden fixtures folder (data, tiny GPT-2, tokenizer)")
    p.add_argument("--work-dir", default=str(Path(tempfile.gettempdir()) / "repro-bench"),
                   help="random model weights and cold caches (default $TMPDIR/repro-bench)")
    p.add_argument("--output", default="benchmarks/results.json", help="JSON report (default benchmarks/results.json)")
    return p


def _check(args) -> None:
    from ..errors import InputError

    golden = Path(args.golden)
    if not (golden / "model" / "tiny-gpt2" / "config.json").is_file():
        raise InputError(f"--golden {golden}: no model/tiny-gpt2 there (the golden fixtures folder, "
                         "shared/golden next to the checkout)")
    if args.threads < 0 or (args.repeats is not None and args.repeats < 1) or (args.scale is not None and not
                                                                                0 < args.scale <= 1):
        raise InputError("--threads must be >= 0, --repeats >= 1 and --scale in (0, 1]")
    if args.output and not args.output.endswith(".json"):
        raise InputError(f"--output {args.output} must end in .json")


def environment(threads: int) -> dict:
    import numpy as np
    import torch

    return {"python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
            "cores": len(os.sched_getaffinity(0)), "threads": threads, "load_average": list(os.getloadavg()),
            "machine": platform.machine(), "processor": platform.processor()}


def run(args) -> int:
    _check(args)
    from . import e2e, gpu, metric, peers, shapes
    from .floor import gemm_rate
    from .models import SIZED, random_model
    from .report import ratios, table

    cfg = dict(QUICK if args.quick else FULL)
    if args.scale:
        cfg["scale"] = args.scale
    if args.models:
        cfg["models"] = args.models
    threads = args.threads or len(os.sched_getaffinity(0))
    os.environ.update(peers.thread_env(threads))
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(threads)
    threadpool_limits(threads)
    golden, work = Path(args.golden), Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    report: dict = {"mode": "quick" if args.quick else "full", "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "environment": environment(threads)}
    report["floor"] = {"gemm": [gemm_rate("float32", threads), gemm_rate("bfloat16", threads)]}
    rate = report["floor"]["gemm"][0]["flops_per_s"]

    need_peers = {"metric", "e2e"} & set(args.parts)
    bsl = peers.bsl_peer(Path(args.peer_dir), create=not args.no_create) if need_peers else None
    legacy = peers.legacy_peer(args.legacy_python) if need_peers else None
    report["peers"] = {k: {"name": p.name, "python": p.python, "skipped": p.skipped, "seconds_to_create": p.seconds_to_create}
                       for k, p in (("bsl", bsl), ("legacy", legacy)) if p is not None}
    drivers = {}
    try:
        for key, peer, script in (("bsl", bsl, "bsl_driver.py"), ("legacy", legacy, "legacy_driver.py")):
            if peer is not None and peer.python:
                drivers[key] = peers.Driver(peer.python, script, threads, work)
                report["peers"][key]["versions"] = drivers[key].ready
        if "metric" in args.parts:
            cases = shapes.cases(cfg["scale"], cfg["legacy_layers"], cfg["features"])
            report["metric"] = metric.bench_metric(cases, drivers, args.repeats or cfg["repeats"], work, rate)
        if "e2e" in args.parts:
            report["e2e"] = []
            for name in cfg["models"]:
                model = golden / "model" / "tiny-gpt2" if name == "tiny" else \
                    random_model(work / f"{name}-random", SIZED[name], golden / "model" / "tiny-gpt2")
                report["e2e"] += e2e.bench_e2e(name, model, drivers, report["peers"], work, threads, golden, rate,
                                               {s: cfg[s] for s in ("legacy", "bsl")})
                del model
    finally:
        for d in drivers.values():
            d.close()
    if "gpu" in args.parts:
        report["gpu"] = gpu.bench_gpu(work, golden)
    report["ratios"] = ratios(report)
    print(table(report))
    if args.output:
        from ..atomic import atomic_write_text

        out = Path(args.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out, json.dumps(report, indent=1))
        print(f"wrote {out}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--_e2e-child"]:
        from .e2e import child

        print(json.dumps(child(json.loads(argv[1]))))
        return 0
    import argparse

    return run(build_parser(argparse.ArgumentParser(prog="repro bench", description=__doc__.splitlines()[0])).parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
