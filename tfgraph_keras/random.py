"""keras.random on tfgraph: normal, uniform, truncated_normal, randint, dropout, shuffle,
categorical and SeedGenerator, with Keras 3's seed semantics.

- `seed=<int>`: the draw is a function of the seed alone (stateless ops), so a graph built with
  it gives the same numbers in every run, as Keras 3 does under `tf.function`.
- `seed=SeedGenerator(...)`: each draw site gets its own seed pair; in a graph, the second half
  of that pair is drawn afresh on every run by a seeded stateful op, so every training step gets
  new noise, and a new Session replays the same sequence.
- `seed=None`: the global SeedGenerator (reseeded by `set_global_seed`).

Like keras.ops, the functions build graph ops on tensors or under an explicit graph (inside a
Layer's `call`) and return numpy arrays otherwise. The numbers are numpy Philox streams, not
TensorFlow's: same distributions, other values.
"""
import numpy as np

import tfgraph as tf
from tfgraph.ops import random_ops
from tfgraph.ops import stateless_random_ops as stateless
from tfgraph_keras.ops._helpers import _dims, _static
from tfgraph_keras.ops.core import is_tensor, keras_op, standardize_dtype, tensor


class SeedGenerator:
    """keras.random.SeedGenerator: a source of seeds for successive random draws.

        gen = keras.random.SeedGenerator(1337)
        noise = keras.random.normal((2, 3), seed=gen)   # new numbers at each call / run
    """

    def __init__(self, seed=None, name=None, **kwargs):
        if seed is None:
            seed = int(np.random.randint(1, 2 ** 31 - 1))
        if not isinstance(seed, (int, np.integer)):
            raise ValueError("Argument `seed` must be an integer. Received: seed=%r" % (seed,))
        self.seed = int(seed)
        self.name = name or "seed_generator"
        self._count = 0

    def next(self, ordered=True):
        """The next seed pair: an int64 Tensor of shape [2] (graph) or a numpy array (eager)."""
        self._count += 1
        graph = tf.get_default_graph()
        with graph.name_scope(self.name):
            # a seeded stateful op: a new value on every run, the same sequence in a new Session
            fresh = random_ops.RandomUniformInt.apply(
                tf.constant(np.zeros(0, np.int32)), tf.constant(0), tf.constant(2 ** 31 - 1),
                dtype=tf.int32, seed=self.seed, seed2=self._count)
            return tf.stack([tf.constant(self.seed, tf.int64), tf.cast(fresh, tf.int64)])

    def get_config(self):
        return {"seed": self.seed, "name": self.name}


_GLOBAL = [None]


def global_seed_generator():
    if _GLOBAL[0] is None:
        _GLOBAL[0] = SeedGenerator(name="global_seed_generator")
    return _GLOBAL[0]


def set_global_seed(seed):
    """Reseeds the generator that draws with `seed=None` use (keras.utils.set_random_seed)."""
    _GLOBAL[0] = SeedGenerator(seed, name="global_seed_generator")


def draw_seed(seed):
    """The seed Tensor for one draw: [seed, 0] for an int, the generator's next pair otherwise."""
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if seed is None:
        return global_seed_generator().next()
    if is_tensor(seed):
        return tensor(seed, "int64")
    if isinstance(seed, (int, np.integer)):
        return tf.constant(np.array([int(seed), 0], np.int64))
    raise ValueError("Argument `seed` must be either an integer or an instance of "
                     "`SeedGenerator`. Received: seed=%r (of type %s)" % (seed, type(seed)))


def _shape(shape):
    return [shape] if isinstance(shape, int) else list(shape)


def _float_dtype(dtype, fn, error=ValueError):
    from tfgraph_keras import backend
    dtype = standardize_dtype(dtype or backend.floatx())
    if "float" not in dtype:
        raise error("keras.random.%s: `dtype` must be a float dtype, got %s" % (fn, dtype))
    return dtype


