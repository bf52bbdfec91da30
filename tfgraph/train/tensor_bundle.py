"""TensorFlow's V2 checkpoint layout ("tensor bundle"), encoded and decoded without TensorFlow.

A checkpoint `PREFIX` is `PREFIX.index` plus `PREFIX.data-00000-of-00001` (one data shard here;
readers accept N shards). The index is a LevelDB-style sorted table:

    data blocks    entries [varint shared][varint unshared][varint value_len][key suffix][value],
                   a full key every 16 entries (restart points), then the uint32 LE restart
                   offsets and their count; each block is followed by a 1-byte compression type
                   (0 = none) and the masked CRC-32C of the block plus that byte
    metaindex      an empty block
    index block    one entry per data block: a short key >= its last key and < the next block's
                   first, value = the block handle (varint offset, varint size)
    footer         the metaindex and index block handles, zero-padded to 40 bytes, then the
                   fixed64 LE magic 0xdb4775248b80fb57

Keys are tensor names in byte order; the empty key holds a BundleHeaderProto (num_shards,
endianness, version), every other key a BundleEntryProto (dtype, shape, shard_id, offset, size,
masked CRC-32C of the tensor bytes, and for partitioned variables the slices, each stored under
a key built with TF's OrderedCode). The data files hold raw little-endian tensor bytes.

Every length, offset and count read from a file is checked against the bytes that are actually
there before it is used; anything inconsistent raises `Corrupt`, which callers turn into
tf.errors.DataLossError naming the file.
"""
import os
import struct
import sys

import numpy as np

from tfgraph.kernels.crc32c import crc32c, mask, unmask

TABLE_MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48          # two block handles padded to 40 bytes, then the 8-byte magic
BLOCK_SIZE = 262144       # TF's table_options block_size
RESTART_INTERVAL = 16
BUNDLE_VERSION = 1        # kTensorBundleVersion

# TF DataType enum codes of the dtypes a checkpoint stores as raw bytes.
DTYPE_CODES = {1: "float32", 2: "float64", 3: "int32", 4: "uint8", 5: "int16", 6: "int8",
               8: "complex64", 9: "int64", 10: "bool", 17: "uint16", 18: "complex128",
               19: "float16", 22: "uint32", 23: "uint64"}
STRING = 7   # DT_STRING: varint lengths, their masked CRC, then the bytes (see encode_strings)
CODE_OF = {v: k for k, v in DTYPE_CODES.items()}
CODE_OF["string"] = STRING
# Known TF dtypes that tfgraph cannot read (no numpy equivalent, or not plain data).
UNSUPPORTED_CODES = {11: "qint8", 12: "quint8", 13: "qint32", 14: "bfloat16", 15: "qint16",
                     16: "quint16", 20: "resource", 21: "variant"}


class Corrupt(Exception):
    """The bytes are not a valid bundle (the caller adds the file name)."""


