"""Offline checks of the legacy engine's build files: vermin (<= 3.8), hadolint, pins, base images."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _tool(name):
    path = BIN / name if (BIN / name).exists() else shutil.which(name)
    if not path:
        pytest.skip(f"{name} is not installed (pip install -e '.[dev]')")
    return str(path)


def test_legacy_package_needs_nothing_newer_than_python_3_8():
    proc = subprocess.run([_tool("vermin"), "-t=3.8-", "--violations", "--no-tips", "repro/legacy", "tests/legacy/standin",
                           "tests/legacy/real",
                           "tests/legacy/conftest.py", "tests/legacy/legacy_fakes.py",
                           "tests/legacy/test_contract_registration.py", "tests/legacy/test_contract_score.py"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_legacy_package_imports_nothing_from_the_rest_of_repro():
    for path in (ROOT / "repro" / "legacy").glob("*.py"):
        for line in path.read_text().splitlines():
            m = re.match(r"\s*(?:from|import)\s+(repro(?:\.\w+)*)", line)
            if m:
                assert m.group(1) == "repro" or m.group(1).startswith("repro.legacy"), f"{path.name}: {line}"


@pytest.mark.parametrize("dockerfile", ["Dockerfile.cpu", "Dockerfile.cuda"])
def test_dockerfiles_pass_hadolint_and_pin_their_bases(dockerfile):
    text = (ROOT / dockerfile).read_text()
    proc = subprocess.run([_tool("hadolint"), "--failure-threshold", "info", dockerfile], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for image in re.findall(r"^ARG \w+_IMAGE=(\S+)$", text, flags=re.M):
        assert "@sha256:" in image or re.search(r":[\w.-]*\d[\w.-]*$", image), f"{image} is not an exact tag"
        assert not image.endswith(":latest")
    assert "USER 1000:1000" in text and "USE_TF=0" in text and "RESULTCACHING_HOME" in text


def test_pypi_lock_is_fully_pinned_and_consistent_with_its_inputs():
    lock = {}
    for line in (ROOT / "conda" / "requirements-py38.lock.txt").read_text().splitlines():
        spec = line.split("#")[0].strip()
        if spec:
            name, sep, version = spec.partition("==")
            assert sep and re.fullmatch(r"[\w.+-]+", version), line
            lock[name.lower().replace("_", "-")] = version
    for line in (ROOT / "conda" / "requirements-py38.in").read_text().splitlines():
        spec = line.split("#")[0].strip()
        if spec and not spec.startswith("torch=="):
            name, _, version = spec.partition("==")
            assert lock[name.lower().replace("_", "-")] == version, spec
    assert lock["scipy"].startswith("1.5.") and lock["transformers"] == "4.46.3"  # spec 11.1/11.2
    torch_cpu = (ROOT / "conda" / "torch-cpu.txt").read_text()
    torch_cuda = (ROOT / "conda" / "torch-cuda.txt").read_text()
    assert "torch==2.4.1+cpu" in torch_cpu and re.search(r"^torch==2\.4\.1\s*$", torch_cuda, flags=re.M)


def test_git_pins_cover_the_github_only_code_with_reasons():
    rows = [line.split(None, 3) for line in (ROOT / "conda" / "git-pins.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    assert [r[0] for r in rows] == ["result_caching", "brainio", "brainio_base", "brain-score", "neural-nlp",
                                    "nltk_contrib"]
    for name, url, commit, reason in rows:
        assert url.startswith("https://github.com/") and url.endswith(".git"), name
        assert re.fullmatch(r"[0-9a-f]{7,40}", commit) and len(reason) > 20, name
    commits = {r[0]: r[2] for r in rows}
    assert commits["neural-nlp"] == "6e1a989b24fff0ffd7cac67d880a94136c4b4fb5"  # spec 0.1
    assert commits["brain-score"] == "c0cbeed9a72996fcc03e1393c52bfc21850128e1"
