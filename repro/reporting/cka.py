"""``repro cka``: layer x layer linear CKA of one model on a benchmark's stimuli, saved as JSON + heatmap.

    from repro.reporting.cka import layer_cka
    cka = layer_cka("Pereira2018-encoding", model="gpt2", output="results/cka")
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import activations as act_io
from .. import provenance as prov
from ..atomic import atomic_write_text
from ..errors import InputError
from ..paths import slug

SCHEMA = "repro.cka/1"


@dataclass
class LayerCka:
    model: str
    benchmark: str
    layers: list[str]
    matrix: np.ndarray
    source: dict

    def as_dict(self) -> dict:
        mat = [[None if not np.isfinite(v) else float(v) for v in row] for row in self.matrix]
        return {"schema": SCHEMA, "model": self.model, "benchmark": self.benchmark, "layers": self.layers,
                "matrix": mat, "source": self.source,
                "provenance": {"versions": prov.versions(), "created": prov.now(), "command": prov.command_line()}}

    def table(self) -> str:
        w = max(len(n) for n in self.layers)
        lines = [f"linear CKA, {self.model} on {self.benchmark} stimuli ({len(self.layers)} layers)"]
        for i, name in enumerate(self.layers):
            nxt = f"{self.matrix[i, i + 1]:.3f}" if i + 1 < len(self.layers) else ""
            lines.append(f"{name:<{w}}  with next layer {nxt:>6}  mean {np.nanmean(self.matrix[i]):.3f}")
        return "\n".join(lines)

    def save(self, folder: str | Path, formats=("png", "pdf")) -> tuple[Path, Path]:
        from .figures import cka_heatmap

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        stem = "cka__" + slug(f"{self.model}__{self.benchmark}")
        path = folder / f"{stem}.json"
        data = self.as_dict()
        atomic_write_text(path, json.dumps(data, indent=1) + "\n")
        png = cka_heatmap(data, folder, stem, formats)
        return path, png


def layer_cka(benchmark: str = "Pereira2018-encoding", model: str | None = None, activations: str | None = None,
              layers: list[str] | None = None, output: str | Path | None = None, **kwargs) -> LayerCka:
    """Layer x layer linear CKA (``repro.analysis.layer_cka``) on the benchmark's stimuli; activations come
    from the activation cache or are extracted (``repro.extract``)."""
    from ..analysis.layer_cka import layer_by_layer_cka

    if (model is None) == (activations is None):
        raise InputError("give exactly one of --model or --activations")
    if activations is not None:
        acts = act_io.load(activations)
        name = acts.meta.get("model") or Path(activations).stem
        source = {"activations": str(activations), "activations_sha1": acts.sha1}
    else:
        from .. import api

        acts = api.extract(benchmark, model, **kwargs)
        name = acts.meta.get("model") or model
        source = {"model": model, "revision": acts.meta.get("revision"), "activations_content_sha1":
                  act_io.content_sha1(acts)}
    names, matrix = layer_by_layer_cka(acts, layers)
    result = LayerCka(str(name), benchmark, names, matrix, source)
    if output is not None:
        result.save(output)
    return result
