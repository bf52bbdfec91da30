"""keras.ops control flow cases (cond, while_loop, fori_loop, scan, map, vectorized_map), written
once against the Keras 3 API: `ops` is keras.ops or tfgraph_keras.ops, `keras` the package.

make_keras_ops_control_flow.py runs them on Keras 3 (TensorFlow backend, eagerly) and records
tests/data/keras_ops_control_flow.json; tests/tfgraph_keras/ops/test_keras_ops_control_flow.py
runs the same functions on numpy inputs (eagerly) and on placeholders (symbolically) and compares
values, dtypes and the nesting of the results (tuple / list / dict).
"""
import numpy as np

rng = np.random.RandomState(5)
X = rng.uniform(-1, 1, (3, 4)).astype(np.float32)
POS = rng.uniform(0.5, 2, (3, 4)).astype(np.float32)
SEQ = rng.uniform(-1, 1, (5, 2, 3)).astype(np.float32)     # (time, batch, features)
V = np.arange(1, 7, dtype=np.int32)


# Keras's TensorFlow backend stacks scan's ys in the structure of the carry and needs them
# of the carry's shapes and dtypes; the cases keep to that (tfgraph_keras allows any ys).


def cond_true(ops, x):
    return ops.cond(ops.sum(x) > -100.0, lambda: x * 2.0, lambda: x - 1.0)


def cond_false(ops, x):
    return ops.cond(ops.sum(x) > 100.0, lambda: x * 2.0, lambda: x - 1.0)


def cond_nested(ops, x):
    return ops.cond(ops.max(x) > 0.5,
                    lambda: (ops.sum(x, axis=0), [ops.exp(x), ops.cast(ops.argmax(x), "int32")]),
                    lambda: (ops.mean(x, axis=0), [ops.abs(x), ops.cast(ops.argmin(x), "int32")]))


def cond_python_bool(ops, x):
    return ops.cond(True, lambda: {"a": x + 1.0, "b": x * x}, lambda: {"a": x, "b": x})


def cond_captures_only(ops, x):
    # branches that read no tensor of their own
    return ops.cond(ops.min(x) < 0.0, lambda: ops.ones((2,)), lambda: ops.zeros((2,)))


def while_single(ops, x):
    return ops.while_loop(lambda v: ops.sum(v) < 100.0, lambda v: v * 2.0, x)


def while_tuple(ops, x):
    return ops.while_loop(lambda i, v: i < 5, lambda i, v: (i + 1, v * 0.5 + 1.0), (0, x))


def while_list(ops, x):
    return ops.while_loop(lambda i, v: i < 3, lambda i, v: [i + 1, ops.sin(v) + v], [0, x])


def while_maximum_iterations(ops, x):
    return ops.while_loop(lambda i, v: i < 100, lambda i, v: (i + 1, v + ops.mean(v)), (0, x),
                          maximum_iterations=4)


def while_nested(ops, x):
    def body(i, pair):
        a, b = pair
        return i + 1, (a + b, b * 1.5)
    return ops.while_loop(lambda i, pair: i < 4, body, (0, (x, ops.ones_like(x))))


