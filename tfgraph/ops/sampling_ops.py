"""Sampling ops: tf.random.categorical / tf.multinomial (class indices drawn from logits) and the
log-uniform (Zipfian) candidate sampler behind nce_loss and sampled_softmax_loss. Like the other
random ops they draw from the session's generator of the op (seeded from graph and op seed): the
distributions are TensorFlow's, the streams are not."""
import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.op_def import OpDef, TensorSpec, convert_to_tensor, require
from tfgraph.framework.scopes import name_scope
from tfgraph.framework.tensor import Tensor
from tfgraph.ops.random_ops import get_seed
from tfgraph.ops.shape_args import _partial_value


def _seeds(seed):
    s1, s2 = get_seed(seed)
    return {"seed": s1 or 0, "seed2": s2 or 0}


def _generator(seed, seed2):
    return np.random.Generator(np.random.Philox(key=[seed, seed2]))


# -- Multinomial ----------------------------------------------------------------------------------
def multinomial_reference(gen, logits, num_samples, out_dtype):
    """Draws `num_samples` classes per row of [batch, classes] logits (unnormalized log-probs)."""
    num_samples = int(num_samples)
    if num_samples < 0:
        raise ValueError("num_samples should be nonnegative, got %d" % num_samples)
    batch, classes = logits.shape
    if classes == 0 and num_samples > 0 and batch > 0:
        raise ValueError("num_classes should be positive, got 0")
    z = logits.astype(np.float64)
    finite = np.where(np.isfinite(z), z, -np.inf)
    top = np.max(finite, axis=1, keepdims=True) if classes else np.zeros((batch, 1))
    top = np.where(np.isfinite(top), top, 0.0)
    cdf = np.cumsum(np.exp(finite - top), axis=1)
    u = gen.random((batch, num_samples)) * cdf[:, -1:] if classes else np.zeros((batch, 0))
    out = np.empty((batch, num_samples), dtype=out_dtype)
    for b in range(batch):
        out[b] = np.minimum(np.searchsorted(cdf[b], u[b], side="right"), classes - 1)
    return out


class Multinomial(OpDef):
    """out[b, s]: a class drawn with probability softmax(logits[b]) (independent draws)."""
    type = "Multinomial"
    attrs = {"seed": 0, "seed2": 0, "output_dtype": dtypes.int64}
    input_dtypes = {1: dtypes.int32}
    stateful = True

    def infer(self, logits, num_samples, *, seed, seed2, output_dtype):
        require(logits.dtype.is_floating or logits.dtype.is_integer,
                "Multinomial: logits must be a real tensor, got %s" % logits.dtype.name)
        require(logits.shape.ndims in (None, 2), "Shape must be rank 2 but is rank %d for "
                "'Multinomial' (logits)" % (logits.shape.ndims or 0))
        require(num_samples.shape.ndims in (None, 0), "Shape must be rank 0 but is rank %d for "
                "'Multinomial' (num_samples)" % (num_samples.shape.ndims or 0))
        require(output_dtype in (dtypes.int32, dtypes.int64),
                "Multinomial: output_dtype must be int32 or int64")
        n = _partial_value(num_samples)
        batch = logits.shape.as_tuple()[0] if logits.shape.ndims else None
        return [TensorSpec((batch, n if isinstance(n, int) else None), output_dtype)]

    def compute(self, logits, num_samples, *, seed, seed2, output_dtype):
        return multinomial_reference(_generator(seed, seed2), logits, num_samples,
                                     output_dtype.np)

    def make_kernel(self, op, rt):
        gen, out = rt.rng(op), op.attrs["output_dtype"].np
        return lambda logits, num_samples: multinomial_reference(gen, logits, num_samples, out)

    def grad(self, op, dy):
        return [None, None]


def _num_samples(n):
    return n if isinstance(n, Tensor) else convert_to_tensor(n, dtypes.int32)


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """tf.random.categorical: [batch, num_samples] class indices drawn from [batch, classes]
    logits; int64 unless `dtype` says int32."""
    dtype = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype)
    with name_scope(name, "categorical", [logits]):
        return Multinomial.apply(logits, _num_samples(num_samples), output_dtype=dtype,
                                 **_seeds(seed))


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None):
    """tf.multinomial (TF1's name of tf.random.categorical)."""
    return categorical(logits, num_samples, dtype=output_dtype, seed=seed,
                       name=name or "multinomial")


