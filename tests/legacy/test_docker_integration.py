"""End to end through the CPU image with a real Docker engine (CI starts one and builds the image offline:
docker/start-dockerd.sh, make image-cpu OFFLINE=1). The tiny GPT-2 of the golden fixtures on the golden legacy
S3 data must reproduce the original code's end-to-end scores, by conditioning class (legacy_goldens).

Without an engine or the image these tests skip, except where REPRO_REQUIRE_DOCKER=1 (.ci/run): there a
missing engine is a failure, not a skip."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from repro.engines import legacy_check, legacy_docker, legacy_goldens
from repro.errors import EngineError

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT.parent / "shared" / "golden"
IMAGE = os.environ.get("REPRO_LEGACY_IMAGE", legacy_docker.DEFAULT_IMAGE_CPU)
# the cheapest of the three benchmarks for the original wrapper; make check-image runs all three
BENCHMARK = "Fedorenko2016v3-encoding"

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def _unavailable(why: str):
    if os.environ.get("REPRO_REQUIRE_DOCKER") == "1":
        pytest.fail(f"REPRO_REQUIRE_DOCKER=1 but {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def client():
    ok, why = legacy_docker.engine_reachable()
    if not ok:
        _unavailable(why)
    client = legacy_docker.connect()
    try:
        client.images.get(IMAGE)
    except Exception:
        _unavailable(f"image {IMAGE} is not built (make image-cpu)")
    if not GOLDEN.is_dir():
        _unavailable(f"no golden fixtures at {GOLDEN}")
    return client


def test_tiny_gpt2_matches_the_legacy_golden_scores_by_conditioning_class(client, tmp_path):
    model = GOLDEN / "model" / "tiny-gpt2"
    lines = []
    result = legacy_docker.run_legacy(str(model), BENCHMARK, data_dir=GOLDEN / "legacy" / "s3",
                                      cache_dir=tmp_path / "cache", client=client, log=lines.append,
                                      output=tmp_path / "out" / "result.json")
    assert result["provenance"]["engine"] == "legacy"
    assert json.loads((tmp_path / "out" / "result.json").read_text()) == result
    golden = legacy_goldens.load_golden(GOLDEN, BENCHMARK)
    assert [r["layer"] for r in result["layers"]] == list(golden["layers"])
    rows = legacy_goldens.compare(result, golden, legacy_check.post_final_norm_layers(model))
    assert all(r["ok"] for r in rows), legacy_goldens.summary(BENCHMARK, rows)
    # the container ran as this process's uid: what it left in the mounted caches is ours
    written = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert written and {p.stat().st_uid for p in written} == {os.getuid()}


def test_a_missing_image_is_one_actionable_error(client, tmp_path):
    with pytest.raises(EngineError, match=r"make image-cpu"):
        legacy_docker.run_legacy("gpt2", BENCHMARK, image="repro-legacy:no-such-tag", cache_dir=tmp_path,
                                 client=client)
    assert not any(tmp_path.iterdir())  # nothing created before the error


def test_check_image_rejects_a_folder_that_is_not_a_golden_one(client, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "repro.engines.legacy_check", "--golden", str(tmp_path),
                           "--image", IMAGE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "not a golden folder" in proc.stderr
    assert proc.stdout == ""
