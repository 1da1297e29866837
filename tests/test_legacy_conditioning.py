"""A legacy-engine result gets each layer's conditioning from the activations the original code regressed on.

The Python 3.8 side only writes those activations; the host derives the records with the native benchmark's
folds. Checked here against the records the native engine attaches when it scores the same activations.
"""

from __future__ import annotations

import numpy as np
import pytest

import repro
from repro.engines import legacy_conditioning
from repro.errors import EngineError

CASES = [("Pereira2018-encoding", "pereira2018"), ("Blank2014fROI-encoding", "blank2014"),
         ("Fedorenko2016v3-encoding", "fedorenko2016")]


def _legacy_result(benchmark, layers):
    """The part of a repro.result/1 the legacy side writes that conditioning touches (no conditioning yet)."""
    return {"benchmark": benchmark, "model": {"id": "tiny", "activations_sha1": None},
            "layers": [{"layer": name, "conditioning": None} for name in layers]}


@pytest.mark.parametrize(("benchmark", "dataset"), CASES)
def test_records_equal_the_native_engines_on_the_same_activations(golden, benchmark, dataset):
    acts = golden / "inputs" / "activations" / f"{dataset}.npz"
    data = golden / "legacy" / "s3"
    native = repro.score(benchmark, activations=str(acts), data_dir=str(data), quiet=True, bootstrap=0)
    result = legacy_conditioning.attach(_legacy_result(benchmark, [r["layer"] for r in native.layers]), acts, data)
    assert [r["conditioning"] for r in result["layers"]] == [r["conditioning"] for r in native.layers]
    assert {r["conditioning"]["conditioning"] for r in result["layers"]} == {"well", "ill"}  # both kinds marked
    assert result["model"]["activations_content_sha1"] == native.data["model"]["activations_content_sha1"]


def test_activations_that_miss_stimuli_are_one_engine_error(golden, tmp_path):
    with np.load(golden / "inputs" / "activations" / "fedorenko2016.npz") as z:
        arrays = {k: z[k][:-3] for k in z.files}
    side = tmp_path / "r.activations.npz"
    np.savez(side, **arrays)
    with pytest.raises(EngineError, match="conditioning could not be derived from r.activations.npz"):
        legacy_conditioning.attach(_legacy_result("Fedorenko2016v3-encoding", ["low_dim"]), side,
                                   golden / "legacy" / "s3")


def test_the_side_file_sits_beside_the_result_also_in_a_container():
    assert legacy_conditioning.side_file("/results/gpt2__Pereira2018-encoding.json") == \
        "/results/gpt2__Pereira2018-encoding.activations.npz"
