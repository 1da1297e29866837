"""Host side of the legacy engine (Python >= 3.10): a fake Docker client, and the real no-engine error."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from repro.engines import legacy_docker
from repro.errors import EngineError, InputError

ROOT = Path(__file__).resolve().parents[2]
RESULT = {"schema": "repro.result/1", "benchmark": "Pereira2018-encoding", "model": {"id": "gpt2"},
          "best_layer": {"layer": "encoder.h.11", "score_center": 0.82}}


class ImageNotFound(Exception):
    pass


class FakeContainer:
    def __init__(self, chunks, status):
        self.chunks, self.status, self.removed = chunks, status, False

    def logs(self, stream, follow):
        assert stream and follow
        return iter(self.chunks)

    def wait(self):
        return {"StatusCode": self.status}

    def remove(self, force):
        self.removed = force


class FakeClient:
    """Plays the container: writes the result JSON into whatever host directory is mounted at /results."""

    def __init__(self, status=0, images=("repro-legacy:cpu", "repro-legacy:cuda"), result=RESULT,
                 chunks=(b"loading mod", b"el\nscoring 13 layers\n", b"done")):
        self.runs, self.status, self.result, self.chunks = [], status, result, list(chunks)
        client = self

        class Images:
            @staticmethod
            def get(name):
                if name not in images:
                    raise ImageNotFound(name)

        class Containers:
            @staticmethod
            def run(image, command, **kwargs):
                client.runs.append(dict(kwargs, image=image, command=command))
                results = next(h for h, v in kwargs["volumes"].items() if v["bind"] == "/results")
                name = command[command.index("--output") + 1].rsplit("/", 1)[1]
                if client.result is not None:
                    Path(results, name).write_text(json.dumps(client.result))
                    side = command[command.index("--activations-output") + 1].rsplit("/", 1)[1]
                    Path(results, side).write_bytes(b"npz")
                client.container = FakeContainer(client.chunks, client.status)
                return client.container

        self.images, self.containers = Images, Containers


@pytest.fixture(autouse=True)
def attached(monkeypatch):
    """The conditioning step after the container (tested on real data in tests/test_legacy_conditioning.py):
    here only which side file and data folder it is handed."""
    calls = []

    def attach(result, side, data_dir):
        calls.append((side.name, side.read_bytes(), data_dir))
        return result
    monkeypatch.setattr(legacy_docker, "attach", attach)
    return calls


def _run(tmp_path, client, **kwargs):
    lines = []
    kwargs.setdefault("cache_dir", tmp_path / "cache")
    result = legacy_docker.run_legacy("gpt2", "Pereira2018-encoding", client=client, log=lines.append, **kwargs)
    return result, lines


def test_runs_the_image_with_caches_mounted_and_returns_the_result(tmp_path, monkeypatch, attached):
    for name in legacy_docker.THREAD_ENV:
        monkeypatch.delenv(name, raising=False)
    client = FakeClient()
    result, lines = _run(tmp_path, client, output=tmp_path / "out" / "r.json")
    assert result == RESULT and json.loads((tmp_path / "out" / "r.json").read_text()) == RESULT
    # the activations the container wrote beside its result, and the data folder it read (the mounted cache)
    assert attached == [("gpt2__Pereira2018-encoding.activations.npz", b"npz", tmp_path / "cache" / "neural_nlp")]
    assert not list((tmp_path / "out").glob("*.tmp"))
    assert lines[1:] == ["loading model", "scoring 13 layers", "done"]  # streamed, re-split into lines
    run = client.runs[0]
    assert run["image"] == "repro-legacy:cpu" and run["detach"] and run["device_requests"] is None
    assert run["command"][:5] == ["score", "--model", "gpt2", "--benchmark", "Pereira2018-encoding"]
    binds = {v["bind"]: (h, v["mode"]) for h, v in run["volumes"].items()}
    cache = (tmp_path / "cache").resolve()
    assert binds["/cache/result_caching"] == (str(cache / "result_caching"), "rw")
    assert binds["/home/repro/.neural_nlp"] == (str(cache / "neural_nlp"), "rw")
    assert binds["/cache/huggingface"] == (str(cache / "huggingface"), "rw")
    assert run["environment"]["REPRO_COMMAND"].startswith("repro score --engine legacy --model gpt2")
    assert run["environment"]["OMP_NUM_THREADS"] == run["environment"]["OPENBLAS_NUM_THREADS"] == "1"
    assert client.container.removed


def test_gpus_pick_the_cuda_image_and_request_all_devices(tmp_path):
    client = FakeClient()
    _run(tmp_path, client, gpus=True, layers=["encoder.h.11"])
    run = client.runs[0]
    assert run["image"] == "repro-legacy:cuda"
    (request,) = run["device_requests"]
    assert request["Count"] == -1 and request["Capabilities"] == [["gpu"]]
    assert run["command"][-2:] == ["--layers", "encoder.h.11"]


def test_data_dir_and_local_model_are_mounted(tmp_path, attached):
    data, model = tmp_path / "s3", tmp_path / "tiny-gpt2"
    data.mkdir()
    model.mkdir()
    client = FakeClient()
    legacy_docker.run_legacy(str(model), "Pereira2018-encoding", data_dir=data, client=client, log=lambda s: None,
                             cache_dir=tmp_path / "cache")
    run = client.runs[0]
    binds = {v["bind"]: h for h, v in run["volumes"].items()}
    assert binds["/home/repro/.neural_nlp"] == str(data.resolve())
    assert binds["/models/tiny-gpt2"] == str(model.resolve())
    args = run["command"]
    assert args[args.index("--model") + 1] == "/models/tiny-gpt2"
    assert args[args.index("--identifier") + 1].startswith("local--tiny-gpt2--")
    assert attached[-1][2] == data  # conditioning reads the data the container scored
    with pytest.raises(InputError, match="not a directory"):
        legacy_docker.run_legacy("gpt2", "Pereira2018-encoding", data_dir=tmp_path / "nope", client=client)


def test_container_failure_reports_its_error_line(tmp_path):
    client = FakeClient(status=2, result=None,
                        chunks=[b"INFO scoring\n", b"error: unknown layer 'x'; layers are drop\n"])
    with pytest.raises(EngineError, match=r"status 2: unknown layer 'x'; layers are drop$"):
        _run(tmp_path, client)
    assert client.container.removed


def test_missing_image_says_how_to_build_it(tmp_path):
    with pytest.raises(EngineError, match="make image-cuda"):
        _run(tmp_path, FakeClient(images=()), gpus=True)


def test_no_result_file_is_an_engine_error(tmp_path):
    with pytest.raises(EngineError, match="wrote no"):
        _run(tmp_path, FakeClient(result=None))


def test_no_engine_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/dead.sock")
    ok, why = legacy_docker.engine_reachable(timeout=2)
    assert not ok and f"{tmp_path}/dead.sock" in why
    with pytest.raises(EngineError) as info:
        legacy_docker.run_legacy("gpt2", "Pereira2018-encoding", cache_dir=tmp_path)
    message = str(info.value)
    assert message.startswith("no Docker engine reachable") and "\n" not in message


def test_engine_reachable_script_exits_1_without_engine(tmp_path):
    env = {"DOCKER_HOST": f"unix://{tmp_path}/dead.sock", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, str(ROOT / "docker" / "engine_reachable.py")], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "no Docker engine reachable" in proc.stderr
