"""The fold-rule driver (runtime/rewrite_engine.py) and the fused conv ops it produces."""
import numpy as np
import pytest

import tfgraph as tf
from tfgraph.framework.op_def import get_op_def
from tfgraph.framework.rewrite_rule import Pattern, RewriteRule, register_rewrite_rule, \
    rewrite_rules
from tfgraph.runtime import passes, rewrite_engine


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default() as g:
        yield g


# A toy rule: Neg(Neg(x)) -> Identity(x). Identity keeps the value, so each test can also check
# that folding never changes a result.
NEG_NEG = RewriteRule("neg_neg", Pattern("Neg", Pattern("Neg", "x", name="inner"), name="outer"),
                      "Identity", inputs=("x",), attrs=lambda m: {})


def _run_with(rule, fetches, feed):
    def fold(steps, fetch_slots, make_step, rt):
        return rewrite_engine.apply_rules([rule], steps, fetch_slots, make_step, rt)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess._state.passes = [fold]
        out = sess.run(fetches, feed)
        plan = next(p for p in sess._plans.values() if p.fetches == list(
            fetches if isinstance(fetches, list) else [fetches]))
    return out, [s.op.type for s in plan.steps]


def test_a_match_becomes_one_step_of_the_fused_op():
    x = tf.placeholder(tf.float32, [3])
    y = tf.negative(tf.negative(x))
    out, types = _run_with(NEG_NEG, y, {x: [1, 2, 3]})
    assert types == ["Identity"]
    np.testing.assert_array_equal(out, [1, 2, 3])


def test_an_absorbed_result_that_is_fetched_or_read_elsewhere_is_not_folded():
    x = tf.placeholder(tf.float32, [3])
    inner = tf.negative(x)
    y = tf.negative(inner)
    out, types = _run_with(NEG_NEG, [y, inner], {x: [1, 2, 3]})
    assert types == ["Neg", "Neg"]
    other = inner * 2.0
    out, types = _run_with(NEG_NEG, [y, other], {x: [1, 2, 3]})
    assert "Identity" not in types
    np.testing.assert_array_equal(out[1], [-2, -4, -6])


def test_a_variable_write_between_the_matched_ops_prevents_the_fold():
    x = tf.placeholder(tf.float32, [3])
    v = tf.Variable([0.0, 0.0, 0.0])
    inner = tf.negative(x)
    with tf.control_dependencies([inner]):
        write = tf.assign(v, [1.0, 1.0, 1.0])
    with tf.control_dependencies([write]):
        y = tf.negative(inner)
    out, types = _run_with(NEG_NEG, y, {x: [1, 2, 3]})
    assert types.count("Neg") == 2 and "Identity" not in types


def test_a_rule_name_is_registered_once_and_passes_refuse_unknown_names():
    with pytest.raises(ValueError, match="already registered"):
        register_rewrite_rule(RewriteRule("conv_bias_relu", Pattern("Neg", "x"), "Identity",
                                          inputs=("x",), attrs=lambda m: {}))
    with pytest.raises(ValueError, match="no rewrite rule named nope"):
        passes.default_passes(exclude_rules=["nope"])


def test_every_rule_produces_a_registered_op_that_reads_only_bound_names():
    for rule in rewrite_rules():
        assert get_op_def(rule.fused_type) is not None
        bound = {p for root in rule.roots for node in root.nodes()
                 for p in list(node.inputs) + [node.bind] if isinstance(p, str)}
        assert set(rule.inputs) <= bound, rule


# -- the fused ops: kernel against the numpy reference they compose -----------------------------
_CONV = dict(strides=(1, 1, 1, 1), padding="SAME", dilations=(1, 1, 1, 1), data_format="NHWC",
             use_cudnn_on_gpu=True)


def _check(op_type, inputs, rtol, **attrs):
    op_def = get_op_def(op_type)
    op = op_def.create_op([tf.constant(v) for v in inputs], **attrs)
    with tf.Session() as sess:
        got = sess.run(list(op.outputs))
    want = op_def.compute(*inputs, **dict(op_def.attrs, **attrs))
    want = list(want) if isinstance(want, tuple) else [want]
    assert len(got) == len(want)
    for g, w, spec in zip(got, want, op.outputs):
        assert g.dtype == w.dtype == spec.dtype.as_numpy_dtype
        assert spec.shape.is_compatible_with(g.shape)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 1e-4), (np.float64, 1e-10)])
def test_fused_conv_ops_match_their_reference(dtype, rtol):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 8, 6, 1)).astype(dtype)
    w = rng.standard_normal((3, 3, 1, 4)).astype(dtype)
    b = rng.standard_normal(4).astype(dtype)
    _check("_FusedConv2D", [x, w, b], rtol, fused_ops=("BiasAdd", "Relu"), **_CONV)
    _check("_FusedConv2D", [x, w, b], rtol, fused_ops=("BiasAdd",), **_CONV)
    for keep in (False, True):
        _check("_FusedConv2DReluMaxPool", [x, w, b], rtol, with_relu_out=keep, **_CONV)
    a = np.maximum(rng.standard_normal((2, 8, 6, 4)), 0).astype(dtype)
    a[0, :2, :2] = 0.0                                   # a window of ties at 0
    y = a.reshape(2, 4, 2, 3, 2, 4).max(axis=(2, 4))
    g = rng.standard_normal(y.shape).astype(dtype)
    _check("_FusedConv2DReluMaxPoolGrad", [x, w, b, a, y, g], rtol, **_CONV)
    pool = dict(ksize=(1, 2, 2, 1), strides=(1, 2, 2, 1), padding="VALID", data_format="NHWC")
    _check("_FusedMaxPoolGradRelu", [a, y, g], rtol, **pool)
    dy = rng.standard_normal((2, 8, 6, 4)).astype(dtype)
    sizes = np.array([2, 8, 6, 1], np.int32)
    _check("_FusedConv2DBackpropInputRelu", [sizes, w, dy, np.maximum(x, 0)], rtol, **_CONV)
    _check("_FusedConv2DBackpropFilterWithBias", [x, np.array(w.shape, np.int32), dy], rtol,
           **_CONV)
