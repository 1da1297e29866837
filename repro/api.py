"""The Python API; the CLI is a thin shell over these functions.

    import repro
    result = repro.score(model="gpt2", benchmark="Pereira2018-encoding")
    result = repro.score(activations="acts.npz", benchmark="Blank2014-linear-shuffle", data_dir="data/")
    result = repro.score(model="gpt2", benchmark="Pereira2018-encoding", tokenization="seed")  # docs/why-0.8159.md

A score runs top-down: validate every input (no network, no disk write) -> resolve the model ->
fetch the data -> extract -> score -> write. A typo therefore fails before any download.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path

from . import activations as act_io
from . import provenance as prov
from . import results
from .benchmarks import get_benchmark
from .benchmarks.base import SUITE_BSL, DataOptions, Loaded, ScoreContext
from .benchmarks.variants import original
from .errors import InputError
from .models import controls
from .models.tokenization import for_benchmark
from .progress import progress_bar
from .stats.bootstrap import check_spec
from .stats.nested import check_selection

log = logging.getLogger("repro")

ENGINES = ("native", "legacy")
DTYPES = ("float32", "bfloat16", "float16")
CEILING_MODES = ("positional", "aligned")
_DEVICE = re.compile(r"^(cpu|auto|mps|cuda(:\d+)?)$")


@dataclass
class ScoreConfig:
    """One score's settings: the CLI, the Python API and sweeps all build this object."""

    benchmark: str
    model: str | None = None
    activations: str | None = None
    engine: str = "native"  # native (this package) | legacy (the original neural-nlp code in Docker)
    image: str | None = None  # legacy engine: Docker image
    legacy_python: str | None = None  # legacy engine without Docker: a Python 3.8 with the legacy stack
    revision: str | None = None
    layers: list[str] | None = None
    # exact (the suite's own float32/float64 path, = the original to 1e-7 on any layer) | stable (float64
    # min-norm: faster, and on ill-conditioned layers off the original by more than its own spread; docs/numerics.md)
    solver: str = "exact"
    ceiling_mode: str = "positional"
    ceiling: float | None = None  # CKA/RDM: the ceiling to normalise by
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
    extra: dict = field(default_factory=dict)  # retired: {"ceiling": x} is read as ``ceiling``

    def changed(self) -> list[str]:
        """Fields set away from their default (what an engine must honour or refuse)."""
        out = []
        for f in fields(self):
            if f.default is MISSING and f.default_factory is MISSING:
                continue  # required: benchmark
            default = f.default if f.default_factory is MISSING else f.default_factory()
            if getattr(self, f.name) != default:
                out.append(f.name)
        return out


# what the legacy engine can honour; everything else set by the user is refused, not dropped
_LEGACY_HONOURS = {"model", "engine", "image", "legacy_python", "revision", "layers", "data_dir", "cache_dir",
                   "device", "quiet", "output", "tokenization"}


# -- 1. validate -------------------------------------------------------------------------------
def _existing_dir_or_absent(value: str | None, option: str) -> None:
    if value is None:
        return
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise InputError(f"{option} {value} is a file, not a folder; point it at a folder (it is created if missing)")


def _validate_common(cfg: ScoreConfig, suffix: str) -> None:
    if cfg.extra.get("ceiling") is not None and cfg.ceiling is None:
        cfg.ceiling = cfg.extra["ceiling"]
    if cfg.engine not in ENGINES:
        raise InputError(f"unknown engine {cfg.engine!r}; choose from {', '.join(ENGINES)}")
    if cfg.output is not None and Path(cfg.output).suffix != suffix:
        side = " (the per-neuroid side file is written next to it)" if suffix == ".json" else ""
        raise InputError(f"--output {cfg.output} must end in {suffix}{side}")
    if cfg.output is not None and Path(cfg.output).is_dir():
        raise InputError(f"--output {cfg.output} is a folder; name a {suffix} file")
    _existing_dir_or_absent(cfg.data_dir, "--data-dir")
    _existing_dir_or_absent(cfg.cache_dir, "--cache-dir")
    if cfg.dtype not in DTYPES:
        raise InputError(f"unknown dtype {cfg.dtype!r}; choose from {', '.join(DTYPES)}")
    if not _DEVICE.match(str(cfg.device)):
        raise InputError(f"unknown device {cfg.device!r}; use cpu, cuda, cuda:N, mps or auto")
    if not isinstance(cfg.batch_size, int) or cfg.batch_size < 1:
        raise InputError(f"--batch-size must be a positive integer, got {cfg.batch_size!r}")
    if cfg.ceiling_mode not in CEILING_MODES:
        raise InputError(f"unknown ceiling mode {cfg.ceiling_mode!r}; choose from {', '.join(CEILING_MODES)}")
    if cfg.ceiling is not None:
        try:
            ok = math.isfinite(float(cfg.ceiling)) and float(cfg.ceiling) > 0
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise InputError(f"--ceiling must be a positive finite number, got {cfg.ceiling!r}")


