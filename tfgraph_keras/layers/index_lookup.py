"""Keras 3's vocabulary layers: StringLookup and IntegerLookup (and their shared IndexLookup).

Index layout as Keras: [mask (int mode with a mask_token)] [num_oov_indices OOV slots] [tokens].
`adapt` counts tokens and keeps the most frequent (ties: the larger token first), up to
`max_tokens`; tf_idf also learns idf = log(1 + documents / (1 + documents with the token)).
The vocabulary is a lookup table the graph reads when it runs, so it may be set after the
model is built; in count/multi_hot/one_hot/tf_idf modes its size is frozen at the first call.
"""
import collections
import os

import numpy as np

import tfgraph as tf
from tfgraph.ops import string_ops
from tfgraph.ops.lookup_ops import StaticHashTable
from tfgraph_keras import backend
from tfgraph_keras.layers.base_layer import Layer
from tfgraph_keras.layers.core import as_shape_tuple

_INT64_MAX = np.iinfo(np.int64).max
_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def _canonical_mode(mode):
    return {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(mode, mode)


def check_mode(caller, mode, allowed=_MODES):
    if mode not in allowed:
        raise ValueError("Unknown value for `output_mode` argument of %s. Allowed values are: "
                         "%s. Received: output_mode=%s" % (caller, allowed, mode))


def encode_categorical(ids, output_mode, depth, idf=None):
    """Keras's encode_categorical_inputs on int64 ids, ids outside [0, depth) dropped: one_hot
    adds an axis (replacing a last axis of 1); multi_hot/count reduce the last axis of a matrix
    and all of a vector (TF's bincount path), axis -2 / 1 at higher ranks; tf_idf = count * idf.
    """
    if ids.shape.ndims == 0:
        ids = tf.expand_dims(ids, -1)
    rank = ids.shape.ndims
    if output_mode == "one_hot":
        if rank > 1 and ids.shape.as_list()[-1] == 1:
            ids = tf.squeeze(ids, -1)
        return tf.one_hot(ids, depth, dtype=tf.float32)
    hot = tf.one_hot(ids, depth, dtype=tf.float32)
    if output_mode == "multi_hot":
        return tf.reduce_max(hot, axis=0 if rank == 1 else -2)
    counts = tf.reduce_sum(hot, axis=0 if rank == 1 else 1)
    return counts if idf is None else counts * idf


class ArrayInputLayer(Layer):
    """A one-input layer that, called on a Python list of values, takes it as one array (as
    Keras's preprocessing layers do) rather than as a list of inputs."""

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, (list, tuple)) and not any(
                isinstance(v, (tf.Tensor, tf.Variable)) for v in inputs):
            inputs = np.asarray(inputs)
        return super().__call__(inputs, *args, **kwargs)


