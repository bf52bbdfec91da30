"""Records keras.random behaviour that tfgraph_keras must share (output shapes and dtypes,
whether a repeated call with the same seed repeats its numbers, errors) into
tests/data/keras_random_cases.json for tests/tfgraph_keras/test_random.py. The numbers
themselves differ (Philox streams of another implementation), so they are not recorded.
    KERAS_BACKEND=tensorflow /root/venvs/tf/bin/python tests/reference/make_keras_random_cases.py
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                   "keras_random_cases.json")

LOGITS = np.log(np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], np.float32))
X = np.arange(12, dtype=np.float32).reshape(4, 3)

# (function, positional args, keyword args); "SEEDGEN" becomes a fresh SeedGenerator(7)
CASES = [
    ("normal", [(2, 3)], {}), ("normal", [(4,)], {"mean": 2.0, "stddev": 0.5, "dtype": "float64"}),
    ("normal", [(2,)], {"dtype": "float16"}), ("normal", [(2,)], {"dtype": "int32"}),
    ("uniform", [(3, 2)], {}), ("uniform", [(5,)], {"minval": -1, "maxval": 3}),
    ("uniform", [(2,)], {"dtype": "float64"}), ("uniform", [(2,)], {"dtype": "int32"}),
    ("truncated_normal", [(2, 2)], {}), ("truncated_normal", [(3,)], {"dtype": "float64"}),
    ("randint", [(2, 3), 0, 10], {}), ("randint", [(4,), -5, 5], {"dtype": "int64"}),
    ("randint", [(4,), 0, 5], {"dtype": "float32"}),
    ("dropout", [X, 0.5], {}), ("dropout", [X, 0.3], {"noise_shape": (1, 3)}),
    ("shuffle", [X], {}), ("shuffle", [X], {"axis": 1}),
    ("categorical", [LOGITS, 4], {}), ("categorical", [LOGITS, 2], {"dtype": "int64"}),
    ("categorical", [LOGITS[0], 2], {}),
]


def main():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    from keras import ops
    records = []
    for name, args, kwargs in CASES:
        fn = getattr(keras.random, name)
        rec = {"fn": name, "args": [a.tolist() if isinstance(a, np.ndarray) else a
                                    for a in args],
               "array_args": [isinstance(a, np.ndarray) for a in args], "kwargs": kwargs}
        try:
            a = ops.convert_to_numpy(fn(*args, seed=3, **kwargs))
            b = ops.convert_to_numpy(fn(*args, seed=3, **kwargs))
            gen = keras.random.SeedGenerator(7)
            c = ops.convert_to_numpy(fn(*args, seed=gen, **kwargs))
            d = ops.convert_to_numpy(fn(*args, seed=gen, **kwargs))
            rec.update(shape=list(a.shape), dtype=str(a.dtype),
                       int_seed_repeats=bool(np.array_equal(a, b)),
                       generator_repeats=bool(np.array_equal(c, d)))
        except Exception as e:  # noqa: BLE001 - the error type is the record
            rec["error"] = type(e).__name__
        records.append(rec)
    with open(OUT, "w") as f:
        json.dump({"keras_version": keras.__version__, "cases": records}, f, indent=0)
    print("wrote", len(records), "cases")


if __name__ == "__main__":
    main()