def _validate_engine(cfg: ScoreConfig) -> None:
    if cfg.engine == "native":
        if cfg.image is not None:
            raise InputError("--image applies to --engine legacy only")
        if cfg.legacy_python is not None:
            raise InputError("--legacy-python applies to --engine legacy only")
        return
    if cfg.image is not None and cfg.legacy_python is not None:
        raise InputError("--image (the Docker route) and --legacy-python (a local Python 3.8) are two routes of "
                         "the legacy engine; give one")
    from .engines.legacy_local import legacy_python

    legacy_python(cfg.legacy_python)  # an interpreter given (option or $REPRO_LEGACY_PYTHON) must exist
    if cfg.activations is not None:
        raise InputError("--engine legacy runs the original model wrapper; it cannot score --activations")
    refused = [name for name in cfg.changed() if name not in _LEGACY_HONOURS]
    if refused:
        flags = ", ".join("--" + name.replace("_", "-") for name in refused)
        raise InputError(f"--engine legacy cannot honour {flags} (the original code has no such option); "
                         "drop it or use --engine native")


def _check_file(path: str, option: str) -> Path:
    p = Path(path).expanduser()
    if not p.is_file():
        raise InputError(f"{option} {path}: no such file")
    return p


def check_config(cfg: ScoreConfig):
    """Everything about a score's configuration that can be checked without the network or a disk write;
    returns the benchmark."""
    if (cfg.model is None) == (cfg.activations is None):
        raise InputError("give exactly one of --model or --activations")
    _validate_common(cfg, ".json")
    bench = get_benchmark(cfg.benchmark, warn=log.warning)
    bench.resolve_solver(cfg.solver)
    if cfg.ceiling is not None and "ceiling" not in getattr(bench, "context_options", ()):
        raise InputError(f"--ceiling applies to the CKA/RDM benchmarks only; {bench.id} reads its own ceiling")
    for_benchmark(cfg.tokenization, bench)  # legacy suite only: a BSL benchmark refuses it
    check_spec(cfg.bootstrap, cfg.bootstrap_seed, method=cfg.bootstrap_method)
    check_selection(cfg.layer_selection)
    if controls.is_control(cfg.model):
        controls.check(cfg.model)
        if cfg.engine != "native":
            raise InputError(f"{cfg.model} is a control baseline of the native engine; drop --engine legacy")
    _validate_engine(cfg)
    return bench


# -- 2.-4. model, data, activations ------------------------------------------------------------
def compute_activations(cfg: ScoreConfig, bench, data, spec=None) -> act_io.Activations:
    """``spec``: the already resolved model (else resolved from ``cfg.model``)."""
    from .models.cache import ActivationCache, cached_extract
    from .models.registry import resolve_model

    spec = spec or resolve_model(cfg.model, cfg.revision)
    mode, units = bench.stimuli(data)
    cache = ActivationCache(Path(cfg.cache_dir) / "activations" if cfg.cache_dir else None)
    tok = {"tokenization": for_benchmark(cfg.tokenization, bench)} if mode == "legacy" else {}
    acts = cached_extract(spec, mode, units, cfg.layers, cache=cache, device=cfg.device, dtype=cfg.dtype,
                          batch_size=cfg.batch_size, progress=not cfg.quiet, **tok,
                          trust_remote_code=cfg.trust_remote_code, offline=cfg.offline)
    log.info("activations for %s on %s: %s", spec.id, bench.id, "cache hit" if acts.meta.get("cache_hit") else "computed")
    return acts


