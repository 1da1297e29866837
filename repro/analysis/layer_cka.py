"""Layer x layer linear CKA of one model's activations (``repro cka --model M``).

Each layer's centred Gram matrix ``H XXᵀ H`` (float64, rows = the benchmark's stimuli) is formed
once and flattened to its upper triangle with off-diagonal entries scaled by sqrt(2), so the dot
product of two such vectors is the full-matrix HSIC sum and the memory is
``n_layers · n(n+1)/2 · 8`` bytes. After normalising each vector, the CKA matrix is their Gram
matrix. The value for a pair equals ``repro.metrics.cka.linear_cka`` on that pair.
"""

from __future__ import annotations

import numpy as np

from ..activations import Activations
from ..metrics.cka import centered_gram


def layer_by_layer_cka(acts: Activations, layers: list[str] | None = None) -> tuple[list[str], np.ndarray]:
    """(layer names in model order, symmetric [layer, layer] linear CKA; NaN rows for constant layers)."""
    if layers is not None:
        acts = acts.subset_layers(layers)
    acts.check_finite()
    names = acts.layer_names
    n = len(acts.stimulus_id)
    iu = np.triu_indices(n)
    weight = np.where(iu[0] == iu[1], 1.0, np.sqrt(2.0))
    vecs = np.empty((len(names), iu[0].size))
    for i, name in enumerate(names):
        v = centered_gram(acts.layers[name])[iu] * weight
        norm = np.linalg.norm(v)
        vecs[i] = v / norm if norm > 0 else np.nan
    matrix = vecs @ vecs.T
    matrix = (matrix + matrix.T) / 2
    ok = np.flatnonzero(np.isfinite(np.diag(matrix)))
    matrix[ok, ok] = 1.0  # exact, instead of 1 ± rounding
    return names, matrix
