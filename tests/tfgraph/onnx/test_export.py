"""ONNX export of TF1 graphs: checked by onnx.checker, run in onnxruntime, equal within 1e-5."""
import numpy as np
import pytest

import tfgraph as tf

onnx = pytest.importorskip("onnx", reason="onnx not installed (pip install tfgraph[viz])")
ort = pytest.importorskip("onnxruntime", reason="onnxruntime not installed (tfgraph[viz])")
import tfgraph.onnx  # noqa: E402


def _check(sess, path, inputs, outputs, feeds, opset=17):
    model = tfgraph.onnx.export(sess, str(path), inputs=inputs, outputs=outputs, opset=opset)
    assert model.ir_version == 8 if opset <= 17 else model.ir_version >= 8
    assert model.opset_import[0].version == opset
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    rt = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = rt.run([t.name for t in outputs], {t.name: v for t, v in zip(inputs, feeds)})
    want = sess.run(outputs, dict(zip(inputs, feeds)))
    for g, w in zip(got, want):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)
    return model


def test_mlp(tmp_path):
    rs = np.random.RandomState(0)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 8], name="x")
        w1 = tf.Variable(rs.randn(8, 16).astype(np.float32), name="W1")
        b1 = tf.Variable(rs.randn(16).astype(np.float32), name="b1")
        h = tf.nn.relu(tf.matmul(x, w1) + b1)
        w2 = tf.Variable(rs.randn(3, 16).astype(np.float32), name="W2")
        logits = tf.nn.bias_add(tf.matmul(h, w2, transpose_b=True), tf.constant([0.1, 0.2, 0.3]))
        probs = tf.nn.softmax(logits, name="probs")
        init = tf.global_variables_initializer()
    with tf.Session(graph=g) as sess:
        sess.run(init)
        _check(sess, tmp_path / "mlp.onnx", [x], [probs, logits],
               [rs.randn(5, 8).astype(np.float32)])


def test_nhwc_cnn_with_batch_norm(tmp_path):
    rs = np.random.RandomState(1)
    g = tf.Graph()
    with g.as_default():
        img = tf.placeholder(tf.float32, [None, 12, 12, 3], name="img")
        k1 = tf.Variable(rs.randn(3, 3, 3, 4).astype(np.float32) * 0.5, name="k1")
        c = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(img, k1, [1, 1, 1, 1], "SAME"),
                                      tf.constant(rs.randn(4).astype(np.float32))))
        bn, _, _ = tf.nn.fused_batch_norm(
            c, scale=rs.rand(4).astype(np.float32) + 0.5, offset=rs.randn(4).astype(np.float32),
            mean=rs.randn(4).astype(np.float32), variance=rs.rand(4).astype(np.float32) + 0.5,
            epsilon=1e-3, is_training=False)
        p = tf.nn.max_pool(bn, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
        k2 = tf.Variable(rs.randn(3, 3, 4, 6).astype(np.float32) * 0.3, name="k2")
        c2 = tf.nn.relu6(tf.nn.conv2d(p, k2, [1, 2, 2, 1], "SAME"))
        a = tf.nn.avg_pool(c2, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        flat = tf.reshape(a, [-1, 2 * 2 * 6])
        wd = tf.Variable(rs.randn(24, 5).astype(np.float32), name="wd")
        probs = tf.nn.softmax(tf.matmul(flat, wd), name="probs")
        init = tf.global_variables_initializer()
    with tf.Session(graph=g) as sess:
        sess.run(init)
        model = _check(sess, tmp_path / "cnn.onnx", [img], [probs],
                       [rs.rand(3, 12, 12, 3).astype(np.float32)])
    types = [n.op_type for n in model.graph.node]
    assert types.count("Conv") == 2 and "MaxPool" in types and "AveragePool" in types
    assert "Transpose" in types


@pytest.mark.parametrize("opset", [13, 17, 18])
def test_elementwise_and_reductions_across_opsets(tmp_path, opset):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 6], name="x")
        y = tf.sigmoid(x) * tf.tanh(x) - tf.nn.leaky_relu(x, alpha=0.1) / (tf.square(x) + 1.0)
        m = tf.reduce_mean(y, axis=1, keepdims=True)
        s = tf.reduce_sum(tf.exp(-tf.abs(x)), axis=0)
        mx = tf.reduce_max(tf.transpose(y), axis=0)
        ls = tf.nn.log_softmax(y)
    feed = [np.random.RandomState(2).randn(4, 6).astype(np.float32)]
    with tf.Session(graph=g) as sess:
        _check(sess, tmp_path / "ops.onnx", [x], [m, s, mx, ls], feed, opset=opset)


@pytest.mark.parametrize("opset", [13, 18])
def test_moments_as_layer_norm(tmp_path, opset):
    # tf.nn.moments is one fused op in tfgraph; ONNX gets TF's composite (ReduceMean, Sub, Mul)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 4, 6], name="x")
        mean, var = tf.nn.moments(x, [2], keep_dims=True)
        y = (x - mean) * tf.rsqrt(var + 1e-3)
        m0, v0 = tf.nn.moments(x, [0, 1])
    feed = [np.random.RandomState(3).randn(5, 4, 6).astype(np.float32) * 2 + 1]
    with tf.Session(graph=g) as sess:
        model = _check(sess, tmp_path / "moments.onnx", [x], [y, m0, v0], feed, opset=opset)
    assert [n.op_type for n in model.graph.node].count("ReduceMean") == 5  # 2 kept, 3 squeezed


def test_unsupported_op_names_type_and_location(tmp_path):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        y = tf.cumsum(x, axis=1)
    with tf.Session(graph=g) as sess:
        with pytest.raises(NotImplementedError, match=r"Cumsum .*test_export.py:\d+"):
            tfgraph.onnx.export(sess, str(tmp_path / "bad.onnx"), inputs=[x], outputs=[y])


def test_keras_models(tmp_path):
    keras = pytest.importorskip("tfgraph_keras")
    keras.backend.clear_session()
    rs = np.random.RandomState(4)
    cnn = keras.Sequential([
        keras.Input((10, 10, 2)),
        keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
        keras.layers.BatchNormalization(),
        keras.layers.MaxPooling2D(2),
        keras.layers.Dropout(0.3),
        keras.layers.Flatten(),
        keras.layers.Dense(5, activation="softmax"),
    ])
    inp = keras.Input((6,))
    a = keras.layers.Dense(8, activation="tanh")(inp)
    b = keras.layers.Dense(8, activation="sigmoid")(inp)
    out = keras.layers.Dense(3)(keras.layers.Add()([a, b]))
    functional = keras.Model(inp, out)
    for i, (model, shape) in enumerate([(cnn, (4, 10, 10, 2)), (functional, (4, 6))]):
        model.compile("sgd", "mse")
        x = rs.rand(*shape).astype(np.float32)
        model.fit(x, model.predict(x, verbose=0) * 0.5, epochs=1, verbose=0)  # BN stats move
        path = str(tmp_path / ("keras%d.onnx" % i))
        proto = tfgraph.onnx.export(model, path)
        rt = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        got = rt.run(None, {proto.graph.input[0].name: x})[0]
        np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)


def _randomized(model, rs):
    for layer in model.layers:
        layer.set_weights([rs.randn(*w.shape).astype(np.float32) * 0.5
                           for w in layer.get_weights()])
    return model


def test_keras_recurrent_layers_export_as_onnx_rnn_nodes(tmp_path):
    keras = pytest.importorskip("tfgraph_keras")
    keras.backend.clear_session()
    rs = np.random.RandomState(5)
    L = keras.layers
    model = _randomized(keras.Sequential([
        keras.Input((6, 4)),
        L.LSTM(5, return_sequences=True),
        L.GRU(3, return_sequences=True, go_backwards=True),          # reset_after=True
        L.GRU(3, reset_after=False, return_sequences=True, use_bias=False),
        L.SimpleRNN(4, go_backwards=True),
        L.Dense(2),
    ]), rs)
    path = str(tmp_path / "rnn.onnx")
    proto = tfgraph.onnx.export(model, path)
    types = [n.op_type for n in proto.graph.node]
    assert [t for t in types if t in ("LSTM", "GRU", "RNN")] == ["LSTM", "GRU", "GRU", "RNN"]
    assert "Split" not in types and types.count("MatMul") == 1   # nothing unrolled
    gru = [n for n in proto.graph.node if n.op_type == "GRU"]
    assert [a.i for n in gru for a in n.attribute if a.name == "linear_before_reset"] == [1, 0]
    rt = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    x = rs.randn(3, 6, 4).astype(np.float32)
    got = rt.run(None, {proto.graph.input[0].name: x})[0]
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)


def test_keras_lstm_states_export(tmp_path):
    keras = pytest.importorskip("tfgraph_keras")
    keras.backend.clear_session()
    rs = np.random.RandomState(6)
    inp = keras.Input((5, 3))
    seq, h, c = keras.layers.LSTM(4, return_sequences=True, return_state=True)(inp)
    _, g = keras.layers.GRU(2, return_state=True)(seq)
    model = _randomized(keras.Model(inp, [seq, c, g]), rs)
    path = str(tmp_path / "states.onnx")
    proto = tfgraph.onnx.export(model, path)
    rt = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    x = rs.randn(2, 5, 3).astype(np.float32)
    got = rt.run(None, {proto.graph.input[0].name: x})
    for g_, w in zip(got, model.predict(x, verbose=0)):
        np.testing.assert_allclose(g_, w, rtol=1e-5, atol=1e-5)


def test_keras_rnn_without_onnx_equivalent_names_the_layer(tmp_path):
    keras = pytest.importorskip("tfgraph_keras")
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input((3, 2)),
                              keras.layers.LSTM(2, activation="softsign", name="odd")])
    with pytest.raises(NotImplementedError, match="LSTM layer 'odd'.*softsign"):
        tfgraph.onnx.export(model, str(tmp_path / "odd.onnx"))


def test_keras_model_never_run_exports_its_initial_weights(tmp_path):
    """Used to fail with 'Attempting to use uninitialized value': a built model's weights exist
    from construction, as in Keras."""
    keras = pytest.importorskip("tfgraph_keras")
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="relu"),
                              keras.layers.Dense(1)])
    path = str(tmp_path / "fresh.onnx")
    proto = tfgraph.onnx.export(model, path)
    x = np.random.RandomState(1).rand(5, 3).astype(np.float32)
    got = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(
        None, {proto.graph.input[0].name: x})[0]
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
