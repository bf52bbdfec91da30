"""Plan-time fusion of elementwise chains into generated Numba kernels (tfgraph/runtime/fusion.py)."""
import numpy as np
import pytest

import tfgraph as tf
from tfgraph.runtime import fusion, passes


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default() as g:
        yield g


@pytest.fixture
def fuse_everything(monkeypatch):
    """Fused kernels for any size, so small test arrays take the generated-kernel path."""
    monkeypatch.setattr(fusion, "MIN_FUSED_SIZE", 1)


def _steps(sess):
    plan = max(sess._plans.values(), key=lambda p: len(p.steps))
    return [s.op.type for s in plan.steps], plan


def _fused(plan):
    return [s.kernel for s in plan.steps if isinstance(s.kernel, fusion.FusedKernel)]


def _ran_generated_kernel(kernel):
    return bool(kernel._compiled) and not kernel._disabled


def test_bias_add_relu_is_one_step_and_matches_numpy():
    rng = np.random.default_rng(0)
    x = tf.placeholder(tf.float32, [None, 64, 64])
    bv = rng.standard_normal(64).astype(np.float32)
    b = tf.constant(bv)
    y = tf.nn.relu(tf.nn.bias_add(x, b))
    xv = rng.standard_normal((20, 64, 64)).astype(np.float32)   # 81920 elements: fused by default
    xv[0, 0, :3] = [np.nan, np.inf, -np.inf]
    with tf.Session() as sess:
        out = sess.run(y, {x: xv})
        types, plan = _steps(sess)
    assert types == ["Relu"] and len(_fused(plan)) == 1
    assert _ran_generated_kernel(_fused(plan)[0])
    np.testing.assert_array_equal(out, np.maximum(xv + bv, 0))
    assert out.dtype == np.float32


@pytest.mark.parametrize("parallel_from", [1 << 40, 1])
def test_chain_with_scalars_vectors_and_division_matches_numpy(fuse_everything, monkeypatch,
                                                               parallel_from):
    monkeypatch.setattr(fusion, "PARALLEL_MIN_SIZE", parallel_from)
    rng = np.random.default_rng(1)
    a = tf.placeholder(tf.float32, [None, 7])
    v = tf.placeholder(tf.float32, [7])
    s = tf.placeholder(tf.float32, [])
    y = -((a * s - v) / (a + 1.0)) + tf.square(a)
    av = rng.standard_normal((9, 7)).astype(np.float32)
    av[0, 0] = -1.0                       # a division by zero: inf/nan as numpy gives them
    vv = rng.standard_normal(7).astype(np.float32)
    sv = np.float32(1.5)
    with tf.Session() as sess:
        out = sess.run(y, {a: av, v: vv, s: sv})
        _, plan = _steps(sess)
    with np.errstate(divide="ignore", invalid="ignore"):
        want = -((av * sv - vv) / (av + np.float32(1.0))) + np.square(av)
    assert len(plan.steps) == 1 and len(_fused(plan)) == 1
    assert _ran_generated_kernel(_fused(plan)[0])
    np.testing.assert_array_equal(out, want)


def test_scalar_computed_in_the_run_joins_the_fused_kernel(fuse_everything):
    # r = 1 / mean(s) is used twice, so it runs as its own step; a 0-d ufunc result is a numpy
    # scalar (np.float32), not an ndarray, and must still enter the chain as a scalar
    a = tf.placeholder(tf.float32, [None, 5])
    s = tf.placeholder(tf.float32, [3])
    r = 1.0 / tf.reduce_mean(s)
    y = (a - 2.0) * r + r
    av = np.arange(20, dtype=np.float32).reshape(4, 5)
    sv = np.array([1.0, 2.0, 4.5], np.float32)
    with tf.Session() as sess:
        out = sess.run(y, {a: av, s: sv})
        types, plan = _steps(sess)
    fused = _fused(plan)
    assert types == ["Mean", "RealDiv", "AddV2"] and len(fused) == 1
    assert _ran_generated_kernel(fused[0])
    rv = np.float32(1) / sv.mean()
    np.testing.assert_array_equal(out, (av - np.float32(2)) * rv + rv)


