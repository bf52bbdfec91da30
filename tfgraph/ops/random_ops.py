"""Random ops. Each op draws from its own generator in the session, seeded from (graph seed, op seed)
as TF1's `get_seed` derives them, so `tf.set_random_seed` makes runs reproducible. The streams differ
from TensorFlow's Philox streams: same distributions, not the same numbers.
"""
import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import OpDef, TensorSpec, shape_from_tensor
from tfgraph.kernels import random as _random

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
    """Samples U[0, 1): a Numba counter-based stream keyed by one draw from the op's generator
    (tfgraph/kernels/random.py), drawn in the output's own precision."""
    type = "RandomUniform"

    @staticmethod
    def draw(gen, shape, np_dtype):
        if np_dtype in (np.float32, np.float64):
            return _random.uniform(gen, shape, np_dtype)
        return _random.uniform(gen, shape, np.float32).astype(np_dtype)

    def compute(self, shape, *, dtype, seed, seed2):
        """numpy reference: the stream the kernel draws on the op's first run."""
        key = np.random.Philox(key=[seed, seed2]).random_raw()
        shape = tuple(int(d) for d in shape)
        wide = dtype.np if dtype.np in (np.float32, np.float64) else np.float32
        n = int(np.prod(shape, dtype=np.int64))
        return _random.uniform_reference(key, n, wide).reshape(shape).astype(dtype.np)


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
    """tf.random_normal: N(mean, stddev) samples; ops named as TF1 names them."""
    dtype = dtypes.as_dtype(dtype)
    with _scope(name, "random_normal") as scope:
        shape_t, mean_t, std_t = _args(shape, "shape", (mean, "mean"), (stddev, "stddev"),
                                       dtype=dtype)
        rnd = RandomStandardNormal.apply(shape_t, dtype=dtype, **_seeds(seed))
        return _affine(rnd, std_t, mean_t, scope)


def _args(shape, shape_name, *values, dtype):
    from tfgraph.framework.op_def import convert_to_tensor
    from tfgraph.framework.tensor import Tensor
    if not isinstance(shape, Tensor):
        shape = convert_to_tensor(np.asarray([int(d) for d in shape], dtype=np.int32),
                                  name=shape_name)
    return [shape] + [convert_to_tensor(v, dtype, name=n) for v, n in values]


def _affine(x, scale, offset, scope):
    from tfgraph.ops import math_ops
    # TF1 names the final op after the scope ('random_normal:0', not 'random_normal/add:0').
    return math_ops.add(math_ops.multiply(x, scale, name="mul"), offset, name=scope)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """tf.truncated_normal: N(mean, stddev) with samples beyond 2 stddev redrawn."""
    dtype = dtypes.as_dtype(dtype)
    with _scope(name, "truncated_normal") as scope:
        shape_t, mean_t, std_t = _args(shape, "shape", (mean, "mean"), (stddev, "stddev"),
                                       dtype=dtype)
        rnd = TruncatedNormal.apply(shape_t, dtype=dtype, **_seeds(seed))
        return _affine(rnd, std_t, mean_t, scope)


def random_uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """tf.random_uniform: U[minval, maxval) (maxval defaults to 1 for floats)."""
    dtype = dtypes.as_dtype(dtype)
    if dtype.is_integer and maxval is None:
        raise ValueError("Must specify maxval for integer dtype %r" % dtype)
    with _scope(name, "random_uniform") as scope:
        shape_t, lo, hi = _args(shape, "shape", (minval, "min"),
                                (1 if maxval is None else maxval, "max"), dtype=dtype)
        if dtype.is_integer:
            return RandomUniformInt.apply(shape_t, lo, hi, dtype=dtype, name=scope,
                                          **_seeds(seed))
        from tfgraph.ops import math_ops
        rnd = RandomUniform.apply(shape_t, dtype=dtype, **_seeds(seed))
        return _affine(rnd, math_ops.subtract(hi, lo, name="sub"), lo, scope)


def random_shuffle(value, seed=None, name=None):
    """tf.random_shuffle: permutes along the first dimension."""
    return RandomShuffle.apply(value, name=name, **_seeds(seed))
