"""Random ops. Each op draws from its own generator in the session, seeded from (graph seed, op seed)
as TF1's `get_seed` derives them, so `tf.set_random_seed` makes runs reproducible. The streams differ
from TensorFlow's Philox streams: same distributions, not the same numbers.
"""
import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import OpDef, TensorSpec, shape_from_tensor

DEFAULT_GRAPH_SEED = 87654321


def set_random_seed(seed):
    """tf.set_random_seed: the graph-level seed."""
    get_default_graph().seed = seed


def get_seed(op_seed):
    """(graph seed, op seed) as TF1 derives them; (None, None) means nondeterministic."""
    graph = get_default_graph()
    if graph.seed is not None:
        if op_seed is None:
            op_seed = len(graph._ops)  # TF uses the graph's last op id
        return graph.seed, op_seed
    if op_seed is not None:
        return DEFAULT_GRAPH_SEED, op_seed
    return None, None


class _RandomOp(OpDef):
    attrs = {"dtype": dtypes.float32, "seed": 0, "seed2": 0}
    input_dtypes = {0: dtypes.int32}
    stateful = True

    def infer(self, shape, *rest, dtype, seed, seed2):
        return [TensorSpec(shape_from_tensor(shape), dtype)]

    def make_kernel(self, op, rt):
        gen = rt.rng(op)
        np_dtype = op.attrs["dtype"].np
        draw = self.draw
        return lambda shape, *rest: draw(gen, tuple(int(d) for d in shape), np_dtype, *rest)

    def compute(self, shape, *rest, dtype, seed, seed2):
        gen = np.random.Generator(np.random.Philox(key=[seed, seed2]))
        return self.draw(gen, tuple(int(d) for d in shape), dtype.np, *rest)

    def grad(self, op, dy):
        return [None] * len(op.inputs)


class RandomStandardNormal(_RandomOp):
    """Samples N(0, 1)."""
    type = "RandomStandardNormal"

    @staticmethod
    def draw(gen, shape, np_dtype):
        return gen.standard_normal(shape, dtype=np.float64).astype(np_dtype)


class TruncatedNormal(_RandomOp):
    """Samples N(0, 1) truncated to [-2, 2] (values beyond are redrawn)."""
    type = "TruncatedNormal"

    @staticmethod
    def draw(gen, shape, np_dtype):
        out = gen.standard_normal(shape)
        bad = np.abs(out) > 2.0
        while bad.any():
            out[bad] = gen.standard_normal(int(bad.sum()))
            bad = np.abs(out) > 2.0
        return out.astype(np_dtype)


class RandomUniform(_RandomOp):
    """Samples U[0, 1)."""
    type = "RandomUniform"

    @staticmethod
    def draw(gen, shape, np_dtype):
        return gen.random(shape, dtype=np.float64).astype(np_dtype)


class RandomUniformInt(_RandomOp):
    """Samples integers uniformly from [minval, maxval)."""
    type = "RandomUniformInt"
    input_dtypes = {0: dtypes.int32}
    attrs = {"dtype": dtypes.int32, "seed": 0, "seed2": 0}

    @staticmethod
    def draw(gen, shape, np_dtype, lo, hi):
        return gen.integers(lo, hi, size=shape).astype(np_dtype)


class RandomShuffle(OpDef):
    """Shuffles a tensor along its first dimension."""
    type = "RandomShuffle"
    attrs = {"seed": 0, "seed2": 0}
    stateful = True

    def infer(self, x, *, seed, seed2):
        return [TensorSpec(x.shape, x.dtype)]

    def make_kernel(self, op, rt):
        gen = rt.rng(op)
        return lambda x: x[gen.permutation(len(x))] if np.ndim(x) else x


def _seeds(seed):
    s1, s2 = get_seed(seed)
    return {"seed": s1 or 0, "seed2": s2 or 0}


def _scope(name, default):
    return get_default_graph().name_scope(name or default)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """tf.random_normal."""
    dtype = dtypes.as_dtype(dtype)
    with _scope(name, "random_normal"):
        seeds = _seeds(seed)
        rnd = RandomStandardNormal.apply(_shape_arg(shape), dtype=dtype, **seeds)
        return _affine(rnd, stddev, mean, dtype)


def _affine(x, scale, offset, dtype):
    from tfgraph.ops import math_ops
    from tfgraph.framework.op_def import convert_to_tensor
    mul = math_ops.multiply(x, convert_to_tensor(scale, dtype), name="mul")
    return math_ops.add(mul, convert_to_tensor(offset, dtype), name="add", _v2=True)


def _shape_arg(shape):
    from tfgraph.framework.tensor import Tensor
    if isinstance(shape, Tensor):
        return shape
    return np.asarray([int(d) for d in shape], dtype=np.int32)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """tf.truncated_normal: N(mean, stddev) with samples beyond 2 stddev redrawn."""
    dtype = dtypes.as_dtype(dtype)
    with _scope(name, "truncated_normal"):
        rnd = TruncatedNormal.apply(_shape_arg(shape), dtype=dtype, **_seeds(seed))
        return _affine(rnd, stddev, mean, dtype)


def random_uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """tf.random_uniform: U[minval, maxval) (maxval defaults to 1 for floats)."""
    dtype = dtypes.as_dtype(dtype)
    with _scope(name, "random_uniform"):
        if dtype.is_integer:
            if maxval is None:
                raise ValueError("Must specify maxval for integer dtype %r" % dtype)
            return RandomUniformInt.apply(_shape_arg(shape), np.asarray(minval, dtype.np),
                                          np.asarray(maxval, dtype.np), dtype=dtype, **_seeds(seed))
        if maxval is None:
            maxval = 1
        from tfgraph.ops import math_ops
        from tfgraph.framework.op_def import convert_to_tensor
        rnd = RandomUniform.apply(_shape_arg(shape), dtype=dtype, **_seeds(seed))
        lo, hi = convert_to_tensor(minval, dtype), convert_to_tensor(maxval, dtype)
        return math_ops.add(math_ops.multiply(rnd, hi - lo), lo)


def random_shuffle(value, seed=None, name=None):
    """tf.random_shuffle: permutes along the first dimension."""
    return RandomShuffle.apply(value, name=name, **_seeds(seed))