def test_fetched_or_shared_intermediates_are_not_fused_away(fuse_everything):
    x = tf.placeholder(tf.float32, [4, 4])
    h = x * 2.0
    y = tf.nn.relu(h)
    z = h + 1.0                       # h used twice
    xv = np.arange(-8, 8, dtype=np.float32).reshape(4, 4)
    with tf.Session() as sess:
        hv, yv, zv = sess.run([h, y, z], {x: xv})
        types, _ = _steps(sess)
    assert types == ["Mul", "Relu", "AddV2"]
    np.testing.assert_array_equal(yv, np.maximum(xv * 2, 0))
    np.testing.assert_array_equal(zv, xv * 2 + 1)
    np.testing.assert_array_equal(hv, xv * 2)


def test_unsupported_runtime_broadcast_falls_back_to_op_kernels(fuse_everything):
    x = tf.placeholder(tf.float32, None)
    y = tf.placeholder(tf.float32, None)
    out = tf.nn.relu(x - y)
    xv = np.arange(12, dtype=np.float32).reshape(3, 4)
    yv = np.array([[1.0], [5.0], [20.0]], np.float32)   # (3, 1): not full, scalar or last-dim vector
    with tf.Session() as sess:
        got = sess.run(out, {x: xv, y: yv})
        _, plan = _steps(sess)
    assert len(_fused(plan)) == 1 and not _fused(plan)[0]._compiled
    np.testing.assert_array_equal(got, np.maximum(xv - yv, 0))


def test_error_inside_a_chain_names_the_failing_op(fuse_everything):
    x = tf.placeholder(tf.float32, None)
    y = tf.placeholder(tf.float32, None)
    total = tf.add(x, y, name="the_add")
    out = tf.nn.relu(total)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as e:
            sess.run(out, {x: np.ones((3, 4), np.float32), y: np.ones((5, 4), np.float32)})
    assert "the_add" in str(e.value) and "[3, 4]" in str(e.value) and "[5, 4]" in str(e.value)
    assert "test_fusion.py" in str(e.value)


def test_fused_relu_gradient_matches_numeric(fuse_everything):
    rng = np.random.default_rng(2)
    x = tf.constant(rng.uniform(0.1, 1.0, (3, 5)) * rng.choice([-1, 1], (3, 5)))
    b = tf.constant(rng.standard_normal(5))
    y = tf.nn.relu(tf.nn.bias_add(x, b)) * 3.0
    with tf.Session() as sess:
        err = tf.test.compute_gradient_error([x, b], [(3, 5), (5,)], y, (3, 5))
        fused = [k for p in sess._plans.values() for k in _fused(p)]
    assert err < 1e-6
    assert any(k.ops[-1].type == "ReluGrad" or "ReluGrad" in [o.type for o in k.ops]
               for k in fused) and all(_ran_generated_kernel(k) for k in fused if k._compiled)


def test_variable_write_between_chain_members_blocks_fusion(fuse_everything):
    v = tf.Variable(np.ones((4, 4), np.float32))
    a = v * 2.0
    with tf.control_dependencies([a]):
        assign = tf.assign(v, np.zeros((4, 4), np.float32))
    with tf.control_dependencies([assign]):
        b = tf.identity(tf.constant(1.0))
    y = a + b
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(y), np.full((4, 4), 3.0))
        _, plan = _steps(sess)
    assert not _fused(plan)


