"""Security rows: no unpickling, no remote code without the flag, https from the configured hosts only,
no data-file path that leaves the cache.

Unit-level rows live elsewhere and are not repeated here: https-only and loopback-http URLs
(tests/test_download.py::test_only_https_or_loopback_http_urls_are_allowed), hosts outside the configured
ones (::test_hosts_outside_the_configured_ones_are_refused), redirects to another host
(::test_redirect_to_another_host_is_refused), unsafe names (tests/test_data_store.py::
test_unsafe_file_names_are_rejected, ::test_nested_reference_that_climbs_out_of_the_cache_is_refused).
This file checks the same promises end to end, through `repro score`.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from httpserver import LocalHTTPServer

from repro.cli import main
from repro.errors import InputError

BENCH = "Fedorenko2016v3-encoding"
FILES = ["Fedorenko2016v3.nc", "Fedorenko2016v3-stimulus_set.csv", "Fedorenko2016v3-encoding-ceiling.nc",
         "Fedorenko2016v3-encoding-ceiling-raw.nc", "Fedorenko2016v3-encoding-ceiling-bootstrapped_params.nc"]
PACKAGE = Path(__file__).resolve().parents[1] / "repro"


class _Boom:
    """Unpickling this runs code: it creates the file named in MARKER."""

    marker = ""

    def __reduce__(self):
        return (Path.write_text, (Path(self.marker), "unpickled"))


@pytest.fixture()
def work(tmp_path, monkeypatch, isolated_cache) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _one_error_line(capsys, argv, *needles) -> str:
    assert main(argv) == 2
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


def _evil_npz(path: Path, marker: Path) -> Path:
    _Boom.marker = str(marker)
    boom = np.empty(1, dtype=object)
    boom[0] = _Boom()
    np.savez(path, stimulus_id=np.arange(1), layer=np.zeros((1, 2), np.float32), trap=boom)  # pickles `trap`
    return path


def test_security_activations_file_is_never_unpickled(work, capsys, legacy_data):
    marker = work / "PWNED"
    evil = _evil_npz(work / "evil.npz", marker)
    _one_error_line(capsys, ["-q", "score", "--activations", str(evil), "--benchmark", BENCH, "--data-dir",
                             str(legacy_data), "--output", "r.json"], "cannot read activations")
    assert not marker.exists()


def test_security_activation_cache_entry_is_never_unpickled(work, tiny_gpt2):
    from repro.models.cache import ActivationCache, cached_extract
    from repro.models.registry import resolve_model
    from repro.models.streams import LegacyStream

    spec = resolve_model(str(tiny_gpt2))
    units = [LegacyStream(("the cat sat",), ("a", "b", "c"), per_word=True)]
    cache = ActivationCache(work / "cache")
    first = cached_extract(spec, "legacy", units, cache=cache, progress=False)
    entry = next((work / "cache").rglob("*.npz"))
    marker = work / "PWNED"
    _evil_npz(entry, marker)  # someone swaps the cache entry for a pickle bomb
    again = cached_extract(spec, "legacy", units, cache=cache, progress=False)
    assert not marker.exists()
    assert again.meta["cache_hit"] is False  # unreadable entry: recomputed and overwritten
    for name in first.layers:
        np.testing.assert_array_equal(again.layers[name], first.layers[name])


def test_security_object_ids_are_saved_without_pickle(tmp_path):
    from repro import activations as act_io

    acts = act_io.Activations(np.array(["a", "b"], dtype=object), {"l": np.ones((2, 3), np.float32)})
    act_io.save(acts, tmp_path / "a.npz")
    back = act_io.load(tmp_path / "a.npz")  # load() refuses pickles, so nothing was pickled
    assert back.stimulus_id.tolist() == ["a", "b"]


def test_security_no_unpickling_call_anywhere_in_the_package():
    pattern = re.compile(r"pickle\.loads?\(|allow_pickle\s*=\s*True|torch\.load\(|read_pickle\(|joblib\.load\(|"
                         r"\bdill\b|cloudpickle|\bshelve\b|marshal\.loads?\(|yaml\.load\(|(?<![.\w])eval\(|"
                         r"(?<![.\w])exec\(")
    hits = [f"{p.relative_to(PACKAGE.parent)}:{i}: {line.strip()}" for p in sorted(PACKAGE.rglob("*.py"))
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert hits == []


def test_security_trust_remote_code_is_off_unless_the_flag_is_given(work, monkeypatch, legacy_data, tiny_gpt2):
    import transformers

    seen = []

    class Stop(Exception):
        pass

    def record(*a, **k):
        seen.append(k.get("trust_remote_code"))
        raise Stop

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", record)
    argv = ["-q", "score", "--model", str(tiny_gpt2), "--benchmark", BENCH, "--data-dir", str(legacy_data),
            "--cache-dir", "cache"]
    for extra, want in (([], False), (["--trust-remote-code"], True)):
        with pytest.raises(Stop):
            main(argv + extra)
        assert seen.pop() is want


def test_security_model_folder_code_does_not_run_without_the_flag(work, capsys, legacy_data, tiny_gpt2):
    folder = work / "model-with-code"
    shutil.copytree(tiny_gpt2, folder)
    cfg = json.loads((folder / "config.json").read_text())
    cfg["auto_map"] = {"AutoConfig": "evil_code.EvilConfig", "AutoModel": "evil_code.EvilModel"}
    (folder / "config.json").write_text(json.dumps(cfg))
    marker = work / "PWNED"
    (folder / "evil_code.py").write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"
        "from transformers import GPT2Config, GPT2Model\n"
        "class EvilConfig(GPT2Config): pass\nclass EvilModel(GPT2Model): pass\n")
    rc = main(["-q", "score", "--model", str(folder), "--benchmark", BENCH, "--data-dir", str(legacy_data),
               "--cache-dir", "cache", "--output", "r.json"])
    err = capsys.readouterr().err
    assert not marker.exists()
    assert rc == 0 or (rc == 2 and len(err.strip().splitlines()) == 1), err


@pytest.mark.parametrize("url", ["http://brainio-language.s3.amazonaws.com", "ftp://127.0.0.1/x"],
                         ids=["plain-http", "ftp"])
def test_security_data_url_must_be_https(url, work, capsys, monkeypatch, golden):
    monkeypatch.setenv("REPRO_LEGACY_URL", url)
    acts = str(golden / "inputs" / "activations" / "fedorenko2016.npz")  # valid input: the download is what fails
    _one_error_line(capsys, ["-q", "score", "--activations", acts, "--benchmark", BENCH, "--data-dir", "data",
                             "--output", "r.json"], "refusing to download", "https")
    assert not list(work.rglob("*.nc")) and not (work / "r.json").exists()


def test_security_redirect_to_another_host_is_refused_end_to_end(work, capsys, monkeypatch, legacy_data, golden):
    acts = str(golden / "inputs" / "activations" / "fedorenko2016.npz")
    with LocalHTTPServer(legacy_data) as server:
        # the configured host is 127.0.0.1; the redirect points at "localhost" (another host name)
        server.fail("/" + FILES[0], status=302, location=server.url.replace("127.0.0.1", "localhost") + "/"
                    + FILES[0], times=None)
        monkeypatch.setenv("REPRO_LEGACY_URL", server.url)
        _one_error_line(capsys, ["-q", "score", "--activations", acts, "--benchmark", BENCH, "--data-dir", "data",
                                 "--output", "r.json"], "not one of the configured data hosts")
        assert [p for p, _ in server.log] == ["/" + FILES[0]]  # the other host was never contacted
    assert not list((work / "data").glob("*.nc"))


@pytest.mark.parametrize("ref", ["../escape.csv", "/etc/passwd", "sub/dir.csv", ".."],
                         ids=["parent", "absolute", "subfolder", "dotdot"])
def test_security_data_file_reference_cannot_leave_the_cache(ref, work, capsys, legacy_data, golden):
    import netCDF4

    data = work / "data"
    data.mkdir()
    for name in FILES:
        shutil.copyfile(legacy_data / name, data / name)
    with netCDF4.Dataset(data / FILES[0], "a") as ds:
        holders = [ds, *ds.variables.values()]
        target = next((h, a) for h in holders for a in h.ncattrs() if h.getncattr(a) == "s3:" + FILES[1])
        target[0].setncattr(target[1], "s3:" + ref)
    acts = golden / "inputs" / "activations" / "fedorenko2016.npz"
    _one_error_line(capsys, ["-q", "score", "--activations", str(acts), "--benchmark", BENCH, "--data-dir",
                             "data", "--output", "r.json", "--offline"], "refusing unsafe data file name")
    assert not (work / "r.json").exists()


def test_security_result_files_are_json_and_load_refuses_other_files(tmp_path):
    from repro import results

    (tmp_path / "x.json").write_bytes(b"\x80\x04\x95pickle")
    with pytest.raises(InputError, match="cannot read result file"):
        results.load(tmp_path / "x.json")
