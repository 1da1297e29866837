"""The deviation drivers run the ORIGINAL packages; on the golden inputs they must give the golden
numbers exactly (single-threaded BLAS, the goldens' configuration). Each needs its real stack:
.venv-bsl (`make bsl-env`) or .venv-legacy (`make legacy-env`); without it the test says so and skips."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ONE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def _python(venv: str, make: str) -> str:
    py = ROOT / venv / "bin/python"
    if not py.exists():
        pytest.skip(f"no {venv} (build it with `make {make}`)")
    return str(py)


def _drive(python, driver, data_dir, benchmark, acts, out):
    r = subprocess.run([python, str(ROOT / "benchmarks" / driver), "--data-dir", str(data_dir), "--benchmark", benchmark,
                        "--activations", str(acts), "--output", str(out)], env={**os.environ, **ONE_THREAD},
                       capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(out.read_text())["variants"][acts.name]["layers"]


@pytest.mark.slow
def test_bsl_driver_reproduces_the_golden_pereira_243(tmp_path, golden):
    python = _python(".venv-bsl", "bsl-env")
    bench = "Pereira2018.243sentences-linear-shuffle"
    layers = _drive(python, "deviation_bsl_driver.py", golden / "modern/data", bench,
                    golden / "inputs/activations/pereira2018.npz", tmp_path / "out.json")
    gold = json.loads((golden / "modern/results" / f"{bench}.json").read_text())["layers"]
    assert set(layers) == set(gold)
    for name, v in layers.items():
        assert v["raw"] == pytest.approx(gold[name]["raw"], abs=1e-12), name
        assert v["score"] == pytest.approx(gold[name]["score"], abs=1e-12), name


@pytest.mark.slow
def test_legacy_driver_reproduces_the_golden_fedorenko(tmp_path, golden):
    python = _python(".venv-legacy", "legacy-env")
    bench = "Fedorenko2016v3-encoding"
    layers = _drive(python, "deviation_legacy_driver.py", golden / "legacy/s3", bench,
                    golden / "inputs/activations/fedorenko2016.npz", tmp_path / "out.json")
    gold = json.loads((golden / "legacy/results" / f"{bench}.json").read_text())["layers"]
    assert set(layers) == set(gold)
    for name, v in layers.items():
        assert v["score"] == pytest.approx(gold[name]["score_center"], abs=1e-12), name
        assert v["error"] == pytest.approx(gold[name]["score_error"], abs=1e-12), name
