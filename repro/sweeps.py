"""Sweeps: every model on every benchmark, fanned out through submitit (local processes or Slurm).

    import repro
    result = repro.sweep(["gpt2", "distilgpt2"], ["Pereira2018-encoding", "Fedorenko2016v3-encoding"],
                         executor="slurm", slurm_partition="gpu", gpus_per_job=1, output="sweep-out")

One job per (model, benchmark) cell. A per-model job would save only the model load: activations
are cached per (model, stimuli), and benchmarks do not share stimuli, so nothing else is reused
across a model's benchmarks. Per-cell jobs run in parallel, and a pre-empted job loses one cell
at most; when it is re-queued (submitit checkpointing) it finds its activations in the shared
cache and only redoes the cross-validation.

Layout of the output folder (every file written atomically, so a killed job leaves no partial one):
  cells/<model>/<benchmark>.json   one result per cell (+ .per_neuroid.npz); present = finished
  jobs/                            submitit's pickles and logs, one folder per Slurm/local job
  results.csv, results.json        every cell, written at the end
  table.md, report/                Markdown table; the HTML report (repro.reporting)
A rerun with the same output folder skips finished cells.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import atomic_write_text
from .errors import EngineError, InputError
from .paths import cache_base, slug
from .tables import grid

log = logging.getLogger("repro")

EXECUTORS = ("local", "slurm")
SCHEMA = "repro.sweep/1"
# passed to every job explicitly: a Slurm job may start on another node, under another login environment
_ENV_KEYS = ("REPRO_CACHE_DIR", "REPRO_NEURAL_NLP_HOME", "BRAINIO_HOME", "REPRO_OFFLINE", "REPRO_QUIET",
             "HF_HOME", "HF_HUB_CACHE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "OMP_NUM_THREADS",
             "MKL_NUM_THREADS")
CSV_FIELDS = ("model", "benchmark", "suite", "status", "best_layer", "score", "score_error", "raw",
              "ceiling", "conditioning", "n_layers", "result", "error", "score_ci_low", "score_ci_high")


def _safe(name: str) -> str:
    return slug(name, default="model")


def _model_slug(model: str) -> str:
    """Folder name of a model's cells: the id for hub/registered ids, name + hash for local paths."""
    path = Path(model).expanduser()
    if path.exists():
        digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:8]
        return f"{_safe(path.stem if path.is_file() else path.name)}-{digest}"
    return _safe(model.replace("/", "--"))


@dataclass(frozen=True)
class Cell:
    label: str  # the model as the user named it (rows of the table)
    benchmark: str
    model: str | None  # absolute path for local folders, else the id
    activations: str | None
    path: Path  # result JSON

    @property
    def name(self) -> str:
        return f"{self.label} x {self.benchmark}"

    def result(self) -> dict | None:
        """The cell's finished result (a complete result file for this benchmark), else None."""
        if not self.path.is_file():
            return None
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None
        from .results import SCHEMA

        return data if data.get("schema") == SCHEMA and data.get("benchmark") == self.benchmark else None

    def finished(self) -> bool:
        return self.result() is not None


class CellJob:
    """The function a job runs: score one cell into its result file (skips a finished cell).

    ``checkpoint`` makes submitit re-queue the job when it is pre-empted or times out; the rerun
    reuses the activation cache, so only the cross-validation is redone.
    """

    def __init__(self, cell: Cell, score_kwargs: dict, env: dict, after_extract: Callable[[Cell], None] | None = None):
        self.cell = cell
        self.score_kwargs = score_kwargs
        self.env = env
        self.after_extract = after_extract  # runs in the job between extraction and scoring (must pickle)

    def __call__(self) -> dict:
        os.environ.update(self.env)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s: %(message)s", stream=sys.stderr)
        logging.getLogger("repro").setLevel(logging.INFO)
        cell = self.cell
        if cell.finished():
            log.info("sweep: %s already finished", cell.name)
            return {"cell": cell.name, "skipped": True}
        import socket

        log.info("sweep: scoring %s (pid %d on %s)", cell.name, os.getpid(), socket.gethostname())
        from . import api

        if cell.model is not None:
            # the expensive, resumable part first: a pre-empted job's rerun finds the activations cached
            api.extract(cell.benchmark, cell.model, **self.score_kwargs)
            log.info("sweep: activations cached for %s", cell.name)
            if self.after_extract is not None:
                self.after_extract(cell)
        result = api.score(cell.benchmark, model=cell.model, activations=cell.activations, output=str(cell.path),
                           **self.score_kwargs)
        log.info("sweep: wrote %s", cell.path)
        return {"cell": cell.name, "skipped": False, "best_layer": result.best_layer}

    def checkpoint(self, *args, **kwargs):
        import submitit

        return submitit.helpers.DelayedSubmission(self, *args, **kwargs)