def test_generated_source_is_cached_on_disk(fuse_everything, tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(fusion, "_modules", {})
    x = tf.placeholder(tf.float64, [2, 3])
    y = tf.nn.relu(x * 2.0 + 1.0)
    with tf.Session() as sess:
        out = sess.run(y, {x: np.array([[-1.0, 0.0, 1.0], [2.0, -3.0, 0.5]])})
    np.testing.assert_array_equal(out, np.maximum(np.array([[-1, 0, 1], [2, -3, .5]]) * 2 + 1, 0))
    files = list((tmp_path / "fused_kernels").glob("chain_*.py"))
    assert len(files) == 1 and "def chain(" in files[0].read_text()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_transcendental_and_min_max_chains_match_numpy(fuse_everything, dtype):
    rng = np.random.default_rng(3)
    x = tf.placeholder(dtype, [None, 6])
    y = tf.placeholder(dtype, [None, 6])
    out = tf.sigmoid(tf.maximum(x, y)) * tf.tanh(tf.minimum(x, y)) + tf.exp(x) - tf.log(
        tf.sqrt(tf.square(y) + 1.0))
    xv = (rng.standard_normal((40, 6)) * 30).astype(dtype)   # sigmoid far into both tails
    yv = rng.standard_normal((40, 6)).astype(dtype)
    xv[0, 0], yv[1, 1] = np.nan, np.nan
    with tf.Session() as sess:
        got = sess.run(out, {x: xv, y: yv})
        _, plan = _steps(sess)
    fused = _fused(plan)
    assert len(plan.steps) == 1 and _ran_generated_kernel(fused[0])
    with np.errstate(over="ignore"):
        mx, mn = np.maximum(xv, yv), np.minimum(xv, yv)
        sig = np.where(mx >= 0, 1 / (1 + np.exp(-np.abs(mx))),
                       np.exp(-np.abs(mx)) / (1 + np.exp(-np.abs(mx))))
        want = sig * np.tanh(mn) + np.exp(xv) - np.log(np.sqrt(np.square(yv) + 1))
    assert got.dtype == dtype
    np.testing.assert_allclose(got, want.astype(dtype), rtol=4e-6 if dtype == np.float32 else 1e-12)
    assert np.isnan(got[0, 0]) and np.isnan(got[1, 1])


def test_sigmoid_and_tanh_gradient_chains_match_numeric(fuse_everything):
    rng = np.random.default_rng(4)
    x = tf.constant(rng.standard_normal((4, 3)))
    y = tf.sigmoid(x) * tf.tanh(x * 0.5)
    with tf.Session():
        err = tf.test.compute_gradient_error(x, (4, 3), y, (4, 3))
    assert err < 1e-6


@pytest.mark.parametrize("ksize, strides, padding", [(2, 2, "VALID"), (3, 2, "SAME"), (2, 2, "SAME")])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_grad_folds_into_max_pool_grad(ksize, strides, padding, dtype):
    rng = np.random.default_rng(5)
    x = tf.placeholder(dtype, [None, 7, 6, 3])
    h = tf.nn.relu(x)
    pooled = tf.nn.max_pool(h, [1, ksize, ksize, 1], [1, strides, strides, 1], padding)
    upstream = tf.placeholder(dtype, None)
    dx, = tf.gradients(pooled, x, grad_ys=upstream)
    dh, = tf.gradients(pooled, h, grad_ys=upstream)   # MaxPoolGrad's own output
    xv = rng.standard_normal((4, 7, 6, 3)).astype(dtype)
    xv[0, :2, :2, :] = -1.0                            # whole windows clamped to 0: ties at 0
    with tf.Session() as sess:
        up = rng.standard_normal(sess.run(pooled, {x: xv}).shape).astype(dtype)
        fused = sess.run(dx, {x: xv, upstream: up})
        fused_plan = max(sess._plans.values(), key=lambda p: len(p.steps))
        dh_v, dx_apart = sess.run([dh, dx], {x: xv, upstream: up})   # dh fetched: not folded
    types = [s.op.type for s in fused_plan.steps]
    assert "MaxPoolGrad" not in types and "ReluGrad" not in types
    assert "_FusedMaxPoolGradRelu" in types
    np.testing.assert_array_equal(fused, dx_apart)
    np.testing.assert_array_equal(fused, dh_v * (np.maximum(xv, 0) > 0))
    assert fused.dtype == dtype


def test_relu_then_max_pool_gradient_matches_numeric():
    rng = np.random.default_rng(6)
    x = tf.constant(rng.standard_normal((2, 4, 4, 2)))
    y = tf.nn.max_pool(tf.nn.relu(x), [1, 2, 2, 1], [1, 2, 2, 1], "VALID") * 2.0
    with tf.Session():
        err = tf.test.compute_gradient_error(x, (2, 4, 4, 2), y, (2, 2, 2, 2))
    assert err < 1e-6


@pytest.mark.parametrize("channels, padding, relu", [(1, "VALID", True), (3, "SAME", True),
                                                     (1, "SAME", False), (3, "VALID", False)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bias_and_relu_fold_into_conv2d(channels, padding, relu, dtype):
    rng = np.random.default_rng(7)
    x = tf.placeholder(dtype, [None, 9, 8, channels])
    w = tf.constant(rng.standard_normal((3, 3, channels, 5)).astype(dtype))
    b = tf.placeholder(dtype, [5])
    conv = tf.nn.conv2d(x, w, [1, 1, 1, 1], padding)
    y = tf.nn.bias_add(conv, b)
    if relu:
        y = tf.nn.relu(y)
    xv = rng.standard_normal((4, 9, 8, channels)).astype(dtype)
    xv[1, 4, 4, 0] = np.nan                            # NaN through the conv, bias and Relu
    bv = rng.standard_normal(5).astype(dtype)
    with tf.Session() as sess:
        folded = sess.run(y, {x: xv, b: bv})
        types = [s.op.type for s in max(sess._plans.values(), key=lambda p: len(p.steps)).steps]
        conv_v, apart = sess.run([conv, y], {x: xv, b: bv})   # conv fetched: not folded
    assert types == ["_FusedConv2D"]
    want = conv_v + bv
    if relu:
        want = np.maximum(want, 0)
    np.testing.assert_array_equal(folded, apart)
    np.testing.assert_array_equal(folded, want)
    assert np.isnan(folded).any() and folded.dtype == dtype


@pytest.mark.parametrize("relu", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tf1_conv_plus_bias_folds_like_bias_add(relu, dtype):
    # TF1 scripts write `tf.nn.conv2d(x, W) + b` (the deep MNIST tutorial, W7), not bias_add
    rng = np.random.default_rng(12)
    x = tf.placeholder(dtype, [None, 7, 6, 3])
    w = tf.constant(rng.standard_normal((5, 5, 3, 4)).astype(dtype))
    b = tf.Variable(rng.standard_normal(4).astype(dtype))
    conv = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
    y = conv + b
    if relu:
        y = tf.nn.relu(y)
    xv = rng.standard_normal((3, 7, 6, 3)).astype(dtype)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        folded = sess.run(y, {x: xv})
        conv_v, apart = sess.run([conv, y], {x: xv})      # conv fetched: not folded
        assert [t for t in _plan_types(sess, y) if t != "VariableV2"] == ["_FusedConv2D"]
        assert "_FusedConv2D" not in _plan_types(sess, conv)
        want = conv_v + sess.run(b)
    np.testing.assert_array_equal(folded, apart)
    np.testing.assert_array_equal(folded, np.maximum(want, 0) if relu else want)


@pytest.mark.parametrize("other", ["matrix", "scalar", "wrong_length"])
def test_conv_plus_anything_but_a_channel_vector_is_not_folded(other):
    rng = np.random.default_rng(13)
    x = tf.placeholder(tf.float32, [None, 5, 5, 2])
    conv = tf.nn.conv2d(x, tf.ones([3, 3, 2, 4]), [1, 1, 1, 1], "SAME")
    addend = {"matrix": tf.ones([5, 4]), "scalar": tf.constant(2.0),
              "wrong_length": tf.ones([1])}[other]
    y = tf.nn.relu(conv + addend)
    xv = rng.standard_normal((2, 5, 5, 2)).astype(np.float32)
    with tf.Session() as sess:
        got = sess.run(y, {x: xv})
        assert "_FusedConv2D" not in _plan_types(sess, y)
        want = np.maximum(sess.run(conv, {x: xv}) + sess.run(addend), 0)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_conv_bias_relu_gradient_matches_numeric():
    rng = np.random.default_rng(8)
    x = tf.constant(rng.standard_normal((2, 5, 5, 1)))
    w = tf.constant(rng.standard_normal((3, 3, 1, 2)))
    b = tf.constant(rng.standard_normal(2))
    y = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, [1, 1, 1, 1], "VALID"), b))
    with tf.Session():
        err = tf.test.compute_gradient_error([x, w, b], [(2, 5, 5, 1), (3, 3, 1, 2), (2,)], y,
                                             (2, 3, 3, 2))
    assert err < 1e-6


def _plan_types(sess, fetch):
    plan = next(p for p in sess._plans.values() if fetch in p.fetches)
    return [s.op.type for s in plan.steps]


def _conv_relu_pool(dtype, h, w_in, channels, padding):
    rng = np.random.default_rng(9)
    x = tf.placeholder(dtype, [None, h, w_in, channels])
    w = tf.Variable(rng.standard_normal((3, 3, channels, 4)).astype(dtype))
    b = tf.Variable(rng.standard_normal(4).astype(dtype))
    a = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, [1, 1, 1, 1], padding), b))
    pooled = tf.nn.max_pool(a, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    xv = rng.standard_normal((5, h, w_in, channels)).astype(dtype)
    return x, w, b, a, pooled, xv


@pytest.mark.parametrize("h, w_in, channels, padding", [(10, 10, 1, "VALID"), (11, 9, 1, "SAME"),
                                                        (9, 12, 1, "VALID")])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_relu_pool_folds_into_one_step_for_inference(h, w_in, channels, padding, dtype):
    x, w, b, a, pooled, xv = _conv_relu_pool(dtype, h, w_in, channels, padding)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        folded = sess.run(pooled, {x: xv})
        types = _plan_types(sess, pooled)
        a_v, apart = sess.run([a, pooled], {x: xv})     # activation fetched: an output too
        types_both = _plan_types(sess, a)
    for t in (types, types_both):
        assert [t for t in t if t != "VariableV2"] == ["_FusedConv2DReluMaxPool"]
    oh, ow = a_v.shape[1] // 2 * 2, a_v.shape[2] // 2 * 2   # VALID: an odd last row/col is dropped
    want = a_v[:, :oh, :ow].reshape(5, oh // 2, 2, ow // 2, 2, 4).max(axis=(2, 4))
    np.testing.assert_array_equal(folded, apart)
    np.testing.assert_array_equal(folded, want)
    assert folded.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_relu_pool_gradient_is_one_step_and_equals_the_ops(dtype, monkeypatch):
    x, w, b, a, pooled, xv = _conv_relu_pool(dtype, 12, 11, 1, "VALID")
    loss = tf.reduce_sum(tf.square(pooled))
    grads = tf.gradients(loss, [w, b])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        folded = sess.run(grads, {x: xv})
        types = _plan_types(sess, grads[0])
    assert "BiasAddGrad" not in types and "ReluGrad" not in types and "Relu" not in types
    assert types.count("_FusedConv2DReluMaxPoolGrad") == 1
    assert types.count("_FusedConv2DReluMaxPool") == 1
    with tf.Session() as sess:
        sess._state.passes = passes.default_passes(
            exclude_rules=["conv_relu_max_pool", "conv_filter_grad_with_bias"])
        sess.run(tf.global_variables_initializer())
        apart = sess.run(grads, {x: xv})
        types = _plan_types(sess, grads[0])
    assert "BiasAddGrad" in types
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for got, want in zip(folded, apart):
        assert got.dtype == dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("x_shape, channels, with_dx", [
    ((2, 6, 6, 1), 2, True),    # dx also reads the pool gradient: nothing to fold into a filter pass
    ((2, 8, 7, 1), 3, False),   # a first layer in training: the folded gradient step
])
def test_conv_relu_pool_gradient_matches_numeric(x_shape, channels, with_dx):
    rng = np.random.default_rng(10 if with_dx else 11)
    x = tf.constant(rng.standard_normal(x_shape))
    w = tf.constant(rng.standard_normal((3, 3, 1, channels)))
    b = tf.constant(rng.standard_normal(channels))
    y = tf.nn.max_pool(tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, [1, 1, 1, 1], "VALID"), b)),
                       [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    wrt, shapes = [w, b], [(3, 3, 1, channels), (channels,)]
    if with_dx:
        wrt, shapes = [x] + wrt, [x_shape] + shapes
    y_shape = (x_shape[0], (x_shape[1] - 2) // 2, (x_shape[2] - 2) // 2, channels)
    with tf.Session():
        err = tf.test.compute_gradient_error(wrt, shapes, y, y_shape)
    assert err < 1e-6


@pytest.mark.parametrize("ksize", [1, 3])
def test_folded_relu_grad_is_not_fused_with_elementwise_ops_as_if_it_were_one(fuse_everything,
                                                                            ksize):
    # A shape-preserving pool (stride 1, SAME) makes the folded step's inputs look elementwise;
    # fusing it into the chain before it would apply ReluGrad's formula to MaxPoolGrad's inputs.
    rng = np.random.default_rng(12)
    x = tf.placeholder(tf.float32, [None, 4, 4, 2])
    y = tf.nn.max_pool(tf.nn.relu(x), [1, ksize, ksize, 1], [1, 1, 1, 1], "SAME")
    dx, = tf.gradients(tf.reduce_sum(tf.square(y) * 3.0), x)
    xv = rng.standard_normal((3, 4, 4, 2)).astype(np.float32)
    with tf.Session() as sess:
        got = sess.run(dx, {x: xv})
    with tf.Graph().as_default(), tf.Session() as sess:   # reference: no folding, no fusion
        xr = tf.constant(xv)
        yr = tf.nn.max_pool(tf.nn.relu(xr), [1, ksize, ksize, 1], [1, 1, 1, 1], "SAME")
        want = sess.run(tf.gradients(tf.reduce_sum(tf.square(yr) * 3.0), xr)[0])
    np.testing.assert_allclose(got, want, rtol=1e-6)


def _two_conv_layers(dtype, c_mid):
    """x -> conv (3x3, 1 -> c_mid) -> bias -> Relu -> conv (3x3, c_mid -> 3) -> bias -> Relu:
    with c_mid = 1 both filter gradients take the direct kernels, with 4 the second takes im2col."""
    rng = np.random.default_rng(12)
    x = tf.placeholder(dtype, [None, 9, 8, 1])
    w1 = tf.Variable(rng.standard_normal((3, 3, 1, c_mid)).astype(dtype))
    b1 = tf.Variable(rng.standard_normal(c_mid).astype(dtype))
    w2 = tf.Variable(rng.standard_normal((3, 3, c_mid, 3)).astype(dtype))
    b2 = tf.Variable(rng.standard_normal(3).astype(dtype))
    a1 = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w1, [1, 1, 1, 1], "VALID"), b1))
    a2 = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(a1, w2, [1, 1, 1, 1], "SAME"), b2))
    return x, [w1, b1, w2, b2], a2, rng.standard_normal((4, 9, 8, 1)).astype(dtype)


