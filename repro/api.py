"""The Python API; the CLI is a thin shell over these functions.

    import repro
    result = repro.score(model="gpt2", benchmark="Pereira2018-encoding")
    result = repro.score(activations="acts.npz", benchmark="Blank2014-linear-shuffle", data_dir="data/")
    result = repro.score(model="gpt2", benchmark="Pereira2018-encoding", tokenization="seed")  # docs/why-0.8159.md
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import activations as act_io
from . import provenance as prov
from . import results
from .benchmarks import get_benchmark
from .benchmarks.bsl_encoding import BslEncodingBenchmark
from .errors import InputError
from .metrics.regression import check_solver
from .models import controls
from .models.tokenization import for_benchmark
from .progress import progress_bar
from .stats.bootstrap import check_spec
from .stats.nested import check_selection

log = logging.getLogger("repro")


@dataclass
class ScoreConfig:
    benchmark: str
    model: str | None = None
    activations: str | None = None
    revision: str | None = None
    layers: list[str] | None = None
    solver: str = "stable"  # stable | exact (per suite) | legacy-exact | bsl-exact
    ceiling_mode: str = "positional"
    data_dir: str | None = None
    cache_dir: str | None = None
    offline: bool | None = None
    device: str = "cpu"
    dtype: str = "float32"
    batch_size: int = 8
    tokenization: str | None = None  # legacy suite only: paper (default) | seed (repro.models.tokenization)
    trust_remote_code: bool = False
    quiet: bool = False
    output: str | None = None
    bootstrap: int = 200  # replicates of the stimulus bootstrap (0: no intervals); repro.stats
    bootstrap_seed: int = 0
    bootstrap_method: str = "linear"  # linear (first-order r of each resample, fast) | exact (recomputed r)
    layer_selection: str = "max"  # max (the suites' rule) | nested (also report the held-out choice)
    extra: dict = field(default_factory=dict)


def _solver_for(bench, solver: str) -> str:
    if solver == "exact":
        return "bsl-exact" if isinstance(bench, BslEncodingBenchmark) else "legacy-exact"
    return check_solver(solver)


# -- data --------------------------------------------------------------------------------------
def load_benchmark_data(bench, data_dir=None, offline=None, quiet=False):
    """Returns (data object the benchmark scores against, {file name: sha1})."""
    if isinstance(bench, BslEncodingBenchmark):
        from .data.netcdf import read_dataarray
        from .data.store import bsl_store, fetch_bsl

        store = bsl_store(data_dir, offline, quiet)
        assembly = bench.select(read_dataarray(fetch_bsl(bench.data_file, store=store)))
        return assembly, store
    from .data.store import fetch_legacy, legacy_store

    store = legacy_store(data_dir, offline, quiet)
    data = bench.load(lambda key: fetch_legacy(key, store=store))
    return data, store


def _bsl_ceiling(bench, assembly, store, cfg) -> tuple[float, str]:
    from .benchmarks.variants import original
    from .data.netcdf import read_dataarray
    from .data.store import fetch_bsl

    bench = original(bench)  # a leakage-safe variant is normalised by its original's ceiling
    if bench.ceiling_file:
        value = float(np.asarray(read_dataarray(fetch_bsl(bench.ceiling_file, store=store)).values).reshape(-1)[0])
        return value, "stored"
    from .metrics.ceiling import bsl_benchmark_ceiling

    return bsl_benchmark_ceiling(bench, assembly, store.sha1s.get(bench.data_file), cfg.cache_dir, quiet=cfg.quiet), "computed"


# -- model side --------------------------------------------------------------------------------
def stimuli_for(bench, data):
    """The units a model is fed for this benchmark (legacy streams or BSL groups) and the mode."""
    if isinstance(bench, BslEncodingBenchmark):
        return "bsl", bench.groups(data)
    return "legacy", bench.streams(data.stimulus_set)


def compute_activations(cfg: ScoreConfig, bench, data, spec=None) -> act_io.Activations:
    """``spec``: the already resolved model (else resolved from ``cfg.model``)."""
    from .models.cache import ActivationCache, cached_extract
    from .models.registry import resolve_model

    spec = spec or resolve_model(cfg.model, cfg.revision)
    mode, units = stimuli_for(bench, data)
    cache = ActivationCache(Path(cfg.cache_dir) / "activations" if cfg.cache_dir else None)
    tok = {"tokenization": for_benchmark(cfg.tokenization, bench)} if mode == "legacy" else {}
    acts = cached_extract(spec, mode, units, cfg.layers, cache=cache, device=cfg.device, dtype=cfg.dtype,
                          batch_size=cfg.batch_size, progress=not cfg.quiet, **tok,
                          trust_remote_code=cfg.trust_remote_code, offline=cfg.offline)
    log.info("activations for %s on %s: %s", spec.id, bench.id, "cache hit" if acts.meta.get("cache_hit") else "computed")
    return acts


# -- scoring -----------------------------------------------------------------------------------
def score(benchmark: str, model: str | None = None, activations: str | None = None, **kwargs) -> results.Result:
    """Score a model (HF id, registered id or local folder) or precomputed activations on a benchmark."""
    cfg = ScoreConfig(benchmark=benchmark, model=model, activations=activations, **kwargs)
    return run_score(cfg)


def run_score(cfg: ScoreConfig) -> results.Result:
    if (cfg.model is None) == (cfg.activations is None):
        raise InputError("give exactly one of --model or --activations")
    bench = get_benchmark(cfg.benchmark, warn=log.warning)
    solver = _solver_for(bench, cfg.solver)
    tokenization = for_benchmark(cfg.tokenization, bench)
    boot, selection = check_spec(cfg.bootstrap, cfg.bootstrap_seed, method=cfg.bootstrap_method), check_selection(cfg.layer_selection)
    if controls.is_control(cfg.model):
        controls.check(cfg.model)
    stats_kw = {"bootstrap": boot, "layer_selection": selection} if bench.metric == "encoding" else {}
    output = Path(cfg.output) if cfg.output else None
    if output is not None and output.suffix != ".json":
        raise InputError(f"--output {output} must end in .json (the per-neuroid side file is written next to it)")
    data, store = load_benchmark_data(bench, cfg.data_dir, cfg.offline, cfg.quiet)
    for name, sha1 in sorted(store.sha1s.items()):
        log.info("data %s from %s (sha1 %s)", name, store.root, sha1[:12])
    spec = None
    if cfg.activations is not None:
        acts = act_io.load(cfg.activations)
        tokenization = _activations_tokenization(acts, cfg, tokenization)
        model_info = {"id": acts.meta.get("model") or Path(cfg.activations).stem, "hf_id": acts.meta.get("hf_id"),
                      "revision": acts.meta.get("revision"), "source": "activations", "activations_sha1": acts.sha1, "activations_content_sha1": act_io.content_sha1(acts)}
    elif controls.is_control(cfg.model):
        acts = controls.activations(cfg.model, *stimuli_for(bench, data))
        model_info = {"id": cfg.model, "hf_id": None, "revision": controls.REVISION, "source": "control",
                      "activations_content_sha1": act_io.content_sha1(acts), "control": controls.describe(cfg.model)}
    else:
        from .models.registry import resolve_model

        spec = resolve_model(cfg.model, cfg.revision)
        acts = compute_activations(cfg, bench, data, spec)
        model_info = {"id": acts.meta.get("model", cfg.model), "hf_id": acts.meta.get("hf_id"),
                      "revision": acts.meta.get("revision"), "source": "hf",
                      "activations_content_sha1": act_io.content_sha1(acts), "dtype": acts.meta.get("dtype", cfg.dtype),
                      "extraction": acts.meta.get("mode")}
    if cfg.layers:
        acts = acts.subset_layers(cfg.layers)
    n_steps = len(acts.layers) * (bench.split.n_splits * (2 if getattr(bench, "aggregation", "") == "pereira" else 1))
    # the stable regression's neuroid-sized products follow --device onto a GPU
    rdevice = None
    if solver == "stable" and (cfg.device == "auto" or cfg.device.startswith("cuda")):
        from .models.loading import resolve_device

        rdevice = resolve_device(cfg.device)
        rdevice = rdevice if rdevice.startswith("cuda") else None
    with progress_bar(total=n_steps, desc=f"cross-validation {bench.id}", quiet=cfg.quiet) as bar:
        if isinstance(bench, BslEncodingBenchmark):
            ceiling, source = _bsl_ceiling(bench, data, store, cfg)
            bscore = bench.score(acts, data, ceiling, source, solver=solver, progress=bar, device=rdevice, **stats_kw)
        elif bench.metric == "encoding":
            bscore = bench.score(acts, data, solver=solver, ceiling_mode=cfg.ceiling_mode, progress=bar,
                                 device=rdevice, **stats_kw)
        else:
            bscore = bench.score(acts, data, ceiling=cfg.extra.get("ceiling"), progress=bar)
    bscore.settings["bootstrap"] = boot.describe() if boot and stats_kw else None
    committed = spec.bsl_layer if spec is not None and isinstance(bench, BslEncodingBenchmark) else None
    provenance = {
        "engine": "native",
        "solver": bscore.settings.get("solver", solver),
        "seed": bscore.settings.get("seed"),
        "cv": bscore.settings.get("cv"),
        "ceiling_mode": bscore.settings.get("ceiling_mode"),
        "tokenization": tokenization,
        "regression_device": rdevice or "cpu",
        "versions": prov.versions(),
        "data": dict(sorted(store.sha1s.items())),
        "created": prov.now(),
        "command": prov.command_line(),
        "config": {k: v for k, v in asdict(cfg).items() if k in ("layers", "device", "dtype", "batch_size",
                                                                   "bootstrap", "bootstrap_seed", "bootstrap_method",
                                                                   "layer_selection")},
    }
    if acts.meta.get("context_changes"):
        provenance["context_changes"] = acts.meta["context_changes"]
    result = results.build(bscore, model_info, provenance, committed)
    if output is not None:
        result.save(output)
    return result


def _activations_tokenization(acts, cfg: ScoreConfig, default: str | None) -> str | None:
    """Legacy semantics of a precomputed file: its own record, else what the caller declares, else unknown."""
    if default is None:  # Brain-Score Language benchmark
        return None
    recorded = acts.meta.get("tokenization")
    if recorded is not None and cfg.tokenization is not None and recorded != cfg.tokenization:
        raise InputError(f"--tokenization {cfg.tokenization} contradicts {cfg.activations}, which was extracted with "
                         f"--tokenization {recorded}; drop the option or extract again")
    return recorded or cfg.tokenization


def extract(benchmark: str, model: str, output: str | None = None, **kwargs) -> act_io.Activations:
    """Activations of a model on a benchmark's stimuli (the golden activations format)."""
    cfg = ScoreConfig(benchmark=benchmark, model=model, **kwargs)
    bench = get_benchmark(cfg.benchmark, warn=log.warning)
    for_benchmark(cfg.tokenization, bench)  # a BSL benchmark refuses it before any download
    if output is not None and not str(output).endswith(".npz"):
        raise InputError(f"--output {output} must end in .npz")
    data, _ = load_benchmark_data(bench, cfg.data_dir, cfg.offline, cfg.quiet)
    acts = compute_activations(cfg, bench, data)
    if cfg.layers:
        acts = acts.subset_layers(cfg.layers)
    if output is not None:
        act_io.save(acts, output)
    return acts
