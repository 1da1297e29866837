"""Host side of the legacy engine without Docker: run ``python -m repro.legacy`` in a local Python 3.8.

The interpreter is one with the real legacy stack installed (``make legacy-env`` builds ``.venv-legacy``; a conda
env of conda/environment.yml works too). It imports only ``repro.legacy`` from this checkout, through a private
folder on its PYTHONPATH (the rest of repro needs Python >= 3.10 and is not put there). Caches as with Docker:

    <cache>/result_caching   RESULTCACHING_HOME (neural-nlp's score and activation caches)
    --data-dir               seen as ~/.neural_nlp (neural-nlp's S3 loader hard-codes that folder)
    HF_HOME                  the host's, unchanged
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

from repro import __version__
from repro.engines.legacy_docker import _container_args, _failure_line, _slug, default_cache_root, read_result
from repro.errors import EngineError, InputError

ENV_PYTHON = "REPRO_LEGACY_PYTHON"
LEGACY_PACKAGE = Path(__file__).resolve().parents[1] / "legacy"
PASSTHROUGH_ENV = ("HF_TOKEN", "HF_HOME", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "RESULTCACHING_DISABLE",
                   "REPRO_LOG_LEVEL", "PATH", "LANG", "TMPDIR", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                   "MKL_NUM_THREADS", "OPENBLAS_CORETYPE", "CUDA_VISIBLE_DEVICES")


def legacy_python(path: str | None = None) -> Path | None:
    """The interpreter given (argument, else $REPRO_LEGACY_PYTHON), checked; None when neither is set."""
    given = path or os.environ.get(ENV_PYTHON)
    if not given:
        return None
    # absolute but not resolved: a venv's python is a symlink, and only its own path makes it the venv's
    python = Path(os.path.abspath(Path(given).expanduser()))
    if not (python.is_file() and os.access(python, os.X_OK)):
        raise InputError(f"legacy Python {python} is not an executable file: build it with `make legacy-env` "
                         f"(.venv-legacy/bin/python) or point --legacy-python / ${ENV_PYTHON} at a Python 3.8 "
                         "with the legacy stack")
    return python


def _package_path(tmp: Path) -> Path:
    # repro.legacy alone, as a namespace package (the same layout as the image's /opt/repro)
    root = tmp / "pythonpath"
    (root / "repro").mkdir(parents=True)
    (root / "repro" / "legacy").symlink_to(LEGACY_PACKAGE, target_is_directory=True)
    return root


def _environment(tmp: Path, data_dir: Path | None, cache_root: Path, command: str) -> dict:
    env = {k: os.environ[k] for k in PASSTHROUGH_ENV if os.environ.get(k)}
    env.setdefault("HF_HOME", str(Path.home() / ".cache" / "huggingface"))
    for threads in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        # the goldens were made single-threaded, and the thread count moves ill-conditioned layers (SPREAD.md)
        env.setdefault(threads, "1")
    home = Path.home()
    if data_dir is not None:
        home = tmp / "home"
        home.mkdir()
        (home / ".neural_nlp").symlink_to(data_dir.resolve(), target_is_directory=True)
    (cache_root / "result_caching").mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(home), PYTHONPATH=str(_package_path(tmp)), USE_TF="0", PYTHONUNBUFFERED="1",
               RESULTCACHING_HOME=str(cache_root / "result_caching"), REPRO_COMMAND=command,
               REPRO_VERSION=__version__, MPLCONFIGDIR=str(tmp / "matplotlib"))
    return env


def _stream(proc: subprocess.Popen, log: Callable[[str], None], tail: deque) -> None:
    for line in proc.stdout:
        text = line.rstrip("\r\n")
        tail.append(text)
        log(text)


def run_legacy_local(model: str, benchmark: str, layers: Sequence[str] | None = None,
                     data_dir: str | Path | None = None, *, python: str | Path, cache_dir: str | Path | None = None,
                     revision: str | None = None, identifier: str | None = None, output: str | Path | None = None,
                     command: str | None = None, tokenization: str = "paper",
                     log: Callable[[str], None] | None = None) -> dict:
    """Score ``model`` on a legacy ``benchmark`` with the original code in ``python``; the repro.result/1 dict."""
    log = log or (lambda line: print(line, file=sys.stderr, flush=True))
    interpreter = legacy_python(str(python))
    data = Path(data_dir).expanduser() if data_dir else None
    if data is not None and not data.is_dir():
        raise InputError(f"--data-dir {data} is not a directory (it should look like ~/.neural_nlp)")
    local_model = Path(model).expanduser()
    container_model = str(local_model.resolve()) if local_model.is_dir() else model
    command = command or " ".join(["repro score --engine legacy", "--model", model, "--benchmark", benchmark,
                                   *(["--layers", *layers] if layers else []), "--tokenization", tokenization])
    with tempfile.TemporaryDirectory(prefix="repro-legacy-") as tmp_name:
        tmp = Path(tmp_name)
        result_name = f"{_slug(local_model.name if local_model.is_dir() else model)}__{_slug(benchmark)}.json"
        produced = tmp / result_name
        args = _container_args(container_model, benchmark, layers, revision, identifier, str(produced),
                               tokenization)
        env = _environment(tmp, data, Path(cache_dir).expanduser() if cache_dir else default_cache_root(), command)
        log(f"legacy engine: {interpreter} (no Docker)")
        tail: deque = deque(maxlen=50)
        with subprocess.Popen([str(interpreter), "-m", "repro.legacy", *args], env=env, cwd=tmp,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
            _stream(proc, log, tail)
            status = proc.wait()
        if status != 0:
            raise EngineError(f"legacy engine {interpreter} exited with status {status}: {_failure_line(tail)}")
        return read_result(produced, output, "legacy engine", data or Path.home() / ".neural_nlp")
