"""tf.Assert, tf.assert_*, check_numerics, tf.Print, tf.print and tf.py_func against TensorFlow's
recorded messages and output (tests/data/tf_debug_ops.json, from
tests/reference/make_debug_ops.py over the shared cases in tests/reference/debug_cases.py)."""
import json
import os
import re
import sys

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.ops.logging_ops import summarize_value

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "reference"))
import debug_cases  # noqa: E402

with open(os.path.join(HERE, "..", "..", "data", "tf_debug_ops.json")) as _f:
    REF = json.load(_f)

# TF 2.21 differs from TF1 here, by its implementation, not by what it checks: assert_equal's ops
# land in a second name scope ("assert_equal_1"), and an Assert with float data sits in a
# tf.cond ("AssertGuard") whose inner node is reported as plain "Assert" (data other than int32
# and strings).
NODE_DIFFERS = {"assert_equal", "assert_equal_long", "assert_equal_summarize", "assert_floats",
                "assert_scalar_inf_nan", "assert_less", "assert_negative", "assert_bool_int64"}


def _run_error(build):
    with tf.Graph().as_default():
        fetch = build(tf)
        with tf.Session() as sess:
            with pytest.raises(tf.errors.OpError) as info:
                sess.run(fetch)
    return info.value


@pytest.mark.parametrize("name", sorted(debug_cases.ASSERT_CASES))
def test_assert_fails_at_run_time_as_tf(name):
    want = REF["assert"][name]
    err = _run_error(debug_cases.ASSERT_CASES[name])
    assert type(err).__name__ == want["type"]
    assert err.message == want["message"]
    if name not in NODE_DIFFERS:
        assert err.op.name == want["node"]
    assert err.op.type == "Assert"
    assert "debug_cases.py:" in str(err)        # the line that made the check


@pytest.mark.parametrize("name", sorted(debug_cases.STATIC_CASES))
def test_static_checks_fail_at_build_time_as_tf(name):
    want = REF["static"][name]
    with tf.Graph().as_default():
        with pytest.raises(Exception) as info:
            debug_cases.STATIC_CASES[name](tf)
    err = info.value
    assert type(err).__name__ == want["type"]
    if name == "assert_equal_dtypes":   # tfgraph's own dtype-mismatch text, naming the Equal op
        assert "'Equal' Op has type float32 that does not match type int32" in str(err)
    else:
        assert (err.message if isinstance(err, tf.errors.OpError) else str(err)) == \
            want["message"]


@pytest.mark.parametrize("name", sorted(debug_cases.CHECK_CASES))
def test_check_numerics_fails_as_tf(name):
    want = REF["check"][name]
    err = _run_error(debug_cases.CHECK_CASES[name])
    assert type(err).__name__ == want["type"] and err.message == want["message"]
    assert err.op.name == want["node"] and "debug_cases.py:" in str(err)


@pytest.mark.parametrize("name", sorted(debug_cases.PRINT_CASES))
def test_print_writes_as_tf(name, capsys):
    want = REF["print"][name]
    with tf.Graph().as_default():
        fetch = debug_cases.PRINT_CASES[name](tf)
        with tf.Session() as sess:
            capsys.readouterr()
            value = sess.run(fetch)
    out = capsys.readouterr()
    assert out.out == want["stdout"] and out.err == want["stderr"]
    if want["value"] is None:
        assert value is None
    else:
        np.testing.assert_array_equal(value, want["value"])


@pytest.mark.parametrize("name", sorted(debug_cases.PYFUNC_CASES))
def test_py_func_errors_as_tf(name):
    want = REF["pyfunc"][name]
    err = _run_error(debug_cases.PYFUNC_CASES[name])
    assert type(err).__name__ == want["type"] and err.op.type == "PyFunc"
    first, _, rest = want["message"].partition("\n")
    if rest:      # the exception, then its traceback, which ends in the user's function
        assert err.message.startswith(first + "\nTraceback (most recent call last):\n")
        assert err.message.rstrip().endswith(first)
        assert ", in _fails" in err.message or ", in _not_implemented" in err.message
    else:          # TF's token numbers count every py_func made before: compare the rest
        assert re.sub(r"pyfunc_\d+", "pyfunc_N", err.message) == \
            re.sub(r"pyfunc_\d+", "pyfunc_N", want["message"])


