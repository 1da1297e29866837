"""Host side of the legacy engine: run the Python 3.8 neural-nlp image through the Docker SDK.

The container runs ``python -m repro.legacy score ...`` (docker/entrypoint.sh), writes the repro.result/1
JSON into a mounted results directory, and keeps its caches on host directories so that model weights,
the S3 data and neural-nlp's result cache survive the container:

    <cache>/result_caching -> /cache/result_caching   (RESULTCACHING_HOME)
    <cache>/neural_nlp     -> /home/repro/.neural_nlp (the S3 files; or --data-dir)
    <cache>/huggingface    -> /cache/huggingface      (HF_HOME)

``<cache>`` is $REPRO_LEGACY_CACHE or ``<repro cache>/legacy`` (repro.paths; ~/.cache/repro/legacy by default).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

from repro.engines.legacy_conditioning import attach, side_file
from repro.errors import EngineError, InputError

DEFAULT_IMAGE_CPU = "repro-legacy:cpu"
DEFAULT_IMAGE_CUDA = "repro-legacy:cuda"
CONTAINER_RESULTS = "/results"
CONTAINER_MOUNTS = {
    "result_caching": "/cache/result_caching",
    "neural_nlp": "/home/repro/.neural_nlp",
    "huggingface": "/cache/huggingface",
}
# passed through to the container when set on the host
PASSTHROUGH_ENV = ("HF_TOKEN", "HF_HUB_OFFLINE", "RESULTCACHING_DISABLE", "REPRO_LOG_LEVEL", "OMP_NUM_THREADS",
                   "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE")
# single-threaded BLAS unless the host says otherwise, as in the local route: the goldens were made that way and
# the thread count moves ill-conditioned layers (shared/golden/SPREAD.md)
THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def default_cache_root() -> Path:
    from repro.paths import cache_root

    return cache_root("legacy")


def _where() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def connect(timeout: float = 10.0):
    """A pinged Docker SDK client, or EngineError saying why there is none."""
    try:
        import docker
    except ImportError as e:
        raise EngineError("the Docker SDK for Python is missing: pip install 'repro[docker]'") from e
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
    except Exception as e:  # DockerException, requests' ConnectionError, socket errors: all mean "no engine"
        reason = (str(e).splitlines() or [type(e).__name__])[0][:200]
        raise EngineError(f"no Docker engine reachable at {_where()} ({reason}); start Docker (Docker Desktop "
                          f"with WSL2 integration, or dockerd) or use the native engine") from e
    return client


def engine_reachable(timeout: float = 5.0) -> tuple[bool, str]:
    try:
        connect(timeout)
    except EngineError as e:
        return False, str(e)
    return True, f"Docker engine reachable at {_where()}"


def _slug(text: str) -> str:
    from repro.paths import slug

    return slug(text, fill="-")


def _volumes(cache_root: Path, data_dir: Path | None, results: Path, model_dir: Path | None) -> dict:
    volumes = {}
    for name, target in CONTAINER_MOUNTS.items():
        host = cache_root / name
        if name == "neural_nlp" and data_dir is not None:
            host = data_dir
        else:
            host.mkdir(parents=True, exist_ok=True)
        # a read-only data directory (e.g. shared fixtures) is fine: the S3 loader only reads existing files
        mode = "rw" if os.access(host, os.W_OK) else "ro"
        volumes[str(host.resolve())] = {"bind": target, "mode": mode}
    volumes[str(results.resolve())] = {"bind": CONTAINER_RESULTS, "mode": "rw"}
    if model_dir is not None:
        volumes[str(model_dir.resolve())] = {"bind": f"/models/{_slug(model_dir.name)}", "mode": "ro"}
    return volumes


def _container_args(model: str, benchmark: str, layers: Sequence[str] | None, revision: str | None,
                    identifier: str | None, output: str, tokenization: str = "paper") -> list[str]:
    """``python -m repro.legacy score`` arguments (the image's entrypoint and the local engine both run it)."""
    args = ["score", "--model", model, "--benchmark", benchmark, "--output", output, "--tokenization", tokenization,
            "--activations-output", side_file(output)]
    if layers:
        args += ["--layers", *layers]
    if revision:
        args += ["--revision", revision]
    if identifier:
        args += ["--identifier", identifier]
    return args


def _stream(container, log: Callable[[str], None], tail: deque) -> None:
    pending = b""
    for chunk in container.logs(stream=True, follow=True):
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            text = line.decode("utf-8", "replace").rstrip("\r")
            tail.append(text)
            log(text)
    if pending:
        text = pending.decode("utf-8", "replace").rstrip("\r")
        tail.append(text)
        log(text)


def _failure_line(tail: deque) -> str:
    lines = [t for t in tail if t.strip()]
    errors = [t for t in lines if t.startswith("error:")]
    return (errors or lines or ["no output"])[-1].removeprefix("error: ")[:300]


def run_legacy(model: str, benchmark: str, layers: Sequence[str] | None = None, data_dir: str | Path | None = None,
               image: str | None = None, gpus: bool = False, *, cache_dir: str | Path | None = None,
               revision: str | None = None, identifier: str | None = None, output: str | Path | None = None,
               command: str | None = None, client=None, log: Callable[[str], None] | None = None,
               user: str | None = None, tokenization: str = "paper") -> dict:
    """Score ``model`` on a legacy ``benchmark`` inside the image and return the repro.result/1 dict."""
    log = log or (lambda line: print(line, file=sys.stderr, flush=True))
    image = image or (DEFAULT_IMAGE_CUDA if gpus else DEFAULT_IMAGE_CPU)
    data = Path(data_dir).expanduser() if data_dir else None
    if data is not None and not data.is_dir():
        raise InputError(f"--data-dir {data} is not a directory (it should look like ~/.neural_nlp)")
    model_dir = Path(model).expanduser() if Path(model).expanduser().is_dir() else None
    if model_dir is not None:
        container_model = f"/models/{_slug(model_dir.name)}"
        # keep neural-nlp's cache keys apart for two directories with the same name
        path_tag = hashlib.sha1(str(model_dir.resolve()).encode()).hexdigest()[:8]
        identifier = identifier or f"local--{_slug(model_dir.name)}--{path_tag}"
    else:
        container_model = model
    client = client or connect()
    try:
        client.images.get(image)
    except Exception as e:
        if type(e).__name__ != "ImageNotFound":
            raise EngineError(f"cannot inspect image {image}: {e}") from e
        target = "image-cuda" if "cuda" in image else "image-cpu"
        raise EngineError(f"Docker image {image} not found: build it with `make {target}`") from e

    result_name = f"{_slug(model_dir.name if model_dir else model)}__{_slug(benchmark)}.json"
    environment = {k: os.environ[k] for k in PASSTHROUGH_ENV if os.environ.get(k)}
    for threads in THREAD_ENV:
        environment.setdefault(threads, "1")
    environment["REPRO_COMMAND"] = command or " ".join(["repro score --engine legacy", "--model", model,
                                                         "--benchmark", benchmark, *(["--layers", *layers]
                                                                                     if layers else [])])
    if user is None and hasattr(os, "getuid"):
        user = f"{os.getuid()}:{os.getgid()}"  # files in the mounted caches stay the host user's
    device_requests = None
    if gpus:
        import docker
        device_requests = [docker.types.DeviceRequest(count=-1, capabilities=[["gpu"]])]

    with tempfile.TemporaryDirectory(prefix="repro-legacy-") as tmp:
        results = Path(tmp)
        results.chmod(0o777)  # the container user may differ from ours (e.g. rootless engines)
        cache_root = Path(cache_dir).expanduser() if cache_dir else default_cache_root()
        volumes = _volumes(cache_root, data, results, model_dir)
        log(f"legacy engine: {image} on {_where()}{' with GPUs' if gpus else ''}")
        container = client.containers.run(
            image, command=_container_args(container_model, benchmark, layers, revision, identifier,
                                           f"{CONTAINER_RESULTS}/{result_name}", tokenization),
            detach=True, volumes=volumes, environment=environment, user=user, device_requests=device_requests)
        tail: deque = deque(maxlen=50)
        try:
            _stream(container, log, tail)
            status = container.wait().get("StatusCode", 1)
        finally:
            try:
                container.remove(force=True)
            except Exception:  # already gone (auto-removed, or the engine went away): nothing to clean
                pass
        if status != 0:
            raise EngineError(f"legacy container exited with status {status}: {_failure_line(tail)}")
        return read_result(results / result_name, output, "legacy container", data or cache_root / "neural_nlp")


def read_result(produced: Path, output: str | Path | None, engine: str, data_dir: Path) -> dict:
    """The result JSON the legacy side wrote, with each layer's conditioning (derived from the activations it
    wrote beside it and the benchmark data in ``data_dir``), written atomically to ``output`` when given."""
    side = Path(side_file(str(produced)))
    for path in (produced, side):
        if not path.is_file():
            raise EngineError(f"{engine} finished but wrote no {path.name}; see the log above")
    result = attach(json.loads(produced.read_text()), side, data_dir)
    if output:
        from repro.legacy.runner import write_json  # the legacy side's own writer: same format, atomic, 0644

        write_json(str(output), result)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m repro.engines.legacy_docker", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("reachable", help="exit 0 if a Docker engine answers, 1 otherwise (reason on stderr)")
    s = sub.add_parser("score", help="score a model on a legacy benchmark in the image")
    s.add_argument("--model", required=True)
    s.add_argument("--benchmark", required=True)
    s.add_argument("--layers", nargs="+")
    s.add_argument("--revision")
    s.add_argument("--identifier")
    s.add_argument("--image", help=f"default {DEFAULT_IMAGE_CPU} ({DEFAULT_IMAGE_CUDA} with --gpus)")
    s.add_argument("--gpus", action="store_true", help="expose all GPUs (docker run --gpus all)")
    s.add_argument("--data-dir", help="directory laid out like ~/.neural_nlp with the S3 files")
    s.add_argument("--cache-dir", help="host cache root (default $REPRO_LEGACY_CACHE, else legacy/ under $REPRO_CACHE_DIR or ~/.cache/repro)")
    s.add_argument("--output", required=True, help="where to write the result JSON")
    args = p.parse_args(argv)
    try:
        if args.command == "reachable":
            ok, why = engine_reachable()
            print(why, file=sys.stderr)
            return 0 if ok else 1
        result = run_legacy(args.model, args.benchmark, args.layers, args.data_dir, args.image, args.gpus,
                            cache_dir=args.cache_dir, revision=args.revision, identifier=args.identifier,
                            output=args.output)
    except (EngineError, InputError) as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    best = result.get("best_layer") or {}
    print(f"{result['benchmark']} {result['model']['id']}: best layer {best.get('layer')} "
          f"{best.get('score_center')} -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