def _folded_and_apart(grads, feed, exclude_rules):
    """(values, plan op types) of `grads` with every fold rule, then without `exclude_rules`."""
    runs = []
    for exclude in ((), exclude_rules):
        with tf.Session() as sess:
            sess._state.passes = passes.default_passes(exclude_rules=exclude)
            sess.run(tf.global_variables_initializer())
            runs += [sess.run(grads, feed), _plan_types(sess, grads[0])]
    return runs


def _assert_same_gradients(folded, apart, dtype):
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for got, want in zip(folded, apart):
        assert got.dtype == dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("c_mid", [1, 4])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bias_and_filter_gradients_are_one_step_and_equal_the_ops(dtype, c_mid, monkeypatch):
    monkeypatch.setattr("tfgraph.kernels.conv.DIRECT_MAX_K", 9)   # c_mid 4: K = 36, im2col
    x, params, y, xv = _two_conv_layers(dtype, c_mid)
    grads = tf.gradients(tf.reduce_sum(tf.square(y)), params)
    folded, types, apart, apart_types = _folded_and_apart(
        grads, {x: xv}, ["conv_filter_grad_with_bias"])
    assert "BiasAddGrad" not in types and types.count("_FusedConv2DBackpropFilterWithBias") == 2
    assert apart_types.count("BiasAddGrad") == 2
    _assert_same_gradients(folded, apart, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tf1_conv_plus_bias_gradients_fold_like_bias_add(dtype):
    # `tf.nn.conv2d(x, W) + b` (W7): the add's gradient for b is Reshape(Sum(dy, [0, 1, 2])),
    # which becomes BiasAddGrad, then one step with the filter gradient; a dense `x @ W + b`'s
    # the same over axis 0
    rng = np.random.default_rng(14)
    x = tf.placeholder(dtype, [None, 7, 6, 3])
    w = tf.Variable(rng.standard_normal((5, 5, 3, 4)).astype(dtype))
    b = tf.Variable(rng.standard_normal(4).astype(dtype))
    wd = tf.Variable(rng.standard_normal((7 * 6 * 4, 2)).astype(dtype))
    bd = tf.Variable(rng.standard_normal(2).astype(dtype))
    a = tf.nn.relu(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME") + b)
    y = tf.matmul(tf.reshape(a, [-1, 7 * 6 * 4]), wd) + bd
    params = [w, b, wd, bd]
    grads = tf.gradients(tf.reduce_sum(tf.square(y)), params)
    xv = rng.standard_normal((3, 7, 6, 3)).astype(dtype)
    folded, types, apart, apart_types = _folded_and_apart(
        grads, {x: xv}, ["channel_sum_is_bias_add_grad", "conv_filter_grad_with_bias"])
    # Sum: the loss's reduce_sum alone; BiasAddGrad: the dense bias's
    assert types.count("Sum") == 1 and types.count("BiasAddGrad") == 1
    assert types.count("_FusedConv2DBackpropFilterWithBias") == 1
    assert apart_types.count("Sum") == 3
    _assert_same_gradients(folded, apart, dtype)


def test_a_sum_over_other_axes_stays_a_sum():
    x = tf.placeholder(tf.float32, [None, 4, 5, 3])
    partial = tf.reshape(tf.reduce_sum(x, [0, 1], keepdims=True), [5, 3])
    every = tf.reshape(tf.reduce_sum(x, [0, 1, 2], keepdims=True), [1, 3])   # not (3,)
    xv = np.random.default_rng(15).standard_normal((2, 4, 5, 3)).astype(np.float32)
    with tf.Session() as sess:
        got = sess.run([partial, every], {x: xv})
        assert "BiasAddGrad" not in _plan_types(sess, partial)
    np.testing.assert_allclose(got[0], xv.sum((0, 1)), rtol=1e-5)
    np.testing.assert_allclose(got[1], xv.sum((0, 1, 2))[None], rtol=1e-5)


def test_bias_and_filter_gradient_step_matches_numeric(monkeypatch):
    monkeypatch.setattr("tfgraph.kernels.conv.DIRECT_MAX_K", 9)
    x, params, y, xv = _two_conv_layers(np.float64, 4)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        shapes = [tuple(p.shape.as_list()) for p in params]
        # at the variables' values: no pre-activation is within 1e-2 of a Relu kink there
        err = tf.test.compute_gradient_error(params, shapes, y, (4, 7, 6, 3),
                                             x_init_value=sess.run(params),
                                             extra_feed_dict={x: xv})
    assert err < 1e-6


@pytest.mark.parametrize("c_mid", [1, 4])
def test_relu_grad_folds_into_the_next_convs_input_gradient(c_mid, monkeypatch):
    x, params, y, xv = _two_conv_layers(np.float32, c_mid)
    grads = tf.gradients(tf.reduce_sum(tf.square(y)), params[:2])   # through conv 2's dx
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        folded = sess.run(grads, {x: xv})
        plan = next(p for p in sess._plans.values() if grads[0] in p.fetches)
    masked = [s for s in plan.steps if s.op.type == "_FusedConv2DBackpropInputRelu"]
    assert len(masked) == 1 and masked[0].folded and len(masked[0].inputs) == 4
    assert "Conv2DBackpropInput" not in [s.op.type for s in plan.steps]
    with tf.Session() as sess:
        sess._state.passes = passes.default_passes(exclude_rules=["conv_input_grad_relu"])
        sess.run(tf.global_variables_initializer())
        apart = sess.run(grads, {x: xv})
        assert "Conv2DBackpropInput" in _plan_types(sess, grads[0])
    for got, want in zip(folded, apart):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("filters", ["variables", "constants"])
def test_two_convs_sharing_one_bias_gradient_fold_only_one_pair(filters, monkeypatch):
    # bias_add(conv(x, w1) + conv(x, w2), b): both filter gradients and the BiasAddGrad read one
    # dy. b's gradient is fetched first, so its BiasAddGrad comes first in the plan; with constant
    # filters the filter gradients' inputs (shapes) are ready there and the pair takes its place,
    # with variables it takes the first filter gradient's
    rng = np.random.default_rng(13)
    x = tf.placeholder(tf.float32, [None, 7, 7, 2])
    make = tf.Variable if filters == "variables" else tf.constant
    w1, w2 = (make(rng.standard_normal((3, 3, 2, 4)).astype(np.float32)) for _ in range(2))
    b = tf.Variable(rng.standard_normal(4).astype(np.float32))
    y = tf.nn.bias_add(tf.nn.conv2d(x, w1, [1, 1, 1, 1], "SAME") +
                       tf.nn.conv2d(x, w2, [1, 1, 1, 1], "SAME"), b)
    grads = tf.gradients(tf.reduce_sum(tf.square(y)), [b, w1, w2])
    xv = rng.standard_normal((3, 7, 7, 2)).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        folded = sess.run(grads, {x: xv})
        plan = next(p for p in sess._plans.values() if grads[0] in p.fetches)
    types = [s.op.type for s in plan.steps]
    assert types.count("Conv2DBackpropFilter") == 1 and "BiasAddGrad" not in types
    assert types.count("_FusedConv2DBackpropFilterWithBias") == 1
    with tf.Session() as sess:
        sess._state.passes = passes.default_passes(exclude_rules=["conv_filter_grad_with_bias"])
        sess.run(tf.global_variables_initializer())
        apart = sess.run(grads, {x: xv})
    for got, want in zip(folded, apart):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
