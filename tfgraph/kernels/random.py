"""Uniform random numbers for RandomUniform: SplitMix64 as a counter-based generator, in Numba.

numpy's Philox Generator takes ~6 ns per float32 on these cores (a (128, 512) dropout mask: 400 us,
twice that drawing float64 and casting). Here each call takes one 64-bit key from the op's own
Philox Generator (so the graph and op seeds still make runs reproducible) and element i is a hash
of (key, i): SplitMix64's output function over the Weyl sequence key + (i + 1) * golden, the
generator of Steele, Lea and Flood (2014), which passes BigCrush. One 64-bit output gives two
float32 (24 random bits each) or one float64 (53 bits), uniform on [0, 1).

`uniform_reference` is the same stream in plain numpy (the oracle for the tests).
"""
import numpy as np

from tfgraph.kernels.jit import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


@njit
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit
def _uniform_f32(key, out):
    n = out.size
    scale = np.float32(1.0 / (1 << 24))
    golden = np.uint64(0x9E3779B97F4A7C15)
    for j in range(n // 2):
        z = _mix(key + np.uint64(j + 1) * golden)
        out[2 * j] = np.float32(z >> np.uint64(40)) * scale
        out[2 * j + 1] = np.float32((z >> np.uint64(8)) & np.uint64(0xFFFFFF)) * scale
    if n % 2:
        z = _mix(key + np.uint64(n // 2 + 1) * golden)
        out[n - 1] = np.float32(z >> np.uint64(40)) * scale


@njit
def _uniform_f64(key, out):
    scale = 1.0 / (1 << 53)
    golden = np.uint64(0x9E3779B97F4A7C15)
    for j in range(out.size):
        z = _mix(key + np.uint64(j + 1) * golden)
        out[j] = np.float64(z >> np.uint64(11)) * scale


def uniform(gen, shape, dtype):
    """U[0, 1) samples of `dtype` (float32 or float64), keyed by one draw from numpy `gen`."""
    key = np.uint64(gen.bit_generator.random_raw())
    out = np.empty(shape, dtype)
    if out.size:
        (_uniform_f64 if out.dtype == np.float64 else _uniform_f32)(key, out.reshape(-1))
    return out


def uniform_reference(key, n, dtype):
    """The stream of `uniform` for one key, in numpy."""
    key = np.uint64(key)
    with np.errstate(over="ignore"):
        if np.dtype(dtype) == np.float64:
            z = _mix_np(key + np.arange(1, n + 1, dtype=np.uint64) * _GOLDEN)
            return (z >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))
        z = _mix_np(key + np.arange(1, (n + 1) // 2 + 1, dtype=np.uint64) * _GOLDEN)
        pairs = np.stack([z >> np.uint64(40), (z >> np.uint64(8)) & np.uint64(0xFFFFFF)], axis=1)
        return pairs.reshape(-1)[:n].astype(np.float32) * np.float32(1.0 / (1 << 24))


def _mix_np(z):
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))
