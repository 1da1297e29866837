"""Runs the legacy contract tests under the Python 3.8 venv that docker/ci-checks.sh creates (.venv38)."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PY38 = ROOT / ".venv38" / "bin" / "python"


@pytest.mark.py38
def test_contract_tests_pass_under_python_3_8():
    if not PY38.exists():
        pytest.skip("no .venv38: docker/ci-checks.sh creates it from tests/legacy/requirements-py38.txt")
    version = subprocess.run([str(PY38), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=60).stdout.strip()
    assert version == "3.8"
    proc = subprocess.run([str(PY38), "-m", "pytest", "-q", "--confcutdir=tests/legacy", "-p", "no:cacheprovider",
                           "tests/legacy/test_contract_registration.py", "tests/legacy/test_contract_score.py"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert " passed" in proc.stdout
