"""Attention layers as Keras 3 defines them: Attention (Luong, dot or concat scores),
AdditiveAttention (Bahdanau), MultiHeadAttention and the EinsumDense projection it is built from.

All are built from matmul/transpose/reshape and a masked softmax; weight names and shapes are
Keras 3's (`multi_head_attention/query/kernel` (dim, heads, key_dim), ...), so .keras and
.weights.h5 files written by Keras load.
"""
import math
import string

import numpy as np

import tfgraph as tf
from tfgraph_keras import backend, initializers, regularizers
from tfgraph_keras.layers.base_layer import Layer
from tfgraph_keras.layers.core import as_shape_tuple, constraints, dynamic_dims, serialize_or_none

_LARGE_NEGATIVE = 1e9


def _dropout(x, rate, seed, training):
    if not rate:
        return x
    return backend.in_train_phase(lambda: tf.nn.dropout(x, rate=rate, seed=seed),
                                  lambda: x, training=training)


class _BaseDenseAttention(Layer):
    """Shared call logic of Attention and AdditiveAttention (inputs [query, value(, key)])."""

    _supports_masking = True

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        if score_mode not in ("dot", "concat"):
            raise ValueError("Invalid value for argument score_mode. Expected one of {'dot', "
                             "'concat'}. Received: score_mode=%s" % (score_mode,))

    def _validate_inputs(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("%s layer must be called on a list of inputs, namely [query, value] "
                             "or [query, value, key]. Received: inputs=%s." % (name, inputs))
        if not 2 <= len(inputs) <= 3:
            raise ValueError("%s layer accepts inputs list of length 2 or 3, namely [query, value]"
                             " or [query, value, key]. Received length: %d."
                             % (name, len(inputs)))
        if mask is not None:
            if not isinstance(mask, (list, tuple)):
                raise ValueError("%s layer mask must be a list, namely [query_mask, value_mask]. "
                                 "Received: mask=%s." % (name, mask))
            if not 2 <= len(mask) <= 3:
                raise ValueError("%s layer accepts mask list of length 2 or 3. Received: mask=%s."
                                 % (name, mask))

    def __call__(self, inputs, *args, **kwargs):
        self._validate_inputs(inputs, kwargs.get("mask"))
        return super().__call__(list(inputs), *args, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        self.built = True

    def _scores(self, query, key):
        raise NotImplementedError

    def call(self, inputs, mask=None, training=None, return_attention_scores=False,
             use_causal_mask=False):
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores = self._scores(q, k)
        keep = None
        if v_mask is not None:
            keep = tf.expand_dims(tf.cast(v_mask, tf.bool), -2)           # (B, 1, Tv)
        if use_causal_mask:
            tq, tv = dynamic_dims(scores)[-2:]
            causal = tf.greater_equal(tf.expand_dims(tf.range(tq), -1),
                                      tf.expand_dims(tf.range(tv), 0))   # (Tq, Tv)
            causal = tf.expand_dims(causal, 0)
            keep = causal if keep is None else tf.logical_and(keep, causal)
        if keep is not None:
            # Keras subtracts 1e9 from the masked scores (not a replacement by -1e9).
            penalty = tf.cast(tf.logical_not(keep), scores.dtype) * _LARGE_NEGATIVE
            scores = scores - penalty
        weights = tf.nn.softmax(scores, axis=-1)
        dropped = _dropout(weights, self.dropout, self.seed, training)
        out = tf.matmul(dropped, v)
        if q_mask is not None:
            out = out * tf.expand_dims(tf.cast(q_mask, out.dtype), -1)
        if return_attention_scores:
            return [out, weights]
        return out

    def compute_mask(self, inputs, mask=None):
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def compute_output_shape(self, input_shape):
        q, v = as_shape_tuple(input_shape[0]), as_shape_tuple(input_shape[1])
        return q[:-1] + (v[-1],)

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}


class Attention(_BaseDenseAttention):
    """Dot-product (Luong) attention: softmax(query @ key^T [* scale]) @ value.

    Inputs [query (B, Tq, dim), value (B, Tv, dim), optional key (B, Tv, dim)]; mask
    [query_mask, value_mask]; call flags return_attention_scores, use_causal_mask, training.
    score_mode="concat" scores sum(tanh(query_i + key_j)) * concat_score_weight.
    """

    def build(self, input_shape):
        super().build(input_shape)
        self.scale = self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(),
                                                       initializer="ones")
        self.built = True

    def _scores(self, query, key):
        if self.score_mode == "dot":
            scores = tf.matmul(query, key, transpose_b=True)
            return scores * self.scale if self.scale is not None else scores
        pair = tf.expand_dims(query, -2) + tf.expand_dims(key, -3)      # (B, Tq, Tv, dim)
        if self.scale is not None:
            pair = self.scale * pair
        return self.concat_score_weight * tf.reduce_sum(tf.tanh(pair), axis=-1)