def test_summaries_follow_tf_formatting():
    assert summarize_value(np.float32(0.1)) == "0.1"
    assert summarize_value(np.float32(1 / 3)) == "0.333333343"
    assert summarize_value(np.float64(1 / 3)) == "0.33333333333333331"
    assert summarize_value(np.array([[1, 2], [3, 4]]), 10) == "[1 2][3 4]"
    assert summarize_value(np.arange(6).reshape(3, 2), 3) == "[0 1][2...]..."
    assert summarize_value(np.zeros((2, 0))) == ""
    assert summarize_value(np.arange(7), 2, v2=True) == "[0 1 ... 5 6]"
    assert summarize_value(np.array([["a"]], dtype=object), v2=True) == '[["a"]]'
    assert summarize_value(np.array(b"x\ny", dtype=object), v2=True) == '"x\\ny"'


def test_assert_passes_and_gates_dependents():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None])
        with tf.control_dependencies([tf.assert_positive(x), tf.assert_rank(x, 1)]):
            y = tf.identity(x * 2)
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(y, {x: [1.0, 2.0]}), [2.0, 4.0])
            with pytest.raises(tf.errors.InvalidArgumentError, match="x > 0 did not hold"):
                sess.run(y, {x: [1.0, -2.0]})


def test_constant_checks_are_never_folded_away(capsys):
    # all-constant inputs: the plan must still run the check and the print on every run
    with tf.Graph().as_default():
        c = tf.constant([1.0, np.inf])
        checked = tf.check_numerics(c, "const")
        p = tf.Print(tf.constant(1), [tf.constant(2)], "p")
        a = tf.Assert(tf.constant(False), [tf.constant(3)])
        with tf.Session() as sess:
            for _ in range(2):
                with pytest.raises(tf.errors.InvalidArgumentError, match="const : Tensor had Inf"):
                    sess.run(checked)
                with pytest.raises(tf.errors.InvalidArgumentError,
                                   match=r"assertion failed: \[3\]"):
                    sess.run(a)
                capsys.readouterr()
                assert sess.run([p, p + 1]) == [1, 2]
                assert capsys.readouterr().err == "p[2]\n"    # once per run, not per fetch


def test_print_first_n_counts_runs_of_the_session(capsys):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.int32, [])
        p = tf.Print(x, [x], "n=", first_n=2)
        with tf.Session() as sess:
            for i in range(4):
                sess.run(p, {x: i})
            sess.run([p, p * 2], {x: 9})    # another plan: the count is the session's
        assert capsys.readouterr().err == "n=[0]\nn=[1]\n"
        with tf.Session() as sess:
            sess.run(p, {x: 5})
        assert capsys.readouterr().err == "n=[5]\n"


def test_print_is_identity_for_gradients():
    with tf.Graph().as_default():
        x = tf.constant([1.0, 2.0])
        y = tf.Print(x * x, [x], "x")
        g, = tf.gradients(tf.reduce_sum(y), [x])
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(g), [2.0, 4.0])


def test_tf_print_runs_in_graph_order_and_to_files(tmp_path, capsys):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2])
        first = tf.print("first", x)
        with tf.control_dependencies([first]):
            second = tf.print("second", x * 2, output_stream="file://%s" % (tmp_path / "log"))
        with tf.control_dependencies([second]):
            third = tf.print("third", sep="-", end="|")
        with tf.Session() as sess:
            sess.run(third, {x: [1.0, 0.5]})
    assert capsys.readouterr().err == "first [1 0.5]\nthird|"
    assert (tmp_path / "log").read_text() == "second [2 1]\n"


def test_check_numerics_gradient_and_verify():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2])
        y = tf.check_numerics(x, "fwd") * tf.constant([1.0, np.inf])
        g, = tf.gradients(tf.reduce_sum(y), [x])
        assert g.op.type == "CheckNumerics"
        v = tf.verify_tensor_all_finite(x, "v")
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match=r"detected in gradient\. fwd : Tensor had Inf values"):
                sess.run(g, {x: [1.0, 2.0]})
            np.testing.assert_array_equal(sess.run(v, {x: [1.0, 2.0]}), [1.0, 2.0])
        err = tf.test.compute_gradient_error(x, [2], tf.check_numerics(x, "m") * 3.0, [2],
                                             x_init_value=np.array([0.5, -1.5]))
        assert err < 1e-3