@keras_op
def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """keras.random.normal: samples of N(mean, stddev)."""
    dtype = _float_dtype(dtype, "normal", TypeError)  # TypeError as Keras's TF backend
    z = stateless.stateless_random_normal(_shape(shape), draw_seed(seed), dtype)
    return z * tensor(stddev, dtype) + tensor(mean, dtype)


@keras_op
def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """keras.random.truncated_normal: N(mean, stddev) with samples beyond two stddevs redrawn."""
    dtype = _float_dtype(dtype, "truncated_normal", TypeError)
    z = stateless.stateless_truncated_normal(_shape(shape), draw_seed(seed), dtype)
    return z * tensor(stddev, dtype) + tensor(mean, dtype)


@keras_op
def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """keras.random.uniform: samples of U[minval, maxval)."""
    dtype = _float_dtype(dtype, "uniform")
    u = stateless.stateless_random_uniform(_shape(shape), draw_seed(seed), dtype)
    lo, hi = tensor(minval, dtype), tensor(maxval, dtype)
    return u * (hi - lo) + lo


@keras_op
def randint(shape, minval, maxval, dtype="int32", seed=None):
    """keras.random.randint: integers uniform in [minval, maxval)."""
    dtype = standardize_dtype(dtype)
    if "int" not in dtype:
        raise ValueError("keras.random.randint: `dtype` must be an integer dtype, got %s" % dtype)
    return stateless.stateless_random_uniform_int(_shape(shape), draw_seed(seed), minval, maxval,
                                                  dtype)


@keras_op
def dropout(inputs, rate, noise_shape=None, seed=None):
    """keras.random.dropout: zeroes entries with probability `rate`, scales the rest by
    1 / (1 - rate); `noise_shape` (None entries taken from the input) shares the mask."""
    x = tensor(inputs)
    if not 0 <= rate < 1:
        raise ValueError("keras.random.dropout: `rate` must be in [0, 1), got %r" % (rate,))
    dims = _dims(x)
    if noise_shape is None:
        noise = dims
    else:
        noise = [d if n is None else n for n, d in zip(noise_shape, dims)]
    keep = stateless.stateless_random_uniform(noise, draw_seed(seed), x.dtype) >= rate
    scale = tf.constant(1.0 / (1.0 - rate), x.dtype)
    return tf.where(keep, x * scale, tf.zeros_like(x))


@keras_op
def shuffle(x, axis=0, seed=None):
    """keras.random.shuffle: a random permutation along `axis` (argsort of uniform keys)."""
    x = tensor(x)
    nd = len(_static(x))
    axis %= nd
    keys = stateless.stateless_random_uniform([_dims(x)[axis]], draw_seed(seed), tf.float64)
    _, order = tf.nn.top_k(keys, _static(x)[axis] if _static(x)[axis] is not None
                           else tf.shape(x)[axis])
    return tf.gather(x, order, axis=axis)


@keras_op
def categorical(logits, num_samples, dtype="int32", seed=None):
    """keras.random.categorical: `num_samples` class indices per row of `logits` (batch,
    classes), drawn by the Gumbel-max rule: argmax(logits + Gumbel noise)."""
    logits = tensor(logits)
    if len(_static(logits)) != 2:
        raise ValueError("`logits` should be a 2-D tensor with shape [batch_size, num_classes]. "
                         "Received: logits=%s" % (logits.shape,))
    logits = tf.cast(logits, tf.float64)
    batch, classes = _dims(logits)
    u = stateless.stateless_random_uniform([batch, num_samples, classes], draw_seed(seed),
                                           tf.float64)
    tiny = np.finfo(np.float64).tiny
    gumbel = -tf.log(-tf.log(tf.maximum(u, tiny)))
    return tf.cast(tf.argmax(tf.expand_dims(logits, 1) + gumbel, axis=-1),
                   standardize_dtype(dtype))


__all__ = ["SeedGenerator", "categorical", "dropout", "normal", "randint", "set_global_seed",
           "shuffle", "truncated_normal", "uniform"]