def _submitit():
    try:
        import submitit
    except ImportError as exc:
        raise InputError("repro sweep needs submitit: pip install 'repro[sweep]' (or pip install submitit)") from exc
    return submitit


def _absolute(model: str) -> str:
    path = Path(model).expanduser()
    return str(path.resolve()) if path.exists() else model


def plan(models: Sequence[str], benchmarks: Sequence[str], output: str | os.PathLike,
         activations: dict[str, dict[str, str]] | None = None, tokenization: str | None = None) -> list[Cell]:
    """The cells of a sweep: every model x every benchmark, plus precomputed activations per label.
    A non-default ``tokenization`` gets its own result files (``<benchmark>__<tokenization>.json``)."""
    from .benchmarks import get_benchmark
    from .models.tokenization import DEFAULT, for_benchmark

    out = Path(output).resolve()
    models = [m for m in models if m]
    benchmarks = [b for b in benchmarks if b]
    if not benchmarks:
        raise InputError("give at least one benchmark (--benchmarks A,B)")
    if not models and not activations:
        raise InputError("give at least one model (--models A,B)")
    for b in benchmarks:
        # unknown ids (with suggestions) and --tokenization on a BSL benchmark fail before anything is submitted
        for_benchmark(tokenization, get_benchmark(b))
    tail = f"__{tokenization}" if tokenization not in (None, DEFAULT) else ""
    cells = []
    for m in models:
        for b in benchmarks:
            cells.append(Cell(m, b, _absolute(m), None, out / "cells" / _model_slug(m) / f"{_safe(b)}{tail}.json"))
    for label, per_bench in (activations or {}).items():
        for b, npz in per_bench.items():
            get_benchmark(b)
            path = Path(npz).expanduser()
            if not path.is_file():
                raise InputError(f"activations file {npz} for {label} on {b} does not exist")
            cells.append(Cell(label, b, None, str(path.resolve()),
                              out / "cells" / f"{_safe(label)}-activations" / f"{_safe(b)}{tail}.json"))
    names = [c.name for c in cells]
    if len(set(names)) != len(names):
        raise InputError("the same model and benchmark appear twice in the sweep; list each once")
    return cells


def _job_env(cache_dir: str | None, offline: bool | None, cpus_per_job: int) -> dict:
    env = {k: os.environ[k] for k in _ENV_KEYS if k in os.environ}
    # jobs on other hosts must agree on one absolute cache base
    env["REPRO_CACHE_DIR"] = str(cache_base(cache_dir).resolve())
    if offline:
        env.update(REPRO_OFFLINE="1", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    env.setdefault("OMP_NUM_THREADS", str(cpus_per_job))
    env.setdefault("MKL_NUM_THREADS", str(cpus_per_job))
    env.setdefault("REPRO_QUIET", "1")  # no progress bars in job logs
    return env


@dataclass
class SweepResult:
    output: Path
    rows: list[dict]
    csv: Path
    json: Path
    table_md: Path
    report: Path | None = None

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.rows if r["status"] != "done"]

    def table(self) -> str:
        return self.table_md.read_text()


