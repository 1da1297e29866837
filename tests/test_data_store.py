"""Data caches of both suites, served from the golden files by a local 127.0.0.1 server (never the network)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import netCDF4
import pytest
from golden_view import GOLDEN, SOURCE
from httpserver import LocalHTTPServer

from repro.atomic import sha1_file
from repro.data import paths
from repro.data import store as store_mod
from repro.data.paths import bsl_data_dir, is_offline, legacy_data_dir, safe_name
from repro.data.sources import (
    BSL_KNOWN_SHA1,
    LEGACY_KEYS,
    bsl_assembly_filename,
    bsl_ceiling_filenames,
)
from repro.data.store import (
    LEDGER_NAME,
    DataStore,
    bsl_store,
    fetch_bsl,
    fetch_legacy,
    fetch_legacy_dataset,
    legacy_store,
)
from repro.errors import ChecksumError, DataError, OfflineError, UnknownIdError

LEGACY = GOLDEN / "legacy" / "s3"
MODERN = GOLDEN / "modern" / "data"
MODERN_SHA1 = json.loads((MODERN / "sha1.json").read_text())
BSL_PREFIX = "/brainscore-language"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    for var in ("REPRO_NEURAL_NLP_HOME", "BRAINIO_HOME", "REPRO_OFFLINE", "REPRO_LEGACY_URL", "REPRO_BSL_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # a stray default never touches the real ~/.neural_nlp
    monkeypatch.setenv("REPRO_DOWNLOAD_BACKOFF", "0")


@pytest.fixture
def legacy_server(monkeypatch):
    with LocalHTTPServer(LEGACY) as s:
        monkeypatch.setenv("REPRO_LEGACY_URL", s.url)
        yield s


@pytest.fixture
def bsl_server(monkeypatch):
    with LocalHTTPServer(MODERN, prefix=BSL_PREFIX) as s:
        monkeypatch.setenv("REPRO_BSL_URL", s.url)
        yield s


def golden_files(key: str) -> set[str]:
    return {p.name for p in LEGACY.iterdir() if p.name.startswith((f"{key}.", f"{key}-"))}


def cached_files(root: Path) -> set[str]:
    """Data files in a cache, ignoring the lock and ledger bookkeeping."""
    return {str(p.relative_to(root)) for p in root.rglob("*")
            if p.is_file() and not p.name.endswith(".lock") and p.name != LEDGER_NAME}


# -- locations --------------------------------------------------------------------------------------

def test_data_dirs_follow_argument_then_environment_then_default(monkeypatch, tmp_path):
    home = tmp_path / "home"
    assert legacy_data_dir() == home / ".neural_nlp"
    assert bsl_data_dir() == home / ".brainio"
    monkeypatch.setenv("REPRO_NEURAL_NLP_HOME", str(tmp_path / "env-legacy"))
    monkeypatch.setenv("BRAINIO_HOME", str(tmp_path / "env-bsl"))
    assert legacy_data_dir() == tmp_path / "env-legacy"
    assert bsl_data_dir() == tmp_path / "env-bsl"
    assert legacy_data_dir(tmp_path / "arg") == tmp_path / "arg"
    assert bsl_data_dir("~/x") == home / "x"


@pytest.mark.parametrize(("arg", "env", "expected"), [
    (None, None, False), (None, "1", True), (None, "Yes", True), (None, "0", False), (False, "1", False), (True, None, True),
])
def test_offline_switch_follows_argument_then_environment(monkeypatch, arg, env, expected):
    if env is not None:
        monkeypatch.setenv(paths.OFFLINE_ENV, env)
    assert is_offline(arg) is expected


def test_base_urls_can_be_overridden_but_must_stay_https(monkeypatch):
    assert legacy_store().base_url == "https://brainio-language.s3.amazonaws.com"
    assert bsl_store().base_url == "https://brainscore-storage.s3.amazonaws.com/brainscore-language"
    monkeypatch.setenv("REPRO_LEGACY_URL", "https://mirror.example.org/nlp/")
    assert legacy_store().url("Pereira2018.nc") == "https://mirror.example.org/nlp/Pereira2018.nc"
    monkeypatch.setenv("REPRO_LEGACY_URL", "http://mirror.example.org/nlp")
    with pytest.raises(DataError, match="only https"):
        legacy_store()


# -- legacy suite -----------------------------------------------------------------------------------

@pytest.mark.parametrize("data_key", sorted(LEGACY_KEYS))
def test_legacy_dataset_downloads_assembly_ceiling_and_every_nested_file(legacy_server, tmp_path, data_key):
    store = legacy_store(tmp_path / "cache", quiet=True)
    got = fetch_legacy_dataset(data_key, store=store)
    assert got == {k: tmp_path / "cache" / f"{k}.nc" for k in LEGACY_KEYS[data_key]}
    expected = golden_files(data_key)
    assert len(expected) == 5  # .nc, stimulus set, ceiling, its raw and bootstrapped_params
    assert cached_files(tmp_path / "cache") == expected
    for name in expected:
        assert store.sha1s[name] == sha1_file(LEGACY / name)
        assert (tmp_path / "cache" / name).read_bytes() == (LEGACY / name).read_bytes()
    ledger = json.loads((tmp_path / "cache" / LEDGER_NAME).read_text())
    assert ledger == {name: store.sha1s[name] for name in expected}
    assert all(status == 200 for _, status in legacy_server.log) and len(legacy_server.log) == 5


def test_unknown_legacy_data_key_suggests_the_right_one(tmp_path):
    with pytest.raises(UnknownIdError, match="'Pereira2018'"):
        fetch_legacy_dataset("Pereira2019", tmp_path)


def test_existing_legacy_cache_is_reused_without_any_request(legacy_server, tmp_path):
    cache = tmp_path / "neural_nlp"
    shutil.copytree(LEGACY, cache)
    os.chmod(cache, 0o755)
    path = fetch_legacy("Pereira2018-encoding-ceiling", cache)
    assert path == cache / "Pereira2018-encoding-ceiling.nc"
    assert legacy_server.log == []
    # first sight records the sha1s, so later loads can be verified
    assert set(json.loads((cache / LEDGER_NAME).read_text())) == {
        "Pereira2018-encoding-ceiling.nc", "Pereira2018-encoding-ceiling-raw.nc",
        "Pereira2018-encoding-ceiling-bootstrapped_params.nc"}


def test_a_cached_file_changed_after_download_fails_its_sha1_check(legacy_server, tmp_path):
    fetch_legacy("Fedorenko2016v3", tmp_path, quiet=True)
    target = tmp_path / "Fedorenko2016v3-stimulus_set.csv"
    target.write_text(target.read_text().replace("Alex", "Alec"))
    with pytest.raises(ChecksumError) as exc:
        fetch_legacy("Fedorenko2016v3", tmp_path, quiet=True)
    msg = str(exc.value)
    assert "\n" not in msg and str(target) in msg and "delete it" in msg
    assert sha1_file(LEGACY / target.name) in msg and sha1_file(target) in msg
    assert len(legacy_server.log) == 2  # nothing was downloaded again behind the user's back


def test_offline_missing_file_fails_at_once_naming_file_and_url(legacy_server, tmp_path, monkeypatch):
    monkeypatch.setenv("REPRO_OFFLINE", "1")
    with pytest.raises(OfflineError) as exc:
        fetch_legacy("Blank2014fROI", tmp_path)
    assert "Blank2014fROI.nc" in str(exc.value) and f"{legacy_server.url}/Blank2014fROI.nc" in str(exc.value)
    assert legacy_server.log == [] and list(tmp_path.iterdir()) == []


def test_offline_with_a_complete_cache_loads(tmp_path):
    cache = tmp_path / "c"
    shutil.copytree(LEGACY, cache)
    assert fetch_legacy("Blank2014fROI", cache, offline=True) == cache / "Blank2014fROI.nc"


def test_read_only_golden_folder_loads_and_is_left_untouched():
    # the real fixtures, not the writable mirror: their folders have no write bits
    real = SOURCE / "legacy" / "s3"
    before = sorted(os.listdir(real))
    store = legacy_store(real, offline=True)
    for key in LEGACY_KEYS["Pereira2018"]:
        fetch_legacy(key, store=store)
    assert sorted(os.listdir(real)) == before
    assert store.sha1s["Pereira2018.nc"] == sha1_file(real / "Pereira2018.nc")


def test_read_only_cache_that_needs_a_download_gives_one_actionable_line(legacy_server, tmp_path):
    cache = tmp_path / "ro"
    cache.mkdir()
    cache.chmod(0o555)
    try:
        with pytest.raises(DataError) as exc:
            fetch_legacy("Pereira2018", cache)
    finally:
        cache.chmod(0o755)
    assert "read-only" in str(exc.value) and "--data-dir" in str(exc.value) and "\n" not in str(exc.value)
    assert legacy_server.log == [] and list(cache.iterdir()) == []


@pytest.mark.parametrize("name", ["../escape.nc", "/etc/passwd", "sub/x.nc", "sub\\x.nc", "..", ".", "C:x.nc",
                                  "", "x..nc", ".hidden.nc"])
def test_unsafe_file_names_are_rejected(name):
    with pytest.raises(DataError, match="unsafe data file name"):
        safe_name(name)


def test_nested_reference_that_climbs_out_of_the_cache_is_refused(legacy_server, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    with netCDF4.Dataset(cache / "Evil.nc", "w") as ds:
        ds.createDimension("x", 1)
        var = ds.createVariable("__xarray_dataarray_variable__", "f8", ("x",))
        var.setncattr("raw", "s3:../escape.nc")
    with pytest.raises(DataError, match=r"unsafe data file name '\.\./escape\.nc' \(named in Evil\.nc\)"):
        fetch_legacy("Evil", cache)
    assert legacy_server.log == [] and not (tmp_path / "escape.nc").exists()


def test_hashes_are_memoised_until_the_file_changes(tmp_path, monkeypatch):
    calls = []
    real = store_mod.sha1_file
    monkeypatch.setattr(store_mod, "sha1_file", lambda p: calls.append(p) or real(p))
    f = tmp_path / "f.bin"
    f.write_bytes(b"one")
    assert store_mod.cached_sha1(f) == store_mod.cached_sha1(f)
    assert len(calls) == 1
    f.write_bytes(b"two!")
    store_mod.cached_sha1(f)
    assert len(calls) == 2


_CHILD = """
import sys
from repro.data.store import legacy_store
store = legacy_store(sys.argv[1], quiet=True, backoff=0)
print(store.fetch("Pereira2018.nc"))
"""


def test_two_processes_fetching_the_same_file_share_one_download(legacy_server, tmp_path):
    legacy_server.fail("/Pereira2018.nc", delay=1.0)  # hold the first transfer open while the second arrives
    env = {**os.environ, "REPRO_LEGACY_URL": legacy_server.url}
    procs = [subprocess.Popen([sys.executable, "-c", _CHILD, str(tmp_path)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert [o.strip() for o, _ in outs] == [str(tmp_path / "Pereira2018.nc")] * 2
    assert legacy_server.hits("/Pereira2018.nc") == 1  # the second waited on the lock and reused the file
    assert sha1_file(tmp_path / "Pereira2018.nc") == sha1_file(LEGACY / "Pereira2018.nc")
    assert not list(tmp_path.glob("*.part"))


# -- Brain-Score Language ---------------------------------------------------------------------------

def test_bsl_file_names_match_the_registered_table():
    assert bsl_assembly_filename("Pereira2018.language") == "assy_Pereira2018_language.nc"
    assert bsl_ceiling_filenames("Pereira2018.243sentences-linear") == [
        "ceiling_Pereira2018_243sentences-linear.nc", "ceiling_raw_Pereira2018_243sentences-linear.nc",
        "ceiling_raw_raw_Pereira2018_243sentences-linear.nc"]
    for sentences in ("243", "384"):
        for kind in ("linear", "ridge"):
            assert set(bsl_ceiling_filenames(f"Pereira2018.{sentences}sentences-{kind}")) <= set(BSL_KNOWN_SHA1)
    assert len(BSL_KNOWN_SHA1) == 18


@pytest.mark.parametrize("name", sorted(MODERN_SHA1))
def test_bsl_download_lands_in_its_sha1_folder(bsl_server, tmp_path, name):
    store = bsl_store(tmp_path, quiet=True, known=MODERN_SHA1)
    path = fetch_bsl(name, store=store)
    assert path == tmp_path / MODERN_SHA1[name] / name
    assert sha1_file(path) == MODERN_SHA1[name] == store.sha1s[name]
    assert bsl_server.log == [(f"{BSL_PREFIX}/{name}", 200)]


def test_bsl_file_without_any_known_sha1_is_filed_under_its_own(bsl_server, tmp_path):
    store = bsl_store(tmp_path, quiet=True, known={})
    name = "assy_Blank2014_fROI.nc"
    assert store.fetch(name) == tmp_path / MODERN_SHA1[name] / name
    assert store.fetch(name) == tmp_path / MODERN_SHA1[name] / name  # found again by its folder name
    assert len(bsl_server.log) == 1


def test_bsl_registered_sha1_mismatch_gives_one_line_and_no_cached_file(bsl_server, tmp_path):
    name = "assy_Pereira2018_language.nc"  # the golden stand-in differs from the registered real file
    with pytest.raises(ChecksumError) as exc:
        fetch_bsl(name, tmp_path, quiet=True)
    assert "\n" not in str(exc.value) and BSL_KNOWN_SHA1[name] in str(exc.value)
    assert cached_files(tmp_path) == set()


def test_existing_brainio_cache_is_reused_offline(tmp_path, monkeypatch):
    name = "ceiling_Pereira2018_384sentences-ridge.nc"
    sha1 = MODERN_SHA1[name]
    (tmp_path / sha1).mkdir()
    shutil.copy(MODERN / name, tmp_path / sha1 / name)
    monkeypatch.setenv("BRAINIO_HOME", str(tmp_path))
    assert fetch_bsl(name, offline=True, store=None, sha1=sha1) == tmp_path / sha1 / name


def test_brainio_cache_file_with_other_bytes_than_registered_is_reported(tmp_path):
    name = "assy_Blank2014_fROI.nc"
    registered = BSL_KNOWN_SHA1[name]
    (tmp_path / registered).mkdir()
    shutil.copy(MODERN / name, tmp_path / registered / name)
    with pytest.raises(ChecksumError, match=f"{registered} is expected"):
        fetch_bsl(name, tmp_path, offline=True)


def test_user_folder_with_its_own_manifest_wins_over_the_registered_sha1s():
    before = sorted(os.listdir(MODERN))
    store = bsl_store(MODERN, offline=True)
    for name in MODERN_SHA1:
        assert fetch_bsl(name, store=store) == MODERN / name
    assert store.sha1s == MODERN_SHA1
    assert sorted(os.listdir(MODERN)) == before


def test_bsl_offline_missing_file_names_file_and_url(tmp_path):
    name = "assy_Fedorenko2016_language.nc"
    with pytest.raises(OfflineError, match=f"{name}.*https://brainscore-storage.s3.amazonaws.com/brainscore-language/{name}"):
        fetch_bsl(name, tmp_path, offline=True)


def test_store_rejects_an_unknown_layout(tmp_path):
    with pytest.raises(ValueError, match="layout"):
        DataStore(tmp_path, "https://x.example.org", layout="nested")
