"""Graphs for the debugging-op cases, written once against the TF1 API (`tf` is tf.compat.v1 or
tfgraph): make_debug_ops.py records TensorFlow's messages and output, test_debug_ops.py compares.
Values come through placeholder_with_default so the checks run at run time, not at build time."""
import sys

import numpy as np


def _pwd(tf, value, dtype=None):
    value = np.asarray(value, dtype=dtype)
    return tf.placeholder_with_default(value, value.shape)


ASSERT_CASES = {
    "assert_ints_strings": lambda tf: tf.Assert(
        _pwd(tf, False), [_pwd(tf, [1, 2, 3], np.int32), "hello", _pwd(tf, 7, np.int32)],
        name="myassert"),
    "assert_summarize_default": lambda tf: tf.Assert(
        _pwd(tf, False), [_pwd(tf, np.arange(10, dtype=np.int32))]),
    "assert_summarize_5_matrix": lambda tf: tf.Assert(
        _pwd(tf, False), [_pwd(tf, np.arange(12, dtype=np.int32).reshape(3, 4))], summarize=5),
    "assert_floats": lambda tf: tf.Assert(
        _pwd(tf, False), [_pwd(tf, [0.1, 1.5, -2.0, 1e-10, 123456789.0], np.float32),
                          _pwd(tf, [0.1, 1.0 / 3], np.float64)], summarize=10),
    "assert_bool_int64": lambda tf: tf.Assert(
        _pwd(tf, False), [_pwd(tf, [True, False]), _pwd(tf, [5, -6], np.int64)]),
    "assert_scalar_inf_nan": lambda tf: tf.Assert(
        _pwd(tf, False), [_pwd(tf, np.inf, np.float32), _pwd(tf, [np.nan, -np.inf], np.float32)]),
    "assert_equal": lambda tf: tf.assert_equal(
        tf.constant([1, 2, 3]), _pwd(tf, [1, 2, 4], np.int32), message="msg"),
    "assert_equal_long": lambda tf: tf.assert_equal(
        _pwd(tf, np.arange(8, dtype=np.int32)), _pwd(tf, np.zeros(8, np.int32))),
    "assert_equal_summarize": lambda tf: tf.assert_equal(
        _pwd(tf, np.arange(8, dtype=np.int32)), _pwd(tf, np.zeros(8, np.int32)), summarize=2),
    "assert_none_equal": lambda tf: tf.assert_none_equal(_pwd(tf, [1, 2, 3], np.int32), 2),
    "assert_less": lambda tf: tf.assert_less(_pwd(tf, [1.0, 2.5], np.float32), 2.0),
    "assert_less_equal": lambda tf: tf.assert_less_equal(_pwd(tf, [1, 3], np.int32), 2),
    "assert_greater": lambda tf: tf.assert_greater(_pwd(tf, [1, 3], np.int32), 2,
                                                   name="gt"),
    "assert_greater_equal": lambda tf: tf.assert_greater_equal(_pwd(tf, [1, 3], np.int32), 2),
    "assert_positive": lambda tf: tf.assert_positive(_pwd(tf, [1, -2, 3], np.int32)),
    "assert_negative": lambda tf: tf.assert_negative(_pwd(tf, [1.5, -2.0], np.float32),
                                                     message="neg"),
    "assert_non_negative": lambda tf: tf.assert_non_negative(_pwd(tf, [1, -2], np.int32)),
    "assert_non_positive": lambda tf: tf.assert_non_positive(_pwd(tf, [1, -2], np.int32)),
    "debugging_assert_less": lambda tf: tf.debugging.assert_less(
        _pwd(tf, [3, 1], np.int32), _pwd(tf, [2, 2], np.int32)),
    "assert_rank_dynamic": lambda tf: tf.assert_rank(
        tf.placeholder_with_default(np.zeros((2, 3), np.float32), None), 3),
}

