"""Stateless random ops: the samples are a function of (shape, seed) alone, as TF's
StatelessRandom* ops. The same seed tensor value gives the same numbers in every run and session;
a seed that changes between runs (keras.random.SeedGenerator) gives fresh numbers. The streams are
numpy Philox streams keyed by the seed: TF's distributions, not TF's numbers.
"""
import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.op_def import OpDef, TensorSpec, require, shape_from_tensor
from tfgraph.ops.random_ops import RandomStandardNormal, RandomUniformInt, TruncatedNormal


def _generator(seed):
    key = np.asarray(seed, dtype=np.int64).astype(np.uint64)
    return np.random.Generator(np.random.Philox(key=[int(key[0]), int(key[1])]))


def _shape(shape):
    return tuple(int(d) for d in np.ravel(shape))


class _StatelessRandom(OpDef):
    attrs = {"dtype": dtypes.float32}
    input_dtypes = {0: dtypes.int32, 1: dtypes.int64}

    def infer(self, shape, seed, *bounds, dtype):
        require(seed.shape.ndims in (None, 1) and seed.shape.as_tuple() in (None, (2,), (None,)),
                "%s: seed must have shape [2], got %s" % (self.type, seed.shape))
        require(seed.dtype.is_integer, "%s: seed must be int32 or int64" % self.type)
        return [TensorSpec(shape_from_tensor(shape), dtype)]

    def grad(self, op, dy):
        return [None] * len(op.inputs)


class StatelessRandomNormal(_StatelessRandom):
    """N(0, 1) samples determined by the seed."""
    type = "StatelessRandomNormal"

    def compute(self, shape, seed, *, dtype):
        return RandomStandardNormal.draw(_generator(seed), _shape(shape), dtype.np)


class StatelessTruncatedNormal(_StatelessRandom):
    """N(0, 1) samples beyond 2 redrawn, determined by the seed."""
    type = "StatelessTruncatedNormal"

    def compute(self, shape, seed, *, dtype):
        return TruncatedNormal.draw(_generator(seed), _shape(shape), dtype.np)


class StatelessRandomUniform(_StatelessRandom):
    """U[0, 1) samples determined by the seed (drawn in float64, rounded down to dtype's grid so
    that 1.0 never appears after rounding)."""
    type = "StatelessRandomUniform"

    def compute(self, shape, seed, *, dtype):
        np_dtype = np.dtype(dtype.np)
        out = _generator(seed).random(_shape(shape)).astype(np_dtype)
        below_one = np.nextafter(np.ones((), np_dtype), np.zeros((), np_dtype))
        return np.minimum(out, below_one)


class StatelessRandomUniformInt(_StatelessRandom):
    """Integers uniform in [minval, maxval) determined by the seed."""
    type = "StatelessRandomUniformInt"
    attrs = {"dtype": dtypes.int32}
    input_dtypes = {0: dtypes.int32, 1: dtypes.int64}
    same_dtype = (2, 3)

    def infer(self, shape, seed, lo, hi, *, dtype):
        require(lo.shape.ndims in (None, 0) and hi.shape.ndims in (None, 0),
                "%s: minval and maxval must be scalars" % self.type)
        return super().infer(shape, seed, dtype=dtype)

    def compute(self, shape, seed, lo, hi, *, dtype):
        if not lo < hi:
            from tfgraph.framework import errors
            raise errors.InvalidArgumentError(
                None, None, "Need minval < maxval: %s >= %s" % (lo, hi))
        return RandomUniformInt.draw(_generator(seed), _shape(shape), dtype.np, lo, hi)


def _shape_tensor(shape):
    from tfgraph.framework.op_def import convert_to_tensor
    from tfgraph.framework.tensor import Tensor
    if isinstance(shape, Tensor):
        return shape
    if any(isinstance(d, Tensor) for d in shape):
        from tfgraph.ops import array_ops, math_ops
        return array_ops.stack([math_ops.cast(d, dtypes.int32) if isinstance(d, Tensor)
                                else int(d) for d in shape])
    return convert_to_tensor(np.asarray([int(d) for d in shape], np.int32))


def stateless_random_normal(shape, seed, dtype=dtypes.float32, name=None):
    """tf.random.stateless_normal (mean 0, stddev 1)."""
    return StatelessRandomNormal.apply(_shape_tensor(shape), seed, dtype=dtypes.as_dtype(dtype),
                                       name=name)


def stateless_truncated_normal(shape, seed, dtype=dtypes.float32, name=None):
    """tf.random.stateless_truncated_normal (mean 0, stddev 1)."""
    return StatelessTruncatedNormal.apply(_shape_tensor(shape), seed,
                                          dtype=dtypes.as_dtype(dtype), name=name)


def stateless_random_uniform(shape, seed, dtype=dtypes.float32, name=None):
    """tf.random.stateless_uniform on [0, 1)."""
    return StatelessRandomUniform.apply(_shape_tensor(shape), seed, dtype=dtypes.as_dtype(dtype),
                                        name=name)


def stateless_random_uniform_int(shape, seed, minval, maxval, dtype=dtypes.int32, name=None):
    """tf.random.stateless_uniform with an integer dtype: [minval, maxval)."""
    dtype = dtypes.as_dtype(dtype)
    from tfgraph.framework.op_def import convert_to_tensor
    return StatelessRandomUniformInt.apply(_shape_tensor(shape), seed,
                                           convert_to_tensor(minval, dtype),
                                           convert_to_tensor(maxval, dtype), dtype=dtype,
                                           name=name)


__all__ = ["stateless_random_normal", "stateless_random_uniform", "stateless_random_uniform_int",
           "stateless_truncated_normal"]