def test_add_check_numerics_ops_names_the_first_bad_output():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2], name="x")
        y = tf.log(x, name="log")
        tf.multiply(y, 2.0, name="twice")
        v = tf.Variable(1.0, name="v")
        check = tf.add_check_numerics_ops()
        assert check.type == "NoOp"
        messages = [op.get_attr("message") for op in tf.get_default_graph().get_operations()
                    if op.type == "CheckNumerics"]
        assert {"x:0", "log:0", "twice:0", "v/read:0"} <= set(messages)
        assert "v:0" not in messages and "v/Assign:0" not in messages   # TF1's ref outputs
        del v
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(check, {x: [1.0, 2.0]})
            with pytest.raises(tf.errors.InvalidArgumentError) as info:
                sess.run(check, {x: [0.0, 2.0]})
            assert info.value.message == "log:0 : Tensor had Inf values"


def test_py_func_values_dtypes_and_no_gradient():
    calls = []

    def f(a, b):
        calls.append(1)
        return a * b, (a + b).astype(np.int64)

    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None])
        prod, total = tf.py_func(f, [x, tf.constant(2.0)], [tf.float32, tf.int64])
        assert prod.dtype == tf.float32 and total.dtype == tf.int64
        assert prod.shape.ndims is None and prod.op.type == "PyFunc"
        assert tf.gradients(tf.reduce_sum(prod), [x]) == [None]
        same = tf.numpy_function(lambda a: a + 1, [x], tf.float32)
        with tf.Session() as sess:
            p, t, s = sess.run([prod, total, same], {x: [1.0, 3.0]})
        np.testing.assert_array_equal(p, [2.0, 6.0])
        np.testing.assert_array_equal(t, [3, 5])
        np.testing.assert_array_equal(s, [2.0, 4.0])
        assert len(calls) == 1


def test_py_func_stateful_ops_are_not_merged():
    counter = []

    def tick():
        counter.append(1)
        return np.int32(len(counter))

    with tf.Graph().as_default():
        a = tf.py_func(tick, [], tf.int32)
        b = tf.py_func(tick, [], tf.int32)
        with tf.Session() as sess:
            assert sorted(sess.run([a, b])) == [1, 2]
            assert sorted(sess.run([a, b])) == [3, 4]    # not folded into constants either


def test_py_func_registered_gradient():
    @tf.RegisterGradient("TestSquareGrad")
    def _square_grad(op, dy):
        return [dy * 2.0 * op.inputs[0]]

    with tf.Graph().as_default() as g:
        x = tf.constant([1.0, 3.0])
        with g.gradient_override_map({"PyFunc": "TestSquareGrad"}):
            y = tf.py_func(np.square, [x], tf.float32)
        dx, = tf.gradients(tf.reduce_sum(y), [x])
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(dx), [2.0, 6.0])


def test_assert_shapes_dynamic_dims_and_symbols():
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float32, [None, 3])
        b = tf.placeholder(tf.float32, [None, None])
        check = tf.debugging.assert_shapes([(a, ("N", 3)), (b, ("N", "D"))])
        with tf.Session() as sess:
            sess.run(check, {a: np.zeros((2, 3)), b: np.zeros((2, 5))})
            with pytest.raises(tf.errors.InvalidArgumentError, match="dimension 0 must have size"):
                sess.run(check, {a: np.zeros((2, 3)), b: np.zeros((4, 5))})
        with pytest.raises(ValueError, match="Placeholder:0 must have rank 1.  Received rank 2"):
            tf.debugging.assert_shapes([(a, ("N",))])


def test_bad_arguments_name_the_op():
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="CheckNumerics"):
            tf.check_numerics(tf.constant([1, 2]), "ints")
        with pytest.raises(ValueError, match="Unsupported output stream"):
            tf.print("x", output_stream=3)