STATIC_CASES = {
    "assert_equal_static": lambda tf: tf.assert_equal(tf.constant([1, 2, 3]),
                                                      tf.constant([1, 2, 4])),
    "assert_less_static": lambda tf: tf.assert_less(tf.constant([1, 5]), tf.constant(3)),
    "assert_rank": lambda tf: tf.assert_rank(tf.constant([1, 2, 3]), 2),
    "assert_rank_message": lambda tf: tf.assert_rank(tf.zeros([2, 3]), 1, message="m"),
    "assert_type": lambda tf: tf.assert_type(tf.constant([1, 2, 3]), tf.float32),
    "assert_equal_dtypes": lambda tf: tf.assert_equal(tf.constant([1]), tf.constant([1.0])),
    "assert_scalar": lambda tf: tf.assert_scalar(tf.constant([1, 2]), message="m"),
    "assert_scalar_unknown": lambda tf: tf.assert_scalar(tf.placeholder(tf.float32)),
    "assert_integer": lambda tf: tf.assert_integer(tf.constant([1.0]), message="m"),
    "assert_shapes": lambda tf: tf.debugging.assert_shapes(
        [(tf.zeros([2, 3]), ("N", "D")), (tf.zeros([4, 3]), ("N", "D"))]),
}

CHECK_CASES = {
    "nan": lambda tf: tf.check_numerics(_pwd(tf, [1.0, np.nan], np.float32), "bad thing"),
    "inf": lambda tf: tf.check_numerics(_pwd(tf, [1.0, np.inf], np.float32), "bad thing"),
    "inf_nan": lambda tf: tf.check_numerics(_pwd(tf, [-np.inf, np.nan], np.float64), "both"),
    "verify": lambda tf: tf.verify_tensor_all_finite(_pwd(tf, [1.0, np.inf], np.float32),
                                                     "vmsg"),
    "debugging": lambda tf: tf.debugging.check_numerics(_pwd(tf, [np.nan], np.float32), "d"),
}


def _print_twice_first_n(tf):
    x = _pwd(tf, [1, 2], np.int32)
    p = tf.Print(x, [x], message="once: ", first_n=1)
    return [p, p + 1]


PRINT_CASES = {
    "Print_default": lambda tf: tf.Print(
        tf.constant([1, 2, 3]), [tf.constant([1, 2, 3]), tf.constant([[1.5, 2.0], [3.0, 4.0]])],
        message="msg: "),
    "Print_summarize": lambda tf: tf.Print(
        tf.constant(np.arange(10)), [tf.constant(np.arange(10)),
                                     tf.constant(np.arange(20).reshape(4, 5)), "str"],
        summarize=2),
    "Print_all": lambda tf: tf.Print(
        tf.constant(0.5), [tf.constant([[0.25, -1.0], [np.inf, 2.0]]), tf.constant(True)],
        summarize=-1),
    "print_basic": lambda tf: tf.print("a", tf.constant([1, 2, 3]), {"k": tf.constant(2.5)},
                                       output_stream=sys.stdout),
    "print_summarize": lambda tf: tf.print(
        tf.constant(np.arange(10)), tf.constant(np.arange(20).reshape(4, 5)), summarize=2,
        sep="|", end="!\n", output_stream=sys.stdout),
    "print_stderr_3d": lambda tf: tf.print(
        "x:", tf.constant(np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 4)),
    "print_all_list": lambda tf: tf.print(
        [tf.constant(1), "s", 2.5], tf.constant(np.arange(8)), summarize=-1,
        output_stream=sys.stdout),
    "print_string_tensor": lambda tf: tf.print(tf.constant("hi"), output_stream=sys.stdout),
    "print_strings": lambda tf: tf.print("v", tf.constant(["a", "b"]), tf.constant("s"),
                                         output_stream=sys.stdout),
    "print_scalar_bool": lambda tf: tf.print(tf.constant(3.25), tf.constant([True, False]),
                                             output_stream=sys.stdout),
}


def _fails(a):
    raise ValueError("boom %s" % a)


def _not_implemented(a):
    raise NotImplementedError("later")


PYFUNC_CASES = {
    "raises_value_error": lambda tf: tf.py_func(_fails, [tf.constant(1.0)], tf.float32),
    "raises_not_implemented": lambda tf: tf.py_func(_not_implemented, [tf.constant(1.0)],
                                                    tf.float32),
    "wrong_dtype": lambda tf: tf.py_func(lambda a: a * 2, [tf.constant(1)], tf.float32),
    "wrong_count": lambda tf: tf.py_func(lambda a: (a, a), [tf.constant(1.0)], [tf.float32]),
}
