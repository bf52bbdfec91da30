"""Every loss and metric against a numpy reference (Keras clips probabilities at 1e-7)."""
import numpy as np
import pytest

import tfgraph_keras as keras
from tfgraph_keras import losses, metrics

EPS = 1e-7
rng = np.random.RandomState(0)
P = rng.dirichlet(np.ones(4), size=6).astype(np.float32)        # probabilities
T = np.eye(4, dtype=np.float32)[rng.randint(0, 4, 6)]           # one-hot
B = rng.rand(6, 3).astype(np.float32)                           # binary probabilities
BT = (rng.rand(6, 3) > 0.5).astype(np.float32)
R, RT = rng.randn(6, 3).astype(np.float32), rng.randn(6, 3).astype(np.float32)


def _xent(t, p):
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -(t * np.log(p)).sum(-1)


def _huber(t, p, d=1.0):
    e = np.abs(p - t)
    return np.where(e <= d, 0.5 * e ** 2, d * e - 0.5 * d ** 2).mean(-1)


def _cos(t, p):
    n = lambda v: v / np.sqrt(np.maximum((v ** 2).sum(-1, keepdims=True), 1e-12))  # noqa: E731
    return -(n(t) * n(p)).sum(-1)


LOSS_CASES = [
    ("mse", R, RT, lambda t, p: ((p - t) ** 2).mean(-1)),
    ("mae", R, RT, lambda t, p: np.abs(p - t).mean(-1)),
    ("mape", R, RT, lambda t, p: 100 * (np.abs(t - p) / np.maximum(np.abs(t), EPS)).mean(-1)),
    ("msle", np.abs(R), np.abs(RT),
     lambda t, p: ((np.log(np.maximum(p, EPS) + 1)
                   - np.log(np.maximum(t, EPS) + 1)) ** 2).mean(-1)),
    ("huber", R, RT, _huber),
    ("binary_crossentropy", B, BT, lambda t, p: -(t * np.log(np.clip(p, EPS, 1 - EPS)) + (1 - t)
                                                  * np.log(1 - np.clip(p, EPS, 1 - EPS))).mean(-1)),
    ("categorical_crossentropy", P, T, _xent),
    ("sparse_categorical_crossentropy", P, T.argmax(-1),
     lambda t, p: _xent(np.eye(4)[t.astype(int)], p)),
    ("kl_divergence", P, np.clip(T + 0.1, 0, 1),
     lambda t, p: (np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1))).sum(-1)),
    ("hinge", R, BT, lambda t, p: np.maximum(1 - (2 * t - 1) * p, 0).mean(-1)),
    ("cosine_similarity", R, RT, _cos),
]


@pytest.mark.parametrize("name,pred,true,ref", LOSS_CASES, ids=[c[0] for c in LOSS_CASES])
def test_loss_matches_numpy(name, pred, true, ref):
    expected = float(np.mean(ref(true.astype(np.float64), pred.astype(np.float64))))
    got = losses.get(name)
    cls = {"mse": losses.MeanSquaredError, "binary_crossentropy": losses.BinaryCrossentropy,
           "sparse_categorical_crossentropy": losses.SparseCategoricalCrossentropy,
           "categorical_crossentropy": losses.CategoricalCrossentropy}.get(name)
    model_loss = _eval_in_model(name, pred, true)
    assert model_loss == pytest.approx(expected, rel=1e-4, abs=1e-6)
    if cls is not None:
        assert float(cls()(true, pred)) == pytest.approx(expected, rel=1e-4, abs=1e-6)
    assert callable(got)


def _eval_in_model(loss, pred, true):
    """The loss as compile/evaluate computes it: a model whose output is `pred` (via a bias)."""
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(
        pred.shape[1], kernel_initializer="zeros")])
    model.set_weights([np.zeros((1, pred.shape[1])), pred[0]])
    model.compile("sgd", loss)
    # one sample at a time: every sample's prediction is its own bias
    vals = []
    for i in range(len(pred)):
        model.set_weights([np.zeros((1, pred.shape[1])), pred[i]])
        vals.append(model.evaluate(np.zeros((1, 1)), true[i:i + 1], verbose=0))
    return float(np.mean(vals))


def test_from_logits_equals_softmax_input():
    logits = rng.randn(5, 4).astype(np.float32)
    labels = rng.randint(0, 4, 5)
    sm = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    a = losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
    b = losses.SparseCategoricalCrossentropy()(labels, sm)
    assert float(a) == pytest.approx(float(b), rel=1e-5)
    assert float(a) == pytest.approx(float(-np.log(sm[np.arange(5), labels]).mean()), rel=1e-5)


def test_unknown_loss_name():
    with pytest.raises(ValueError, match="Unknown loss function: 'nope'"):
        losses.get("nope")


METRIC_CASES = [
    (metrics.SparseCategoricalAccuracy(), T.argmax(-1), P, (P.argmax(-1) == T.argmax(-1)).mean()),
    (metrics.CategoricalAccuracy(), T, P, (P.argmax(-1) == T.argmax(-1)).mean()),
    (metrics.BinaryAccuracy(), BT, B, ((B > 0.5) == BT).mean()),
    (metrics.TopKCategoricalAccuracy(k=2), T, P,
     np.mean([t.argmax() in np.argsort(-p)[:2] for t, p in zip(T, P)])),
    (metrics.MeanSquaredError(), RT, R, ((R - RT) ** 2).mean()),
    (metrics.MeanAbsoluteError(), RT, R, np.abs(R - RT).mean()),
    (metrics.Precision(), BT, B, ((B > 0.5) & (BT > 0)).sum() / (B > 0.5).sum()),
    (metrics.Recall(), BT, B, ((B > 0.5) & (BT > 0)).sum() / (BT > 0).sum()),
]


@pytest.mark.parametrize("metric,true,pred,expected", METRIC_CASES,
                         ids=[type(c[0]).__name__ for c in METRIC_CASES])
def test_metric_matches_numpy_and_accumulates(metric, true, pred, expected):
    assert metric(true, pred) == pytest.approx(float(expected), rel=1e-5)
    metric.reset_state()
    metric.update_state(true[:2], pred[:2])
    metric.update_state(true[2:], pred[2:])
    assert metric.result() == pytest.approx(float(expected), rel=1e-5)


def test_unknown_metric_name():
    with pytest.raises(ValueError, match="Unknown metric function: 'nope'"):
        metrics.get("nope")


def test_metric_objects_in_compile_use_their_names():
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy",
                  metrics=[metrics.SparseCategoricalAccuracy(),
                           metrics.SparseTopKCategoricalAccuracy(k=2, name="top2")])
    x, y = rng.rand(10, 3).astype(np.float32), rng.randint(0, 4, 10)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    p = model.predict(x, verbose=0)
    assert set(logs) == {"loss", "sparse_categorical_accuracy", "top2"}
    assert logs["sparse_categorical_accuracy"] == pytest.approx(float((p.argmax(-1) == y).mean()))
    assert logs["top2"] == pytest.approx(float(np.mean([t in np.argsort(-q)[:2]
                                                         for t, q in zip(y, p)])))