@dataclass
class SweepRun:
    """Submitted sweep; ``wait()`` drives it to the end (resubmitting failed cells) and collects."""

    cells: list[Cell]
    executor: object
    cluster: str
    output: Path
    score_kwargs: dict
    env: dict
    max_parallel: int
    retries: int
    quiet: bool = False
    jobs: dict = field(default_factory=dict)  # cell name -> submitit job (latest attempt)
    attempts: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    _queue: list = field(default_factory=list)
    _gone_since: dict = field(default_factory=dict)
    after_extract: Callable[[Cell], None] | None = None
    gone_grace_s: float = 15.0  # a finished job's result pickle can show up late on a cluster's shared disk

    def _submit(self, cells: list[Cell]) -> None:
        if not cells:
            return
        fns = [CellJob(c, self.score_kwargs, self.env, self.after_extract) for c in cells]
        with self.executor.batch():
            futures = [self.executor.submit(fn) for fn in fns]
        for c, job in zip(cells, futures):
            self.jobs[c.name] = job
            self.attempts[c.name] = self.attempts.get(c.name, 0) + 1
            self._say(f"submitted {c.name} as job {job.job_id}")

    def _say(self, msg: str) -> None:
        if not self.quiet:
            print(f"sweep: {msg}", file=sys.stderr, flush=True)

    def _running(self) -> list[Cell]:
        return [c for c in self.cells if c.name in self.jobs]

    def _fill(self) -> None:
        free = self.max_parallel - len(self._running()) if self.max_parallel else len(self._queue)
        if free > 0 and self._queue:
            batch, self._queue = self._queue[:free], self._queue[free:]
            self._submit(batch)

    def _slurm_gone(self, job) -> bool:
        """True once Slurm no longer lists the job (without slurmdbd, sacct cannot tell submitit)."""
        try:
            out = subprocess.run(["squeue", "-h", "-j", str(job.job_id), "-o", "%T"], capture_output=True,
                                 text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return False
        if out.returncode == 0 and out.stdout.strip():
            self._gone_since.pop(job.job_id, None)
            return False
        first = self._gone_since.setdefault(job.job_id, time.monotonic())
        return time.monotonic() - first > self.gone_grace_s

    def _finish(self, cell: Cell, job) -> None:
        del self.jobs[cell.name]
        self._gone_since.pop(job.job_id, None)
        if cell.finished():
            self._say(f"finished {cell.name}")
            return
        reason = f"job {job.job_id} ended without a result (killed or its node lost); see {job.paths.stderr}"
        if job.paths.result_pickle.exists():  # otherwise job.exception() would wait forever
            exc = job.exception()
            if exc is not None:
                reason = str(exc).strip().splitlines()[-1]
        if self.attempts.get(cell.name, 0) <= self.retries:
            self._say(f"{cell.name} failed ({reason}); resubmitting")
            self._queue.append(cell)
        else:
            self.errors[cell.name] = reason
            self._say(f"{cell.name} failed: {reason}")

    def _done(self, job) -> bool:
        if self.cluster == "slurm":
            # not job.done(): it polls sacct, which fails on clusters without slurmdbd
            return job.paths.result_pickle.exists() or self._slurm_gone(job)
        return job.done()

    def wait(self, poll_s: float = 1.0) -> SweepResult:
        self._fill()
        while self.jobs or self._queue:
            for cell in self._running():
                job = self.jobs[cell.name]
                if self._done(job):
                    self._finish(cell, job)
            self._fill()
            if self.jobs:
                time.sleep(poll_s)
        return collect(self.cells, self.output, self.errors)


def sweep(models: Sequence[str], benchmarks: Sequence[str], executor: str = "local",
          output: str | os.PathLike = "sweep", slurm_partition: str | None = None, gpus_per_job: int = 0,
          cpus_per_job: int = 1, mem_gb: float | None = None, timeout_min: int = 240,
          max_parallel: int | None = None, retries: int = 1,
          activations: dict[str, dict[str, str]] | None = None, data_dir: str | None = None,
          cache_dir: str | None = None, offline: bool | None = None, layers: list[str] | None = None,
          solver: str = "exact", device: str | None = None, dtype: str = "float32", batch_size: int = 8,
          tokenization: str | None = None, slurm_additional_parameters: dict | None = None, wait: bool = True,
          quiet: bool = False, after_extract: Callable[[Cell], None] | None = None):
    """Score every model on every benchmark, one submitit job per cell; returns a SweepResult.

    executor: ``local`` (subprocesses on this machine, at most ``max_parallel`` at once, default
    half the cores) or ``slurm`` (one job array; ``max_parallel`` caps running tasks). Finished
    cells in ``output`` are skipped; failed cells are resubmitted ``retries`` times. With
    ``wait=False`` returns the SweepRun (``.jobs``, ``.wait()``). ``after_extract(cell)`` runs inside
    each model cell's job once its activations are cached (a picklable callable; e.g. a pause point).
    ``tokenization``: legacy benchmarks' semantics (paper | seed); a sweep that names it cannot hold
    Brain-Score Language benchmarks.
    """
    if executor not in EXECUTORS:
        raise InputError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
    if gpus_per_job < 0 or cpus_per_job < 1:
        raise InputError("--gpus-per-job must be >= 0 and --cpus-per-job >= 1")
    out = Path(output).expanduser().resolve()
    cells = plan(models, benchmarks, out, activations, tokenization)
    device = device or ("cuda" if gpus_per_job else "cpu")
    score_kwargs = {"data_dir": str(Path(data_dir).expanduser().resolve()) if data_dir else None,
                    "offline": offline, "layers": list(layers) if layers else None, "solver": solver,
                    "device": device, "dtype": dtype, "batch_size": batch_size, "tokenization": tokenization,
                    "quiet": True}
    score_kwargs = {k: v for k, v in score_kwargs.items() if v is not None}
    from .api import ScoreConfig, check_config

    for c in cells:  # the jobs build the same ScoreConfig: a bad option fails here, before any job starts
        check_config(ScoreConfig(benchmark=c.benchmark, model=c.model, activations=c.activations, **score_kwargs))
    env = _job_env(cache_dir, offline, cpus_per_job)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "sweep.json", json.dumps({
        "schema": SCHEMA, "models": list(models), "benchmarks": list(benchmarks),
        "activations": activations or {}, "executor": executor, "score": score_kwargs,
        "env": {k: v for k, v in env.items() if k.startswith(("REPRO_", "HF_", "TRANSFORMERS_"))}}, indent=1) + "\n")

    submitit = _submitit()
    ex = submitit.AutoExecutor(folder=out / "jobs", cluster=executor)
    params = {"timeout_min": timeout_min, "cpus_per_task": cpus_per_job, "name": "repro-sweep"}
    if gpus_per_job:
        params["gpus_per_node"] = gpus_per_job
    if mem_gb:
        params["mem_gb"] = mem_gb
    if executor == "slurm":
        if slurm_partition:
            params["slurm_partition"] = slurm_partition
        if max_parallel:
            params["slurm_array_parallelism"] = max_parallel
        if slurm_additional_parameters:
            params["slurm_additional_parameters"] = dict(slurm_additional_parameters)
    else:
        max_parallel = max_parallel or max(1, (os.cpu_count() or 1) // (2 * cpus_per_job))
    try:
        ex.update_parameters(**params)
    except (NameError, TypeError, ValueError) as exc:
        raise InputError(f"submitit rejected the job parameters: {exc}") from exc

    todo = [c for c in cells if not c.finished()]
    # Slurm throttles the array itself; local jobs are started at most max_parallel at a time
    run = SweepRun(cells, ex, executor, out, score_kwargs, env, max_parallel if executor == "local" else 0,
                   retries, quiet)
    run.after_extract = after_extract
    run.skipped = [c.name for c in cells if c not in todo]
    if run.skipped:
        run._say(f"{len(run.skipped)} of {len(cells)} cells already finished in {out}; skipping them")
    run._queue = list(todo)
    try:
        run._fill()
    except FileNotFoundError as exc:  # sbatch missing
        raise EngineError(f"cannot submit to Slurm ({exc.filename} not found); run on a login node or use --executor local") from exc
    except Exception as exc:
        if type(exc).__name__ == "FailedJobError" or isinstance(exc, subprocess.CalledProcessError):
            raise EngineError(f"Slurm refused the jobs: {str(exc).strip().splitlines()[-1]}") from exc
        raise
    return run.wait() if wait else run


# -- collecting ---------------------------------------------------------------------------------
def _row(cell: Cell, output: Path, error: str | None) -> dict:
    row = dict.fromkeys(CSV_FIELDS, "")
    row.update(model=cell.label, benchmark=cell.benchmark)
    data = cell.result()
    if data is not None:
        best = data["best_layer"]
        row.update(suite=data["suite"], status="done", best_layer=best["layer"], score=best["score_center"],
                   score_error=best["score_error"], raw=best.get("raw_center"), ceiling=data["ceiling"]["center"],
                   n_layers=len(data["layers"]), result=str(cell.path.relative_to(output)))
        best_cond = next((ls.get("conditioning") for ls in data["layers"] if ls["layer"] == best["layer"]), None)
        row["conditioning"] = (best_cond or {}).get("conditioning", "")
        ci = best.get("score_ci") or ("", "")  # repro.stats bootstrap interval (absent in older results)
        row.update(score_ci_low=ci[0], score_ci_high=ci[1])
        row["layers"] = [{k: ls.get(k) for k in ("layer", "score_center", "score_error", "raw_center", "conditioning",
                                                 "score_ci")}
                         for ls in data["layers"]]
    else:
        row.update(status="failed" if error else "missing", error=error or "")
    return row


def _fmt(x) -> str:
    return "" if x in ("", None) else f"{x:.4f}"


def markdown_table(rows: list[dict]) -> str:
    models = list(dict.fromkeys(r["model"] for r in rows))
    benches = list(dict.fromkeys(r["benchmark"] for r in rows))
    by = {(r["model"], r["benchmark"]): r for r in rows}

    def cell(r) -> str:
        if r is None:
            return ""
        if r["status"] != "done":
            return r["status"]
        err = f" ± {_fmt(r['score_error'])}" if r["score_error"] not in ("", None) else ""
        ill = " †" if r.get("conditioning") == "ill" else ""
        ci = f" [{_fmt(r['score_ci_low'])}, {_fmt(r['score_ci_high'])}]" if r.get("score_ci_low") not in ("", None) else ""
        return f"{_fmt(r['score'])}{err}{ci} ({r['best_layer']}){ill}"

    lines = ["| model | " + " | ".join(benches) + " |", "|---" * (len(benches) + 1) + "|"]
    lines += [f"| {m} | " + " | ".join(cells) + " |" for m, cells in grid(by, models, benches, cell)]
    return ("\n".join(lines) + "\n\nScore of the best layer ± its error across splits, [95 % bootstrap interval] "
            "(best layer in brackets). "
            "†: ill-conditioned layer (features >= training samples, or rank deficient): the original code's own "
            "answer moves with the BLAS kernel and thread count (see each result's `conditioning`).\n")


def _html_report(paths: list[str], output: Path) -> Path | None:
    from .reporting import report as make_report

    made = make_report(paths, str(output / "report"))
    return Path(made) if isinstance(made, str | os.PathLike) else output / "report"


def collect(cells: list[Cell], output: str | os.PathLike, errors: dict | None = None,
            report: bool = True) -> SweepResult:
    """Write results.csv/json, table.md and (if available) the HTML report for the cells."""
    output = Path(output)
    errors = errors or {}
    rows = [_row(c, output, errors.get(c.name)) for c in cells]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    atomic_write_text(output / "results.csv", buf.getvalue())
    atomic_write_text(output / "results.json", json.dumps({"schema": SCHEMA, "cells": rows}, indent=1) + "\n")
    atomic_write_text(output / "table.md", markdown_table(rows))
    html = None
    done = [str(c.path) for c, r in zip(cells, rows) if r["status"] == "done"]
    if report and done:
        html = _html_report(done, output)
    return SweepResult(output, rows, output / "results.csv", output / "results.json", output / "table.md", html)