def load_benchmark_data(bench, data_dir=None, offline=None, quiet=False) -> Loaded:
    loaded = bench.load(DataOptions(data_dir, offline, quiet))
    for name, sha1 in sorted(loaded.files.items()):
        log.info("data %s from %s (sha1 %s)", name, loaded.root, sha1[:12])
    return loaded


def _regression_device(solver: str, device: str) -> str | None:
    """The stable regression's neuroid-sized products follow --device onto a GPU."""
    if solver != "stable" or not (device == "auto" or device.startswith("cuda")):
        return None
    from .models.loading import resolve_device

    resolved = resolve_device(device)
    return resolved if resolved.startswith("cuda") else None


# -- scoring -----------------------------------------------------------------------------------
def score(benchmark: str, model: str | None = None, activations: str | None = None, **kwargs) -> results.Result:
    """Score a model (HF id, registered id or local folder) or precomputed activations on a benchmark."""
    cfg = ScoreConfig(benchmark=benchmark, model=model, activations=activations, **kwargs)
    return run_score(cfg)


def run_score(cfg: ScoreConfig) -> results.Result:
    # 1. validate everything that can be checked without the network or a disk write
    bench = check_config(cfg)
    solver = bench.resolve_solver(cfg.solver)
    tokenization = for_benchmark(cfg.tokenization, bench)
    encoding = bench.metric == "encoding"  # intervals and the nested layer choice: encoding benchmarks only
    boot = check_spec(cfg.bootstrap, cfg.bootstrap_seed, method=cfg.bootstrap_method) if encoding else None
    selection = check_selection(cfg.layer_selection)
    acts = None
    if cfg.activations is not None:
        acts = act_io.load(_check_file(cfg.activations, "--activations"))
        tokenization = _activations_tokenization(acts, cfg, tokenization)
        if cfg.layers:
            acts = acts.subset_layers(cfg.layers)
    if cfg.engine == "legacy":
        return _run_legacy(cfg, bench.id)
    # 2. resolve the model (a registered id, a local folder or a hub id: no download yet); a control
    # baseline (repro.models.controls) needs no model
    spec = None
    if cfg.model is not None and not controls.is_control(cfg.model):
        from .models.registry import resolve_model

        spec = resolve_model(cfg.model, cfg.revision)
    rdevice = _regression_device(solver, cfg.device)
    # 3. fetch the data
    loaded = load_benchmark_data(bench, cfg.data_dir, cfg.offline, cfg.quiet)
    # 4. extract
    if acts is not None:
        model_info = {"id": acts.meta.get("model") or Path(cfg.activations).stem, "hf_id": acts.meta.get("hf_id"),
                      "revision": acts.meta.get("revision"), "source": "activations", "activations_sha1": acts.sha1,
                      "activations_content_sha1": act_io.content_sha1(acts)}
    elif spec is None:  # a control baseline
        acts = controls.activations(cfg.model, *bench.stimuli(loaded.data))
        if cfg.layers:
            acts = acts.subset_layers(cfg.layers)
        model_info = {"id": cfg.model, "hf_id": None, "revision": controls.REVISION, "source": "control",
                      "activations_content_sha1": act_io.content_sha1(acts), "control": controls.describe(cfg.model)}
    else:
        acts = compute_activations(cfg, bench, loaded.data, spec)
        if cfg.layers:
            acts = acts.subset_layers(cfg.layers)
        model_info = {"id": acts.meta.get("model", cfg.model), "hf_id": acts.meta.get("hf_id"),
                      "revision": acts.meta.get("revision"), "source": "hf",
                      "activations_content_sha1": act_io.content_sha1(acts), "dtype": acts.meta.get("dtype", cfg.dtype),
                      "extraction": acts.meta.get("mode")}
    # 5. score
    with progress_bar(total=bench.cv_steps(len(acts.layers)), desc=f"cross-validation {bench.id}",
                      quiet=cfg.quiet) as bar:
        ctx = ScoreContext(solver=solver, ceiling_mode=cfg.ceiling_mode,
                           ceiling=None if cfg.ceiling is None else float(cfg.ceiling), device=rdevice, progress=bar,
                           cache_dir=cfg.cache_dir, quiet=cfg.quiet, bootstrap=boot,
                           layer_selection=selection if encoding else "max")
        bscore = bench.score(acts, loaded.data, ctx)
    bscore.settings["bootstrap"] = boot.describe() if boot else None
    committed = spec.bsl_layer if spec is not None and original(bench).suite == SUITE_BSL else None
    provenance = {
        "engine": "native",
        "solver": bscore.settings.get("solver", solver),
        "seed": bscore.settings.get("seed"),
        "cv": bscore.settings.get("cv"),
        "ceiling_mode": bscore.settings.get("ceiling_mode"),
        "tokenization": tokenization,
        "regression_device": rdevice or "cpu",
        "versions": prov.versions(),
        "data": dict(sorted(loaded.files.items())),
        "created": prov.now(),
        "command": prov.command_line(),
        "config": resolved_config(cfg, solver),
    }
    if acts.meta.get("context_changes"):
        provenance["context_changes"] = acts.meta["context_changes"]
    result = results.build(bscore, model_info, provenance, committed)
    # 6. write
    if cfg.output is not None:
        result.save(Path(cfg.output))
    return result


