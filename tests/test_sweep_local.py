"""repro sweep with submitit's local executor: cells, resume, pre-emption, failures, combined outputs."""

from __future__ import annotations

import csv
import json
import os
import signal
import sys
import types
from pathlib import Path

import pytest

pytest.importorskip("submitit")

from waiting import HoldWhileExists, wait_for_text

import repro  # noqa: E402
from repro import sweeps as sweep_mod  # noqa: E402
from repro.cli import main  # noqa: E402
from repro.errors import InputError, UnknownIdError  # noqa: E402
from repro.sweeps import collect, plan, sweep  # noqa: E402

FED = "Fedorenko2016v3-encoding"
PER = "Pereira2018-encoding"


def _layers(path: Path) -> list[dict]:
    data = json.loads(Path(path).read_text())
    return [{k: ls[k] for k in ("layer", "raw_center", "score_center", "score_error")} for ls in data["layers"]]


def _wait_for(path: Path, text: str, timeout: float = 120.0) -> None:
    wait_for_text(path, text, timeout)


def _preempt_local(job) -> None:
    """What a cluster does on pre-emption: SIGUSR2 to the running task. (LocalJob._interrupt signals the
    controller, which does not forward SIGUSR2.)"""
    pid = job._process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    assert children, "the local job has no running task"
    for child in children:
        os.kill(int(child), signal.SIGUSR2)


def test_plan_validates_before_submitting(tmp_path, tiny_gpt2):
    with pytest.raises(UnknownIdError, match="Pereira2018-encodng"):
        plan([str(tiny_gpt2)], ["Pereira2018-encodng"], tmp_path)
    with pytest.raises(InputError, match="at least one model"):
        plan([], [FED], tmp_path)
    with pytest.raises(InputError, match="twice"):
        plan([str(tiny_gpt2), str(tiny_gpt2)], [FED], tmp_path)
    with pytest.raises(InputError, match="unknown executor"):
        sweep([str(tiny_gpt2)], [FED], executor="kubernetes", output=tmp_path)
    cells = plan([str(tiny_gpt2), "gpt2"], [FED, PER], tmp_path)
    assert [(c.label, c.benchmark) for c in cells] == [(str(tiny_gpt2), FED), (str(tiny_gpt2), PER),
                                                        ("gpt2", FED), ("gpt2", PER)]
    assert cells[0].model == str(tiny_gpt2.resolve())  # jobs may start in another working directory
    assert cells[2].path == tmp_path / "cells" / "gpt2" / f"{FED}.json"
    assert len({c.path for c in cells}) == 4


def test_function_not_hidden_by_its_module():
    import repro.reporting  # noqa: F401 - importing the modules must not shadow the functions
    import repro.reproduction  # noqa: F401

    assert repro.sweep is sweep is sweep_mod.sweep
    assert callable(repro.report) and callable(repro.reproduce)


