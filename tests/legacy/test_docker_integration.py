"""End to end through the CPU image (needs a Docker engine and `make image-cpu`): the tiny GPT-2 of the
golden fixtures on the golden legacy S3 data must reproduce the legacy end-to-end golden scores."""

import json
import os
from pathlib import Path

import pytest

from repro.engines import legacy_docker

GOLDEN = Path(__file__).resolve().parents[2].parent / "shared" / "golden"
IMAGE = os.environ.get("REPRO_LEGACY_IMAGE", legacy_docker.DEFAULT_IMAGE_CPU)

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.fixture(scope="module")
def client():
    ok, why = legacy_docker.engine_reachable()
    if not ok:
        pytest.skip(why)
    client = legacy_docker.connect()
    try:
        client.images.get(IMAGE)
    except Exception:
        pytest.skip(f"image {IMAGE} is not built (make image-cpu)")
    if not GOLDEN.is_dir():
        pytest.skip(f"no golden fixtures at {GOLDEN}")
    return client


def test_tiny_gpt2_matches_the_legacy_golden_scores(client, tmp_path):
    golden = json.loads((GOLDEN / "legacy/results/end_to_end_tiny_gpt2/Pereira2018-encoding.json").read_text())
    result = legacy_docker.run_legacy(str(GOLDEN / "model/tiny-gpt2"), "Pereira2018-encoding",
                                      data_dir=GOLDEN / "legacy/s3", cache_dir=tmp_path, client=client)
    assert result["provenance"]["engine"] == "legacy"
    assert [r["layer"] for r in result["layers"]] == list(golden["layers"])
    for row in result["layers"]:
        # other torch/numpy builds than the golden run: float32 rounding only (spec 3.6), features < samples
        assert row["score_center"] == pytest.approx(golden["layers"][row["layer"]]["score_center"], abs=1e-4)
