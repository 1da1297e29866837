"""repro doctor and repro cache ls|clear (never touching the network or the user's caches)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from repro import doctor
from repro.activations import Activations, save
from repro.cache_admin import cache_roots, clear, list_entries
from repro.cli import main
from repro.errors import InputError


@pytest.fixture(autouse=True)
def private_legacy_cache(tmp_path, monkeypatch):
    """`repro cache clear` also clears the legacy engine's cache: never the user's."""
    monkeypatch.setenv("REPRO_LEGACY_CACHE", str(tmp_path / "legacy-cache"))


def _no_network(url, timeout):
    raise AssertionError(f"tests must not touch the network ({url})")


def test_doctor_probes_every_host_with_injected_probe(isolated_cache, monkeypatch):
    for k in doctor.OFFLINE_SWITCHES:
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("REPRO_LEGACY_URL", "http://127.0.0.1:9/legacy")
    seen = []

    def probe(url, timeout):
        seen.append((url, timeout))
        return "unreachable (test)" if "127.0.0.1" in url else "ok (HTTP 200)"

    rep = doctor.diagnose(network=True, timeout=0.5, probe=probe)
    assert [u for u, _ in seen] == ["http://127.0.0.1:9/legacy/",
                                    "https://brainscore-storage.s3.amazonaws.com/brainscore-language/",
                                    "https://huggingface.co/"]
    assert all(t == 0.5 for _, t in seen)
    net = rep["network"]
    assert net["legacy data http://127.0.0.1:9/legacy/"] == "unreachable (test)"
    text = doctor.format_report(rep)
    assert "torch" in text and "cuda" in text and str(isolated_cache / "activations") in text
    assert "REPRO_LEGACY_URL=http://127.0.0.1:9/legacy" in text


def test_doctor_skips_network_when_offline(isolated_cache, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    rep = doctor.diagnose(network=True, probe=_no_network)
    assert rep["offline"]["active"] and rep["offline"]["switches"]["HF_HUB_OFFLINE"] == "1"
    assert all("offline switch on" in v for v in rep["network"].values())


def test_http_probe_reports_unreachable_quickly():
    # port 9 (discard) on loopback is closed: the probe must say so instead of raising
    assert doctor.http_probe("http://127.0.0.1:9/", 0.5).startswith("unreachable")


def test_doctor_cli_json(isolated_cache, capsys):
    assert main(["doctor", "--no-network", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert set(rep) == {"versions", "devices", "caches", "environment", "offline", "network"}
    assert rep["caches"]["repro activations"]["path"] == str(isolated_cache / "activations")


def _fill(cache):
    acts = Activations(np.array(["a", "b"]), {"l0": np.ones((2, 3), np.float32)})
    for model in ("gpt2", "distilgpt2"):
        save(acts, cache / "activations" / model / "legacy-abc.npz")
    (cache / "ceilings").mkdir(parents=True)
    (cache / "ceilings" / "ceiling-x.json").write_text("{}")


def test_cache_ls_and_clear_one_model(isolated_cache, capsys):
    _fill(isolated_cache)
    assert cache_roots()["activations"] == isolated_cache / "activations"
    names = [(e.kind, e.name) for e in list_entries()]
    assert names == [("activations", "distilgpt2"), ("activations", "gpt2"), ("ceilings", "ceilings")]
    assert [e.name for e in list_entries(model="openai-community/gpt2")] == ["gpt2"]  # alias -> registered id
    assert main(["cache", "ls", "--model", "gpt2"]) == 0
    out = capsys.readouterr().out
    assert "gpt2" in out and "distilgpt2" not in out
    assert main(["cache", "clear", "--model", "gpt2", "--dry-run"]) == 0
    assert (isolated_cache / "activations" / "gpt2").is_dir()
    assert main(["cache", "clear", "--model", "gpt2"]) == 0
    assert "removed" in capsys.readouterr().out
    assert not (isolated_cache / "activations" / "gpt2").exists()
    assert (isolated_cache / "activations" / "distilgpt2").is_dir() and (isolated_cache / "ceilings").is_dir()
    with pytest.raises(InputError, match="no cached activations for model 'gpt2'"):
        clear(model="gpt2")


def test_cache_clear_all(isolated_cache, capsys):
    _fill(isolated_cache)
    removed = clear(kinds=("activations", "ceilings"))
    assert {e.kind for e in removed} == {"activations", "ceilings"}
    assert not list((isolated_cache / "activations").iterdir()) and not (isolated_cache / "ceilings").exists()
    (isolated_cache.parent / "legacy-cache").mkdir()
    assert main(["cache", "clear"]) == 0
    assert "legacy-cache" in capsys.readouterr().out
    assert not (isolated_cache.parent / "legacy-cache").exists()
    assert main(["cache", "clear"]) == 0
    assert "nothing to remove" in capsys.readouterr().out
