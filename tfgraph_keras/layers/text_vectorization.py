"""keras.layers.TextVectorization: strings -> token indices or bag-of-words vectors, in the graph.

    vectorize = TextVectorization(max_tokens=20000, output_sequence_length=200)
    vectorize.adapt(texts)              # a list/array of strings, a Dataset or batches
    ids = vectorize(["the cat sat"])   # int64 [1, 200]

Standardize (lower-case, strip punctuation: Keras's regex), split (whitespace or characters),
n-grams and a StringLookup with mask "" and OOV "[UNK]" (index 0 pads, 1 is OOV). Ragged token
lists are dense here: rows padded with "" that the lookup maps to 0 (or drops when counting).
A callable `standardize` receives and returns a string tensor (tf.strings ops); a callable
`split` is not supported (tfgraph has no ragged tensors).
"""
import numpy as np

import tfgraph as tf
from tfgraph.ops import string_ops
from tfgraph_keras.layers.core import as_shape_tuple
from tfgraph_keras.layers.index_lookup import ArrayInputLayer, StringLookup, _batches, \
    _canonical_mode, _is_array_like, check_mode

PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")


def _check_string_arg(value, allowed, arg):
    if value is None or callable(value) or value in allowed:
        return
    raise ValueError("%s is not a valid argument for parameter %s of TextVectorization. "
                     "Accepted values are %s, or a callable, or None."
                     % (value, arg, ", ".join(allowed)))


