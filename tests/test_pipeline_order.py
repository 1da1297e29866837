"""Pipeline order: every input is checked before any download or disk write (issue 15).

The data server is a local one holding the real legacy files, so a run that fetched before
validating would succeed in downloading and leave files (and server hits) behind.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from httpserver import LocalHTTPServer

from repro.cli import main

BENCH = "Pereira2018-encoding"


@pytest.fixture()
def server(golden, monkeypatch, isolated_cache):
    with LocalHTTPServer(golden / "legacy" / "s3") as srv:
        monkeypatch.setenv("REPRO_LEGACY_URL", srv.url)
        yield srv


def _fails_fast(argv, capsys, data_dir: Path, server, *needles: str) -> str:
    start = time.perf_counter()
    rc = main(argv)
    elapsed = time.perf_counter() - start
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc == 2, err
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for needle in needles:
        assert needle in lines[0], lines[0]
    # well under a second on an idle machine; the margin is for a loaded CI runner (the hits check is exact)
    assert elapsed < 3.0, f"took {elapsed:.2f} s"
    assert list(data_dir.iterdir()) == [], "the data dir was written to"
    assert server.log == [], "data was requested before the input was checked"
    return lines[0]


def test_model_typo_fails_before_any_download(tmp_path, capsys, server):
    data = tmp_path / "data"
    data.mkdir()
    _fails_fast(["-q", "score", "--model", "gtp2", "--benchmark", BENCH, "--data-dir", str(data)], capsys, data,
                server, "unknown model 'gtp2'", "did you mean", "'gpt2'")


def test_missing_activations_fails_before_any_download(tmp_path, capsys, server):
    data = tmp_path / "data"
    data.mkdir()
    _fails_fast(["-q", "score", "--activations", str(tmp_path / "nonexistent.npz"), "--benchmark", BENCH,
                 "--data-dir", str(data)], capsys, data, server, "--activations", "no such file")


@pytest.mark.parametrize("extra, needle", [
    (["--solver", "exatc"], "invalid choice"),
    (["--dtype", "float64"], "invalid choice"),
    (["--ceiling", "0.5"], "--ceiling applies to the CKA/RDM benchmarks only"),
    (["--output", "r.txt"], "must end in .json"),
    (["--engine", "legacy", "--solver", "stable"], "--engine legacy cannot honour --solver"),  # it is exact
    (["--engine", "legacy", "--offline"], "--engine legacy cannot honour --offline"),
    (["--image", "x:y"], "--image applies to --engine legacy only"),
])
def test_bad_options_fail_before_any_download(tmp_path, capsys, server, extra, needle, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    argv = ["-q", "score", "--model", "gpt2", "--benchmark", BENCH, "--data-dir", str(data), *extra]
    if needle == "invalid choice":  # argparse's own message (exit 2, usage line first)
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2 and needle in capsys.readouterr().err
        assert list(data.iterdir()) == []
        return
    _fails_fast(argv, capsys, data, server, needle)


def test_data_dir_that_is_a_file_is_refused(tmp_path, capsys, server):
    data = tmp_path / "data"
    data.mkdir()
    (tmp_path / "f").write_text("x")
    _fails_fast(["-q", "score", "--model", "gpt2", "--benchmark", BENCH, "--data-dir", str(tmp_path / "f"),
                 "--cache-dir", str(data)], capsys, data, server, "--data-dir", "is a file")


def test_legacy_engine_refusal_is_shared_by_the_python_api():
    import repro
    from repro.errors import InputError

    with pytest.raises(InputError, match="--engine legacy cannot honour --dtype"):
        repro.score(BENCH, model="gpt2", engine="legacy", dtype="float16")
    with pytest.raises(InputError, match="cannot score --activations"):
        repro.score(BENCH, activations="a.npz", engine="legacy")


def test_sweep_checks_the_shared_config_before_any_job(tmp_path):
    from repro.errors import InputError
    from repro.sweeps import sweep

    out = tmp_path / "sweep"
    with pytest.raises(InputError, match="unknown dtype 'float64'"):
        sweep(["gpt2"], [BENCH], output=out, dtype="float64", wait=False)
    with pytest.raises(InputError, match="unknown solver 'exatc'"):
        sweep(["gpt2"], [BENCH], output=out, solver="exatc", wait=False)
    assert not out.exists()
