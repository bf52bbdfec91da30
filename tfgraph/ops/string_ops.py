"""String ops: tf.strings.lower, regex_replace, as_string, to_hash_bucket_fast/strong, and the
splitting and n-gram ops Keras's TextVectorization needs.

tfgraph has no ragged tensors, so `string_split_padded` / `string_ngrams_padded` give what TF's
ragged `tf.strings.split` / `tf.strings.ngrams` hold as a dense pair: the tokens of each row,
left-aligned and padded with b"" to the longest row, and each row's length. String values are
bytes at run time (str inputs are UTF-8 encoded), as TensorFlow returns them. None of these ops
has a gradient (TF's have none either).
"""
import re

import numpy as np

from tfgraph.framework import dtypes, tensor_shape
from tfgraph.framework.op_def import OpDef, TensorSpec, require
from tfgraph.ops.string_hash import fingerprint64, siphash


def as_bytes(v):
    """One string element as bytes (tfgraph's constants hold str, TF's kernels bytes)."""
    return v if isinstance(v, bytes) else str(v).encode("utf-8")


def _map(x, fn):
    flat = [fn(as_bytes(v)) for v in np.asarray(x, dtype=object).reshape(-1)]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(np.shape(x))


def _require_string(x, op_type, what="input"):
    if x.dtype is not dtypes.string:
        raise TypeError("%s: `%s` must be a string tensor, got %s" % (op_type, what, x.dtype.name))


class StringLower(OpDef):
    """Lower-cases each string (Unicode-aware with encoding "utf-8", ASCII only with "")."""
    type = "StringLower"
    attrs = {"encoding": ""}

    def infer(self, x, *, encoding):
        _require_string(x, self.type)
        require(encoding in ("", "utf-8"), "StringLower: encoding must be '' or 'utf-8', got %r"
                % (encoding,))
        return [TensorSpec(x.shape, dtypes.string)]

    def compute(self, x, *, encoding):
        if encoding:
            return _map(x, lambda s: s.decode("utf-8").lower().encode("utf-8"))
        return _map(x, bytes.lower)    # ASCII letters only, as TF without an encoding


class StaticRegexReplace(OpDef):
    """Replaces the matches of `pattern` in each string by `rewrite` (all of them, or the first
    with replace_global=False). Patterns are Python `re` syntax, which agrees with TF's RE2 on
    character classes, alternation and groups (\\1 in the rewrite)."""
    type = "StaticRegexReplace"
    attrs = {"pattern": "", "rewrite": "", "replace_global": True}

    def infer(self, x, *, pattern, rewrite, replace_global):
        _require_string(x, self.type)
        try:
            re.compile(pattern)
        except re.error as e:
            raise ValueError("regex_replace: invalid pattern %r: %s" % (pattern, e)) from None
        return [TensorSpec(x.shape, dtypes.string)]

    def compute(self, x, *, pattern, rewrite, replace_global):
        rx = re.compile(as_bytes(pattern))
        rw = as_bytes(rewrite)
        count = 0 if replace_global else 1
        return _map(x, lambda s: rx.sub(rw, s, count=count))


class AsString(OpDef):
    """The decimal text of each integer (bools as "true"/"false"), as TF's AsString."""
    type = "AsString"

    def infer(self, x):
        require(x.dtype.is_integer or x.dtype.is_bool, "AsString: only integer and bool inputs "
                "are supported here, got %s" % x.dtype.name)
        return [TensorSpec(x.shape, dtypes.string)]

    def compute(self, x):
        out = np.empty(np.shape(x), dtype=object)
        flat = out.reshape(-1)
        for i, v in enumerate(np.asarray(x).reshape(-1)):
            flat[i] = (b"true" if v else b"false") if x.dtype == np.bool_ else b"%d" % v
        return out