@pytest.mark.slow
def test_local_sweep_preempted_job_requeues_and_rerun_skips(tmp_path, tiny_gpt2, legacy_data, golden,
                                                            isolated_cache, monkeypatch):
    acts = {"golden-synthetic": {FED: str(golden / "inputs" / "activations" / "fedorenko2016.npz")}}
    kw = dict(activations=acts, output=tmp_path / "out", data_dir=str(legacy_data), quiet=True)
    hold = tmp_path / "hold"
    hold.touch()  # jobs wait between extraction and scoring while this file exists
    HoldWhileExists.by_value()
    run = sweep([str(tiny_gpt2)], [PER], max_parallel=2, wait=False, after_extract=HoldWhileExists(hold), **kw)
    assert len(run.jobs) == 2
    model_cell, acts_cell = run.cells
    job = run.jobs[model_cell.name]
    log = Path(job.paths.stderr)
    # pre-empt the model cell once its activations are cached, before it scores
    _wait_for(log, "sweep: activations cached")
    _preempt_local(job)
    _wait_for(log, "Requeued job")
    hold.unlink()
    result = run.wait()
    assert not result.failed, result.rows
    text = log.read_text()
    assert "Requeued job" in text, text[-2000:]
    assert "cache hit" in text.split("Requeued job", 1)[1]  # the re-queued run reused the activations

    # the same cells scored in this process, without any job machinery: identical numbers
    direct_model = repro.score(PER, model=str(tiny_gpt2), data_dir=str(legacy_data), quiet=True)
    direct_acts = repro.score(FED, activations=acts["golden-synthetic"][FED], data_dir=str(legacy_data), quiet=True)
    for cell, direct in ((model_cell, direct_model), (acts_cell, direct_acts)):
        assert _layers(cell.path) == [{k: ls[k] for k in ("layer", "raw_center", "score_center", "score_error")}
                                      for ls in direct.layers]

    rows = list(csv.DictReader(result.csv.open()))
    assert [(r["model"], r["benchmark"], r["status"]) for r in rows] == [
        (str(tiny_gpt2), PER, "done"), ("golden-synthetic", FED, "done")]
    assert float(rows[0]["score"]) == direct_model.best_layer["score_center"]
    combined = json.loads(result.json.read_text())
    assert combined["schema"] == "repro.sweep/1" and len(combined["cells"][0]["layers"]) == len(direct_model.layers)
    assert f"{direct_model.best_layer['score_center']:.4f}" in result.table()

    # a rerun submits nothing and leaves the finished cells untouched
    mtimes = [c.path.stat().st_mtime_ns for c in run.cells]
    again = sweep([str(tiny_gpt2)], [PER], wait=False, **kw)
    assert again.jobs == {} and again._queue == [] and len(again.skipped) == 2
    assert again.wait().rows == result.rows
    assert [c.path.stat().st_mtime_ns for c in run.cells] == mtimes


def test_failing_cell_is_retried_then_reported(tmp_path, golden, legacy_data, isolated_cache, capsys):
    # Fedorenko activations scored on Pereira: stimulus ids do not match, the job raises every time
    wrong = str(golden / "inputs" / "activations" / "fedorenko2016.npz")
    out = tmp_path / "out"
    run = sweep([], [PER], activations={"wrong": {PER: wrong}}, output=out, data_dir=str(legacy_data), retries=1,
                wait=False, quiet=True)
    result = run.wait()
    cell = run.cells[0]
    assert run.attempts[cell.name] == 2
    assert [r["status"] for r in result.rows] == ["failed"]
    assert result.rows[0]["error"] and "\n" not in result.rows[0]["error"]
    assert "failed" in result.table()
    assert not cell.path.exists()


def test_collect_uses_the_html_report_when_available(tmp_path, monkeypatch):
    cells = plan(["m1"], [FED], tmp_path)
    data = {"schema": "repro.result/1", "benchmark": FED, "suite": "neural-nlp-legacy",
            "ceiling": {"center": 0.5}, "best_layer": {"layer": "l1", "score_center": 0.25, "score_error": 0.5,
                                                        "raw_center": None},
            "layers": [{"layer": "l1", "score_center": 0.25, "score_error": 0.5, "raw_center": None}]}
    cells[0].path.parent.mkdir(parents=True)
    cells[0].path.write_text(json.dumps(data))

    calls = []
    fake = types.ModuleType("repro.reporting")

    def report(paths, output_dir):
        calls.append((list(paths), output_dir))
        Path(output_dir).mkdir(parents=True, exist_ok=True)
        return str(Path(output_dir) / "index.html")

    fake.report = report
    monkeypatch.setitem(sys.modules, "repro.reporting", fake)
    res = collect(cells, tmp_path)
    assert "| m1 | 0.2500 ± 0.5000 (l1) |" in res.table()
    assert calls == [([str(cells[0].path)], str(tmp_path / "report"))]
    assert res.report == tmp_path / "report" / "index.html"


def test_cli_sweep_reports_failures_with_exit_code(tmp_path, legacy_data, capsys):
    assert main(["sweep", "--models", "gpt2", "--benchmarks", "NoSuchBenchmark", "--output", str(tmp_path)]) == 2
    assert "NoSuchBenchmark" in capsys.readouterr().err
    from repro.cli import build_parser

    args = build_parser().parse_args(["sweep", "--models", "a, b", "--benchmarks", f"{FED},{PER}", "--executor",
                                      "slurm", "--slurm-partition", "gpu", "--gpus-per-job", "1"])
    assert args.models == ["a", "b"] and args.benchmarks == [FED, PER]
    assert (args.executor, args.slurm_partition, args.gpus_per_job) == ("slurm", "gpu", 1)
