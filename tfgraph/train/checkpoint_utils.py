"""Checkpoint files: the on-disk formats, the `checkpoint` state file, and readers.

The Saver writes TensorFlow's V2 layout (`<prefix>.index` + `<prefix>.data-00000-of-00001`, see
tensor_bundle.py), so TensorFlow reads tfgraph's checkpoints and tfgraph reads TensorFlow's.
Readers also accept tfgraph's older own format (version 1), told apart by its magic:

    bytes 0-7    magic b"TFGCKPT1"
    bytes 8-11   uint32 LE  format version (1)
    bytes 12-19  uint64 LE  header length H
    bytes 20-23  uint32 LE  CRC-32 of the header bytes
    H bytes      UTF-8 JSON header: {"format": "tfgraph-checkpoint", "version": 1,
                 "tensors": [{"name", "dtype" (numpy name, e.g. "float32"), "shape": [...],
                              "offset" (from the data section's start), "nbytes", "crc32"}, ...],
                 "data_bytes": total}
    data         each tensor's raw bytes, C order, little-endian, at its offset (64-byte aligned)

all in the one file `<prefix>.index` (`write_checkpoint` still writes it).

Only plain numeric and bool dtypes are stored; nothing in a file is ever executed or unpickled.
A short, truncated, corrupted or crafted file raises tf.errors.DataLossError. Writers write temp
files in the target directory, fsync them and publish them with os.replace (the TF layout: data
file first, then the index, so an index never names a data file that is not there yet).
"""
import json
import logging
import os
import re
import struct
import zlib

import numpy as np

from tfgraph.framework import errors
from tfgraph.platform import atomic_file
from tfgraph.train import tensor_bundle

