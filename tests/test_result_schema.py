"""Both writers of repro.result/1 (repro/results.py, repro/legacy/convert.py) produce what its JSON Schema says."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
from jsonschema import Draft202012Validator

from repro.cli import main
from repro.legacy import convert
from repro.results import json_schema


@pytest.fixture(scope="module")
def validator():
    schema = json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(validator, result) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(result)]


def legacy_result(benchmark="Pereira2018-encoding") -> dict:
    layers = ["drop", "encoder.h.0"]
    score = xr.DataArray(np.array([[0.1, 0.2], [0.01, float("nan")]]), dims=["aggregation", "layer"],
                         coords={"aggregation": ["center", "error"], "layer": layers})
    score.attrs["raw"] = score * 0.3
    prov = {"versions": {"python": "3.8.18", "neural-nlp": "6e1a989b24fff0ffd7cac67d880a94136c4b4fb5"},
            "data": {}, "created": "2026-12-01T00:00:00Z", "command": "python -m repro.legacy score"}
    model = {"id": "gpt2", "hf_id": "gpt2", "revision": None, "source": "hf", "activations_sha1": None}
    return convert.score_to_result(score, benchmark=benchmark, model=model, layers=layers, n_features=768,
                                   ceiling=0.318567, provenance=prov)


def test_the_native_writer_follows_the_schema(validator, golden, tmp_path, isolated_cache):
    out = tmp_path / "r.json"
    assert main(["-q", "score", "--activations", str(golden / "inputs/activations/fedorenko2016.npz"),
                 "--benchmark", "Fedorenko2016v3-encoding", "--data-dir", str(golden / "legacy/s3"),
                 "--layers", "low_dim", "--output", str(out)]) == 0
    result = json.loads(out.read_text())
    assert _errors(validator, result) == []
    # both writers write the same keys, but for the native engine's statistics (repro.stats)
    assert set(result) - {"side_files", "bootstrap", "layer_selection"} == set(legacy_result())


@pytest.mark.parametrize("benchmark", ["Pereira2018-encoding", "Blank2014fROI-encoding"])
def test_the_legacy_writer_follows_the_schema(validator, benchmark):
    result = legacy_result(benchmark)
    assert _errors(validator, result) == []
    assert result["best_layer"]["raw_center"] == pytest.approx(0.06)  # score.attrs["raw"] of the best layer
    assert result["folds"] is None and "side_files" not in result


def test_the_schema_rejects_what_the_old_legacy_writer_wrote(validator):
    old = legacy_result()
    old["side_files"] = {}
    old.pop("folds")
    del old["best_layer"]["raw_center"]
    errors = _errors(validator, old)
    assert ": 'folds' is a required property" in errors
    assert any(e.startswith("best_layer:") for e in errors)  # no raw_center