# -- LogUniformCandidateSampler --------------------------------------------------------------------
def log_uniform_probability(classes, range_max):
    """P(k) = (log(k + 2) - log(k + 1)) / log(range_max + 1): Zipf-like, frequent classes first."""
    k = np.asarray(classes, dtype=np.float64)
    return (np.log((k + 2.0) / (k + 1.0)) / np.log1p(range_max)).astype(np.float32)


def _expected_count(p, num_sampled, num_tries):
    p = p.astype(np.float64)
    if num_tries == num_sampled:
        return (p * num_sampled).astype(np.float32)
    return (-np.expm1(num_tries * np.log1p(-p))).astype(np.float32)


def log_uniform_sample(gen, true_classes, num_sampled, unique, range_max):
    """(sampled, true_expected_count, sampled_expected_count) as TF's candidate sampler defines
    them: with `unique`, draws repeat until `num_sampled` distinct classes have been seen, and the
    expected counts account for the number of draws that took."""
    log_range = np.log1p(range_max)

    def draw(n):
        return (np.exp(gen.random(n) * log_range).astype(np.int64) - 1) % range_max

    if unique:
        if num_sampled > range_max:
            raise ValueError("Sampler used to generate unique samples but num_sampled (%d) is "
                             "greater than range_max (%d)" % (num_sampled, range_max))
        seen, sampled, tries = set(), [], 0
        while len(sampled) < num_sampled:
            for v in draw(max(num_sampled - len(sampled), 1)):
                tries += 1
                if v not in seen:
                    seen.add(v)
                    sampled.append(v)
                    if len(sampled) == num_sampled:
                        break
        sampled = np.asarray(sampled, dtype=np.int64)
    else:
        sampled, tries = draw(num_sampled), num_sampled
    true_p = log_uniform_probability(true_classes, range_max)
    samp_p = log_uniform_probability(sampled, range_max)
    return (sampled, _expected_count(true_p, num_sampled, tries),
            _expected_count(samp_p, num_sampled, tries))


class LogUniformCandidateSampler(OpDef):
    """Samples `num_sampled` classes in [0, range_max) from the log-uniform distribution."""
    type = "LogUniformCandidateSampler"
    attrs = {"num_true": 1, "num_sampled": 1, "unique": True, "range_max": 1, "seed": 0,
             "seed2": 0}
    stateful = True

    def infer(self, true_classes, *, num_true, num_sampled, unique, range_max, seed, seed2):
        require(true_classes.dtype is dtypes.int64, "LogUniformCandidateSampler: true_classes "
                "must be int64, got %s" % true_classes.dtype.name)
        require(true_classes.shape.ndims in (None, 2), "Shape must be rank 2 but is rank %d for "
                "'LogUniformCandidateSampler' (true_classes)" % (true_classes.shape.ndims or 0))
        dims = true_classes.shape.as_tuple()
        if dims is not None and dims[1] is not None:
            require(dims[1] == num_true, "true_classes must have num_true columns, expected: "
                    "%d got: %d" % (num_true, dims[1]))
        batch = dims[0] if dims is not None else None
        return [TensorSpec((num_sampled,), dtypes.int64),
                TensorSpec((batch, num_true), dtypes.float32),
                TensorSpec((num_sampled,), dtypes.float32)]

    def compute(self, true_classes, *, num_true, num_sampled, unique, range_max, seed, seed2):
        return log_uniform_sample(_generator(seed, seed2), true_classes, num_sampled, unique,
                                  range_max)

    def make_kernel(self, op, rt):
        gen, a = rt.rng(op), op.attrs
        return lambda true_classes: log_uniform_sample(gen, true_classes, a["num_sampled"],
                                                       a["unique"], a["range_max"])

    def grad(self, op, *dys):
        return [None]


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                  seed=None, name=None):
    """tf.nn.log_uniform_candidate_sampler: (sampled_candidates, true_expected_count,
    sampled_expected_count) from P(k) = log((k + 2) / (k + 1)) / log(range_max + 1)."""
    true_classes = convert_to_tensor(true_classes, dtypes.int64)
    return tuple(LogUniformCandidateSampler.apply(
        true_classes, num_true=int(num_true), num_sampled=int(num_sampled), unique=bool(unique),
        range_max=int(range_max), name=name, **_seeds(seed)))


__all__ = ["categorical", "log_uniform_candidate_sampler", "multinomial"]