MAGIC = b"TFGCKPT1"
VERSION = 1
_FIXED = struct.Struct("<IQI")
_ALIGN = 64
_DTYPES = frozenset(["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                     "uint16", "uint32", "uint64", "bool"])
SUFFIX = ".index"


# -- writing --------------------------------------------------------------------------------------
def write_checkpoint(prefix, tensors):
    """Writes {name: array} to `prefix + '.index'` atomically; returns the file path."""
    entries, offset = [], 0
    arrays = []
    for name in sorted(tensors):
        arr = np.asarray(tensors[name])
        if arr.dtype.name not in _DTYPES:
            raise TypeError("Cannot save %r: dtype %s is not supported in checkpoints"
                            % (name, arr.dtype))
        arr = np.asarray(arr, dtype=arr.dtype.newbyteorder("<"), order="C")
        offset = -(-offset // _ALIGN) * _ALIGN
        entries.append({"name": name, "dtype": arr.dtype.name, "shape": list(arr.shape),
                        "offset": offset, "nbytes": arr.nbytes,
                        "crc32": zlib.crc32(memoryview(arr).cast("B"))})
        arrays.append((offset, arr))
        offset += arr.nbytes
    header = json.dumps({"format": "tfgraph-checkpoint", "version": VERSION, "tensors": entries,
                         "data_bytes": offset}, sort_keys=True).encode("utf-8")
    path = prefix + SUFFIX
    directory = os.path.dirname(os.path.abspath(path))
    tmp = _temp_file(path, directory, [])
    try:
        with open(tmp, "wb") as f:
            f.write(MAGIC + _FIXED.pack(VERSION, len(header), zlib.crc32(header)) + header)
            pos = 0
            for off, arr in arrays:
                if off > pos:
                    f.write(b"\0" * (off - pos))
                _write_array(f, arr)
                pos = off + arr.nbytes
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_dir(directory)
    return path


def write_tf_checkpoint(prefix, tensors):
    """Writes {name: array} as a TensorFlow V2 checkpoint (`prefix.index` and
    `prefix.data-00000-of-00001`), atomically per file; returns the index path. Arrays of
    bytes/str are tf.string tensors."""
    arrays = []
    for name in sorted(tensors):
        arr = np.asarray(tensors[name])
        if arr.dtype.kind in "OSU" and all(isinstance(x, (bytes, str, np.bytes_, np.str_))
                                          for x in arr.reshape(-1)):   # a tf.string tensor
            items = [x.encode("utf-8") if isinstance(x, str) else bytes(x)
                     for x in arr.reshape(-1)]
            arrays.append((name, (list(arr.shape), *tensor_bundle.encode_strings(items))))
            continue
        if arr.dtype.name not in _DTYPES:
            raise TypeError("Cannot save %r: dtype %s is not supported in checkpoints"
                            % (name, arr.dtype))
        arrays.append((name, np.asarray(arr, dtype=arr.dtype.newbyteorder("<"), order="C")))
    index_path = prefix + SUFFIX
    data_path = tensor_bundle.data_path(prefix, 0, 1)
    directory = os.path.dirname(os.path.abspath(index_path))
    temps = []
    try:
        data_tmp = _temp_file(data_path, directory, temps)
        entries, offset = {}, 0
        with open(data_tmp, "wb") as f:
            for name, arr in arrays:
                if isinstance(arr, tuple):
                    shape, blob, crc = arr
                    entries[name] = ("string", shape, offset, len(blob), crc)
                    f.write(blob)
                    offset += len(blob)
                    continue
                entries[name] = (arr.dtype.name, list(arr.shape), offset, arr.nbytes,
                                 tensor_bundle.crc32c(arr))
                _write_array(f, arr)
                offset += arr.nbytes
            f.flush()
            os.fsync(f.fileno())
        index_tmp = _temp_file(index_path, directory, temps)
        with open(index_tmp, "wb") as f:
            f.write(tensor_bundle.encode_index(entries))
            f.flush()
            os.fsync(f.fileno())
        os.replace(data_tmp, data_path)
        os.replace(index_tmp, index_path)
    except BaseException:
        for tmp in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise
    _fsync_dir(directory)
    return index_path


def _temp_file(path, directory, temps):
    """A new empty temp file beside `path` with the umask's permissions (mkstemp's are 0600,
    which would leave published checkpoints unreadable to the user's group, unlike TF's), after
    removing the temps of `path` that killed writers left (atomic_file.sweep_stale)."""
    atomic_file.sweep_stale(path)
    tmp = atomic_file.temp_file(os.path.join(directory, os.path.basename(path)))
    temps.append(tmp)
    return tmp


def _write_array(f, arr):
    if arr.nbytes:   # memoryview refuses to cast an empty array
        f.write(memoryview(arr).cast("B"))


def _fsync_dir(directory):
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_text(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    temps = []
    try:
        tmp = _temp_file(path, directory, temps)
        with open(tmp, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        for tmp in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise


# -- reading --------------------------------------------------------------------------------------
class CheckpointReader:
    """Reads one checkpoint (tf.train.NewCheckpointReader / load_checkpoint): TensorFlow's V2
    layout or tfgraph's older single-file format."""

    def __init__(self, prefix):
        self._prefix = prefix = os.fspath(prefix)
        path = prefix + SUFFIX
        if not os.path.exists(path):
            raise errors.NotFoundError(None, None, "Unsuccessful TensorSliceReader constructor: "
                                       "Failed to find any matching files for %s" % prefix)
        with open(path, "rb") as f:
            data = f.read()
        if data[:len(MAGIC)] == MAGIC:
            self._impl = _TfgraphFile(path, data)
        else:
            try:
                self._impl = _Bundle(prefix, data)
            except tensor_bundle.Corrupt as e:
                raise _loss(path, str(e)) from None

    def has_tensor(self, name):
        return name in self._impl.entries

    def get_tensor(self, name):
        """The tensor's value as a numpy array (NotFoundError when the key is absent)."""
        if name not in self._impl.entries:
            raise errors.NotFoundError(None, None, "Key %s not found in checkpoint %s"
                                       % (name, self._prefix))
        return self._impl.read(name)

    def get_variable_to_shape_map(self):
        return {n: list(self._impl.shape(n)) for n in self._impl.entries}

    def get_variable_to_dtype_map(self):
        from tfgraph.framework import dtypes
        out = {}
        for n in self._impl.entries:
            try:
                out[n] = dtypes.as_dtype(self._impl.dtype_name(n))
            except TypeError:   # a dtype tfgraph has no DType for: numpy's (uint32), or the
                name = self._impl.dtype_name(n)   # TF name when numpy has none (bfloat16)
                out[n] = np.dtype(name) if hasattr(np, name) else name
        return out

    def debug_string(self):
        return "".join("%s (%s) %s\n" % (n, self._impl.dtype_name(n), list(self._impl.shape(n)))
                       for n in sorted(self._impl.entries)).encode()


class _Bundle(tensor_bundle.BundleReader):
    def shape(self, name):
        return self.entries[name].shape

    def read(self, name):
        try:
            return super().read(name)
        except tensor_bundle.Corrupt as e:
            raise _loss(self.prefix, str(e)) from None
        except NotImplementedError as e:
            raise errors.UnimplementedError(None, None, "Reading checkpoint %s: %s"
                                            % (self.prefix, e)) from None


class _TfgraphFile:
    """tfgraph's own format (version 1), one file."""

    def __init__(self, path, data):
        self._path, self._data = path, data
        fixed = len(MAGIC) + _FIXED.size
        if len(data) < fixed:
            raise _loss(path, "not a tfgraph checkpoint (truncated header)")
        version, hlen, hcrc = _FIXED.unpack_from(data, len(MAGIC))
        if version != VERSION:
            raise _loss(path, "unsupported checkpoint format version %d" % version)
        header = data[fixed:fixed + hlen]
        if len(header) != hlen or zlib.crc32(header) != hcrc:
            raise _loss(path, "header checksum mismatch (truncated or corrupted file)")
        try:
            meta = json.loads(header.decode("utf-8"))
            self._base = fixed + hlen
            if len(data) != self._base + meta["data_bytes"]:
                raise _loss(path, "file has %d data bytes, header says %d (truncated?)"
                            % (len(data) - self._base, meta["data_bytes"]))
            entries = {}
            for e in meta["tensors"]:
                if not isinstance(e["name"], str) or e["name"] in entries:
                    raise _loss(path, "bad or repeated tensor name %r" % (e["name"],))
                if e["dtype"] not in _DTYPES:
                    raise _loss(path, "unknown dtype %r for %r" % (e["dtype"], e["name"]))
                entries[e["name"]] = e
        except (ValueError, KeyError, TypeError):   # a JSON header with the right CRC but wrong
            raise _loss(path, "unreadable header") from None   # fields (crafted)
        self.entries = entries

    def shape(self, name):
        return self.entries[name]["shape"]

    def dtype_name(self, name):
        return self.entries[name]["dtype"]

    def read(self, name):
        e = self.entries[name]
        try:
            start = self._base + int(e["offset"])
            nbytes = int(e["nbytes"])
            dtype = np.dtype(e["dtype"]).newbyteorder("<")
            shape = [int(d) for d in e["shape"]]
            raw = self._data[start:start + nbytes]
            if start < self._base or len(raw) != nbytes or zlib.crc32(raw) != e["crc32"]:
                raise _loss(self._path, "checksum mismatch for tensor %r" % name)
            arr = np.frombuffer(raw, dtype=dtype).reshape(shape)
        except (ValueError, KeyError, TypeError):
            raise _loss(self._path, "bad entry for tensor %r" % name) from None
        return arr.astype(arr.dtype.newbyteorder("="), copy=True)


def _loss(path, why):
    return errors.DataLossError(None, None, "Unable to read checkpoint %s: %s" % (path, why))


def checkpoint_exists(checkpoint_prefix):
    """True when a checkpoint with this prefix exists (tf.train.checkpoint_exists)."""
    return os.path.exists(checkpoint_prefix + SUFFIX)


def _resolve(ckpt_dir_or_file):
    if os.path.isdir(ckpt_dir_or_file):
        prefix = latest_checkpoint(ckpt_dir_or_file)
        if prefix is None:
            raise ValueError("Couldn't find 'checkpoint' file or checkpoints in given directory %s"
                             % ckpt_dir_or_file)
        return prefix
    return ckpt_dir_or_file


def load_checkpoint(ckpt_dir_or_file):
    """A CheckpointReader for a checkpoint prefix, or for the latest checkpoint in a directory."""
    return CheckpointReader(_resolve(ckpt_dir_or_file))


NewCheckpointReader = CheckpointReader


def list_variables(ckpt_dir_or_file):
    """Sorted [(name, shape)] of the tensors in a checkpoint."""
    reader = load_checkpoint(ckpt_dir_or_file)
    return sorted(reader.get_variable_to_shape_map().items())


def load_variable(ckpt_dir_or_file, name):
    """The value of tensor `name` in a checkpoint, as a numpy array."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


# -- the `checkpoint` state file -------------------------------------------------------------------
class CheckpointState:
    """TF's CheckpointState proto: model_checkpoint_path, all_model_checkpoint_paths (oldest
    first), and the timestamps tf.train.CheckpointManager records."""

    def __init__(self, model_checkpoint_path="", all_model_checkpoint_paths=(),
                 all_model_checkpoint_timestamps=(), last_preserved_timestamp=0.0):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths)
        self.all_model_checkpoint_timestamps = list(all_model_checkpoint_timestamps)
        self.last_preserved_timestamp = last_preserved_timestamp

    def __repr__(self):
        return _state_text(self)


# The text format as protobuf writes it: ASCII control characters, quotes and backslashes
# escaped, other characters (UTF-8) as they are.
_ESCAPES = {i: "\\%03o" % i for i in list(range(32)) + [127]}
_ESCAPES.update({ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r", ord('"'): '\\"',
                 ord("'"): "\\'", ord("\\"): "\\\\"})


def _quote(s):
    return '"%s"' % s.translate(_ESCAPES)


def _state_text(state):
    lines = ["model_checkpoint_path: %s" % _quote(state.model_checkpoint_path)]
    lines += ["all_model_checkpoint_paths: %s" % _quote(p)
              for p in state.all_model_checkpoint_paths]
    lines += ["all_model_checkpoint_timestamps: %r" % float(t)
              for t in state.all_model_checkpoint_timestamps]
    if state.last_preserved_timestamp:
        lines.append("last_preserved_timestamp: %r" % float(state.last_preserved_timestamp))
    return "\n".join(lines) + "\n"


class _ParseError(ValueError):
    pass


_TOKEN = re.compile(r"""\s+|\#[^\n]*|(?P<name>[A-Za-z_]\w*)|(?P<colon>:)
                        |(?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
                        |(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)""", re.X)
_SIMPLE = {"n": 10, "t": 9, "r": 13, "a": 7, "b": 8, "f": 12, "v": 11, "\\": 92, "'": 39,
           '"': 34, "?": 63}
_STRING_FIELDS = ("model_checkpoint_path", "all_model_checkpoint_paths")
_FLOAT_FIELDS = ("all_model_checkpoint_timestamps", "last_preserved_timestamp")


def _tokens(text):
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise _ParseError("unexpected %r at offset %d" % (text[pos:pos + 10], pos))
        pos = m.end()
        if m.lastgroup:
            yield m.lastgroup, m.group(m.lastgroup)


def _unquote(token):
    """The text of a quoted text-format string: C escapes, octal and hex bytes, UTF-8."""
    body, out, i = token[1:-1], bytearray(), 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in _SIMPLE:
            out.append(_SIMPLE[nxt])
            i += 2
        elif nxt in "01234567":
            m = re.match(r"[0-7]{1,3}", body[i + 1:])
            out.append(int(m.group(), 8) & 0xFF)
            i += 1 + len(m.group())
        elif nxt == "x" and re.match(r"[0-9a-fA-F]", body[i + 2:i + 3]):
            m = re.match(r"[0-9a-fA-F]{1,2}", body[i + 2:])
            out.append(int(m.group(), 16))
            i += 2 + len(m.group())
        else:
            raise _ParseError("invalid escape \\%s" % nxt)
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        raise _ParseError("string is not valid UTF-8") from None


def _parse_state(text):
    """A CheckpointState from text-format `text`; _ParseError on anything else (as TF's
    text_format.Merge: unknown fields and wrong value types are errors)."""
    state = CheckpointState()
    tokens = list(_tokens(text))
    i = 0
    while i < len(tokens):
        kind, field = tokens[i]
        if kind != "name" or field not in _STRING_FIELDS + _FLOAT_FIELDS:
            raise _ParseError("unknown field %r" % field)
        if i + 2 >= len(tokens) or tokens[i + 1][0] != "colon":
            raise _ParseError("expected ':' after %s" % field)
        kind, value = tokens[i + 2]
        i += 3
        if field in _STRING_FIELDS:
            if kind != "str":
                raise _ParseError("expected a string for %s" % field)
            value = _unquote(value)
            while i < len(tokens) and tokens[i][0] == "str":   # "a" "b" is one string
                value += _unquote(tokens[i][1])
                i += 1
        elif kind != "num":
            raise _ParseError("expected a number for %s" % field)
        if field == "model_checkpoint_path":
            state.model_checkpoint_path = value
        elif field == "all_model_checkpoint_paths":
            state.all_model_checkpoint_paths.append(value)
        elif field == "all_model_checkpoint_timestamps":
            state.all_model_checkpoint_timestamps.append(float(value))
        else:
            state.last_preserved_timestamp = float(value)
    return state


def _state_path(checkpoint_dir, latest_filename=None):
    return os.path.join(checkpoint_dir, latest_filename or "checkpoint")


def update_checkpoint_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                            latest_filename=None, all_model_checkpoint_timestamps=None,
                            last_preserved_timestamp=None, save_relative_paths=False):
    """Writes the `checkpoint` state file (TF's text format), atomically. As TF: relative paths
    are rewritten relative to a relative `save_dir`; with `save_relative_paths`
    (Saver(save_relative_paths=True)) absolute paths become relative to `save_dir`, so the
    directory can be moved."""
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    timestamps = list(all_model_checkpoint_timestamps or [])
    if timestamps and len(timestamps) != len(paths):
        raise ValueError("Checkpoint timestamps, if provided, must match checkpoint paths (got "
                         "paths %s and timestamps %s)" % (paths, timestamps))

    def rel(p):
        if save_relative_paths and os.path.isabs(p):
            p = os.path.relpath(p, save_dir)
        if not os.path.isabs(save_dir) and not os.path.isabs(p):
            p = os.path.relpath(p, save_dir)
        return p
    state = CheckpointState(rel(model_checkpoint_path), [rel(p) for p in paths], timestamps,
                            last_preserved_timestamp or 0.0)
    state_path = _state_path(save_dir, latest_filename)
    if state_path == state.model_checkpoint_path:
        raise RuntimeError("Save path '%s' conflicts with path used for checkpoint state.  "
                           "Please use a different save path." % model_checkpoint_path)
    atomic_write_text(state_path, _state_text(state))


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The CheckpointState in `checkpoint_dir` (relative paths joined to the directory); None
    when there is no state file or it does not parse (logged, as TF does); ValueError when it
    names no model_checkpoint_path."""
    checkpoint_dir = os.fspath(checkpoint_dir)
    path = _state_path(checkpoint_dir, latest_filename)
    if not os.path.exists(path):
        return None
    try:
        with open(path, "rb") as f:
            state = _parse_state(f.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, _ParseError) as e:
        logging.getLogger("tfgraph").warning("%s: %s: Checkpoint ignored", path, e)
        return None
    if not state.model_checkpoint_path:
        raise ValueError("Invalid checkpoint state loaded from " + checkpoint_dir)

    def absolute(p):
        return p if os.path.isabs(p) else os.path.join(checkpoint_dir, p)
    state.model_checkpoint_path = absolute(state.model_checkpoint_path)
    state.all_model_checkpoint_paths = [absolute(p) for p in state.all_model_checkpoint_paths]
    return state


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint recorded in `checkpoint_dir`, or None."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state and checkpoint_exists(state.model_checkpoint_path):
        return state.model_checkpoint_path
    return None