# -- protobuf wire format -------------------------------------------------------------------------
def _varint(n):
    n &= 0xFFFFFFFFFFFFFFFF   # negative int64s are 10-byte two's complement varints
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _read_varint(buf, pos, end):
    result, shift = 0, 0
    while True:
        if pos >= end or shift > 63:
            raise Corrupt("bad varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result & 0xFFFFFFFFFFFFFFFF, pos
        shift += 7


def _signed(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def _field(num, value, wire=0):
    key = _varint(num << 3 | wire)
    if wire == 0:
        return key + _varint(value)
    if wire == 2:
        return key + _varint(len(value)) + value
    return key + struct.pack("<I", value)   # wire 5: fixed32


def _fields(buf):
    """[(field number, value)] of a message: ints for varints and fixed, bytes for lengths."""
    out, pos, end = [], 0, len(buf)
    while pos < end:
        key, pos = _read_varint(buf, pos, end)
        num, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _read_varint(buf, pos, end)
        elif wire == 2:
            n, pos = _read_varint(buf, pos, end)
            if n > end - pos:
                raise Corrupt("field %d runs past the end of its message" % num)
            value, pos = bytes(buf[pos:pos + n]), pos + n
        elif wire == 5:
            if pos + 4 > end:
                raise Corrupt("truncated fixed32 field")
            value, pos = struct.unpack_from("<I", buf, pos)[0], pos + 4
        elif wire == 1:
            if pos + 8 > end:
                raise Corrupt("truncated fixed64 field")
            value, pos = struct.unpack_from("<Q", buf, pos)[0], pos + 8
        else:
            raise Corrupt("unknown wire type %d" % wire)
        out.append((num, value))
    return out


# -- the protos ------------------------------------------------------------------------------------
def encode_header(num_shards=1):
    version = _field(1, BUNDLE_VERSION)   # VersionDef.producer; min_consumer 0
    return _field(1, num_shards) + _field(3, version, 2)


def decode_header(buf):
    num_shards, endianness, min_consumer = 0, 0, 0
    for num, v in _fields(buf):
        if num == 1 and isinstance(v, int):
            num_shards = _signed(v)
        elif num == 2 and isinstance(v, int):
            endianness = v
        elif num == 3 and isinstance(v, bytes):
            for n2, v2 in _fields(v):
                if n2 == 2 and isinstance(v2, int):
                    min_consumer = _signed(v2)
    if not 1 <= num_shards <= 99999:
        raise Corrupt("header has %d shards" % num_shards)
    if endianness not in (0, 1):
        raise Corrupt("header has unknown endianness %d" % endianness)
    if min_consumer > BUNDLE_VERSION:
        raise Corrupt("written for bundle readers of version >= %d; this reader is version %d"
                      % (min_consumer, BUNDLE_VERSION))
    return num_shards, "<" if endianness == 0 else ">"


def _encode_shape(shape):
    return b"".join(_field(2, _field(1, d) if d else b"", 2) for d in shape)


def encode_entry(dtype_code, shape, offset, size, crc, shard_id=0):
    out = _field(1, dtype_code) + _field(2, _encode_shape(shape), 2)
    if shard_id:
        out += _field(3, shard_id)
    if offset:
        out += _field(4, offset)
    if size:
        out += _field(5, size)
    return out + _field(6, crc, 5)


class Entry:
    """A decoded BundleEntryProto."""
    __slots__ = ("dtype", "shape", "shard_id", "offset", "size", "crc", "slices")

    def __init__(self):
        self.dtype, self.shape, self.shard_id, self.offset, self.size = 0, [], 0, 0, 0
        self.crc, self.slices = 0, []


def _decode_shape(buf):
    dims, unknown = [], False
    for num, v in _fields(buf):
        if num == 2 and isinstance(v, bytes):
            size = 0
            for n2, v2 in _fields(v):
                if n2 == 1 and isinstance(v2, int):
                    size = _signed(v2)
            if size < 0:
                raise Corrupt("negative dimension %d" % size)
            dims.append(size)
        elif num == 3 and isinstance(v, int):
            unknown = bool(v)
    if unknown:
        raise Corrupt("a stored tensor has unknown rank")
    return dims


def _decode_slice(buf):
    extents = []
    for num, v in _fields(buf):
        if num == 1 and isinstance(v, bytes):
            start, length = 0, -1   # no length: the full extent (kFullExtent)
            for n2, v2 in _fields(v):
                if n2 == 1 and isinstance(v2, int):
                    start = _signed(v2)
                elif n2 == 2 and isinstance(v2, int):
                    length = _signed(v2)
            extents.append((start, length))
    return extents


def decode_entry(buf):
    e = Entry()
    for num, v in _fields(buf):
        is_int = isinstance(v, int)
        if num == 1 and is_int:
            e.dtype = v
        elif num == 2 and not is_int:
            e.shape = _decode_shape(v)
        elif num == 3 and is_int:
            e.shard_id = _signed(v)
        elif num == 4 and is_int:
            e.offset = _signed(v)
        elif num == 5 and is_int:
            e.size = _signed(v)
        elif num == 6 and is_int:
            e.crc = v
        elif num == 7 and not is_int:
            e.slices.append(_decode_slice(v))
    if e.offset < 0 or e.size < 0 or e.shard_id < 0:
        raise Corrupt("negative offset, size or shard id")
    return e


# -- OrderedCode keys of partitioned-variable slices (TF's checkpoint::EncodeTensorNameSlice) ------
def _num_increasing(n):
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([len(raw)]) + raw


# header bits over the first two bytes of an L-byte signed number: L ones then a zero (a
# non-negative number; the bytes of a negative one are all inverted, header included)
_HEADER_BITS = [(0, 0), (0x80, 0), (0xC0, 0), (0xE0, 0), (0xF0, 0), (0xF8, 0), (0xFC, 0),
                (0xFE, 0), (0xFF, 0), (0xFF, 0x80), (0xFF, 0xC0)]


def _signed_num_increasing(v):
    x = ~v if v < 0 else v
    length = 1
    while x >= 1 << (7 * length - 1):   # L bytes hold 7L-1 magnitude bits
        length += 1
    raw = bytearray((v & ((1 << (8 * length)) - 1)).to_bytes(length, "big"))
    raw[0] ^= _HEADER_BITS[length][0]
    if length > 1:
        raw[1] ^= _HEADER_BITS[length][1]
    return bytes(raw)


def slice_key(name, extents):
    escaped = name.encode("utf-8").replace(b"\xff", b"\xff\x00").replace(b"\x00", b"\x00\xff")
    out = _num_increasing(0) + escaped + b"\x00\x01" + _num_increasing(len(extents))
    for start, length in extents:
        out += _signed_num_increasing(start) + _signed_num_increasing(length)
    return out


# -- the table (PREFIX.index) ----------------------------------------------------------------------
class _BlockBuilder:
    """Prefix-compressed entries with a restart point (a full key) every `interval` entries."""

    def __init__(self, interval):
        self.interval, self.out, self.restarts = interval, bytearray(), []
        self.count, self.last = 0, b""

    def add(self, key, value):
        shared = 0
        if self.count % self.interval == 0:
            self.restarts.append(len(self.out))
        else:
            limit = min(len(self.last), len(key))
            while shared < limit and self.last[shared] == key[shared]:
                shared += 1
        self.out += _varint(shared) + _varint(len(key) - shared) + _varint(len(value))
        self.out += key[shared:] + value
        self.last, self.count = key, self.count + 1

    def size_estimate(self):   # TF's BlockBuilder::CurrentSizeEstimate
        return len(self.out) + 4 * len(self.restarts) + 4

    def finish(self):
        restarts = self.restarts or [0]
        return bytes(self.out) + struct.pack("<%dI" % (len(restarts) + 1), *restarts,
                                             len(restarts))


def _block(entries, restart_interval):
    block = _BlockBuilder(restart_interval)
    for key, value in entries:
        block.add(key, value)
    return block.finish()


def _with_trailer(out, contents):
    """Appends a block and its trailer to `out`; returns the block's (offset, size) handle."""
    handle = (len(out), len(contents))
    out += contents + b"\x00" + struct.pack("<I", mask(crc32c(b"\x00", crc32c(contents))))
    return handle


def _handle(h):
    return _varint(h[0]) + _varint(h[1])


def _separator(start, limit):
    """A short key k with start <= k < limit (LevelDB's BytewiseComparator::FindShortestSeparator),
    so the index block holds short keys, as TF's does."""
    n = 0
    while n < min(len(start), len(limit)) and start[n] == limit[n]:
        n += 1
    if n < min(len(start), len(limit)) and start[n] < 0xFF and start[n] + 1 < limit[n]:
        return start[:n] + bytes([start[n] + 1])
    return start


def _successor(key):
    """A short key >= `key` (FindShortSuccessor): the first non-0xff byte, incremented."""
    for i, b in enumerate(key):
        if b != 0xFF:
            return key[:i] + bytes([b + 1])
    return key


def build_table(items):
    """The bytes of a table holding `items`, a list of (key bytes, value bytes) sorted by key,
    laid out as TF's TableBuilder does: a data block is closed once its size estimate reaches
    BLOCK_SIZE, and its index entry is written when the next key shows the shortest separator."""
    out, index, block, pending = bytearray(), [], _BlockBuilder(RESTART_INTERVAL), None
    for key, value in items:
        if pending is not None:
            index.append((_separator(pending[0], key), pending[1]))
            pending = None
        block.add(key, value)
        if block.size_estimate() >= BLOCK_SIZE:
            pending = (key, _handle(_with_trailer(out, block.finish())))
            block = _BlockBuilder(RESTART_INTERVAL)
    if block.count:
        pending = (block.last, _handle(_with_trailer(out, block.finish())))
    if pending is not None:
        index.append((_successor(pending[0]), pending[1]))
    meta = _with_trailer(out, _block([], RESTART_INTERVAL))
    idx = _with_trailer(out, _block(index, 1))
    footer = _handle(meta) + _handle(idx)
    out += footer + b"\x00" * (FOOTER_SIZE - 8 - len(footer)) + struct.pack("<Q", TABLE_MAGIC)
    return bytes(out)


def _read_block(data, handle, limit):
    offset, size = handle
    if offset + size + 5 > limit:
        raise Corrupt("block at %d (+%d bytes) runs past the end of the table" % (offset, size))
    contents = data[offset:offset + size]
    kind = data[offset + size]
    stored = struct.unpack_from("<I", data, offset + size + 1)[0]
    if unmask(stored) != crc32c(data[offset:offset + size + 1]):
        raise Corrupt("block checksum mismatch at offset %d" % offset)
    if kind != 0:
        raise Corrupt("block compression type %d is not supported (only uncompressed tables, "
                      "which TensorFlow writes for checkpoints)" % kind)
    return contents


def _block_entries(block):
    if len(block) < 4:
        raise Corrupt("block too short")
    num_restarts = struct.unpack_from("<I", block, len(block) - 4)[0]
    end = len(block) - 4 - 4 * num_restarts
    if num_restarts == 0 or end < 0:
        raise Corrupt("bad restart count %d" % num_restarts)
    out, pos, key = [], 0, b""
    while pos < end:
        shared, pos = _read_varint(block, pos, end)
        unshared, pos = _read_varint(block, pos, end)
        vlen, pos = _read_varint(block, pos, end)
        if shared > len(key) or unshared + vlen > end - pos:
            raise Corrupt("bad entry at block offset %d" % pos)
        key = key[:shared] + bytes(block[pos:pos + unshared])
        pos += unshared
        out.append((key, bytes(block[pos:pos + vlen])))
        pos += vlen
    return out


def _parse_handle(buf, pos, end):
    offset, pos = _read_varint(buf, pos, end)
    size, pos = _read_varint(buf, pos, end)
    return (offset, size), pos


def read_table(data):
    """{key: value} of a whole table (the bytes of an .index file), checking every checksum."""
    data = memoryview(data)
    n = len(data)
    if n < FOOTER_SIZE or struct.unpack_from("<Q", data, n - 8)[0] != TABLE_MAGIC:
        raise Corrupt("not a TensorFlow checkpoint index (bad magic or truncated footer)")
    limit = n - FOOTER_SIZE
    _, pos = _parse_handle(data, limit, n - 8)   # the metaindex: nothing in it we need
    index_handle, _ = _parse_handle(data, pos, n - 8)
    table, last = {}, None
    for _, value in _block_entries(_read_block(data, index_handle, limit)):
        handle, _ = _parse_handle(value, 0, len(value))
        for key, v in _block_entries(_read_block(data, handle, limit)):
            if last is not None and key <= last:
                raise Corrupt("keys out of order or repeated")
            table[key] = v
            last = key
    return table


# -- reading a bundle ------------------------------------------------------------------------------
def data_path(prefix, shard_id, num_shards):
    return "%s.data-%05d-of-%05d" % (prefix, shard_id, num_shards)


class BundleReader:
    """The tensors of one TF V2 checkpoint, given its prefix and the bytes of its .index file.

    Raises Corrupt for any inconsistency; data files are opened, bounds-checked and checksummed
    per tensor, on demand."""

    def __init__(self, prefix, index_bytes):
        self.prefix = prefix
        table = read_table(index_bytes)
        header = table.pop(b"", None)
        if header is None:
            raise Corrupt("the index has no bundle header")
        self.num_shards, self._order = decode_header(header)
        self.entries = {}
        for key, value in table.items():
            if key.startswith(b"\x00"):
                continue   # a slice of a partitioned variable, reached through its full entry
            try:
                name = key.decode("utf-8")
            except UnicodeDecodeError:
                raise Corrupt("a tensor name is not UTF-8: %r" % key) from None
            self.entries[name] = self._checked(name, decode_entry(value))
        self._slices = {k: v for k, v in table.items() if k.startswith(b"\x00")}

    def _checked(self, name, e, dtype=None):
        if e.dtype not in DTYPE_CODES and e.dtype not in UNSUPPORTED_CODES and e.dtype != STRING:
            raise Corrupt("tensor %r has unknown dtype code %d" % (name, e.dtype))
        if dtype is not None and e.dtype != dtype:
            raise Corrupt("a slice of %r has dtype code %d, the tensor %d" % (name, e.dtype, dtype))
        if len(e.shape) > 254:
            raise Corrupt("tensor %r has rank %d" % (name, len(e.shape)))
        if e.slices:
            return e
        if e.shard_id >= self.num_shards:
            raise Corrupt("tensor %r is in shard %d of %d" % (name, e.shard_id, self.num_shards))
        count = int(np.prod(e.shape, dtype=object))
        if e.dtype == STRING and count + 4 > e.size:   # a varint per string, then a CRC
            raise Corrupt("string tensor %r of shape %s cannot fit in %d bytes"
                          % (name, e.shape, e.size))
        if e.dtype in DTYPE_CODES:
            nbytes = count * np.dtype(DTYPE_CODES[e.dtype]).itemsize
            if nbytes != e.size:
                raise Corrupt("tensor %r of shape %s and dtype %s needs %d bytes, the entry says %d"
                              % (name, e.shape, DTYPE_CODES[e.dtype], nbytes, e.size))
        return e

    def dtype_name(self, name):
        code = self.entries[name].dtype
        return "string" if code == STRING else DTYPE_CODES.get(code) or UNSUPPORTED_CODES[code]

    def read(self, name):
        """The tensor `name` as a native-endian numpy array, strings as an object array of bytes
        (KeyError if absent)."""
        e = self.entries[name]
        if e.dtype in UNSUPPORTED_CODES:
            raise NotImplementedError("tensor %r has dtype %s, which tfgraph cannot read"
                                      % (name, UNSUPPORTED_CODES[e.dtype]))
        if not e.slices:
            return self._read_entry(name, e)
        return self._assemble(name, e)

    def _read_entry(self, name, e):
        path = data_path(self.prefix, e.shard_id, self.num_shards)
        try:
            f = open(path, "rb")
        except FileNotFoundError:
            raise Corrupt("data file %s of tensor %r is missing" % (path, name)) from None
        with f:
            have = os.fstat(f.fileno()).st_size
            if e.offset + e.size > have:
                raise Corrupt("tensor %r: bytes [%d, %d) lie past the end of %s (%d bytes)"
                              % (name, e.offset, e.offset + e.size, path, have))
            f.seek(e.offset)
            if e.dtype == STRING:
                raw = f.read(e.size)
                return decode_strings(raw, e.shape, e.crc, "%r in %s" % (name, path))
            dtype = DTYPE_CODES[e.dtype]
            out = np.empty(e.shape, np.uint8 if dtype == "bool" else dtype)
            got = f.readinto(out.reshape(-1).view(np.uint8)) if e.size else 0
        if got != e.size:
            raise Corrupt("tensor %r: short read from %s" % (name, path))
        if crc32c(out) != unmask(e.crc):
            raise Corrupt("checksum mismatch for tensor %r in %s" % (name, path))
        if dtype == "bool":   # any nonzero byte is True; a crafted 2 must not make an odd bool
            return out != 0
        if (self._order == ">") != (sys.byteorder == "big") and out.dtype.itemsize > 1:
            out.byteswap(inplace=True)
        return out

    def _assemble(self, name, e):
        """A partitioned variable: each slice sits under its own OrderedCode key."""
        total = int(np.prod(e.shape, dtype=object))
        parts, covered = [], 0
        for extents in e.slices:
            if len(extents) != len(e.shape):
                raise Corrupt("a slice of %r has rank %d, the tensor %d"
                              % (name, len(extents), len(e.shape)))
            index, dims = [], []
            for (start, length), dim in zip(extents, e.shape):
                if length == -1:
                    start, length = 0, dim
                if start < 0 or length < 0 or start + length > dim:
                    raise Corrupt("a slice of %r lies outside its shape %s" % (name, e.shape))
                index.append(slice(start, start + length))
                dims.append(length)
            value = self._slices.get(slice_key(name, extents))
            if value is None:
                raise Corrupt("a slice of %r listed in its entry is missing" % name)
            sub = self._checked(name, decode_entry(value), dtype=e.dtype)
            if sub.shape != dims or sub.slices:
                raise Corrupt("a slice of %r has shape %s, its extents say %s"
                              % (name, sub.shape, dims))
            covered += int(np.prod(dims, dtype=object))
            parts.append((tuple(index), sub))
        # Slices may alias the same bytes in a crafted file: the whole tensor must fit in the
        # data files it comes from before it is allocated.
        have = 0
        for shard in {sub.shard_id for _, sub in parts}:
            try:
                have += os.path.getsize(data_path(self.prefix, shard, self.num_shards))
            except OSError:
                pass
        itemsize = 1 if e.dtype == STRING else np.dtype(DTYPE_CODES[e.dtype]).itemsize
        if covered != total or total * itemsize > have:
            raise Corrupt("the slices of %r do not tile its shape %s" % (name, e.shape))
        out = np.empty(e.shape, object if e.dtype == STRING else DTYPE_CODES[e.dtype])
        for index, sub in parts:
            out[index] = self._read_entry(name, sub)
        return out


def _length_crc(n, crc):
    # TF checksums each length as a uint32 (uint64 past 4 GB), not as the varint it writes
    return crc32c(struct.pack("<I" if n <= 0xFFFFFFFF else "<Q", n), crc)


def encode_strings(items):
    """(bytes, crc32c) of a string tensor's data: varint lengths, the masked CRC of the lengths,
    then the strings; the CRC runs over the lengths, that masked CRC and the strings."""
    crc = 0
    for x in items:
        crc = _length_crc(len(x), crc)
    length_crc = struct.pack("<I", mask(crc))
    body = b"".join(items)
    blob = b"".join(_varint(len(x)) for x in items) + length_crc + body
    return blob, crc32c(body, crc32c(length_crc, crc))


def decode_strings(raw, shape, entry_crc, what):
    """An object array of bytes from encode_strings' layout, every length and CRC checked."""
    count, end = int(np.prod(shape, dtype=object)), len(raw)
    if count > end:
        raise Corrupt("string tensor %s: %d strings in %d bytes" % (what, count, end))
    lengths, pos, crc = [], 0, 0
    for _ in range(count):
        n, pos = _read_varint(raw, pos, end)
        lengths.append(n)
        crc = _length_crc(n, crc)
    if pos + 4 > end or struct.unpack_from("<I", raw, pos)[0] != mask(crc):
        raise Corrupt("string tensor %s: checksum mismatch in its lengths" % what)
    crc = crc32c(raw[pos:pos + 4], crc)
    pos += 4
    if pos + sum(lengths) != end:
        raise Corrupt("string tensor %s: lengths add up to %d bytes, the entry holds %d"
                      % (what, sum(lengths), end - pos))
    if crc32c(raw[pos:], crc) != unmask(entry_crc):
        raise Corrupt("checksum mismatch for string tensor %s" % what)
    out = np.empty(count, object)
    for i, n in enumerate(lengths):
        out[i] = bytes(raw[pos:pos + n])
        pos += n
    return out.reshape(shape)


def encode_index(entries, num_shards=1):
    """The .index bytes for {name: (dtype name, shape, offset, size, crc32c)} in one shard."""
    items = [(b"", encode_header(num_shards))]
    for name in sorted(entries, key=lambda n: n.encode("utf-8")):
        dtype, shape, offset, size, crc = entries[name]
        items.append((name.encode("utf-8"),
                      encode_entry(CODE_OF[dtype], shape, offset, size, mask(crc))))
    return build_table(items)
