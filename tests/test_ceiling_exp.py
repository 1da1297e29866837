"""repro.metrics.np1_exp: numpy 1.26's float64 exp on AVX-512 CPUs, which the BSL 2.3.0 ceiling fits use.

The reference pairs were computed with numpy 1.26.4's ``np.exp`` on an AVX512_SKX CPU (the BSL
venv), choosing arguments where it differs from the C library's exp: a plain ``np.exp`` under
numpy 2.x (or without AVX-512) fails this test, as repro's ceiling did before (docs/numerics.md).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from repro.bench.peers import bsl_peer
from repro.metrics import ceiling as C
from repro.metrics.np1_exp import exp

NUMPY1_AVX512 = [  # (x, numpy 1.26.4 exp(x)), float.hex
    ("-0x1.86b2cd117f3bep+1", "0x1.830f9039cafe2p-5"),
    ("-0x1.f325e519848d1p+4", "0x1.fd6182754af63p-46"),
    ("-0x1.38f4e69c520cfp+5", "0x1.7a08e8b1a2599p-57"),
    ("-0x1.579a15c28bb03p+3", "0x1.6c4c5f94dfdc8p-16"),
    ("-0x1.3fecbfba389f7p+4", "0x1.1c9e0aabc1b39p-29"),
    ("-0x1.2311e6dbc2e22p+5", "0x1.6c64f9f93995cp-53"),
    ("-0x1.bdf2d6ab01916p+8", "0x1.8cc6d5bf45a31p-644"),
    ("0x1.2901ab1fdd454p+9", "0x1.f8d4fd959ef6dp+856"),
    ("0x1.45f10890796b8p+6", "0x1.79094cff6613dp+117"),
    ("-0x1.e234d7037e5c8p+6", "0x1.0ebf45f0947afp-174"),
    ("-0x1.116d195b75f5cp+9", "0x1.0aa86c2425b37p-789"),
    ("-0x1.6a67de7196bfap+8", "0x1.1dd5c60405352p-523"),
]


def test_matches_numpy_1_26_avx512_bit_for_bit():
    x = np.array([float.fromhex(a) for a, _ in NUMPY1_AVX512])
    want = np.array([float.fromhex(b) for _, b in NUMPY1_AVX512])
    got = exp(x)
    assert [g.hex() for g in got.tolist()] == [w.hex() for w in want.tolist()]


def test_the_ceiling_curve_uses_it():
    x = np.array([float.fromhex(a) for a, _ in NUMPY1_AVX512[:6]])
    want = 0.5 * (1 - np.array([float.fromhex(b) for _, b in NUMPY1_AVX512[:6]]))
    np.testing.assert_array_equal(C.v(-x, 0.5, 1.0), want)


def test_special_values_and_accuracy():
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-300, -1e-20, 709.0, 710.0, -745.0, -746.0])
    with np.errstate(all="ignore"):
        got, ref = exp(x), np.exp(x)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    np.testing.assert_allclose(got[1:], ref[1:], rtol=1e-15, atol=0)
    rng = np.random.RandomState(0)
    y = np.concatenate([rng.uniform(-700, 700, 20000), -rng.exponential(3.0, 20000)])
    np.testing.assert_allclose(exp(y), np.exp(y), rtol=5e-16, atol=0)  # SVML's ~4-ulp kernel: ≤ 2 ulp seen


_PEER_EXP = """
import sys, numpy as np
try:
    from numpy._core._multiarray_umath import __cpu_features__ as features
except ImportError:
    from numpy.core._multiarray_umath import __cpu_features__ as features
x = np.load(sys.argv[1])
np.save(sys.argv[2], np.exp(x))
print(np.__version__, int(bool(features.get("AVX512_SKX"))))
"""


@pytest.mark.slow
def test_equals_the_real_numpy_1_26_of_brainscore_language(tmp_path):
    """Against the numpy the original runs (the bench's Brain-Score Language 2.3.0 venv, numpy < 2)."""
    peer = bsl_peer(Path(os.environ.get("REPRO_BENCH_PEER_DIR", Path.home() / ".cache" / "repro" / "bench")))
    if peer.python is None:
        pytest.skip(peer.skipped)
    rng = np.random.default_rng(20261201)
    x = np.concatenate([-rng.exponential(3.0, 100_000), rng.uniform(-700, 700, 100_000)])
    np.save(tmp_path / "x.npy", x)
    out = subprocess.run([peer.python, "-c", _PEER_EXP, str(tmp_path / "x.npy"), str(tmp_path / "y.npy")],
                         capture_output=True, text=True, check=True).stdout.split()
    version, avx512 = out[0], out[1] == "1"
    assert version.startswith("1.")
    if not avx512:
        pytest.skip("this CPU has no AVX512_SKX: the original's exp here is not SVML's AVX-512 kernel, which "
                    "np1_exp follows (docs/numerics.md)")
    want = np.load(tmp_path / "y.npy")
    got = exp(x)
    assert np.array_equal(got.view(np.uint64), want.view(np.uint64)), f"{(got != want).sum()} of {x.size} differ"
    if int(np.__version__.split(".")[0]) >= 2:  # numpy 2's own exp is not the original's (the bug it fixes)
        assert (np.exp(x) != want).mean() > 0.1
