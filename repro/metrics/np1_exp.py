"""``numpy.exp`` for float64 exactly as numpy 1.22-1.26 computes it on x86-64 CPUs with AVX512_SKX.

Why: Brain-Score Language 2.3.0 pins numpy < 2. On AVX-512 (SKX) CPUs numpy 1.22-1.26 evaluate
float64 ``exp`` with Intel SVML's low-accuracy kernel ``__svml_exp8`` (up to ~4 ulp); numpy >= 2.0
calls the high-accuracy ``__svml_exp8_ha``, and without AVX-512 numpy calls the C library. They
differ by 1-2 ulp on ~24% of arguments, and the ceiling's bootstrap curve fits are chaotic enough
to turn that into 1.2e-5 relative on the Fedorenko2016 ceiling (docs/numerics.md, "Ceilings").
Evaluating the extrapolation curve with this function reproduces the original's fits bit for bit
whatever the CPU and the numpy version.

The algorithm is the one ``__svml_exp8`` documents (numpy/SVML, linux/avx512/svml_z0_exp_d_la.s):
N = x*log2(e) rounded toward zero to a multiple of 1/16, R = x - N*ln2 in two fused steps, a
degree-6 polynomial for exp(R) - 1, a 16-entry table of 2^(j/16), scaling by 2^floor(N). The
constants are that kernel's data words. Each fused multiply-add is emulated exactly: error-free
product (Veltkamp/Dekker) and sum (Knuth), then round-to-odd (Boldo & Melquiond, "Emulation of
FMA and correctly rounded sums: proved algorithms using rounding to odd", IEEE TC 57, 2008).
|x| >= 707.70... takes SVML's scalar "rare" path (inf, 0, subnormal or near-overflow results);
there ``numpy.exp`` is used instead.
"""

from __future__ import annotations

import numpy as np


def _f64(*bits):
    return np.array(bits, dtype=np.uint64).view(np.float64)


# 2^(j/16), j = 0..15
_TABLE = _f64(0x3FF0000000000000, 0x3FF0B5586CF9890F, 0x3FF172B83C7D517B, 0x3FF2387A6E756238,
              0x3FF306FE0A31B715, 0x3FF3DEA64C123422, 0x3FF4BFDAD5362A27, 0x3FF5AB07DD485429,
              0x3FF6A09E667F3BCD, 0x3FF7A11473EB0187, 0x3FF8ACE5422AA0DB, 0x3FF9C49182A3F090,
              0x3FFAE89F995AD3AD, 0x3FFC199BDD85529C, 0x3FFD5818DCFBA487, 0x3FFEA4AFA2A490DA)
(_LOG2E, _SHIFT, _LN2_HI, _LN2_LO, _C6, _C5, _C4, _C3, _C2, _RARE) = (float(c) for c in _f64(
    0x3FF71547652B82FE,  # log2(e)
    0x42F8000000003FF0,  # 1.5 * 2^48 + 1023: puts N on the 1/16 grid
    0x3FE62E42FEFA39EF, 0x3C7ABC9E3B39803F,  # ln2, high and low parts
    0x3F572EB5EF0D213D, 0x3F81106603D97C00, 0x3FA555564BB4F5F0, 0x3FC5555554B508A2, 0x3FE0000000002622,
    0x40861DA04CBAFE44))  # |x| from which the rare path is taken
_SPLIT = 134217729.0  # 2^27 + 1


def _split(a):
    t = _SPLIT * a
    hi = t - (t - a)
    return hi, a - hi


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _two_prod(a, b, b_split=None):
    """p + e == a * b exactly (no overflow/underflow in our ranges)."""
    p = a * b
    ah, al = _split(a)
    bh, bl = b_split if b_split is not None else _split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _fma(a, b, c, b_split=None):
    """round-to-nearest(a * b + c) with a single rounding."""
    uh, ul = _two_prod(a, b, b_split)
    th, tl = _two_sum(c, uh)
    v, e = _two_sum(tl, ul)
    # round-to-odd of tl + ul: if inexact and v's last bit is even, step to the odd neighbour toward e
    step = (e != 0) & ((v.view(np.int64) & 1) == 0)
    if step.any():
        v = np.where(step, np.nextafter(v, np.where(e > 0, np.inf, -np.inf)), v)
    return th + v


_S_LOG2E, _S_LN2_HI, _S_LN2_LO = _split(_LOG2E), _split(_LN2_HI), _split(-_LN2_LO)
_S_C6, _S_C4, _S_C2 = _split(_C6), _split(_C4), _split(_C2)


def exp(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        # N: x*log2(e) + SHIFT rounded toward zero (the sum is positive, so: floor to the 1/16 grid).
        # RN(p)*16 is an integer only if it is the exact grid point or its error crosses it.
        p, pe = _two_prod(x, _LOG2E, _S_LOG2E)
        q = p * 16.0
        k = np.floor(q)
        k = np.where((k == q) & (pe < 0), k - 1.0, k)
        n = k / 16.0
        j = np.mod(k, 16.0)
        r = _fma(n, -_LN2_HI, x, (-_S_LN2_HI[0], -_S_LN2_HI[1]))
        r = _fma(n, -_LN2_LO, r, _S_LN2_LO)
        r2 = r * r
        p56 = _fma(r, _C6, _C5, _S_C6)
        p34 = _fma(r, _C4, _C3, _S_C4)
        r3 = r2 * r
        p12 = _fma(r2, _C2, r, _S_C2)
        p36 = _fma(r2, p56, p34)
        poly = _fma(r3, p36, p12)
        th = _TABLE[np.where(np.isfinite(j), j, 0).astype(np.intp)]
        res = _fma(th, poly, th)
        out = np.ldexp(res, np.where(np.isfinite(n), np.floor(n), 0).astype(np.int64))
        rare = ~(np.abs(x) < _RARE)
        if rare.any():
            out = np.where(rare, np.exp(x), out)
    return out