class IndexLookup(ArrayInputLayer):
    """Maps tokens to indices through a vocabulary (see the module docstring)."""

    _vocabulary_dtype = None   # "string" or "int64": set by the subclasses

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=None,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 sparse=False, pad_to_max_tokens=False, oov_method="floormod", salt=None,
                 vocabulary_size=None, has_input_vocabulary=None, **kwargs):
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(**kwargs)
        cls = type(self).__name__
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError("If set, `max_tokens` must be greater than 1. Received: "
                             "max_tokens=%s" % (max_tokens,))
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError("If pad_to_max_tokens is True, must set `max_tokens`. Received: "
                             "max_tokens=%s" % (max_tokens,))
        if num_oov_indices < 0:
            raise ValueError("`num_oov_indices` must be greater than or equal to 0. Received: "
                             "num_oov_indices=%s" % (num_oov_indices,))
        output_mode = _canonical_mode(output_mode)
        check_mode(cls, output_mode)
        if invert and output_mode != "int":
            raise ValueError("`output_mode` must be `'int'` when `invert` is true. Received: "
                             "output_mode=%s" % (output_mode,))
        if sparse:
            raise ValueError("%s(sparse=True) is not supported: tfgraph has no sparse outputs."
                             % cls)
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError("`idf_weights` should only be set if `output_mode` is `'tf_idf'`. "
                             "Received: idf_weights=%s and output_mode=%s"
                             % (idf_weights, output_mode))
        if isinstance(salt, int):
            salt = [salt, salt]
        self.max_tokens, self.num_oov_indices = max_tokens, num_oov_indices
        self.mask_token, self.oov_token = mask_token, oov_token
        self.invert, self.output_mode = invert, output_mode
        self.sparse, self.pad_to_max_tokens = False, pad_to_max_tokens
        self.oov_method, self.salt = oov_method, salt
        self.input_vocabulary = None if isinstance(vocabulary, str) else vocabulary
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = (vocabulary is not None if has_input_vocabulary is None
                                      else has_input_vocabulary)
        self._frozen_vocab_size = vocabulary_size
        self._tokens = []
        self._idf = None            # numpy idf weights (tf_idf), padded as Keras pads them
        self._idf_weight = None     # their variable, made at the first call
        self._add_idf_weight = self.add_weight   # a bound method: no layer cycle to track
        if invert:
            default, key_dtype, value_dtype = oov_token, "int64", self._vocabulary_dtype
        else:
            default = -1 if num_oov_indices != 1 else self._oov_start_index()
            key_dtype, value_dtype = self._vocabulary_dtype, "int64"
        self._table = StaticHashTable([], [], key_dtype, value_dtype, default)
        if self.output_mode == "tf_idf" and self._has_input_vocabulary and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output mode, "
                             "the `idf_weights` argument must also be provided.")
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.reset_state()

    # -- the vocabulary ----------------------------------------------------------------------
    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def _token(self, value):
        raise NotImplementedError

    def vocabulary_size(self):
        """The vocabulary's size, mask and OOV indices included."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens=True):
        """The tokens by index ([mask], OOV tokens, then the learned or given tokens)."""
        vocab = [self.oov_token] * self._token_start_index() + list(self._tokens)
        if self.mask_token is not None and self.output_mode == "int":
            vocab[0] = self.mask_token
        return vocab if include_special_tokens else vocab[self._token_start_index():]

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (a list/array, or a text file with one token a line) and, in
        tf_idf mode, the idf weights; special tokens at its start are recognised and skipped."""
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError("`idf_weights` should only be set if output_mode is `'tf_idf'`. "
                             "Received: output_mode=%s and idf_weights=%s"
                             % (self.output_mode, idf_weights))
        if isinstance(vocabulary, str):
            if not os.path.exists(vocabulary):
                raise ValueError("Vocabulary file %s does not exist." % vocabulary)
            if self.output_mode == "tf_idf":
                raise ValueError("output_mode `'tf_idf'` does not support loading a vocabulary "
                                 "from file.")
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = [self._token(line) for line in f.read().splitlines()]
        vocabulary = [self._token(v) for v in np.asarray(vocabulary, dtype=object).reshape(-1)]
        if not vocabulary:
            raise ValueError("Cannot set an empty vocabulary. Received: vocabulary=%s"
                             % (vocabulary,))
        token_start = self._token_start_index()
        special = [self.mask_token] * self._oov_start_index() + \
            [self.oov_token] * self.num_oov_indices
        found_special = vocabulary[:token_start] == special
        tokens = vocabulary[token_start:] if found_special else vocabulary
        repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError("The passed vocabulary has at least one repeated term. Please "
                             "uniquify your dataset. The repeated terms are: %s" % (repeated,))
        for what, token in (("mask_token", self.mask_token), ("oov_token", self.oov_token)):
            if token is not None and token in tokens and (what == "mask_token" or self.invert):
                raise ValueError("Found reserved %s at unexpected location in `vocabulary`. Note "
                                 "that passed `vocabulary` does not need to include the OOV and "
                                 "mask tokens. Either remove all mask and OOV tokens, or include "
                                 "them only at the start of the vocabulary in precisely this "
                                 "order: %s. Received: %s=%s at vocabulary index %d"
                                 % (what, special, what, token, vocabulary.index(token)))
        if self.max_tokens is not None and token_start + len(tokens) > self.max_tokens:
            raise ValueError("Attempted to set a vocabulary larger than the maximum vocab size. "
                             "Received vocabulary size is %d; `max_tokens` is %d."
                             % (token_start + len(tokens), self.max_tokens))
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            idf = np.asarray(idf_weights, dtype=np.float64)
            if len(vocabulary) != len(idf):
                raise ValueError("`idf_weights` must be the same length as vocabulary. "
                                 "len(idf_weights) is %d; len(vocabulary) is %d"
                                 % (len(idf), len(vocabulary)))
            front = 0 if found_special else token_start
            self._set_idf(np.pad(idf, (front, 0), constant_values=np.average(idf)))

    def _set_tokens(self, tokens):
        size = self._token_start_index() + len(tokens)
        if (self.output_mode != "int" and not self.pad_to_max_tokens
                and self._frozen_vocab_size not in (None, size)):
            raise RuntimeError("When using `output_mode=%s` and `pad_to_max_tokens=False`, the "
                               "vocabulary size cannot be changed after the layer is called. Old "
                               "vocab size is %s, new vocab size is %d"
                               % (self.output_mode, self._frozen_vocab_size, size))
        self._tokens = list(tokens)
        indices = range(self._token_start_index(), size)
        keys, values = (indices, tokens) if self.invert else (tokens, indices)
        keys, values = list(keys), list(values)
        if self.mask_token is not None:   # Keras replaces the mask's lookup by its own value
            mask_value = 0 if self.output_mode == "int" else _INT64_MAX
            keys.append(0 if self.invert else self.mask_token)
            values.append(self.mask_token if self.invert else mask_value)
        self._table.set(keys, values)
        self._frozen_vocab_size = size

    def _set_idf(self, idf):
        if self.pad_to_max_tokens and self.max_tokens is not None:
            idf = np.pad(idf, (0, self.max_tokens - len(idf)))
        self._idf = idf.astype(np.float32)
        if self._idf_weight is not None:
            backend.batch_set_value([(self._idf_weight, self._idf)])

    # -- adapt -------------------------------------------------------------------------------
    def reset_state(self):
        self._counts = collections.Counter()
        self._doc_counts = collections.Counter()
        self._num_documents = 0

    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary from numpy data / lists (one batch), a Dataset or an iterable of
        batches."""
        self.reset_state()
        if _is_array_like(data):   # as Keras: a vector of samples is a column, one per row
            data = np.asarray(data, dtype=object)
            self.update_state(data.reshape(-1, 1) if data.ndim == 1 else data)
        else:
            for batch in _batches(data, steps):
                self.update_state(batch)
        self.finalize_state()

    def _rows(self, batch):
        """The token rows (documents) of one batch: a vector is one row, as in Keras."""
        arr = np.asarray(batch, dtype=object)
        arr = arr.reshape(1, -1) if arr.ndim < 2 else arr.reshape(len(arr), -1)
        return [[self._token(t) for t in row] for row in arr]

    def check_adaptable(self):
        if self._has_input_vocabulary:
            raise ValueError("Cannot adapt layer '%s' after setting a static vocabulary via "
                             "`vocabulary` argument or `set_vocabulary()` method." % self.name)

    def update_state(self, data):
        self.check_adaptable()
        for row in self._rows(data):
            self.update_row(row)

    def update_row(self, row):
        """Counts the tokens of one document."""
        self._counts.update(row)
        if self.output_mode == "tf_idf":
            self._doc_counts.update(set(row))
        self._num_documents += 1

    def finalize_state(self):
        counts = self._counts
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        if self._has_input_vocabulary or not counts:
            return
        ranked = sorted(counts.items(), key=lambda kv: (kv[1], _sort_key(kv[0])), reverse=True)
        if self.max_tokens:
            ranked = ranked[:self.max_tokens - self._token_start_index()]
        tokens = [t for t, _ in ranked]
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            df = np.array([self._doc_counts[t] for t in tokens], dtype=np.float64)
            idf = np.log(1 + self._num_documents / (1 + df)).astype(np.float32)
            self._set_idf(np.pad(idf, (self._token_start_index(), 0),
                                 constant_values=np.mean(idf)))
        self.reset_state()

    # -- calling -----------------------------------------------------------------------------
    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    def _prepare(self, inputs):
        return inputs

    def call(self, inputs):
        if self.output_mode != "int" and not self.pad_to_max_tokens and \
                self._frozen_vocab_size is None:
            raise RuntimeError("When using `output_mode=%s` and `pad_to_max_tokens=False`, you "
                               "must set the layer's vocabulary before calling it. Either pass a "
                               "`vocabulary` argument to the layer, or call `adapt` with some "
                               "sample data." % self.output_mode)
        inputs = self._prepare(inputs)
        lookups = self.lookup(inputs)
        if self.output_mode == "int":
            return lookups
        idf = None
        if self.output_mode == "tf_idf":
            if self._idf is None and self._frozen_vocab_size is None:
                raise ValueError("When `output_mode` is `'tf_idf'`, `idf_weights` must be "
                                 "provided.")
            if self._idf is None:   # rebuilt from a config: the saved weights fill it in
                self._idf = np.zeros(self._depth(), np.float32)
            if self._idf_weight is None:   # owned by a TextVectorization holding this layer
                self._idf_weight = self._add_idf_weight(
                    name="idf_weights", shape=self._idf.shape, trainable=False,
                    initializer=lambda shape, dtype=None, **_: tf.constant(self._idf))
            idf = self._idf_weight
        return encode_categorical(lookups, self.output_mode, self._depth(), idf)

    def lookup(self, inputs):
        """The int64 indices of `inputs` (tokens for invert=True), OOV rules applied."""
        lookups = self._table.lookup(inputs)
        if self.invert:
            return lookups
        if self.num_oov_indices == 0:
            check = tf.Assert(tf.reduce_all(tf.not_equal(lookups, -1)), [
                "When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values "
                "in layer %s; consider setting `num_oov_indices=1`. Inputs:" % self.name,
                inputs], summarize=20)
            with tf.control_dependencies([check]):
                return tf.identity(lookups)
        if self.num_oov_indices > 1:
            if self._vocabulary_dtype == "int64" and self.oov_method != "farmhash":
                oov = tf.floormod(inputs, tf.cast(self.num_oov_indices, inputs.dtype))
                oov = tf.cast(oov, tf.int64)
            else:
                text = inputs if inputs.dtype == tf.string else string_ops.as_string(inputs)
                if self.salt is not None:
                    oov = string_ops.to_hash_bucket_strong(text, self.num_oov_indices, self.salt)
                else:
                    oov = string_ops.to_hash_bucket_fast(text, self.num_oov_indices)
            oov = oov + self._oov_start_index()
            lookups = tf.where(tf.equal(lookups, -1), oov, lookups)
        return lookups

    def save_assets(self, dir_path):
        """Writes an adapted vocabulary to dir_path/vocabulary.txt (a given one is in the
        config), as Keras does."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(w) for w in self.get_vocabulary()))

    def load_assets(self, dir_path):
        if self.input_vocabulary is not None:
            return
        path = os.path.join(dir_path, "vocabulary.txt")
        if not os.path.exists(path):
            return
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = [self._token(line) for line in lines]
        idf = self._idf if self.output_mode == "tf_idf" else None
        if self.output_mode == "tf_idf" and self._idf_weight is not None:
            idf = backend.batch_get_value([self._idf_weight])[0]
        self._frozen_vocab_size = None    # the size comes from the file
        self.set_vocabulary(values, idf_weights=idf)

    def compute_output_shape(self, input_shape):
        shape = as_shape_tuple(input_shape)
        if self.output_mode == "int":
            return shape
        depth = self._depth()
        if self.output_mode == "one_hot":
            if len(shape) > 1 and shape[-1] == 1:
                return shape[:-1] + (depth,)
            return shape + (depth,)
        return shape[:-1] + (depth,)

    def get_config(self):
        def plain(v):
            return v.tolist() if isinstance(v, np.ndarray) else v
        return {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
                "mask_token": self.mask_token, "output_mode": self.output_mode,
                "sparse": False, "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary_dtype": self._vocabulary_dtype,
                "idf_weights": plain(self.input_idf_weights),
                "vocabulary": plain(self.input_vocabulary),
                "vocabulary_size": self._frozen_vocab_size, "oov_method": self.oov_method,
                "salt": self.salt}


