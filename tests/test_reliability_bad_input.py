"""Bad input: each row fails with one actionable `error:` line (exit 2, no traceback) and writes nothing.

"Nothing written" means no result file, no side file, no activation cache entry and no ``.part``
left anywhere under the run's folder (a lock file may remain: it holds no data).
"""

from __future__ import annotations

import builtins
import errno
import functools
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from repro.cli import main
from repro.errors import InputError, ModelError

BENCH = "Fedorenko2016v3-encoding"


@pytest.fixture()
def work(tmp_path, monkeypatch, isolated_cache) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _score(*extra: str) -> list[str]:
    return ["-q", "score", "--benchmark", BENCH, "--cache-dir", "cache", "--output", "r.json", *extra]


def _files(work: Path) -> set[Path]:
    return {p for p in work.rglob("*") if p.is_file() and not p.name.endswith(".lock")}


def _fails(argv: list[str], capsys, *needles: str) -> str:
    """Run the CLI in the current folder; it must fail with one line and add no file but locks."""
    before = _files(Path.cwd())
    rc = main(argv)
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc == 2, err
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert _files(Path.cwd()) == before, "a failed run left files behind"
    return lines[0]


def _acts_file(path: Path, golden: Path, edit) -> Path:
    with np.load(golden / "inputs" / "activations" / "fedorenko2016.npz") as z:
        arrays = {k: z[k] for k in z.files}
    edit(arrays)
    np.savez(path, **arrays)
    return path


# -- unknown ids ------------------------------------------------------------------------------
def test_bad_unknown_model_suggests(work, capsys, legacy_data):
    _fails(_score("--model", "gpt-2", "--data-dir", str(legacy_data)), capsys, "unknown model 'gpt-2'",
           "did you mean", "'gpt2'")


def test_bad_unknown_benchmark_suggests(work, capsys, legacy_data, tiny_gpt2):
    argv = ["-q", "score", "--benchmark", "Fedorenko2016v3-encodng", "--model", str(tiny_gpt2), "--data-dir",
            str(legacy_data), "--output", "r.json"]
    _fails(argv, capsys, "unknown benchmark", "did you mean", "'Fedorenko2016v3-encoding'")


def test_bad_unknown_layer_of_activations_suggests(work, capsys, legacy_data, golden):
    acts = golden / "inputs" / "activations" / "fedorenko2016.npz"
    _fails(_score("--activations", str(acts), "--layers", "mid-dim", "--data-dir", str(legacy_data)), capsys,
           "unknown layer 'mid-dim'", "did you mean 'mid_dim'")


def test_bad_unknown_layer_of_model_suggests(work, capsys, legacy_data, tiny_gpt2):
    _fails(_score("--model", str(tiny_gpt2), "--layers", "encoder.h.9", "--data-dir", str(legacy_data)), capsys,
           "unknown layer 'encoder.h.9'", "did you mean")


# -- models -----------------------------------------------------------------------------------
def test_bad_model_folder_without_weights(work, capsys, legacy_data, tiny_gpt2):
    folder = work / "no-weights"
    shutil.copytree(tiny_gpt2, folder, ignore=shutil.ignore_patterns("*.safetensors", "*.bin"))
    line = _fails(_score("--model", str(folder), "--data-dir", str(legacy_data)), capsys, "cannot load model",
                  str(folder))
    assert "model.safetensors" in line or "weights" in line or "pytorch_model.bin" in line, line


def test_bad_model_folder_without_config(work, capsys, legacy_data):
    (work / "empty-model").mkdir()
    _fails(_score("--model", "empty-model", "--data-dir", str(legacy_data)), capsys, "has no config.json")


# -- activations ------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [np.nan, np.inf], ids=["nan", "inf"])
def test_bad_non_finite_activations(value, work, capsys, legacy_data, golden):
    def poison(a):
        a["mid_dim"] = a["mid_dim"].copy()
        a["mid_dim"][[3, 70]] = value

    acts = _acts_file(work / "bad.npz", golden, poison)
    _fails(_score("--activations", str(acts), "--data-dir", str(legacy_data)), capsys, "'mid_dim'", "NaN/inf",
           "2 stimuli")


@pytest.mark.parametrize("edit", ["shifted", "missing"])
def test_bad_activation_ids_do_not_match_benchmark(edit, work, capsys, legacy_data, golden):
    def change(a):
        if edit == "shifted":
            a["stimulus_id"] = a["stimulus_id"] + 1000
        else:
            for k in a:
                a[k] = a[k][:-5]

    acts = _acts_file(work / "bad.npz", golden, change)
    _fails(_score("--activations", str(acts), "--data-dir", str(legacy_data)), capsys, "stimulus")


def test_bad_pickled_activations_are_refused(work, capsys, legacy_data):
    np.savez(work / "pickled.npz", stimulus_id=np.array([object()], dtype=object), layer=np.zeros((1, 2)))
    _fails(_score("--activations", "pickled.npz", "--data-dir", str(legacy_data)), capsys, "cannot read activations")


# -- stimuli ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_loaded(tiny_gpt2):
    from repro.models.loading import load
    from repro.models.registry import resolve_model

    return load(resolve_model(str(tiny_gpt2)))


@pytest.mark.parametrize("text", ["The café was naïve", "Zürich — “quoted” words"], ids=["accents", "punctuation"])
def test_bad_non_ascii_stimulus_names_the_word(text, tiny_loaded):
    from repro.models.extract import extract_legacy
    from repro.models.streams import LegacyStream

    stream = LegacyStream((text,), tuple(f"w{i}" for i in range(len(text.split()))), per_word=True)
    with pytest.raises(InputError) as exc:
        extract_legacy(tiny_loaded, [stream], progress=False)
    msg = str(exc.value)
    assert "\n" not in msg and "cannot align word" in msg and "edit the stimulus" in msg
    assert ("'café'" in msg) or ("'Zürich'" in msg)