# the settings a stored result must share with a request to stand in for it (reproduce's reuse; the
# tokenization is compared there by its semantics: none given on a legacy benchmark means paper)
REUSE_KEYS = ("layers", "dtype", "revision", "solver", "ceiling_mode", "ceiling", "bootstrap", "bootstrap_seed",
              "bootstrap_method", "layer_selection")


def resolved_config(cfg: ScoreConfig, solver: str) -> dict:
    """The request as scored: ``solver`` resolved for the benchmark's suite (exact -> legacy-/bsl-exact)."""
    out = {k: v for k, v in asdict(cfg).items() if k in ("layers", "device", "dtype", "batch_size", "revision",
                                                          "ceiling_mode", "ceiling", "tokenization", "bootstrap",
                                                          "bootstrap_seed", "bootstrap_method", "layer_selection")}
    out["solver"] = solver
    return out


def _run_legacy(cfg: ScoreConfig, benchmark: str) -> results.Result:
    from .engines.legacy_docker import run_legacy
    from .engines.legacy_local import legacy_python, run_legacy_local

    python = legacy_python(cfg.legacy_python)  # None: the Docker route
    common = {"layers": cfg.layers, "data_dir": cfg.data_dir, "revision": cfg.revision, "output": cfg.output,
              "cache_dir": str(Path(cfg.cache_dir) / "legacy") if cfg.cache_dir else None,
              "tokenization": cfg.tokenization or "paper"}
    if python is not None:
        data = run_legacy_local(cfg.model, benchmark, python=python, **common)
    else:
        data = run_legacy(cfg.model, benchmark, image=cfg.image, gpus=cfg.device.startswith("cuda"), **common)
    return results.Result(data)


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
    cfg = ScoreConfig(benchmark=benchmark, model=model, output=output, **kwargs)
    _validate_common(cfg, ".npz")
    if cfg.engine != "native":
        raise InputError("activations are extracted by the native engine only")
    bench = get_benchmark(cfg.benchmark, warn=log.warning)
    for_benchmark(cfg.tokenization, bench)  # a BSL benchmark refuses it before any download
    if controls.is_control(cfg.model):
        raise InputError(f"{cfg.model} is a control baseline: it has no activations to extract; score it directly")
    from .models.registry import resolve_model

    spec = resolve_model(cfg.model, cfg.revision)
    loaded = load_benchmark_data(bench, cfg.data_dir, cfg.offline, cfg.quiet)
    acts = compute_activations(cfg, bench, loaded.data, spec)
    if cfg.layers:
        acts = acts.subset_layers(cfg.layers)
    if output is not None:
        act_io.save(acts, output)
    return acts