def _sort_key(token):
    return token.encode("utf-8") if isinstance(token, str) else token   # TF compares bytes


def _is_array_like(data):
    return isinstance(data, (list, tuple, np.ndarray, str, bytes)) or not hasattr(data, "__iter__")


def _batches(data, steps):
    """adapt's input as batches: a Dataset's or an iterable's items."""
    if hasattr(data, "as_numpy_iterator") and hasattr(data, "element_spec"):
        if steps is not None:
            data = data.take(steps)
        from tfgraph_keras.engine.data import _DatasetEpochs
        yield from (_first(b) for b in _DatasetEpochs(data))
        return
    for i, batch in enumerate(data):
        if steps is not None and i >= steps:
            break
        yield _first(batch)


def _first(batch):
    return batch[0] if isinstance(batch, tuple) else batch


class StringLookup(IndexLookup):
    """Maps strings to int64 indices from a vocabulary (or back with invert=True).

        lookup = StringLookup(vocabulary=["a", "b", "c"])
        lookup([["a", "c"], ["d", "b"]])    # -> [[1, 3], [0, 2]] (0: the OOV index)
    """

    _vocabulary_dtype = "string"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, salt=None,
                 **kwargs):
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         salt=salt, **kwargs)

    def _token(self, value):
        return value.decode(self.encoding) if isinstance(value, bytes) else str(value)

    def _prepare(self, inputs):
        if self.invert:
            return tf.cast(inputs, tf.int64) if inputs.dtype != tf.int64 else inputs
        if inputs.dtype != tf.string:
            raise TypeError("Layer %s (StringLookup) expects string inputs, got %s"
                            % (self.name, inputs.dtype.name))
        return inputs

    def get_config(self):
        config = super().get_config()
        config.pop("oov_method")
        return {**config, "encoding": self.encoding}


