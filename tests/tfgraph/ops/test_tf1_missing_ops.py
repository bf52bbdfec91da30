"""TF1 ops that public scripts call, against TensorFlow 2.21's tf.compat.v1 (tests/data/
tf_missing_ops.json from tests/reference/make_tf_missing_ops.py over missing_ops_cases.py):
values, static shapes (and that they agree with run-time shapes), gradients equal to TF's and
to the numeric gradient, and TF's errors for bad input."""
import json
import os
import sys

import numpy as np
import pytest

import tfgraph as tf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "reference"))
import missing_ops_cases as mc  # noqa: E402

with open(os.path.join(HERE, "..", "..", "data", "tf_missing_ops.json")) as _f:
    REF = json.load(_f)


def _build(case):
    feeds, tensors = {}, {}
    for key, value in case["inputs"].items():
        ph = tf.placeholder(tf.as_dtype(value.dtype), case["ph"].get(key, value.shape), name=key)
        feeds[ph] = value
        tensors[key] = ph
    out = case["build"](tf, **tensors)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    return feeds, tensors, outs


def test_every_case_is_recorded():
    assert sorted(REF["cases"]) == sorted(mc.CASES)
    assert sorted(REF["errors"]) == sorted(mc.ERROR_CASES)


@pytest.mark.parametrize("name", sorted(mc.CASES))
def test_values_and_shapes_match_tf(name):
    case, want = mc.CASES[name], REF["cases"][name]
    with tf.Graph().as_default():
        feeds, _, outs = _build(case)
        assert len(outs) == len(want["outputs"])
        with tf.Session() as sess:
            values = sess.run(outs, feeds)
    for o, v, w in zip(outs, values, want["outputs"]):
        assert o.dtype.name == w["dtype"]
        assert list(np.shape(v)) == w["shape"]
        static = None if o.shape.ndims is None else o.shape.as_list()
        assert static == w["static"], (static, w["static"])
        assert o.shape.is_compatible_with(np.shape(v))
        assert np.asarray(v).dtype == np.dtype(tf.as_dtype(w["dtype"]).np)
        np.testing.assert_allclose(v, np.asarray(w["value"], dtype=np.asarray(v).dtype),
                                   atol=case["atol"], rtol=1e-5)


GRAD_CASES = sorted(n for n, c in mc.CASES.items() if c["grad"])


@pytest.mark.parametrize("name", GRAD_CASES)
def test_gradients_match_tf_and_numeric(name):
    case, want = mc.CASES[name], REF["cases"][name]
    with tf.Graph().as_default():
        feeds, tensors, outs = _build(case)
        with tf.Session() as sess:
            values = sess.run(outs, feeds)
            loss = tf.add_n([tf.reduce_sum(o * tf.constant(w)) for o, w in
                             zip(outs, mc.weights_for(values)) if o.dtype.is_floating])
            xs = [tensors[k] for k in case["grad"]]
            grads = sess.run([tf.convert_to_tensor(g) for g in tf.gradients(loss, xs)], feeds)
            for k, g in zip(case["grad"], grads if case["tf_grad"] else []):
                np.testing.assert_allclose(g, want["grads"][k], atol=case["atol"] * 10,
                                           rtol=1e-4, err_msg=k)
            for k in case["grad"]:
                x = tensors[k]
                extra = {p: v for p, v in feeds.items() if p is not x}
                err = tf.test.compute_gradient_error(
                    x, list(case["inputs"][k].shape), loss, [],
                    x_init_value=case["inputs"][k].astype(np.float64).astype(
                        case["inputs"][k].dtype), extra_feed_dict=extra, sess=sess)
                assert err < case["grad_tol"], (k, err)


@pytest.mark.parametrize("name", sorted(mc.ERROR_CASES))
def test_errors_match_tf(name):
    build, text = mc.ERROR_CASES[name]
    want = REF["errors"][name]
    with tf.Graph().as_default():
        with pytest.raises(Exception) as info:
            fetch = build(tf)
            with tf.Session() as sess:
                sess.run(fetch)
    err = info.value
    assert type(err).__name__ == want["type"]
    msg = err.message if isinstance(err, tf.errors.OpError) else str(err)
    assert text in msg, msg