class StringToHashBucketFast(OpDef):
    """FarmHash Fingerprint64(s) mod num_buckets, per string (int64)."""
    type = "StringToHashBucketFast"
    attrs = {"num_buckets": 1}

    def infer(self, x, *, num_buckets):
        _require_string(x, self.type)
        require(num_buckets >= 1, "StringToHashBucketFast: num_buckets must be >= 1, got %s"
                % (num_buckets,))
        return [TensorSpec(x.shape, dtypes.int64)]

    def compute(self, x, *, num_buckets):
        flat = [fingerprint64(as_bytes(v)) % num_buckets
                for v in np.asarray(x, dtype=object).reshape(-1)]
        return np.array(flat, dtype=np.int64).reshape(np.shape(x))


class StringToHashBucketStrong(OpDef):
    """SipHash-2-4(key, s) mod num_buckets, per string (int64); `key` is two 64-bit ints."""
    type = "StringToHashBucketStrong"
    attrs = {"num_buckets": 1, "key": (0, 0)}

    def infer(self, x, *, num_buckets, key):
        _require_string(x, self.type)
        require(len(key) == 2, "StringToHashBucketStrong: key must hold 2 integers, got %r"
                % (key,))
        require(num_buckets >= 1, "StringToHashBucketStrong: num_buckets must be >= 1, got %s"
                % (num_buckets,))
        return [TensorSpec(x.shape, dtypes.int64)]

    def compute(self, x, *, num_buckets, key):
        flat = [siphash(key[0], key[1], as_bytes(v)) % num_buckets
                for v in np.asarray(x, dtype=object).reshape(-1)]
        return np.array(flat, dtype=np.int64).reshape(np.shape(x))


class Substr(OpDef):
    """The `length` bytes of each string from byte `pos` (clipped at its end), as TF's Substr
    with unit "BYTE" and scalar pos/len."""
    type = "Substr"
    attrs = {"pos": 0, "length": 0}

    def infer(self, x, *, pos, length):
        _require_string(x, self.type)
        require(pos >= 0 and length >= 0, "Substr: pos and len must be >= 0, got %s, %s"
                % (pos, length))
        return [TensorSpec(x.shape, dtypes.string)]

    def compute(self, x, *, pos, length):
        return _map(x, lambda s: s[pos:pos + length])


def _pad_rows(rows):
    width = max((len(r) for r in rows), default=0)
    tokens = np.full((len(rows), width), b"", dtype=object)
    for i, r in enumerate(rows):
        tokens[i, :len(r)] = r
    return tokens, np.array([len(r) for r in rows], dtype=np.int64)


def _split_whitespace(s):
    return s.split()            # ASCII whitespace, runs as one, ends stripped: as TF's sep=None


def _split_characters(s):
    return [c.encode("utf-8") for c in s.decode("utf-8")]


class StringSplitPadded(OpDef):
    """Splits each string of a vector into tokens: (tokens [n, max_tokens] padded with b"",
    lengths [n]); `sep` "" splits on whitespace, characters=True on UTF-8 characters."""
    type = "StringSplitPadded"
    attrs = {"sep": "", "characters": False}

    def infer(self, x, *, sep, characters):
        _require_string(x, self.type)
        require(x.shape.ndims in (None, 1), "StringSplitPadded: input must be a vector, got "
                "shape %s" % (x.shape,))
        n = x.shape.as_tuple()[0] if x.shape.ndims == 1 else None
        return [TensorSpec(tensor_shape.TensorShape([n, None]), dtypes.string),
                TensorSpec(tensor_shape.TensorShape([n]), dtypes.int64)]

    def compute(self, x, *, sep, characters):
        if characters:
            split = _split_characters
        elif sep == "":
            split = _split_whitespace
        else:
            raw = as_bytes(sep)
            split = lambda s: s.split(raw) if s else []   # noqa: E731 (TF: "" gives no tokens)
        return _pad_rows([split(as_bytes(v)) for v in np.asarray(x, dtype=object).reshape(-1)])


