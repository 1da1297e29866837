"""Per-layer conditioning of a legacy-engine result, derived on the host from what the original code regressed on.

The Python 3.8 side writes the activations neural_nlp.score handed its benchmark (``--activations-output``);
here they go through the native benchmark's own folds and ``repro.metrics.conditioning``, so a legacy result
marks its fragile layers exactly as a native one does (one implementation; repro.legacy imports nothing from
the Python >= 3.10 package).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from repro.errors import EngineError, ReproError

SIDE_SUFFIX = ".activations.npz"


def side_file(result_path: str) -> str:
    """Where the legacy side writes the activations of the result at ``result_path`` (posix: also in a container)."""
    p = PurePosixPath(result_path)
    return str(p.with_name(p.stem + SIDE_SUFFIX))


def attach(result: dict, activations_npz: Path, data_dir: Path) -> dict:
    """``result`` with each layer's ``conditioning`` and the model's ``activations_content_sha1`` filled in."""
    from repro import activations as act_io
    from repro.benchmarks import get_benchmark
    from repro.benchmarks.base import DataOptions

    bench = get_benchmark(result["benchmark"])
    if not hasattr(bench, "conditioning"):  # CKA/RDM: no regression, no conditioning (as in the native engine)
        return result
    try:
        acts = act_io.load(activations_npz)
        loaded = bench.load(DataOptions(str(data_dir), offline=True, quiet=True))
        records = bench.conditioning(acts, loaded.data)
    except ReproError as e:
        raise EngineError(f"the legacy run finished, but its layers' conditioning could not be derived from "
                          f"{activations_npz.name} and {data_dir}: {e}") from e
    for layer in result["layers"]:
        layer["conditioning"] = records.get(layer["layer"])
    result["model"]["activations_content_sha1"] = act_io.content_sha1(acts)
    return result
