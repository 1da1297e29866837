"""``repro doctor``: what a bug report needs - versions, devices, caches, reachability, offline switches.

    from repro.doctor import diagnose, format_report
    print(format_report(diagnose(network=False)))

The network check sends one HEAD request per host with a short timeout and is skipped when an offline
switch is on; ``probe`` can be replaced (tests never touch the network).
"""

from __future__ import annotations

import os
import platform
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from . import provenance as prov

OFFLINE_SWITCHES = ("REPRO_OFFLINE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")
LOCATION_VARS = ("REPRO_CACHE_DIR", "REPRO_NEURAL_NLP_HOME", "BRAINIO_HOME", "HF_HOME", "HF_HUB_CACHE",
                 "REPRO_LEGACY_URL", "REPRO_BSL_URL", "REPRO_LEGACY_CACHE", "CI", "REPRO_QUIET")
HF_URL = "https://huggingface.co"


def hosts() -> dict[str, str]:
    """The hosts repro downloads from: legacy data bucket, Brain-Score Language storage, the model hub."""
    from .data.sources import bsl_base_url, legacy_base_url

    hub = os.environ.get("HF_ENDPOINT", "").strip() or HF_URL
    return {"legacy data": legacy_base_url() + "/", "Brain-Score Language data": bsl_base_url() + "/",
            "Hugging Face hub": hub.rstrip("/") + "/"}


def http_probe(url: str, timeout: float) -> str:
    """'ok (HTTP n)' for any HTTP answer (403 from a bucket root still means reachable), else the error."""
    req = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "repro-doctor"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - https hosts above
            return f"ok (HTTP {resp.status})"
    except urllib.error.HTTPError as exc:
        return f"ok (HTTP {exc.code})"
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"unreachable ({reason})"


def dir_size(path: Path) -> tuple[int, int]:
    """(bytes, files) under path; (0, 0) if it does not exist."""
    total = count = 0
    if not path.is_dir():
        return 0, 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += (Path(root) / f).stat().st_size
                count += 1
            except OSError:
                continue
    return total, count


def human(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"


def devices() -> dict:
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - torch is a dependency
        return {"torch": f"not importable ({exc})"}
    out = {"cpu threads": str(torch.get_num_threads()), "cuda": "not available"}
    if torch.cuda.is_available():
        names = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        out["cuda"] = f"{len(names)} device(s): {', '.join(names)} (CUDA {torch.version.cuda})"
    mps = getattr(torch.backends, "mps", None)
    out["mps"] = "available" if mps is not None and mps.is_available() else "not available"
    return out


def caches() -> dict[str, dict]:
    from .cache_admin import cache_roots
    from .data.paths import bsl_data_dir, legacy_data_dir

    places = {f"repro {k}": v for k, v in cache_roots().items()}
    places["legacy data (neural-nlp)"] = legacy_data_dir()
    places["Brain-Score Language data (brainio)"] = bsl_data_dir()
    hf = os.environ.get("HF_HUB_CACHE") or os.path.join(os.environ.get("HF_HOME", "~/.cache/huggingface"), "hub")
    places["Hugging Face models"] = Path(hf).expanduser()
    out = {}
    for name, path in places.items():
        size, files = dir_size(path)
        out[name] = {"path": str(path), "exists": path.is_dir(), "bytes": size, "files": files}
    return out


def diagnose(network: bool = True, timeout: float = 3.0, probe: Callable[[str, float], str] | None = None) -> dict:
    """Everything ``repro doctor`` prints, as a dict."""
    from .data.paths import is_offline

    switches = {k: os.environ.get(k) for k in OFFLINE_SWITCHES if os.environ.get(k)}
    offline = is_offline() or any(str(v).strip().lower() in ("1", "true", "yes", "on") for v in switches.values())
    report = {
        "versions": {**prov.versions(), "platform": platform.platform()},
        "devices": devices(),
        "caches": caches(),
        "environment": {k: os.environ.get(k) for k in LOCATION_VARS if os.environ.get(k)},
        "offline": {"active": offline, "switches": switches},
        "network": {},
    }
    if not network:
        report["network"] = {name: "not checked (--no-network)" for name in hosts()}
    elif offline:
        report["network"] = {name: "not checked (offline switch on)" for name in hosts()}
    else:
        probe = probe or http_probe
        report["network"] = {f"{name} {url}": probe(url, timeout) for name, url in hosts().items()}
    return report


def format_report(rep: dict) -> str:
    lines = ["versions:"]
    lines += [f"  {k:<14} {v if v is not None else 'not installed'}" for k, v in rep["versions"].items()]
    lines.append("devices:")
    lines += [f"  {k:<14} {v}" for k, v in rep["devices"].items()]
    lines.append("caches:")
    for name, c in rep["caches"].items():
        state = f"{human(c['bytes'])} in {c['files']} files" if c["exists"] else "absent"
        lines.append(f"  {name:<38} {c['path']}  ({state})")
    lines.append("offline: " + ("ON" if rep["offline"]["active"] else "off") +
                 (f" ({', '.join(f'{k}={v}' for k, v in rep['offline']['switches'].items())})"
                  if rep["offline"]["switches"] else " (switch on with --offline or REPRO_OFFLINE=1; models: HF_HUB_OFFLINE=1)"))
    lines.append("network:")
    lines += [f"  {k}: {v}" for k, v in rep["network"].items()]
    if rep["environment"]:
        lines.append("environment:")
        lines += [f"  {k}={v}" for k, v in rep["environment"].items()]
    return "\n".join(lines)