class StringNGramsPadded(OpDef):
    """The n-grams of each row of padded tokens (see StringSplitPadded), widths in order, each
    joined by `separator`: as tf.strings.ngrams with no padding and preserve_short=False."""
    type = "StringNGramsPadded"
    attrs = {"ngram_widths": (1,), "separator": " "}

    def infer(self, tokens, lengths, *, ngram_widths, separator):
        _require_string(tokens, self.type, "tokens")
        require(all(int(w) >= 1 for w in ngram_widths), "StringNGramsPadded: ngram widths must "
                "be >= 1, got %s" % (ngram_widths,))
        n = tokens.shape.as_tuple()[0] if tokens.shape.ndims == 2 else None
        return [TensorSpec(tensor_shape.TensorShape([n, None]), dtypes.string),
                TensorSpec(tensor_shape.TensorShape([n]), dtypes.int64)]

    def compute(self, tokens, lengths, *, ngram_widths, separator):
        sep = as_bytes(separator)
        rows = []
        for row, k in zip(tokens, lengths):
            toks = [as_bytes(t) for t in row[:int(k)]]
            grams = []
            for w in ngram_widths:
                grams.extend(sep.join(toks[i:i + w]) for i in range(len(toks) - w + 1))
            rows.append(grams)
        return _pad_rows(rows)


def substr(input, pos, len, name=None, unit="BYTE"):  # noqa: A002
    """tf.strings.substr with Python-int pos and len, in bytes."""
    if unit != "BYTE":
        raise ValueError("tf.strings.substr: tfgraph supports unit='BYTE' only, got %r" % unit)
    return Substr.apply(input, pos=int(pos), length=int(len), name=name)


def lower(input, encoding="", name=None):  # noqa: A002 (TF's argument name)
    """tf.strings.lower."""
    return StringLower.apply(input, encoding=encoding.lower(), name=name)


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """tf.strings.regex_replace with a Python-string pattern and rewrite."""
    if not isinstance(pattern, (str, bytes)) or not isinstance(rewrite, (str, bytes)):
        raise TypeError("tf.strings.regex_replace: tfgraph takes `pattern` and `rewrite` as "
                        "Python strings")
    return StaticRegexReplace.apply(input, pattern=_text(pattern), rewrite=_text(rewrite),
                                    replace_global=bool(replace_global), name=name)


def _text(v):
    return v.decode("utf-8") if isinstance(v, bytes) else v


def as_string(input, name=None):  # noqa: A002
    """tf.strings.as_string for integer and bool tensors."""
    return AsString.apply(input, name=name)


def to_hash_bucket_fast(input, num_buckets, name=None):  # noqa: A002
    """tf.strings.to_hash_bucket_fast: Fingerprint64(s) % num_buckets."""
    return StringToHashBucketFast.apply(input, num_buckets=int(num_buckets), name=name)


def to_hash_bucket_strong(input, num_buckets, key, name=None):  # noqa: A002
    """tf.strings.to_hash_bucket_strong: SipHash-2-4 under `key` (two ints) % num_buckets."""
    return StringToHashBucketStrong.apply(input, num_buckets=int(num_buckets),
                                          key=tuple(int(k) for k in key), name=name)


def split_padded(input, sep=None, name=None):  # noqa: A002
    """(tokens, lengths): the dense form of tf.strings.split(input, sep) on a vector."""
    return StringSplitPadded.apply(input, sep=_text(sep or ""), name=name)


def unicode_split_padded(input, name=None):  # noqa: A002
    """(tokens, lengths): the dense form of tf.strings.unicode_split(input, "UTF-8")."""
    return StringSplitPadded.apply(input, characters=True, name=name)


def ngrams_padded(tokens, lengths, ngram_width, separator=" ", name=None):
    """(tokens, lengths): tf.strings.ngrams on the dense form of split_padded."""
    widths = (ngram_width,) if isinstance(ngram_width, int) else tuple(ngram_width)
    return StringNGramsPadded.apply(tokens, lengths, ngram_widths=widths,
                                    separator=_text(separator), name=name)


__all__ = ["as_string", "lower", "ngrams_padded", "regex_replace", "split_padded",
           "substr", "to_hash_bucket_fast", "to_hash_bucket_strong", "unicode_split_padded"]
