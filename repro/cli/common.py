"""Options shared by several commands."""

from __future__ import annotations

import argparse


def add_data_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("data")
    g.add_argument("--data-dir", help="folder with the benchmark data files (default: $REPRO_NEURAL_NLP_HOME or "
                   "~/.neural_nlp for the legacy suite, $BRAINIO_HOME or ~/.brainio for Brain-Score Language)")
    g.add_argument("--offline", action="store_true", default=None,
                   help="never download; a missing file fails at once with its name and URL (also $REPRO_OFFLINE=1)")
    g.add_argument("--cache-dir", help="where activations and computed ceilings are cached "
                   "(default: $REPRO_CACHE_DIR or ~/.cache/repro)")


def add_run_options(g, device_default: str | None = "cpu",
                    device_help: str = "cpu, cuda, cuda:1, mps or auto (default: cpu)") -> None:
    """--device, --dtype, --batch-size (score, activations, reproduce, sweep)."""
    from ..api import DTYPES

    g.add_argument("--device", default=device_default, help=device_help)
    g.add_argument("--dtype", default="float32", choices=list(DTYPES),
                   help="weights and activations dtype (default: float32, as both original suites)")
    g.add_argument("--batch-size", type=int, default=8, help="context streams per forward batch (default: 8)")


def add_solver_option(p, help_text: str = "regression numerics: exact (default: the original suite's own path, "
                      "legacy-exact or bsl-exact by suite) or stable (float64 min-norm, faster; off the original "
                      "on ill-conditioned layers, docs/numerics.md)") -> None:
    from ..metrics.solvers import SOLVERS

    p.add_argument("--solver", default="exact", choices=["stable", "exact", *SOLVERS[1:]], help=help_text)


def add_model_options(p: argparse.ArgumentParser, required: bool = False) -> None:
    g = p.add_argument_group("model")
    g.add_argument("--model", required=required,
                   help="registered id (see `repro ls models`), Hugging Face id, or local model folder")
    g.add_argument("--revision", help="Hugging Face revision (branch, tag or commit) of the weights")
    add_run_options(g)
    g.add_argument("--trust-remote-code", action="store_true",
                   help="allow model code from the hub to run (off by default)")


def add_tokenization_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tokenization", choices=["paper", "seed"],
                   help="legacy neural-nlp benchmarks only: paper (default; strip each stimulus, as transformers 2.3.0) "
                        "or seed (the seed report's transformers >= 3 semantics: a trailing space becomes a lone 'Ġ' "
                        "carried into the next word); see docs/why-0.8159.md")


def add_layers_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layers", nargs="+", metavar="LAYER", help="score only these layers (default: all)")


def config_kwargs(args) -> dict:
    keys = ("revision", "layers", "data_dir", "cache_dir", "offline", "device", "dtype", "batch_size",
            "trust_remote_code", "quiet", "solver", "ceiling_mode", "tokenization", "bootstrap", "bootstrap_seed",
            "bootstrap_method", "layer_selection", "legacy_python")
    return {k: getattr(args, k) for k in keys if getattr(args, k, None) is not None}
