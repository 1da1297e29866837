"""Bootstrap over stimuli of the held-out predictions: no model is refitted.

Within each cross-validation fold the test stimuli are resampled with replacement (a stratified
bootstrap: every fold keeps its size), and the per-neuroid Pearson r of the fixed predictions is
recomputed on the resample. The draws depend only on (seed, block, fold, fold size), so every layer
of a result, and every model scored on the same benchmark and folds, sees the same resamples:
differences of replicates are paired (see ``repro.stats.compare``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_N = 200
DEFAULT_SEED = 0


@dataclass(frozen=True)
class BootstrapSpec:
    n: int = DEFAULT_N  # replicates; 0 switches the bootstrap off
    seed: int = DEFAULT_SEED
    level: float = 0.95
    method: str = "linear"  # linear: first-order (influence-function) r of each resample; exact: recomputed

    def describe(self) -> dict:
        return {"method": "stratified bootstrap over the held-out stimuli of each fold, no refits; percentile "
                          "interval", "r_of_resample": self.method, "unit": "stimulus", "n": self.n,
                "seed": self.seed, "level": self.level}


METHODS = ("linear", "exact")


def check_spec(n, seed=DEFAULT_SEED, level=0.95, method="linear") -> BootstrapSpec | None:
    from ..errors import InputError

    if method not in METHODS:
        raise InputError(f"unknown bootstrap method {method!r}; choose from {', '.join(METHODS)}")
    if n is None:
        n = DEFAULT_N
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise InputError(f"--bootstrap must be a whole number of replicates >= 0 (0: no intervals), got {n!r}")
    if 0 < n < 100:
        raise InputError(f"--bootstrap {n} is too few replicates for a 95 % interval; use >= 100 (or 0 for none)")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise InputError(f"--bootstrap-seed must be a whole number >= 0, got {seed!r}")
    return BootstrapSpec(n, seed, level, method) if n else None


def fold_weights(spec: BootstrapSpec, block: int, fold: int, n_test: int) -> np.ndarray:
    """[replicate, test row] counts of a resample of the fold's test rows (rows in sorted-id order)."""
    rng = np.random.default_rng([spec.seed, block, fold, n_test])
    idx = rng.integers(0, n_test, size=(spec.n, n_test))
    flat = (idx + (np.arange(spec.n) * n_test)[:, None]).ravel()
    return np.bincount(flat, minlength=spec.n * n_test).reshape(spec.n, n_test).astype(np.float32)


def _standardise(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(a, dtype=np.float64)
    a = a - a.mean(axis=0)
    scale = np.linalg.norm(a, axis=0)
    safe = np.where(scale > 0, scale, 1.0)
    return a / safe, scale


def linear_resampled_pearson(W: np.ndarray, pred: np.ndarray, obs: np.ndarray, eps: float | None = None) -> np.ndarray:
    """r[replicate, neuroid] to first order in the resampling weights: r + sum_i w_i IF_i / n with
    Pearson's influence function IF_i = zx_i zy_i - r (zx_i^2 + zy_i^2) / 2 (z: the fold's z-scores).

    One [replicate, test] x [test, neuroid] product instead of five; the error against the exactly
    recomputed r is O(1/n_test), against a bootstrap spread of O(1/sqrt(n_test)).
    """
    x, sx = _standardise(pred)  # unit-norm columns: zx_i = sqrt(n) x_i
    y, sy = _standardise(obs)
    r = np.einsum("ij,ij->j", x, y)
    if eps is not None:  # BSL: +eps on the norms (0 for a constant column)
        r = r * sx * sy / ((sx + eps) * (sy + eps))
    influence = (x * y - 0.5 * r * (x * x + y * y)).astype(np.float32)
    out = W @ influence
    out += r.astype(np.float32)
    constant = (sx == 0) | (sy == 0)
    if eps is None and constant.any():
        out[:, constant] = np.nan
    return np.clip(out, -1.0, 1.0, out=out)


def resampled_pearson(W: np.ndarray, pred: np.ndarray, obs: np.ndarray, eps: float | None = None) -> np.ndarray:
    """r[replicate, neuroid] (float32) of ``pred`` vs ``obs`` on each resample (rows weighted by ``W``'s counts).

    eps None: scipy's pearsonr (NaN for a constant column); a number: Brain-Score Language's
    +eps on both norms. Moments come from one float32 product of the counts with the
    standardised columns, their squares and their product (accurate to ~1e-6 in r); the rest is
    in place, since the [replicate, neuroid] arrays, not the product, dominate the cost.
    """
    x, sx = _standardise(pred)
    y, sy = _standardise(obs)
    n_col = x.shape[1]
    Z = np.empty((x.shape[0], 5 * n_col), dtype=np.float32)
    for i, block in enumerate((x, y, x * x, y * y, x * y)):
        Z[:, i * n_col:(i + 1) * n_col] = block
    S = W @ Z
    inv_n = np.float32(1.0 / W[0].sum())  # every resample has the fold's size
    Sx, Sy, vx, vy, r = (S[:, i * n_col:(i + 1) * n_col] for i in range(5))
    buf = np.empty_like(Sx)
    for v, a, b in ((vx, Sx, Sx), (vy, Sy, Sy), (r, Sx, Sy)):  # centred moments, in place
        np.multiply(a, b, out=buf)
        buf *= inv_n
        v -= buf
    np.maximum(vx, 0, out=vx)
    np.maximum(vy, 0, out=vy)
    with np.errstate(invalid="ignore", divide="ignore"):
        if eps is None:
            bad = (vx <= 0) | (vy <= 0)
            np.multiply(vx, vy, out=buf)
            np.sqrt(buf, out=buf)
            r /= buf
            r[bad | (sx == 0) | (sy == 0)] = np.nan
            return np.clip(r, -1.0, 1.0, out=r)
        np.sqrt(vx, out=vx)
        np.sqrt(vy, out=vy)
        vx *= sx.astype(np.float32)
        vx += np.float32(eps)
        vy *= sy.astype(np.float32)
        vy += np.float32(eps)
        r *= (sx * sy).astype(np.float32)
        r /= vx
        r /= vy
        return r


def percentile_ci(replicates, level: float = 0.95) -> list[float] | None:
    """The percentile interval of the finite replicates; None when there are none."""
    a = np.asarray(replicates, dtype=np.float64)
    a = a[np.isfinite(a)]
    if a.size == 0:
        return None
    lo, hi = np.percentile(a, [50 * (1 - level), 50 * (1 + level)])
    return [float(lo), float(hi)]


class FoldObserver:
    """Receives each (layer, fold)'s held-out predictions from the cross-validation and keeps,
    per layer, what the benchmark's aggregation needs from the resampled r (see ``aggregate``)."""

    def __init__(self, spec: BootstrapSpec, reduce, eps: float | None = None, block: int = 0):
        self.spec, self.reduce, self.eps, self.block = spec, reduce, eps, block
        self._weights: dict[tuple[int, int], np.ndarray] = {}

    def for_block(self, block: int, reduce) -> FoldObserver:
        """The same draws' bookkeeping for another independent block (a Pereira experiment)."""
        return FoldObserver(self.spec, reduce, self.eps, block)

    def __call__(self, layer: str, fold: int, pred: np.ndarray, obs: np.ndarray) -> None:
        key = (fold, len(obs))
        W = self._weights.get(key)
        if W is None:
            W = self._weights[key] = fold_weights(self.spec, self.block, fold, len(obs))
        r_of = linear_resampled_pearson if self.spec.method == "linear" else resampled_pearson
        self.reduce(layer, fold, r_of(W, pred, obs, self.eps))