class AdditiveAttention(_BaseDenseAttention):
    """Additive (Bahdanau) attention: scores sum(scale * tanh(query_i + key_j)) over dim;
    `scale` (dim,) is a weight when use_scale (the default)."""

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        super().build(input_shape)
        dim = as_shape_tuple(input_shape[0])[-1]
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(dim,),
                                         initializer="glorot_uniform")
        self.built = True

    def _scores(self, query, key):
        t = tf.tanh(tf.expand_dims(query, -2) + tf.expand_dims(key, -3))
        if self.scale is not None:
            t = self.scale * t
        return tf.reduce_sum(t, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config


def _parse_equation(equation, ndim):
    """'ab,bc->ac' (or with '...') -> (input, kernel, output) letter strings for an input of
    rank `ndim` ('...' becomes fresh leading letters)."""
    try:
        lhs, out = equation.replace(" ", "").split("->")
        inp, ker = lhs.split(",")
    except ValueError:
        raise ValueError("EinsumDense: invalid equation %r; expected 'input,kernel->output'."
                         % (equation,)) from None
    if "..." in inp:
        n = ndim - len(inp.replace("...", ""))
        spare = [c for c in string.ascii_letters if c not in equation][:n]
        inp = inp.replace("...", "".join(spare))
        out = out.replace("...", "".join(spare))
    return inp, ker, out


class EinsumDense(Layer):
    """A dense layer given by an einsum equation: EinsumDense("abc,cde->abde", (None, 2, 3)).

    `output_shape` gives the output dims after the batch dim (None: taken from the input).
    Supported equations contract input axes with kernel axes and keep the others, every letter
    in at most two operands (the projections MultiHeadAttention uses, and Dense-like ones);
    they run as one transpose/reshape/matmul.
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 gptq_unpacked_column_size=None, quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        from tfgraph_keras import activations
        self.equation = equation
        self.partial_output_shape = ((output_shape,) if isinstance(output_shape, int)
                                     else tuple(output_shape))
        self.activation = activations.get(activation)
        self.bias_axes = bias_axes
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        if lora_rank:
            raise ValueError("EinsumDense(lora_rank=...) is not supported.")

    def build(self, input_shape):
        shape = as_shape_tuple(input_shape)
        inp, ker, out = _parse_equation(self.equation, len(shape))
        if len(inp) != len(shape):
            raise ValueError("EinsumDense %s: equation %r expects inputs of rank %d, received "
                             "shape %s." % (self.name, self.equation, len(inp), shape))
        for c in set(inp + ker + out):
            if (c in inp) + (c in ker) + (c in out) == 3 or (c in out and c not in inp + ker):
                raise ValueError("EinsumDense %s: equation %r is not supported (axis %r)."
                                 % (self.name, self.equation, c))
        spec = list(self.partial_output_shape)
        if len(spec) != len(out) - 1:
            raise ValueError("EinsumDense %s: output_shape %s must give %d dims (the output "
                             "after the batch dim) for equation %r."
                             % (self.name, self.partial_output_shape, len(out) - 1, self.equation))
        dims = dict(zip(inp, shape))
        for c, d in zip(out[1:], spec):
            if d is not None:
                if c in dims and dims[c] is not None and dims[c] != d:
                    raise ValueError("EinsumDense %s: input dim %r is %s but output_shape says %s."
                                     % (self.name, c, dims[c], d))
                dims[c] = d
        self._letters = (inp, ker, out)
        self.full_output_shape = tuple(dims.get(c) for c in out)
        kernel_shape = tuple(dims[c] for c in ker)
        if None in kernel_shape:
            raise ValueError("EinsumDense %s: the kernel dims %r must be known; input shape %s."
                             % (self.name, ker, shape))
        self.kernel = self.add_weight(name="kernel", shape=kernel_shape,
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.bias_axes:
            first = min(out.find(c) for c in self.bias_axes)
            bias_shape = tuple(dims[c] if c in self.bias_axes else 1 for c in out[first:])
            self.bias = self.add_weight(name="bias", shape=bias_shape,
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        inp, ker, out = self._letters
        free = [c for c in inp if c not in ker]
        summed = [c for c in inp if c in ker]
        new = [c for c in ker if c not in inp]
        x = inputs
        order = [inp.index(c) for c in free + summed]
        if order != list(range(len(inp))):
            x = tf.transpose(x, order)
        xdims = dynamic_dims(inputs)
        free_dims = [xdims[inp.index(c)] for c in free]
        kdims = dict(zip(ker, self.kernel.shape.as_list()))
        n_sum = int(np.prod([kdims[c] for c in summed], dtype=np.int64))
        n_new = int(np.prod([kdims[c] for c in new], dtype=np.int64))
        k = self.kernel
        korder = [ker.index(c) for c in summed + new]
        if korder != list(range(len(ker))):
            k = tf.transpose(k, korder)
        y = tf.matmul(tf.reshape(x, [-1, n_sum]), tf.reshape(k, [n_sum, n_new]))
        lead = [d if isinstance(d, int) else -1 for d in free_dims]
        if sum(1 for d in lead if d == -1) > 1:
            lead = [d if isinstance(d, int) else tf.shape(inputs)[inp.index(c)]
                    for d, c in zip(free_dims, free)]
            y = tf.reshape(y, tf.stack(lead + [kdims[c] for c in new]))
        else:
            y = tf.reshape(y, lead + [kdims[c] for c in new])
        got = free + new
        if got != list(out):
            y = tf.transpose(y, [got.index(c) for c in out])
        if self.bias is not None:
            y = y + self.bias
        return self.activation(y) if self.activation is not None else y

    def compute_output_shape(self, input_shape):
        shape = as_shape_tuple(input_shape)
        inp, _, out = _parse_equation(self.equation, len(shape))
        dims = dict(zip(inp, shape))
        for c, d in zip(out[1:], self.partial_output_shape):
            if d is not None:
                dims[c] = d
        return tuple(dims.get(c) for c in out)

    def get_config(self):
        from tfgraph_keras import activations
        return {**super().get_config(), "equation": self.equation,
                "output_shape": list(self.partial_output_shape),
                "activation": activations.serialize(self.activation),
                "bias_axes": self.bias_axes,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": serialize_or_none(regularizers, self.kernel_regularizer),
                "bias_regularizer": serialize_or_none(regularizers, self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}


def _proj_equation(free_dims, bound_dims, output_dims):
    """Keras's projection equations: 'abc,cde->abde' for (2 free, 1 bound, 2 output) dims."""
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims:free_dims + bound_dims]
    outs = letters[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return "%s,%s->%s" % (free + bound, bound + outs, free + outs), outs


class _NoWeights(Layer):
    """An empty weight group Keras 3 writes for MultiHeadAttention's `_softmax` and
    `_dropout_layer` attributes, so files written here load in Keras."""


class MultiHeadAttention(Layer):
    """Multi-head scaled dot-product attention (Vaswani et al.), Keras 3's layer and weights.

        mha = MultiHeadAttention(num_heads=2, key_dim=16)
        y = mha(query, value)                       # key defaults to value
        y, scores = mha(q, v, key=k, attention_mask=m, return_attention_scores=True)

    query/key/value are (batch, steps, dim) tensors (attention over axis 1); masks of the inputs
    (Embedding(mask_zero=True), Masking), `attention_mask` (B, T, S) and `use_causal_mask`
    combine as in Keras; the output keeps the query's mask.
    """

    _supports_masking = True

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        if not isinstance(num_heads, int) or num_heads <= 0:
            raise ValueError("Received an invalid value for argument `num_heads`, expected a "
                             "positive integer. Received: num_heads=%s" % (num_heads,))
        if not isinstance(key_dim, int) or key_dim <= 0:
            raise ValueError("Received an invalid value for argument `key_dim`, expected a "
                             "positive integer. Received: key_dim=%s" % (key_dim,))
        if value_dim is not None and (not isinstance(value_dim, int) or value_dim <= 0):
            raise ValueError("Received an invalid value for argument `value_dim`, expected a "
                             "positive integer or `None`. Received: value_dim=%s" % (value_dim,))
        super().__init__(**kwargs)
        self.num_heads, self.key_dim = num_heads, key_dim
        self.value_dim = value_dim or key_dim
        self.dropout = float(dropout)
        self.use_bias = use_bias
        self.use_gate = use_gate
        if use_gate:
            raise ValueError("MultiHeadAttention(use_gate=True) is not supported.")
        if sliding_window is not None:
            raise ValueError("MultiHeadAttention(sliding_window=...) is not supported.")
        if output_shape:
            output_shape = (output_shape,) if isinstance(output_shape, int) else \
                tuple(output_shape)
        self._output_shape = output_shape or None
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        self.attention_axes = tuple(attention_axes) if attention_axes else None
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self._mha_activity_regularizer = activity_regularizer
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._softmax = _NoWeights(name="softmax")
        self._dropout_layer = _NoWeights(name="dropout")

    # -- calling: query, value, key and attention_mask travel as one list of inputs, so the
    # functional graph records them all; a missing key is the value itself.
    def __call__(self, query, value=None, key=None, attention_mask=None, query_mask=None,
                 value_mask=None, key_mask=None, **kwargs):
        if value is None:
            if not isinstance(query, (list, tuple)) or not 2 <= len(query) <= 4:
                raise ValueError("MultiHeadAttention %s: call it as layer(query, value, key=None, "
                                 "attention_mask=None)." % self.name)
            packed = list(query)
        else:
            packed = [query, value]
            if key is not None or attention_mask is not None:
                packed.append(value if key is None else key)
            if attention_mask is not None:
                packed.append(attention_mask)
        if any(m is not None for m in (query_mask, value_mask, key_mask)):
            # explicit masks stand in for the inputs' Keras masks, as in Keras's call
            explicit = [query_mask, value_mask, key_mask, None][:len(packed)]
            kwargs["mask"] = explicit
        return super().__call__(packed, **kwargs)

    def _keras3_node_config(self, node, keras_tensor, flags):
        """This call as Keras 3 records it: args [query, value], key/attention_mask kwargs."""
        inputs = node.input_tensors
        kwargs = dict(flags)
        if len(inputs) > 2 and inputs[2] is not inputs[1]:
            kwargs["key"] = keras_tensor(inputs[2])
        if len(inputs) > 3:
            kwargs["attention_mask"] = keras_tensor(inputs[3])
        return {"args": [keras_tensor(inputs[0]), keras_tensor(inputs[1])], "kwargs": kwargs}

    def _sublayers(self):
        return [s for s in (getattr(self, "_query_dense", None), getattr(self, "_key_dense", None),
                            getattr(self, "_value_dense", None),
                            getattr(self, "_output_dense", None)) if s is not None]

    def _state_children(self):
        children = [("_dropout_layer", self._dropout_layer), ("_softmax", self._softmax)]
        if self.built:
            children += [("key_dense", self._key_dense), ("output_dense", self._output_dense),
                         ("query_dense", self._query_dense), ("value_dense", self._value_dense)]
        return children

    def _dense(self, equation, out_dims, bias_axes, name):
        layer = EinsumDense(equation, out_dims, bias_axes=bias_axes if self.use_bias else None,
                            kernel_initializer=self.kernel_initializer,
                            bias_initializer=self.bias_initializer,
                            kernel_regularizer=self.kernel_regularizer,
                            bias_regularizer=self.bias_regularizer,
                            kernel_constraint=self.kernel_constraint,
                            bias_constraint=self.bias_constraint,
                            activity_regularizer=self._mha_activity_regularizer,
                            name=name, dtype=self.dtype)
        layer._weight_scope_prefix = self._weight_scope_prefix + self.name + "/"
        layer._graph = self._graph
        return layer

    def build(self, input_shape):
        shapes = [as_shape_tuple(s) for s in input_shape[:3]]
        q_shape, v_shape = shapes[0], shapes[1]
        k_shape = shapes[2] if len(shapes) > 2 else v_shape
        if v_shape[1:-1] != k_shape[1:-1]:
            raise ValueError("All dimensions of `value` and `key`, except the last one, must be "
                             "equal. Received: value_shape=%s and key_shape=%s"
                             % (v_shape, k_shape))
        if len(q_shape) != 3 or len(v_shape) != 3 or (
                self.attention_axes not in (None, (1,), (-2,))):
            raise ValueError("MultiHeadAttention %s supports (batch, steps, dim) inputs with "
                             "attention over axis 1; received query shape %s, value shape %s, "
                             "attention_axes=%s." % (self.name, q_shape, v_shape,
                                                     self.attention_axes))
        eq, bias = _proj_equation(2, 1, 2)
        self._query_dense = self._dense(eq, (None, self.num_heads, self.key_dim), bias, "query")
        self._query_dense.build(q_shape)
        self._key_dense = self._dense(eq, (None, self.num_heads, self.key_dim), bias, "key")
        self._key_dense.build(k_shape)
        self._value_dense = self._dense(eq, (None, self.num_heads, self.value_dim), bias,
                                        "value")
        self._value_dense.build(v_shape)
        out_shape = self._output_shape or (q_shape[-1],)
        eq, bias = _proj_equation(2, 2, len(out_shape))
        self._output_dense = self._dense(eq, (None,) + tuple(out_shape), bias,
                                         "attention_output")
        self._output_dense.build((None, q_shape[1], self.num_heads, self.value_dim))
        self.attention_axes = (1,)
        self.built = True

    def call(self, inputs, mask=None, training=None, return_attention_scores=False,
             use_causal_mask=False):
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        attention_mask = inputs[3] if len(inputs) > 3 else None
        masks = list(mask) if mask is not None else [None] * len(inputs)
        q_mask, v_mask = masks[0], masks[1]
        k_mask = masks[2] if len(inputs) > 2 and key is not value else None
        keep = self._attention_mask(query, value, q_mask, v_mask, k_mask, attention_mask,
                                    use_causal_mask)
        q = self._query_dense(query) * (1.0 / math.sqrt(float(self.key_dim)))
        k = self._key_dense(key)
        v = self._value_dense(value)
        # (B, T, H, K) -> (B, H, T, K): the heads become a batch axis of the matmuls.
        qh = tf.transpose(q, [0, 2, 1, 3])
        kh = tf.transpose(k, [0, 2, 1, 3])
        vh = tf.transpose(v, [0, 2, 1, 3])
        scores = tf.matmul(qh, kh, transpose_b=True)                   # (B, H, T, S)
        if keep is not None:
            # Masked scores drop by 1e9 (exp underflows to 0); a fully masked row (a masked
            # query step) gives zero weights, as Keras's masked softmax does.
            keep4 = tf.cast(tf.expand_dims(keep, 1), scores.dtype)
            scores = scores - (1.0 - keep4) * _LARGE_NEGATIVE
        weights = tf.nn.softmax(scores, axis=-1)
        if keep is not None:
            weights = weights * keep4
        dropped = _dropout(weights, self.dropout, self.seed, training)
        out = tf.transpose(tf.matmul(dropped, vh), [0, 2, 1, 3])       # (B, T, H, V)
        out = self._output_dense(out)
        if return_attention_scores:
            return [out, weights]
        return out

    def _attention_mask(self, query, value, q_mask, v_mask, k_mask, attention_mask, causal):
        keep = None

        def both(a, b):
            return b if a is None else tf.logical_and(a, b)
        if q_mask is not None:
            keep = tf.expand_dims(tf.cast(q_mask, tf.bool), -1)            # (B, T, 1)
        if v_mask is not None:
            keep = both(keep, tf.expand_dims(tf.cast(v_mask, tf.bool), -2))  # (B, 1, S)
        if k_mask is not None:
            keep = both(keep, tf.expand_dims(tf.cast(k_mask, tf.bool), -2))
        if causal:
            t, s = tf.shape(query)[1], tf.shape(value)[1]
            tri = tf.greater_equal(tf.expand_dims(tf.range(t), -1), tf.expand_dims(tf.range(s), 0))
            keep = both(keep, tf.expand_dims(tri, 0))
        if attention_mask is not None:
            am = tf.cast(attention_mask, tf.bool)
            keep = am if keep is None else tf.logical_and(am, keep)
        return keep

    def compute_mask(self, inputs, mask=None):
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        q = as_shape_tuple(query_shape[0] if value_shape is None else query_shape)
        return q[:-1] + tuple(self._output_shape) if self._output_shape else q

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout, "use_bias": self.use_bias,
                "use_gate": self.use_gate,
                "output_shape": list(self._output_shape) if self._output_shape else None,
                "attention_axes": list(self.attention_axes) if self.attention_axes else None,
                "sliding_window": None,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": serialize_or_none(regularizers, self.kernel_regularizer),
                "bias_regularizer": serialize_or_none(regularizers, self.bias_regularizer),
                "activity_regularizer": serialize_or_none(
                    regularizers, regularizers.get(self._mha_activity_regularizer)),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "seed": self.seed}


__all__ = ["Attention", "AdditiveAttention", "MultiHeadAttention", "EinsumDense"]