@pytest.mark.parametrize("text", ["", "   "], ids=["empty", "blank"])
def test_bad_empty_stimulus_legacy(text):
    from repro.models.streams import LegacyStream

    with pytest.raises(InputError, match="stimulus 's2' is empty"):
        LegacyStream(("A sentence.", text), ("s1", "s2"))


def test_bad_empty_stimulus_bsl(tiny_loaded):
    from repro.models.extract import extract_bsl
    from repro.models.streams import BslGroup

    with pytest.raises(InputError, match="empty context"):
        extract_bsl(tiny_loaded, [BslGroup(("",), ("s1",))], progress=False)


def test_bad_tokens_that_cannot_be_aligned():
    from repro.models.alignment import align_words

    with pytest.raises(InputError, match="cannot align word 'hello' of stimulus 's1'"):
        align_words(["hel", "p"], ["hello"], word_labels=["s1"])
    with pytest.raises(InputError, match="left over after the last word"):
        align_words(["hello", "world"], ["hello"], word_labels=["s1"])


# -- the cache directory ----------------------------------------------------------------------
def _refuse_under(monkeypatch, root: Path, err: int) -> None:
    """Make every write under ``root`` fail with ``err`` (works as root, where chmod does not)."""
    root = str(root.resolve())

    def under(path) -> bool:
        try:
            return os.path.abspath(os.fspath(path)).startswith(root)
        except TypeError:
            return False

    def guard(real, writes):
        @functools.wraps(real)
        def call(path, *a, **k):
            if under(path) and writes(a, k):
                raise OSError(err, os.strerror(err), os.fspath(path))
            return real(path, *a, **k)
        return call

    def mode_writes(a, k):
        mode = a[0] if a else k.get("mode", "r")
        return isinstance(mode, str) and any(c in mode for c in "wax+")

    def flags_write(a, k):
        flags = a[0] if a else k.get("flags", 0)
        return bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))

    monkeypatch.setattr(builtins, "open", guard(builtins.open, mode_writes))
    monkeypatch.setattr(os, "open", guard(os.open, flags_write))
    monkeypatch.setattr(os, "mkdir", guard(os.mkdir, lambda a, k: True))


def test_bad_read_only_cache_dir(work, capsys, monkeypatch, legacy_data, tiny_gpt2):
    (work / "cache").mkdir()
    _refuse_under(monkeypatch, work / "cache", errno.EROFS)
    _fails(_score("--model", str(tiny_gpt2), "--data-dir", str(legacy_data)), capsys, "read-only",
           "--cache-dir")


def test_bad_full_cache_dir(work, capsys, monkeypatch, legacy_data, tiny_gpt2):
    real_fsync, cache = os.fsync, str(work.resolve() / "cache") + os.sep

    def fsync(fd):  # the disk fills up while the activation cache entry is flushed
        if cache in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    _fails(_score("--model", str(tiny_gpt2), "--data-dir", str(legacy_data)), capsys, "no space left",
           "--cache-dir")


def test_read_only_data_dir_with_every_file_still_scores(work, capsys, legacy_data, golden):
    # the golden folder is read-only in CI: nothing may be written into it, and scoring works
    before = sorted(p.name for p in legacy_data.iterdir())
    acts = golden / "inputs" / "activations" / "fedorenko2016.npz"
    assert main(_score("--activations", str(acts), "--data-dir", str(legacy_data))) == 0
    assert sorted(p.name for p in legacy_data.iterdir()) == before
    assert (work / "r.json").is_file()


# -- out of memory (model side) ---------------------------------------------------------------
def _oom_above(monkeypatch, loaded, max_rows: int) -> None:
    import torch

    real = loaded.model.forward

    @functools.wraps(real)
    def forward(*a, **k):
        ids = k.get("input_ids", a[0] if a else None)
        if ids is not None and ids.shape[0] > max_rows:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")
        return real(*a, **k)

    monkeypatch.setattr(loaded.model, "forward", forward)


def test_bad_out_of_memory_batch_falls_back_to_smaller_batches(tiny_loaded, monkeypatch):
    from repro.models.extract import extract_legacy
    from repro.models.streams import LegacyStream

    streams = [LegacyStream((f"sentence number {i} is here",), tuple(f"s{i}w{j}" for j in range(5)), per_word=True)
               for i in range(6)]
    want = extract_legacy(tiny_loaded, streams, batch_size=1, progress=False)
    _oom_above(monkeypatch, tiny_loaded, 2)
    got = extract_legacy(tiny_loaded, streams, batch_size=8, progress=False)
    for name in want.layers:
        # other batch shapes take other GEMM blockings (kernel-dependent): equal to float32 rounding, not bitwise
        np.testing.assert_allclose(got.layers[name], want.layers[name], rtol=1e-5, atol=1e-6)


def test_bad_out_of_memory_at_batch_one_is_one_line(tiny_loaded, monkeypatch):
    from repro.models.extract import extract_legacy
    from repro.models.streams import LegacyStream

    _oom_above(monkeypatch, tiny_loaded, 0)
    with pytest.raises(ModelError, match="out of memory"):
        extract_legacy(tiny_loaded, [LegacyStream(("one two",), ("a", "b"), per_word=True)], batch_size=4,
                       progress=False)
