"""The activations the original wrapper gives a benchmark, captured where the benchmark would score them.

The benchmark object itself drives the model (``listen_to`` / ``read_words`` over its own stimulus set, one
context stream per story or sentence), so what is captured is exactly what ``neural_nlp.score`` regresses on;
the run stops there. Used to compare the real legacy engine with activation goldens (paper and seed semantics).
``recording`` keeps them while ``neural_nlp.score`` runs to the end: the host derives each layer's conditioning
from them (repro.engines.legacy_conditioning).
"""

import contextlib
import importlib
import os
import tempfile
from typing import Dict, Optional, Sequence

from repro.legacy import adapters, pool, runner
from repro.legacy.errors import LegacyError
from repro.legacy.models import resolve

DRIVERS = ("listen_to", "read_words")


class _Captured(Exception):
    def __init__(self, activations):
        super().__init__("activations captured")
        self.activations = activations


class _AllLayers:
    """The candidate a benchmark calls: the wrapper with every requested layer (as FixedLayer's prerun)."""

    def __init__(self, model, layers):
        self._model = model
        self._layers = list(layers)

    def __call__(self, *args, **kwargs):
        return self._model(*args, layers=self._layers, **kwargs)


@contextlib.contextmanager
def _drivers_wrapped(wrap):
    """neural-nlp's model drivers (listen_to, read_words) replaced by ``wrap(driver)`` inside the block."""
    neural = importlib.import_module("neural_nlp.benchmarks.neural")
    originals = {name: getattr(neural, name) for name in DRIVERS}
    try:
        for name, driver in originals.items():
            setattr(neural, name, wrap(driver))
        yield
    finally:
        for name, driver in originals.items():
            setattr(neural, name, driver)


def _capturing(driver):
    def capture(*args, **kwargs):
        raise _Captured(driver(*args, **kwargs))
    return capture


def capture(benchmark: str, candidate) -> object:
    """Run the benchmark on ``candidate`` until its model activations exist; return them (an assembly)."""
    neural_nlp = runner.import_neural_nlp()
    try:
        with _drivers_wrapped(_capturing):
            neural_nlp.benchmark_pool[benchmark](candidate)
    except _Captured as done:
        return done.activations
    raise LegacyError("%s scored without calling %s; cannot capture its activations" % (benchmark, "/".join(DRIVERS)))


@contextlib.contextmanager
def recording():
    """Keep every assembly the benchmark's model drivers return while the original code scores (a list)."""
    seen = []

    def keeping(driver):
        def record(*args, **kwargs):
            out = driver(*args, **kwargs)
            seen.append(out)
            return out
        return record

    with _drivers_wrapped(keeping):
        yield seen


def merged(assemblies, layers: Sequence[str]) -> Dict[str, object]:
    """stimulus_id + one array per layer from the one-layer assemblies a scoring run handed the benchmark."""
    import numpy as np
    out = {}  # type: Dict[str, object]
    for assembly in assemblies:
        present = set(np.asarray(assembly["layer"].values).tolist())
        arrays = per_layer(assembly, [layer for layer in layers if layer in present and layer not in out])
        ids = arrays.pop("stimulus_id")
        if "stimulus_id" in out and not np.array_equal(out["stimulus_id"], ids):
            raise LegacyError("the benchmark saw the stimuli in another order for another layer")
        out.setdefault("stimulus_id", ids)
        out.update(arrays)
    missing = [layer for layer in layers if layer not in out]
    if missing:
        raise LegacyError("no activations were recorded for layers %s" % ", ".join(missing))
    return out


def scored(benchmark: str, wrapper, layers: Sequence[str], seen) -> Dict[str, object]:
    """What ``neural_nlp.score`` regressed on: the recorded assemblies, or, when its stored score answered
    (nothing ran), the wrapper's activations again (served by neural-nlp's own activation store)."""
    if seen:
        return merged(seen, layers)
    return per_layer(capture(benchmark, _AllLayers(wrapper, layers)), layers)


def per_layer(activations, layers: Sequence[str]) -> Dict[str, object]:
    import numpy as np
    labels = np.asarray(activations["layer"].values)
    ids = np.asarray(activations["stimulus_id"].values)
    if ids.dtype == object:  # xarray keeps string ids as Python objects; the .npz must load without pickle
        ids = ids.astype(str)
    out = {"stimulus_id": ids}
    for layer in layers:
        out[layer] = np.asarray(activations.values[:, labels == layer], dtype=np.float32)
    return out


def extract(model: str, benchmark: str, output: str, layers: Optional[Sequence[str]] = None,
            tokenization: str = "paper", identifier: Optional[str] = None) -> Dict[str, object]:
    adapters.check_tokenization(tokenization)
    neural_nlp = runner.import_neural_nlp()
    runner.check_benchmark(neural_nlp, benchmark)
    adapters.install_read_words_positions()
    spec = resolve(model, identifier=identifier, tokenization=tokenization)
    chosen = runner.select_layers(pool.register(spec), layers)
    wrapper = pool.implementations().model_pool[spec.identifier]
    arrays = per_layer(capture(benchmark, _AllLayers(wrapper, chosen)), chosen)
    write_npz(output, arrays)
    return arrays


def write_npz(path: str, arrays: Dict[str, object]) -> None:
    import numpy as np
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".npz")
    os.close(fd)
    try:
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