# -- samplers: TF's draws differ from ours, so the distributions and the formulas are compared --
def _tries_from(p, count):
    return np.log1p(-count) / np.log1p(-p)


@pytest.mark.parametrize("unique", [False, True])
def test_log_uniform_expected_counts_follow_tfs_formula(unique):
    from tfgraph.ops.sampling_ops import _expected_count, log_uniform_probability
    want = REF["samplers"]["log_uniform_unique_%s" % unique]
    p_s = log_uniform_probability(want["sampled"], want["range_max"])
    p_t = log_uniform_probability(want["labels"], want["range_max"])
    n = want["num_sampled"]
    # the number of draws TF's unique sampler needed, recovered from one expected count
    tries = n if not unique else int(round(_tries_from(float(p_s[0]), want["sampled_expected"][0])))
    assert not unique or tries > n
    np.testing.assert_allclose(_expected_count(p_s, n, tries), want["sampled_expected"], rtol=1e-5)
    np.testing.assert_allclose(_expected_count(p_t, n, tries), want["true_expected"], rtol=1e-5)


@pytest.mark.parametrize("unique", [False, True])
def test_log_uniform_sampler_shapes_and_counts(unique):
    from tfgraph.ops.sampling_ops import _expected_count, log_uniform_probability
    want = REF["samplers"]["log_uniform_unique_%s" % unique]
    with tf.Graph().as_default():
        tf.set_random_seed(5)
        labels = tf.constant(want["labels"], tf.int64)
        s = tf.nn.log_uniform_candidate_sampler(labels, 2, want["num_sampled"], unique,
                                                want["range_max"])
        assert [t.shape.as_list() for t in s] == want["static"]
        assert [t.dtype.name for t in s] == want["dtypes"]
        with tf.Session() as sess:
            sampled, te, se = sess.run(s)
    assert sampled.min() >= 0 and sampled.max() < want["range_max"]
    if unique:
        assert len(set(sampled.tolist())) == len(sampled)
    else:
        np.testing.assert_allclose(
            se, _expected_count(log_uniform_probability(sampled, 40), 12, 12), rtol=1e-6)
        np.testing.assert_allclose(
            te, _expected_count(log_uniform_probability(want["labels"], 40), 12, 12), rtol=1e-6)


def test_log_uniform_sampler_draws_the_log_uniform_distribution():
    with tf.Graph().as_default():
        tf.set_random_seed(3)
        s = tf.nn.log_uniform_candidate_sampler(tf.constant([[0]], tf.int64), 1, 200000, False,
                                                10)[0]
        with tf.Session() as sess:
            draws = sess.run(s)
    freq = np.bincount(draws, minlength=10) / draws.size
    k = np.arange(10.0)
    np.testing.assert_allclose(freq, np.log((k + 2) / (k + 1)) / np.log(11.0), atol=4e-3)


@pytest.mark.parametrize("key", ["categorical", "categorical_int32", "multinomial"])
def test_categorical_shapes_names_and_distribution(key):
    want = REF["samplers"][key]
    n = want["static"][1]
    probs = np.array([[0.1, 0.2, 0.3, 0.4, 0.0], [0.5, 0.25, 0.125, 0.125, 0.0]])
    with tf.Graph().as_default():
        tf.set_random_seed(11)
        logits = tf.placeholder(tf.float32, [None, 5])
        if key == "categorical_int32":     # the second categorical of TF's recording graph
            tf.random.categorical(logits, 7)
        if key == "multinomial":
            t = tf.multinomial(logits, n)
        else:
            t = tf.random.categorical(logits, n, dtype=tf.int32 if key.endswith("32") else None)
        big = tf.random.categorical(logits, 40000)
        assert t.shape.as_list() == want["static"]
        assert t.dtype.name == want["dtype"]
        assert t.name == want["name"]
        with tf.Session() as sess:
            with np.errstate(divide="ignore"):
                feed = {logits: np.log(probs).astype(np.float32)}
            small, draws = sess.run([t, big], feed)
            again = sess.run(big, feed)
    assert small.shape == (2, n) and small.dtype == np.dtype(want["dtype"])
    assert not np.array_equal(draws, again)       # a new draw each run
    for row, p in zip(draws, probs):
        np.testing.assert_allclose(np.bincount(row, minlength=5) / row.size, p, atol=0.01)


