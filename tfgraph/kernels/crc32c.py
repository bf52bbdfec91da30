"""CRC-32C (Castagnoli), the checksum in TensorFlow's checkpoint files (tensor data, table blocks).

`crc32c(data)` is the plain CRC; TF stores "masked" CRCs (`mask`) inside its files so that a CRC
of data that itself contains CRCs stays well distributed. The kernel is slicing-by-8: eight
256-entry tables, one 8-byte load and eight lookups per step instead of eight dependent byte steps
(a byte-at-a-time loop ran about 8x slower).
"""
import numpy as np

from tfgraph.kernels.jit import njit

_POLY = 0x82F63B78   # the Castagnoli polynomial, bit-reversed
_MASK_DELTA = 0xA282EAD8


def _tables():
    t = np.zeros((8, 256), np.uint32)
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ (_POLY if c & 1 else 0)
        t[0, i] = c
    for k in range(1, 8):
        t[k] = (t[k - 1] >> 8) ^ t[0][t[k - 1] & 0xFF]
    return t


_TABLES = _tables()


@njit
def _update(crc, buf, t):
    """Continues the (pre-inverted) CRC `crc` over the uint8 array `buf`."""
    n = buf.size
    i = 0
    c = np.uint32(crc)
    nwords = n // 8
    if nwords:
        words = buf[:nwords * 8].view(np.uint64)
        for w in range(nwords):
            v = words[w]
            lo = np.uint32(v & np.uint64(0xFFFFFFFF)) ^ c
            hi = np.uint32(v >> np.uint64(32))
            c = (t[7, lo & 0xFF] ^ t[6, (lo >> 8) & 0xFF] ^ t[5, (lo >> 16) & 0xFF]
                 ^ t[4, lo >> 24] ^ t[3, hi & 0xFF] ^ t[2, (hi >> 8) & 0xFF]
                 ^ t[1, (hi >> 16) & 0xFF] ^ t[0, hi >> 24])
        i = nwords * 8
    for j in range(i, n):
        c = t[0, (c ^ buf[j]) & 0xFF] ^ (c >> 8)
    return c


def crc32c(data, crc=0):
    """CRC-32C of a bytes-like object or C-contiguous array, continuing from `crc`."""
    buf = np.frombuffer(data, np.uint8) if not isinstance(data, np.ndarray) else \
        np.ascontiguousarray(data).reshape(-1).view(np.uint8)
    if buf.size == 0:
        return crc
    if buf.ctypes.data % 8:   # the uint64 view needs an aligned start; copying once is cheap
        buf = buf.copy()
    return int(_update(np.uint32(crc ^ 0xFFFFFFFF), buf, _TABLES)) ^ 0xFFFFFFFF


def mask(crc):
    """TF's masked CRC: rotate right by 15 bits and add a constant (crc32c::Mask)."""
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def unmask(masked):
    rot = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF
