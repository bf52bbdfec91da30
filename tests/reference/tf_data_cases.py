"""tf.data pipelines recorded from TensorFlow and replayed on tfgraph.

Each case is an expression over `tf` (TensorFlow's tf.compat.v1, or tfgraph), `np` and `DATA` (the
tests/data folder) that builds a Dataset. The generator (make_tf_data_cases.py) and the tests
evaluate the same text, so the two sides build the same pipeline. Shuffling is not here: its
order is not TensorFlow's by design (tests/tfgraph/data/test_iterator_ops.py tests its properties).
"""
import os

import numpy as np

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")

CASES = {
    "range": "tf.data.Dataset.range(5)",
    "range_start_stop_step": "tf.data.Dataset.range(2, 11, 3)",
    "range_empty": "tf.data.Dataset.range(0)",
    "slices_matrix": "tf.data.Dataset.from_tensor_slices("
                     "np.arange(12, dtype=np.float32).reshape(4, 3))",
    "slices_python_floats": "tf.data.Dataset.from_tensor_slices([1.5, 2.5, -1.0])",
    "slices_python_ints": "tf.data.Dataset.from_tensor_slices([[1, 2], [3, 4], [5, 6]])",
    "slices_tuple": "tf.data.Dataset.from_tensor_slices((np.arange(6).reshape(3, 2), "
                    "np.array([0.5, 1.5, 2.5])))",
    "slices_dict": "tf.data.Dataset.from_tensor_slices({'b': np.arange(3, dtype=np.int32), "
                   "'a': np.ones((3, 2), np.float32)})",
    "slices_nested": "tf.data.Dataset.from_tensor_slices(((np.arange(3), np.arange(3) * 2.0), "
                     "{'z': np.array([True, False, True])}))",
    "slices_strings": "tf.data.Dataset.from_tensor_slices(np.array([b'ab', b'c', b'']))",
    "slices_tensor": "tf.data.Dataset.from_tensor_slices(tf.reshape(tf.range(6), [3, 2]) * 2)",
    "tensors": "tf.data.Dataset.from_tensors(([1, 2, 3], 4.0))",
    "tensors_repeat": "tf.data.Dataset.from_tensors(np.eye(2, dtype=np.float32)).repeat(3)",
    "batch": "tf.data.Dataset.range(10).batch(3)",
    "batch_drop": "tf.data.Dataset.range(10).batch(3, drop_remainder=True)",
    "batch_tuple": "tf.data.Dataset.from_tensor_slices((np.arange(10, dtype=np.float32)"
                   ".reshape(5, 2), np.arange(5))).batch(2)",
    "batch_dict": "tf.data.Dataset.from_tensor_slices({'x': np.arange(5)}).batch(4)",
    "repeat": "tf.data.Dataset.range(3).repeat(2)",
    "repeat_batch": "tf.data.Dataset.range(5).repeat(2).batch(4)",
    "batch_repeat": "tf.data.Dataset.range(5).batch(2).repeat(2)",
    "repeat_forever_take": "tf.data.Dataset.range(3).repeat().take(7)",
    "repeat_zero": "tf.data.Dataset.range(3).repeat(0)",
    "skip_take": "tf.data.Dataset.range(10).skip(3).take(4)",
    "take_all": "tf.data.Dataset.range(4).take(-1)",
    "take_zero": "tf.data.Dataset.range(4).take(0)",
    "skip_past_end": "tf.data.Dataset.range(4).skip(9)",
    "skip_all": "tf.data.Dataset.range(4).skip(-1)",
    "zip": "tf.data.Dataset.zip((tf.data.Dataset.range(3), tf.data.Dataset.range(10, 15)))",
    "zip_nested": "tf.data.Dataset.zip(({'a': tf.data.Dataset.range(4)}, "
                  "(tf.data.Dataset.from_tensor_slices([1.0, 2.0, 3.0]), "
                  "tf.data.Dataset.range(5))))",
    "concatenate": "tf.data.Dataset.range(3).concatenate(tf.data.Dataset.range(5, 7))",
    "concatenate_shapes": "tf.data.Dataset.from_tensors([1, 2]).concatenate("
                          "tf.data.Dataset.from_tensors([3, 4, 5]))",
    "map": "tf.data.Dataset.range(6).map(lambda x: x * 2)",
    "map_tuple_out": "tf.data.Dataset.range(4).map(lambda x: (x, tf.cast(x, tf.float32) / 2.0))",
    "map_tuple_in": "tf.data.Dataset.from_tensor_slices((np.arange(4), np.arange(4) * 10))"
                    ".map(lambda a, b: a + b)",
    "map_dict": "tf.data.Dataset.from_tensor_slices({'a': np.arange(3), 'b': np.arange(3.0)})"
                ".map(lambda d: {'s': tf.cast(d['a'], tf.float64) + d['b'], 'a': d['a']})",
    "map_parallel": "tf.data.Dataset.range(5).map(lambda x: tf.square(x), num_parallel_calls=2)",
    "map_shape_ops": "tf.data.Dataset.range(1, 4).map(lambda x: tf.fill(tf.stack([x]), x))",
    "map_after_batch": "tf.data.Dataset.range(7).batch(3).map(lambda x: tf.reduce_sum(x))",
    "map_reshape": "tf.data.Dataset.from_tensor_slices(np.arange(24, dtype=np.float32)"
                   ".reshape(4, 6)).map(lambda x: tf.reshape(x, [2, 3]) * 0.5).batch(3)",
    "map_py_func": "tf.data.Dataset.range(4).map(lambda x: tf.py_func("
                   "lambda v: v * 3, [x], tf.int64))",
    "map_py_func_tuple": "tf.data.Dataset.range(3).map(lambda x: tuple(tf.py_func("
                         "lambda v: (np.float32(v) / 4, np.int32(v) + 1), [x], "
                         "[tf.float32, tf.int32])))",
    "filter": "tf.data.Dataset.range(10).filter(lambda x: tf.equal(x % 3, 0))",
    "filter_tuple": "tf.data.Dataset.from_tensor_slices((np.arange(6), np.arange(6) * 1.5))"
                    ".filter(lambda a, b: b > 3.0)",
    "filter_none": "tf.data.Dataset.range(5).filter(lambda x: x > 10)",
    "padded_batch": "tf.data.Dataset.range(1, 6).map(lambda x: tf.fill(tf.stack([x]), x))"
                    ".padded_batch(2, padded_shapes=[None])",
    "padded_batch_fixed": "tf.data.Dataset.range(1, 4).map(lambda x: tf.fill(tf.stack([x]), x))"
                          ".padded_batch(2, padded_shapes=[5], padding_values=tf.constant(-1, "
                          "tf.int64))",
    "padded_batch_tuple": "tf.data.Dataset.range(1, 4).map(lambda x: (tf.fill(tf.stack([x, 2]), "
                          "tf.cast(x, tf.float32)), x)).padded_batch(2, padded_shapes=([None, 2],"
                          " []), drop_remainder=True)",
    "unbatch": "tf.data.Dataset.range(7).batch(3).unbatch()",
    "unbatch_tuple": "tf.data.Dataset.from_tensors((np.arange(6).reshape(3, 2), "
                     "np.array([1.0, 2.0, 3.0]))).unbatch()",
    "flat_map": "tf.data.Dataset.range(4).flat_map(lambda x: tf.data.Dataset.from_tensors(x)"
                ".repeat(x))",
    "interleave": "tf.data.Dataset.range(1, 4).interleave(lambda x: "
                  "tf.data.Dataset.from_tensors(x).repeat(x + 1), cycle_length=2)",
    "interleave_block": "tf.data.Dataset.range(1, 5).interleave(lambda x: "
                        "tf.data.Dataset.range(x * 10, x * 10 + x), cycle_length=2, "
                        "block_length=2)",
    "flat_map_captures": "tf.data.Dataset.range(3).flat_map(lambda x: "
                         "tf.data.Dataset.range(2).map(lambda y: y * 10 + x))",
    "enumerate": "tf.data.Dataset.from_tensor_slices([7.0, 8.0, 9.0]).enumerate(start=5)",
    "shard": "tf.data.Dataset.range(10).shard(3, 1)",
    "slices_tuple_of_lists": "tf.data.Dataset.from_tensor_slices(([1, 2], [[3.0], [4.0]]))",
    "zip_take_shortest": "tf.data.Dataset.zip((tf.data.Dataset.range(5).repeat(), "
                         "tf.data.Dataset.range(3)))",
    "map_and_batch": "tf.data.Dataset.range(5).apply(tf.data.experimental.map_and_batch("
                     "lambda x: x * 2, 2))",
    "experimental_unbatch": "tf.data.Dataset.from_tensors([[1, 2], [3, 4]]).apply("
                            "tf.data.experimental.unbatch())",
    "counter": "tf.data.experimental.Counter(3, 2).take(4)",
    "error_in_batch_goes_on": "tf.data.Dataset.from_tensor_slices(np.array([1, 1, 1, 2, 2, 2, 2]))"
                              ".map(lambda n: tf.fill(tf.stack([n]), n)).batch(2)",
    "error_in_map_goes_on": "tf.data.Dataset.range(5).map(lambda x: tf.py_func("
                            "lambda v: np.int64(10 // int(v - 2)), [x], tf.int64))",
    "ignore_errors": "tf.data.Dataset.range(5).map(lambda x: tf.py_func("
                     "lambda v: np.int64(10 // int(v - 2)), [x], tf.int64))"
                     ".apply(tf.data.experimental.ignore_errors())",
    "error_then_take": "tf.data.Dataset.range(5).map(lambda x: tf.py_func("
                       "lambda v: np.int64(10 // int(v - 2)), [x], tf.int64)).take(3)",
    "text_lines": "tf.data.TextLineDataset(DATA + '/tf_data_lines.txt')",
    "text_lines_gzip_two_files": "tf.data.TextLineDataset([DATA + '/tf_data_lines.txt.gz', "
                                 "DATA + '/tf_data_lines.txt.gz'], compression_type='GZIP')"
                                 ".skip(1).take(8)",
    "cache_repeat": "tf.data.Dataset.range(4).cache().repeat(2)",
    "prefetch": "tf.data.Dataset.range(4).map(lambda x: x + 1).prefetch(2)",
    "generator": "tf.data.Dataset.from_generator(lambda: iter([1, 2, 3]), tf.int64)",
    "generator_shapes": "tf.data.Dataset.from_generator(lambda: ((i, np.arange(i)) "
                        "for i in range(4)), (tf.int64, tf.int32), "
                        "(tf.TensorShape([]), tf.TensorShape([None])))",
    "generator_batch": "tf.data.Dataset.from_generator(lambda: ([float(i), 2.0 * i] "
                       "for i in range(5)), tf.float32, tf.TensorShape([2])).batch(2)",
    "generator_dict": "tf.data.Dataset.from_generator(lambda: ({'k': i} for i in range(2)), "
                      "{'k': tf.int32}, {'k': tf.TensorShape([])}).repeat(2)",
    "pipeline": "tf.data.Dataset.from_tensor_slices((np.arange(20, dtype=np.float32)"
                ".reshape(10, 2), np.arange(10) % 3)).map(lambda x, y: (x * 2.0, "
                "tf.one_hot(y, 3))).filter(lambda x, y: x[0] < 30.0).batch(4).repeat(2)",
}


def describe(value):
    """A JSON form of a nested structure (tuples, dicts) whose leaves are arrays/dtypes/shapes."""
    if isinstance(value, tuple):
        return {"tuple": [describe(v) for v in value]}
    if isinstance(value, dict):
        return {"dict": {k: describe(v) for k, v in sorted(value.items())}}
    if hasattr(value, "as_numpy_dtype"):
        return value.name
    if hasattr(value, "ndims") and hasattr(value, "as_list") or type(value).__name__ == \
            "TensorShape":
        return None if value.ndims is None else list(value.as_list())
    arr = np.asarray(value)
    if arr.dtype.kind in "SO":
        return {"dtype": "string", "shape": list(arr.shape),
                "value": np.vectorize(lambda b: b.decode() if isinstance(b, bytes) else b,
                                      otypes=[object])(arr).tolist() if arr.size else []}
    return {"dtype": arr.dtype.name, "shape": list(arr.shape), "value": arr.tolist()}