def test_depthwise_refuses_strides_with_rate():
    # TF 2 only warns and returns its space-to-batch rewrite's result, which is no strided
    # dilated convolution; tfgraph raises TF1's error instead
    with tf.Graph().as_default(), pytest.raises(ValueError, match="strides > 1 not supported"):
        tf.nn.depthwise_conv2d(tf.zeros([1, 8, 8, 1]), tf.zeros([2, 2, 1, 1]), [1, 2, 2, 1],
                               "SAME", rate=[2, 2])


def test_embedding_lookup_one_param_ignores_the_strategy():
    # as TF: only a partitioned lookup reads partition_strategy
    with tf.Graph().as_default():
        out = tf.nn.embedding_lookup([tf.constant([[1.0], [2.0]])], [1], partition_strategy="x")
        with tf.Session() as sess:
            assert sess.run(out).tolist() == [[2.0]]


@pytest.mark.parametrize("op_type", ["SegmentSum", "SegmentMean", "SegmentMax", "SegmentMin"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_segment_kernels_match_the_numpy_reference(op_type, dtype):
    from tfgraph.framework.op_def import _REGISTRY
    r = np.random.RandomState(3)
    data = r.randn(50, 3, 2).astype(dtype)
    ids = np.sort(r.choice([0, 2, 3, 7, 8], 50)).astype(np.int32)   # segments 1, 4-6 empty
    with tf.Graph().as_default():
        out = getattr(tf, {"SegmentSum": "segment_sum", "SegmentMean": "segment_mean",
                           "SegmentMax": "segment_max", "SegmentMin": "segment_min"}[op_type])(
            tf.constant(data), tf.constant(ids))
        assert out.op.type == op_type
        with tf.Session() as sess:
            got = sess.run(out)
    want = _REGISTRY[op_type].compute(data, ids)
    assert got.dtype == want.dtype and got.shape == (9, 3, 2)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    assert not got[[1, 4, 5, 6]].any()


@pytest.mark.parametrize("strides,rate,padding", [((1, 2, 2, 1), (1, 1, 1, 1), "SAME"),
                                                   ((1, 1, 1, 1), (1, 2, 3, 1), "VALID"),
                                                   ((1, 3, 2, 1), (1, 1, 1, 1), "VALID")])
def test_depthwise_kernels_match_the_numpy_references(strides, rate, padding):
    from tfgraph.ops import depthwise_conv_ops as dc
    r = np.random.RandomState(5)
    x = r.randn(2, 9, 10, 3).astype(np.float32)
    w = r.randn(3, 2, 3, 2).astype(np.float32)
    y = dc.depthwise_reference(x, w, strides, padding, rate)
    np.testing.assert_allclose(dc._fast_forward(x, w, strides, padding, rate), y, rtol=1e-5,
                               atol=1e-5)
    dy = r.randn(*y.shape).astype(np.float32)
    np.testing.assert_allclose(
        dc._fast_backprop_input(x.shape, w, dy, strides, padding, rate),
        dc.depthwise_backprop_input_reference(x.shape, w, dy, strides, padding, rate),
        rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(
        dc._fast_backprop_filter(x, w.shape, dy, strides, padding, rate),
        dc.depthwise_backprop_filter_reference(x, w.shape, dy, strides, padding, rate),
        rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("loss_fn", ["nce_loss", "sampled_softmax_loss"])
def test_sampled_losses_train_a_skipgram_model(loss_fn):
    """word2vec's setup with the log-uniform sampler drawing: the loss falls and the full-softmax
    prediction learns the rule label = (word + 1) % 40."""
    vocab, dim, batch = 40, 16, 64
    r = np.random.RandomState(0)
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        words = tf.placeholder(tf.int32, [None])
        labels = tf.placeholder(tf.int64, [None, 1])
        emb = tf.Variable(tf.random_uniform([vocab, dim], -1.0, 1.0))
        w = tf.Variable(tf.truncated_normal([vocab, dim], stddev=0.25))
        b = tf.Variable(tf.zeros([vocab]))
        x = tf.nn.embedding_lookup(emb, words)
        loss = tf.reduce_mean(getattr(tf.nn, loss_fn)(w, b, labels, x, num_sampled=8,
                                                      num_classes=vocab))
        step = tf.train.AdamOptimizer(0.05).minimize(loss)
        pred = tf.argmax(tf.matmul(x, w, transpose_b=True) + b, 1)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            losses = []
            for _ in range(300):
                ws = r.randint(0, vocab, batch)
                feed = {words: ws, labels: ((ws + 1) % vocab)[:, None]}
                losses.append(sess.run([step, loss], feed)[1])
            every = np.arange(vocab)
            acc = np.mean(sess.run(pred, {words: every}) == (every + 1) % vocab)
    assert np.mean(losses[-20:]) < 0.3 * np.mean(losses[:20])
    assert acc > 0.9


def _backprop_cases():
    from tfgraph.ops import depthwise_conv_ops as dc
    from tfgraph.ops import image_ops as im
    a = {"strides": (1, 2, 1, 1), "padding": "SAME", "dilations": (1, 1, 1, 1),
         "data_format": "NHWC"}
    return {
        # TF's ResizeBilinearGrad takes float32 gradients only: checked in float32
        "ResizeBilinearGrad": ([(1, 5, 4, 2)], lambda g: im.ResizeBilinearGrad.apply(
            g, tf.zeros([1, 3, 3, 2]), align_corners=False, half_pixel_centers=True)),
        "ResizeNearestNeighborGrad": ([(1, 5, 4, 1)], lambda g: im.ResizeNearestNeighborGrad.apply(
            g, tf.constant([3, 2]), align_corners=True, half_pixel_centers=False)),
        "DepthwiseConv2dNativeBackpropInput": (
            [(3, 2, 2, 2), (1, 3, 4, 4)], lambda w, dy: dc.DepthwiseConv2dNativeBackpropInput.apply(
                tf.constant([1, 5, 4, 2]), w, dy, **a)),
        "DepthwiseConv2dNativeBackpropFilter": (
            [(1, 5, 4, 2), (1, 3, 4, 4)],
            lambda x, dy: dc.DepthwiseConv2dNativeBackpropFilter.apply(
                x, tf.constant([3, 2, 2, 2]), dy, **a)),
    }


@pytest.mark.parametrize("op_type", sorted(_backprop_cases()))
def test_gradient_ops_have_checked_gradients(op_type):
    """The gradient ops' own gradients (second derivatives of resize and depthwise conv)."""
    shapes, build = _backprop_cases()[op_type]
    dtype, tol = (tf.float32, 2e-3) if op_type == "ResizeBilinearGrad" else (tf.float64, 1e-6)
    r = np.random.RandomState(2)
    with tf.Graph().as_default():
        xs = [tf.placeholder(dtype, s) for s in shapes]
        y = build(*xs)
        assert y.op.type == op_type
        loss = tf.reduce_sum(y * tf.constant(r.uniform(0.5, 1.5, y.shape.as_list()), y.dtype))
        values = [r.randn(*s).astype(dtype.np) for s in shapes]
        with tf.Session() as sess:
            for i, x in enumerate(xs):
                extra = {p: v for j, (p, v) in enumerate(zip(xs, values)) if j != i}
                err = tf.test.compute_gradient_error(x, list(shapes[i]), loss, [],
                                                     x_init_value=values[i],
                                                     extra_feed_dict=extra, sess=sess)
                assert err < tol, (i, err)
