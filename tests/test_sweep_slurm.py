"""repro sweep on a real single-node Slurm (slurm/start.sh): sbatch through submitit, pre-emption, re-queue.

The session fixture uses a Slurm that already answers, or starts one with slurm/start.sh (which installs
the Debian packages when missing) and stops it at the end. The tests skip only when Slurm cannot be
installed (no root or no apt-get).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("submitit")

from waiting import HoldWhileExists, wait_for_text

from repro.sweeps import sweep  # noqa: E402

pytestmark = [pytest.mark.slurm, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
FED = "Fedorenko2016v3-encoding"
PER = "Pereira2018-encoding"
KEYS = ("layer", "raw_center", "raw_error", "score_center", "score_error", "n_features")


def _answers(env=None) -> bool:
    try:
        ping = subprocess.run(["scontrol", "ping"], capture_output=True, text=True, timeout=20, env=env)
        nodes = subprocess.run(["sinfo", "-h", "-N", "-o", "%t"], capture_output=True, text=True, timeout=20, env=env)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "is UP" in ping.stdout and any(s.startswith(("idle", "mix", "alloc")) for s in nodes.stdout.split())


@pytest.fixture(scope="session")
def slurm(tmp_path_factory):
    if _answers():
        yield None
        return
    folder = tmp_path_factory.mktemp("slurm")
    env = dict(os.environ, REPRO_SLURM_DIR=str(folder))
    start = subprocess.run(["bash", str(ROOT / "slurm" / "start.sh")], capture_output=True, text=True, env=env,
                           timeout=900)
    if start.returncode == 3:  # the script's "cannot install" status
        pytest.skip(f"no Slurm and it cannot be installed here: {start.stderr.strip()}")
    assert start.returncode == 0, f"slurm/start.sh failed:\n{start.stdout}\n{start.stderr}"
    old = os.environ.get("SLURM_CONF")
    os.environ["SLURM_CONF"] = str(folder / "slurm.conf")
    try:
        assert _answers(), "slurm/start.sh returned but Slurm does not answer"
        yield folder
    finally:
        subprocess.run(["bash", str(ROOT / "slurm" / "stop.sh")], env=env, capture_output=True, timeout=120)
        if old is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = old


def _layers(path: Path) -> list[dict]:
    return [{k: ls.get(k) for k in KEYS} for ls in json.loads(Path(path).read_text())["layers"]]


def _wait_for(path: Path, text: str, timeout: float = 180.0) -> None:
    wait_for_text(path, text, timeout)


def test_slurm_sweep_survives_preemption_and_equals_local(slurm, tmp_path, tiny_gpt2, legacy_data, monkeypatch):
    kw = dict(data_dir=str(legacy_data), quiet=True)
    models, benches = [str(tiny_gpt2)], [FED, PER]
    monkeypatch.setenv("REPRO_CACHE_DIR", str(tmp_path / "cache-local"))
    local = sweep(models, benches, executor="local", output=tmp_path / "local", max_parallel=2, **kw)
    assert not local.failed

    # a cold cache of its own, so the Slurm jobs compute (and cache) the activations themselves;
    # jobs wait between extraction and scoring while the hold file exists
    hold = tmp_path / "hold"
    hold.touch()
    HoldWhileExists.by_value()
    run = sweep(models, benches, executor="slurm", output=tmp_path / "slurm", cache_dir=str(tmp_path / "cache-slurm"),
                wait=False, after_extract=HoldWhileExists(hold), **kw)
    assert len(run.jobs) == 2
    per = next(c for c in run.cells if c.benchmark == PER)
    job = run.jobs[per.name]
    assert "_" in job.job_id  # one Slurm array for the sweep
    log = Path(job.paths.stderr)
    _wait_for(log, "sweep: activations cached")
    job._interrupt()  # what Slurm pre-emption does: SIGTERM, then submitit's SIGUSR2 (scancel --signal)
    _wait_for(log, "Requeued job")
    hold.unlink()
    result = run.wait()
    assert not result.failed, result.rows

    text = log.read_text()
    assert "this job is preempted" in text and "Requeued job" in text, text[-3000:]
    assert "cache hit" in text.split("Requeued job", 1)[1]  # resumed from the activation cache
    state = subprocess.run(["scontrol", "show", "job", "-o", job.job_id], capture_output=True, text=True).stdout
    assert "Restarts=1" in state, state

    for cell in run.cells:
        assert _layers(cell.path) == _layers(local.output / cell.path.relative_to(run.output))
    strip = [{k: v for k, v in r.items() if k != "result"} for r in result.rows]
    assert strip == [{k: v for k, v in r.items() if k != "result"} for r in local.rows]
    assert result.table() == local.table()

    again = sweep(models, benches, executor="slurm", output=tmp_path / "slurm", wait=False, **kw)
    assert again.jobs == {} and len(again.skipped) == 2  # nothing resubmitted


def test_slurm_job_killed_outright_is_resubmitted(slurm, tmp_path, golden, legacy_data, isolated_cache):
    acts = {"golden-synthetic": {PER: str(golden / "inputs" / "activations" / "pereira2018.npz")}}
    run = sweep([], [PER], activations=acts, executor="slurm", output=tmp_path / "out", data_dir=str(legacy_data),
                retries=1, wait=False, quiet=True)
    run.gone_grace_s = 3.0  # one local disk: no shared-filesystem lag to wait out
    cell = run.cells[0]
    job = run.jobs[cell.name]
    log = Path(job.paths.stderr)
    _wait_for(log, "sweep: scoring")
    pid = int(re.search(r"sweep: scoring .* \(pid (\d+) on ", log.read_text()).group(1))
    os.kill(pid, signal.SIGKILL)  # as the OOM killer would: nothing to catch, no requeue, no result
    result = run.wait()
    assert run.attempts[cell.name] == 2
    assert run.jobs == {} and not result.failed
    assert json.loads(cell.path.read_text())["benchmark"] == PER
