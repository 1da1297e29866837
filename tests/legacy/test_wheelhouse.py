"""docker/wheelhouse.py without the network: completeness against the pin files, the manifest, verify, stage."""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT.parent / "shared" / "vendor" / "legacy-src"
spec = importlib.util.spec_from_file_location("wheelhouse", ROOT / "docker" / "wheelhouse.py")
wheelhouse = importlib.util.module_from_spec(spec)
spec.loader.exec_module(wheelhouse)


def _fill(dest: Path, pin_files) -> None:
    """One file per pin, named as pip names wheels (the manifest logic never opens a wheel)."""
    for pin_file in pin_files:
        for name, version in wheelhouse.read_pins(pin_file)[0].items():
            (dest / f"{name.replace('-', '_')}-{version}-py3-none-any.whl").write_bytes(f"{name}{version}".encode())


@pytest.fixture
def house(tmp_path):
    if not SOURCES.is_dir():
        pytest.skip(f"no source snapshots at {SOURCES}")
    dest = tmp_path / "wheelhouse"
    dest.mkdir()
    pins = [wheelhouse.LOCK, *wheelhouse.torch_pin_files(["pypi"]), wheelhouse.ENVIRONMENT]
    _fill(dest, pins)
    (dest / "torch-2.0.0-py3-none-any.whl").write_bytes(b"a wheel of no pin: left out of the manifest")
    wheelhouse.copy_sources(SOURCES, dest / wheelhouse.SOURCES_DIR)
    wheelhouse.write_manifest(dest, wheelhouse.check_complete(pins, dest))
    return dest


def test_environment_yml_gives_the_pip_and_wheel_of_the_conda_env():
    assert set(wheelhouse.read_pins(wheelhouse.ENVIRONMENT)[0]) == {"pip", "wheel"}


def test_a_missing_pin_is_named(tmp_path):
    _fill(tmp_path, [wheelhouse.LOCK])
    next(tmp_path.glob("numpy-*.whl")).unlink()
    with pytest.raises(wheelhouse.WheelhouseError, match=r"numpy==1\.23\.5"):
        wheelhouse.check_complete([wheelhouse.LOCK], tmp_path)


def test_manifest_verify_and_stage(house, tmp_path):
    sums = (house / "SHA256SUMS").read_text()
    assert "legacy-src/MANIFEST.tsv" in sums and "torch-1.13.1-py3-none-any.whl" in sums
    assert "torch-2.0.0" not in sums
    assert subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=house).returncode == 0
    assert wheelhouse.verify(house) == 0
    into = tmp_path / "ctx" / "wheelhouse"
    wheelhouse.stage(house, "pypi", into)
    staged = {p.name for p in into.glob("*.whl")}
    assert staged == {p.name for p in house.glob("*.whl")} - {"torch-2.0.0-py3-none-any.whl"} and "torch-1.13.1-py3-none-any.whl" in staged
    assert (into / "legacy-src" / "MANIFEST.tsv").is_file()
    next(house.glob("scipy-*.whl")).write_bytes(b"changed")
    with pytest.raises(wheelhouse.WheelhouseError, match="scipy"):
        wheelhouse.verify(house)


def test_sources_at_another_commit_are_refused_before_any_download(tmp_path):
    if not SOURCES.is_dir():
        pytest.skip(f"no source snapshots at {SOURCES}")
    src = tmp_path / "src"
    shutil.copytree(SOURCES, src)
    manifest = src / "MANIFEST.tsv"
    manifest.write_text(manifest.read_text().replace("c9da2c29777ca9df650740145f1f4a375ccac961", "d1c1ed5d" + "0" * 32))
    proc = subprocess.run([sys.executable, str(ROOT / "docker" / "wheelhouse.py"), "build", "--sources", str(src),
                           "--dest", str(tmp_path / "wh")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "nltk_contrib" in proc.stderr
    assert not any((tmp_path / "wh").glob("*.whl"))