def while_data_dependent(ops, v):
    # Collatz steps of each entry, counted until all reach 1 (ops.equal, not `==`: a tfgraph
    # Tensor compares by identity under `==`, as in TF1)
    def body(n, steps):
        done = ops.equal(n, 1)
        n = ops.where(done, n, ops.where(ops.equal(n % 2, 0), n // 2, 3 * n + 1))
        return n, steps + ops.cast(ops.logical_not(done), "int32")
    return ops.while_loop(lambda n, s: ops.any(ops.not_equal(n, 1)), body,
                          (v, ops.zeros_like(v)), maximum_iterations=50)


def fori_sum(ops, x):
    return ops.fori_loop(0, 5, lambda i, acc: acc + ops.cast(i, "float32") * x, ops.zeros_like(x))


def fori_nested(ops, x):
    def body(i, val):
        a, b = val
        return (a * x, b + a)
    return ops.fori_loop(1, 4, body, (ops.ones_like(x), ops.zeros_like(x)))


def fori_tensor_bounds(ops, v):
    return ops.fori_loop(ops.min(v), ops.max(v), lambda i, acc: acc + i, 0)


def scan_cumsum(ops, x):
    return ops.scan(lambda c, row: (c + row, c * row), ops.zeros((4,)), x)


def scan_reverse(ops, x):
    return ops.scan(lambda c, row: (c * 0.5 + row, c + ops.sum(c)), ops.zeros((4,)), x,
                    reverse=True)


def scan_rnn(ops, seq):
    w = ops.convert_to_tensor(np.linspace(-1, 1, 12).reshape(3, 4).astype(np.float32))

    def step(h, xt):
        h = ops.tanh(ops.matmul(xt, w) + h)
        return h, ops.sin(h) * 2.0
    return ops.scan(step, ops.zeros((2, 4)), seq)


def scan_nested(ops, x):
    def f(carry, elem):
        total, count = carry
        total = total + elem["a"] * elem["b"]
        return (total, count + 1), (total * total, count * 2)
    return ops.scan(f, (ops.zeros((4,)), 0), {"a": x, "b": x + 1.0})


def scan_length(ops, x):
    return ops.scan(lambda c, _: (c * 2.0, c + 1.0), x[0], None, length=3)


def map_square(ops, x):
    return ops.map(lambda row: row * row + 1.0, x)


def map_nested(ops, x):
    return ops.map(lambda e: {"s": ops.sum(e[0] * e[1]), "m": e[0] - e[1]}, (x, x * 2.0))


def map_dtype_change(ops, v):
    return ops.map(lambda e: ops.cast(e, "float32") / 2.0, v)


def vectorized_map(ops, x):
    return ops.vectorized_map(lambda row: ops.stack([ops.sum(row), ops.max(row)]), x)


CASES = {
    "cond_true": (cond_true, [X]),
    "cond_false": (cond_false, [X]),
    "cond_nested": (cond_nested, [X]),
    "cond_python_bool": (cond_python_bool, [X]),
    "cond_captures_only": (cond_captures_only, [X]),
    "while_single": (while_single, [POS]),
    "while_tuple": (while_tuple, [X]),
    "while_list": (while_list, [X]),
    "while_maximum_iterations": (while_maximum_iterations, [X]),
    "while_nested": (while_nested, [X]),
    "while_data_dependent": (while_data_dependent, [V]),
    "fori_sum": (fori_sum, [X]),
    "fori_nested": (fori_nested, [X]),
    "fori_tensor_bounds": (fori_tensor_bounds, [V]),
    "scan_cumsum": (scan_cumsum, [X]),
    "scan_reverse": (scan_reverse, [X]),
    "scan_rnn": (scan_rnn, [SEQ]),
    "scan_nested": (scan_nested, [X]),
    "scan_length": (scan_length, [X]),
    "map_square": (map_square, [X]),
    "map_nested": (map_nested, [X]),
    "map_dtype_change": (map_dtype_change, [V]),
    "vectorized_map": (vectorized_map, [X]),
}


def error_cases(ops):
    """(name, thunk) pairs whose exception type and message are recorded."""
    return [
        ("scan_not_callable", lambda: ops.scan(3, ops.zeros((2,)), X)),
        ("scan_no_xs_no_length", lambda: ops.scan(lambda c, x: (c, c), ops.zeros((2,)))),
        ("scan_bad_unroll", lambda: ops.scan(lambda c, x: (c, x), ops.zeros((4,)), X,
                                             unroll=0)),
    ]


def encode(value, to_numpy):
    """A result as JSON: containers by kind, arrays as values + dtype + shape."""
    if isinstance(value, tuple):
        return {"tuple": [encode(v, to_numpy) for v in value]}
    if isinstance(value, list):
        return {"list": [encode(v, to_numpy) for v in value]}
    if isinstance(value, dict):
        return {"dict": {k: encode(v, to_numpy) for k, v in sorted(value.items())}}
    arr = np.asarray(to_numpy(value))
    return {"array": arr.tolist(), "dtype": arr.dtype.name, "shape": list(arr.shape)}


def build_scan_model(keras, ops):
    """A simple recurrent layer written with ops.scan over time, then a softmax Dense."""

    class ScanRNN(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            d = input_shape[-1]
            self.w = self.add_weight(name="w", shape=(d, self.units))
            self.u = self.add_weight(name="u", shape=(self.units, self.units))
            self.b = self.add_weight(name="b", shape=(self.units,), initializer="zeros")

        def call(self, x):
            xs = ops.transpose(x, (1, 0, 2))
            h0 = ops.zeros((ops.shape(x)[0], self.units), dtype=x.dtype)

            def step(h, xt):
                h = ops.tanh(ops.matmul(xt, self.w) + ops.matmul(h, self.u) + self.b)
                return h, h
            last, hs = ops.scan(step, h0, xs)
            return last + ops.mean(hs, axis=0)

    return keras.Sequential([keras.Input((5, 3)), ScanRNN(6),
                             keras.layers.Dense(3, activation="softmax")])


def scan_model_data():
    r = np.random.RandomState(8)
    x = r.normal(size=(48, 5, 3)).astype(np.float32)
    y = np.argmax(x.sum(axis=1), axis=1).astype(np.int32)
    return x, y


def scan_model_weights(model):
    r = np.random.RandomState(9)
    return [r.uniform(-0.5, 0.5, w.shape).astype(np.float32) for w in model.get_weights()]