class TextVectorization(ArrayInputLayer):
    """Maps text to integer sequences or to multi_hot/count/tf_idf vectors (see module doc)."""

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int", output_sequence_length=None,
                 pad_to_max_tokens=False, vocabulary=None, idf_weights=None, sparse=False,
                 ragged=False, encoding="utf-8", name=None, vocabulary_size=None, **kwargs):
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("dtype", None)
        super().__init__(name=name, **kwargs)
        _check_string_arg(standardize, _STANDARDIZE, "standardize")
        _check_string_arg(split, ("whitespace", "character"), "split")
        if callable(split):
            raise ValueError("TextVectorization(split=<callable>) is not supported by tfgraph "
                             "(no ragged tensors): use split='whitespace' or 'character'.")
        output_mode = _canonical_mode(output_mode)
        check_mode("TextVectorization", output_mode)
        if not (ngrams is None or isinstance(ngrams, int) or isinstance(ngrams, tuple)
                and all(isinstance(i, int) for i in ngrams)):
            raise ValueError("`ngrams` must be None, an integer, or a tuple of integers. "
                             "Received: ngrams=%s" % (ngrams,))
        if output_mode == "int" and not (output_sequence_length is None
                                         or isinstance(output_sequence_length, int)):
            raise ValueError("`output_sequence_length` must be either None or an integer when "
                             "`output_mode` is 'int'. Received: output_sequence_length=%s"
                             % (output_sequence_length,))
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError("`output_sequence_length` must not be set if `output_mode` is not "
                             "'int'. Received output_sequence_length=%s."
                             % (output_sequence_length,))
        if ragged:
            raise ValueError("TextVectorization(ragged=True) is not supported: tfgraph has no "
                             "ragged tensors.")
        self._standardize, self._split = standardize, split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
            has_input_vocabulary=has_input_vocabulary, encoding=encoding,
            vocabulary_size=vocabulary_size, name=self.name + "_lookup")
        self._lookup_layer._add_idf_weight = self.add_weight   # its tf_idf weights are ours
        self._adapt_fn = None

    # -- the text pipeline (graph ops) -------------------------------------------------------
    def _preprocess(self, x):
        """(tokens, lengths): tokens [n, max] padded with "" when splitting; else (x, None)."""
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            x = string_ops.lower(x)
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            x = string_ops.regex_replace(x, PUNCTUATION, "")
        if callable(self._standardize):
            x = self._standardize(x)
        lengths = None
        if self._split is not None:
            if x.shape.ndims is not None and x.shape.ndims > 1:
                if x.shape.as_list()[-1] != 1:
                    raise ValueError("When using `TextVectorization` to tokenize strings, the "
                                     "input rank must be 1 or the last shape dimension must be "
                                     "1. Received: inputs.shape=%s with rank=%d"
                                     % (tuple(x.shape.as_list()), x.shape.ndims))
                x = tf.squeeze(x, axis=-1)
            if x.shape.ndims == 0:
                x = tf.expand_dims(x, 0)
            split = string_ops.split_padded if self._split == "whitespace" \
                else string_ops.unicode_split_padded
            x, lengths = split(x)
        if self._ngrams is not None:
            if lengths is None:
                if x.shape.ndims == 1:
                    x = tf.expand_dims(x, -1)
                lengths = tf.fill([tf.shape(x)[0]], tf.constant(1, tf.int64))
            x, lengths = string_ops.ngrams_padded(x, lengths, self._ngrams, separator=" ")
        return x, lengths

    def call(self, inputs):
        if inputs.dtype != tf.string:
            raise TypeError("Layer %s (TextVectorization) expects string inputs, got %s"
                            % (self.name, inputs.dtype.name))
        tokens, _ = self._preprocess(inputs)
        out = self._lookup_layer.call(tokens)
        length = self._output_sequence_length
        if self._output_mode != "int" or length is None:
            return out
        # pad every row to `length` with 0, then cut: the static shape is [n, length]
        padded = tf.concat([out, tf.zeros(tf.stack([tf.shape(out)[0], length]), tf.int64)], 1)
        out = padded[:, :length]
        out.set_shape([padded.shape.as_list()[0], length])
        return out

    def compute_output_shape(self, input_shape):
        shape = as_shape_tuple(input_shape)
        if self._output_mode == "int":
            return (shape[0], self._output_sequence_length)
        return (shape[0], self._lookup_layer._depth())

    # -- vocabulary ----------------------------------------------------------------------------
    def _preprocess_numpy(self, batch):
        """The token rows of a numpy batch of strings, through the same ops in a private graph."""
        if self._adapt_fn is None:
            graph = tf.Graph()
            with graph.as_default():
                text = tf.placeholder(tf.string, [None])
                tokens, lengths = self._preprocess(text)
            sess = tf.Session(graph=graph)
            fetches = [tokens] if lengths is None else [tokens, lengths]
            self._adapt_fn = lambda b: (sess.run(fetches, {text: b}) + [None])[:2]
        arr = np.asarray(batch, dtype=object)
        if self._split is not None and arr.ndim > 1:
            if arr.shape[-1] != 1:
                raise ValueError("When using `TextVectorization` to tokenize strings, the input "
                                 "rank must be 1 or the last shape dimension must be 1. "
                                 "Received: inputs.shape=%s with rank=%d"
                                 % (arr.shape, arr.ndim))
        tokens, lengths = self._adapt_fn(arr.reshape(-1))
        if lengths is None:
            return [[t] for t in tokens]
        return [list(row[:n]) for row, n in zip(tokens, lengths)]

    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary (most frequent tokens first, ties: the larger token first,
        at most max_tokens with "" and "[UNK]") and, in tf_idf mode, the idf weights."""
        lookup = self._lookup_layer
        lookup.reset_state()
        batches = [data] if _is_array_like(data) else _batches(data, steps)
        for batch in batches:
            lookup.check_adaptable()
            for row in self._preprocess_numpy(batch):
                lookup.update_row([lookup._token(t) for t in row])
        lookup.finalize_state()

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary by index: "" (padding), "[UNK]", then the tokens."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (and tf_idf weights), replacing any adapted one."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    def save_assets(self, dir_path):
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path):
        self._lookup_layer.load_assets(dir_path)

    def get_config(self):
        lookup = self._lookup_layer
        config = {"max_tokens": lookup.max_tokens, "standardize": self._standardize,
                  "split": self._split, "ngrams": self._ngrams_arg,
                  "output_mode": self._output_mode,
                  "output_sequence_length": self._output_sequence_length,
                  "pad_to_max_tokens": lookup.pad_to_max_tokens, "sparse": False,
                  "ragged": False, "vocabulary": lookup.get_config()["vocabulary"],
                  "idf_weights": lookup.get_config()["idf_weights"], "encoding": self._encoding,
                  "vocabulary_size": self.vocabulary_size()}
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)


__all__ = ["TextVectorization"]