class IntegerLookup(IndexLookup):
    """Maps integers to int64 indices from a vocabulary (or back with invert=True).

        lookup = IntegerLookup(vocabulary=[12, 36, 1138])
        lookup([[12, 1138], [42, 36]])      # -> [[1, 3], [0, 2]]
    """

    _vocabulary_dtype = "int64"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False,
                 oov_method="floormod", salt=None, name=None, **kwargs):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError("If `max_tokens` is set for `IntegerLookup`, it must be greater "
                             "than 1. Received: max_tokens=%s" % (max_tokens,))
        if num_oov_indices < 0:
            raise ValueError("The value of `num_oov_indices` argument for `IntegerLookup` must "
                             ">= 0. Received: num_oov_indices=%s" % (num_oov_indices,))
        if vocabulary_dtype != "int64":
            raise ValueError("Only `vocabulary_dtype='int64'` is supported at this time. "
                             "Received: vocabulary_dtype=%s" % (vocabulary_dtype,))
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         oov_method=oov_method, salt=salt, **kwargs)

    def _token(self, value):
        return int(value)

    def _prepare(self, inputs):
        if not inputs.dtype.is_integer:
            raise TypeError("Layer %s (IntegerLookup) expects integer inputs, got %s"
                            % (self.name, inputs.dtype.name))
        return tf.cast(inputs, tf.int64) if inputs.dtype != tf.int64 else inputs


__all__ = ["IntegerLookup", "StringLookup"]
