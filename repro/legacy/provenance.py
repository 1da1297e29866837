"""Versions, data checksums and timestamps recorded in every legacy result."""

import datetime
import hashlib
import json
import os
import platform
import sys
from typing import Dict, Optional

try:
    from importlib import metadata as _metadata
except ImportError:  # pragma: no cover - Python 3.8 has it; keeps vermin and old tools quiet
    _metadata = None

PYPI_DISTRIBUTIONS = ("numpy", "scipy", "scikit-learn", "pandas", "xarray", "netCDF4", "torch", "transformers",
                      "tokenizers")
SOURCES_FILE = "repro-legacy-sources.json"
GIT_DISTRIBUTIONS = ("neural-nlp", "brain-score", "brainio", "brainio_base", "result_caching", "nltk_contrib")


def _dist_version(name: str) -> Optional[str]:
    try:
        return _metadata.version(name)
    except Exception:  # not installed (e.g. the contract tests' stand-in)
        return None


def _git_commit(name: str) -> Optional[str]:
    """The commit pip checked out (PEP 610 direct_url.json); for a tarball install, the pinned commit recorded
    when the environment was built (docker/install-legacy-env.sh); else None."""
    try:
        info = json.loads(_metadata.distribution(name).read_text("direct_url.json") or "{}")
    except Exception:
        return None
    commit = (info.get("vcs_info") or {}).get("commit_id")
    return commit or (installed_sources().get(name) or {}).get("commit")


def installed_sources() -> Dict[str, dict]:
    try:
        with open(os.path.join(sys.prefix, SOURCES_FILE)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def repro_version() -> Optional[str]:
    if os.environ.get("REPRO_VERSION"):
        return os.environ["REPRO_VERSION"]
    try:
        import repro
        return getattr(repro, "__version__", None)
    except Exception:
        return None


def versions() -> Dict[str, Optional[str]]:
    out = {"repro": repro_version(), "python": platform.python_version()}
    for name in PYPI_DISTRIBUTIONS:
        out[name] = _dist_version(name)
    for name in GIT_DISTRIBUTIONS:
        out[name] = _git_commit(name)
    return out


def neural_nlp_home() -> str:
    # neural-nlp's S3 loader hard-codes this directory (spec §2.1)
    return os.path.expanduser("~/.neural_nlp")


def _sha1(path: str) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def data_files(benchmark: str, directory: Optional[str] = None) -> Dict[str, str]:
    """sha1 of the S3 files behind ``benchmark`` that are in the cache (assembly, stimulus set, ceiling)."""
    directory = directory or neural_nlp_home()
    key = benchmark.split("-")[0]
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return {}
    picked = [n for n in names if n == key + ".nc" or n.startswith(key + "-stimulus_set")
              or n.startswith(benchmark + "-ceiling")]
    return {n: _sha1(os.path.join(directory, n)) for n in picked if os.path.isfile(os.path.join(directory, n))}


def utc_now() -> str:
    return datetime.datetime.utcnow().replace(microsecond=0).isoformat() + "Z"
