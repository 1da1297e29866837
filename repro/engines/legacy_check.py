"""make check-legacy / check-image: the tiny GPT-2 of a golden folder through `repro score --engine legacy` vs its goldens.

For each legacy encoding benchmark: ``<golden>/model/tiny-gpt2`` on ``<golden>/legacy/s3`` with the real neural-nlp
code in a local Python 3.8 (``--legacy-python``, e.g. .venv-legacy/bin/python) or inside a legacy Docker image
(``--image``, e.g. repro-legacy:cpu), compared with
``<golden>/legacy/results/end_to_end_tiny_gpt2/<benchmark>.json`` by conditioning class (legacy_goldens). One line per
benchmark, then ``legacy real-stack goldens: k/n``; exit 0 only when k = n.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from repro.engines import legacy_docker, legacy_goldens
from repro.engines.legacy_local import legacy_python
from repro.errors import EngineError, InputError


def _check_golden(golden: Path) -> None:
    needed = [golden / "model" / "tiny-gpt2" / "config.json", golden / "legacy" / "s3"]
    needed += [golden / "legacy" / "results" / "end_to_end_tiny_gpt2" / f"{b}.json" for b in legacy_goldens.BENCHMARKS]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        raise InputError(f"{golden} is not a golden folder: missing {', '.join(missing)}")


def post_final_norm_layers(model_dir: Path) -> set[str]:
    config = json.loads((model_dir / "config.json").read_text())
    # legacy GPT-2 labels: drop, encoder.h.0 .. encoder.h.{L-1}; the last is hidden_states[L], after ln_f
    return {f"encoder.h.{config['n_layer'] - 1}"}


def _check_image(image: str) -> None:
    client = legacy_docker.connect()
    try:
        client.images.get(image)
    except Exception as e:
        raise EngineError(f"Docker image {image} not found: build it with `make image-cpu`") from e


def score(engine: list[str], model: Path, benchmark: str, data_dir: Path, output: Path, log) -> int:
    """``engine``: ["--legacy-python", PYTHON] or ["--image", IMAGE]."""
    cmd = [sys.executable, "-m", "repro", "score", "--engine", "legacy", *engine,
           "--model", str(model), "--benchmark", benchmark, "--data-dir", str(data_dir), "--output", str(output)]
    env = os.environ.copy()
    if engine[0] == "--image":
        env.pop("REPRO_LEGACY_PYTHON", None)  # it would take precedence over the image
    with open(log, "w") as f:
        return subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, env=env).returncode


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m repro.engines.legacy_check", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--golden", required=True, help="golden folder (e.g. ../shared/golden)")
    engine = p.add_mutually_exclusive_group(required=True)
    engine.add_argument("--legacy-python", help="Python 3.8 with the legacy stack (.venv-legacy/bin/python)")
    engine.add_argument("--image", help="legacy Docker image to run instead (repro-legacy:cpu; make check-image)")
    p.add_argument("--benchmarks", nargs="+", default=list(legacy_goldens.BENCHMARKS), choices=legacy_goldens.BENCHMARKS)
    p.add_argument("--keep", help="keep the result JSONs and logs in this folder")
    p.add_argument("--cache", help="neural-nlp cache folder to use (default: a private one, removed afterwards, so "
                                   "that no score cached from other data can answer)")
    args = p.parse_args(argv)
    golden = Path(args.golden).expanduser().resolve()
    try:
        _check_golden(golden)
        if args.image:
            _check_image(args.image)
            engine = ["--image", args.image]
        else:
            engine = ["--legacy-python", str(legacy_python(args.legacy_python))]
    except (InputError, EngineError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    model = golden / "model" / "tiny-gpt2"
    post_norm = post_final_norm_layers(model)
    with tempfile.TemporaryDirectory(prefix="repro-check-legacy-") as tmp:
        out_dir = Path(args.keep).resolve() if args.keep else Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        os.environ["REPRO_LEGACY_CACHE"] = str(Path(args.cache).resolve() if args.cache else Path(tmp) / "cache")
        passed = 0
        for benchmark in args.benchmarks:
            output, log = out_dir / f"{benchmark}.json", out_dir / f"{benchmark}.log"
            status = score(engine, model, benchmark, golden / "legacy" / "s3", output, log)
            if status != 0 or not output.is_file():
                tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
                print(f"{benchmark}: FAIL, repro score exited with {status}: {tail[0][:200]}", flush=True)
                continue
            rows = legacy_goldens.compare(json.loads(output.read_text()),
                                          legacy_goldens.load_golden(golden, benchmark), post_norm)
            passed += all(r["ok"] for r in rows)
            print(legacy_goldens.summary(benchmark, rows), flush=True)
    print(f"legacy real-stack goldens: {passed}/{len(args.benchmarks)}")
    return 0 if passed == len(args.benchmarks) else 1


if __name__ == "__main__":
    sys.exit(main())
