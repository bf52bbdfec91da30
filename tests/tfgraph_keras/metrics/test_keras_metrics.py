"""Keras 3 metrics against values recorded from Keras 3.15
(tests/reference/make_keras_metrics.py -> tests/data/keras_metrics.{json,npz}): standalone
update_state/result/reset_state, auto names, and compile(metrics=[...]) logs in fit with
class_weight and evaluate with sample_weight."""
import json
import os

import numpy as np
import pytest

import tfgraph_keras as keras
from tfgraph_keras import backend

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data", "keras_metrics")
with open(DATA + ".json") as _f:
    REF = json.load(_f)
ARR = dict(np.load(DATA + ".npz"))
CASES = REF["standalone"]


def _arrays(prefix):
    if prefix == "cls_sparse":
        return ARR["cls_true"].argmax(-1), ARR["cls_pred"], ARR["cls_sw"]
    if prefix == "logit":
        return ARR["bin_true"], ARR["logit_pred"], ARR["bin_sw"]
    return ARR[prefix + "_true"], ARR[prefix + "_pred"], ARR[prefix + "_sw"]


def _close(got, want, what):
    np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64),
                               rtol=2e-5, atol=2e-6, err_msg=what)


@pytest.mark.parametrize("label", sorted(CASES))
def test_standalone_matches_keras(label):
    case = CASES[label]
    t, p, sw = _arrays(case["data"])
    half = len(t) // 2
    m = getattr(keras.metrics, case["cls"])(**case["kwargs"])
    m.update_state(t[:half], p[:half])
    _close(m.result(), case["first"], label + " first batch")
    m.update_state(t[half:], p[half:])
    _close(m.result(), case["plain"], label + " two batches")
    m.reset_state()
    m.update_state(t[:half], p[:half], sample_weight=sw[:half])
    m.update_state(t[half:], p[half:], sample_weight=sw[half:])
    _close(m.result(), case["weighted"], label + " weighted")


def test_auto_names_count_up_like_keras():
    backend.clear_session()
    for label, case in CASES.items():  # the recording's order
        m = getattr(keras.metrics, case["cls"])(**case["kwargs"])
        assert m.name == case["name"], label
    backend.clear_session()


def test_get_by_class_and_snake_name():
    backend.clear_session()
    assert type(keras.metrics.get("AUC")).__name__ == "AUC"
    assert keras.metrics.get("auc").name == "auc_1"
    assert isinstance(keras.metrics.get("f1_score"), keras.metrics.F1Score)
    assert isinstance(keras.metrics.get("TruePositives"), keras.metrics.TruePositives)


def test_bad_arguments_raise_like_keras():
    with pytest.raises(ValueError, match="summation_method"):
        keras.metrics.AUC(summation_method="left")
    with pytest.raises(ValueError, match="num_thresholds"):
        keras.metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="average"):
        keras.metrics.F1Score(average="samples")
    with pytest.raises(ValueError, match="beta"):
        keras.metrics.FBetaScore(beta=2)
    with pytest.raises(ValueError, match="threshold"):
        keras.metrics.F1Score(threshold=1.5)
    with pytest.raises(ValueError, match="class_aggregation"):
        keras.metrics.R2Score(class_aggregation="mean")
    with pytest.raises(ValueError, match="2D inputs"):
        keras.metrics.F1Score().update_state(np.ones(4), np.ones(4))
    with pytest.raises(ValueError, match="Threshold values"):
        keras.metrics.Precision(thresholds=[0.5, 2.0])


def test_config_round_trip():
    m = keras.metrics.AUC(num_thresholds=7, curve="PR", multi_label=True, name="x")
    m2 = keras.metrics.deserialize(keras.metrics.serialize(m))
    assert (m2.name, m2.num_thresholds, m2.curve, m2.multi_label) == ("x", 7, "PR", True)
    m = keras.metrics.Precision(thresholds=[0.2, 0.7], name="p")
    assert keras.metrics.deserialize(keras.metrics.serialize(m)).thresholds == [0.2, 0.7]


def _fit(key, build, compile_kwargs, fit_x, fit_y, **fit_kwargs):
    ref = REF["compiled"][key]
    backend.clear_session()
    model = build()
    model.set_weights([np.asarray(w, np.float32) for w in ref["weights"]])
    model.compile(**compile_kwargs())
    hist = model.fit(fit_x, fit_y, shuffle=False, verbose=0, **fit_kwargs)
    assert sorted(hist.history) == sorted(ref["history"])
    for k, v in ref["history"].items():
        _close(hist.history[k], v, key + " " + k)
    return model, ref


def test_compiled_binary_metrics_with_class_weight():
    """The confusion metrics in compile are fed unweighted; weighted_metrics and the loss see
    class_weight (Keras 3's CompileMetrics)."""
    m = keras.metrics

    def build():
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="tanh"),
                                 keras.layers.Dense(1, activation="sigmoid")])

    def comp():
        # the recording made 12 AUCs, 5 Precisions ... before: the same auto names follow
        for cls, n in ((m.AUC, 11), (m.Precision, 5), (m.Recall, 4), (m.TruePositives, 2),
                       (m.FalsePositives, 1), (m.TrueNegatives, 1), (m.FalseNegatives, 2),
                       (m.PrecisionAtRecall, 2)):
            for _ in range(n):
                cls(0.5) if cls is m.PrecisionAtRecall else cls()
        return dict(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy",
                    metrics=[m.TruePositives(), m.FalsePositives(), m.TrueNegatives(),
                             m.FalseNegatives(), m.Precision(), m.Recall(thresholds=0.3),
                             m.AUC(), m.AUC(curve="PR", name="prc"), m.PrecisionAtRecall(0.5),
                             m.BinaryAccuracy()],
                    weighted_metrics=[m.Precision(name="wp")])
    model, ref = _fit("binary", build, comp, ARR["fit_x"], ARR["fit_y"], batch_size=16, epochs=3,
                      class_weight={0: 1.0, 1: 2.5})
    _close(np.concatenate([w.reshape(-1) for w in model.get_weights()]),
           np.concatenate([np.ravel(w) for w in ref["final"]]), "weights after fit")
    ev = model.evaluate(ARR["fit_x"], ARR["fit_y"], sample_weight=ARR["fit_sw"], batch_size=20,
                        return_dict=True, verbose=0)
    assert sorted(ev) == sorted(ref["evaluate"])
    for k, v in ref["evaluate"].items():
        _close(ev[k], v, "evaluate " + k)


def test_compiled_sparse_top_k_duplicate_names_and_class_weight():
    def build():
        return keras.Sequential([keras.Input((6,)), keras.layers.Dense(4, activation="softmax")])

    def comp():
        return dict(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy",
                    metrics=[keras.metrics.SparseTopKCategoricalAccuracy(k=2),
                             "sparse_top_k_categorical_accuracy", "accuracy"])
    _fit("multiclass", build, comp, ARR["mc_x"], ARR["mc_y"], batch_size=12, epochs=2,
         class_weight={0: 0.5, 1: 1.0, 2: 2.0, 3: 1.5})


def test_compiled_f1_iou_multilabel_auc():
    def build():
        return keras.Sequential([keras.Input((6,)), keras.layers.Dense(4, activation="softmax")])

    def comp():
        for _ in range(12):
            keras.metrics.AUC()
        for _ in range(3):
            keras.metrics.MeanIoU(2)
        return dict(optimizer="sgd", loss="categorical_crossentropy",
                    metrics=[keras.metrics.F1Score(average="macro"),
                             keras.metrics.TopKCategoricalAccuracy(k=2),
                             keras.metrics.MeanIoU(4, sparse_y_true=False, sparse_y_pred=False),
                             keras.metrics.AUC(multi_label=True, num_labels=4)])
    _fit("onehot", build, comp, ARR["mc_x"], np.eye(4, dtype=np.float32)[ARR["mc_y"]],
         batch_size=16, epochs=2)


def test_compiled_regression_r2_and_mape():
    def build():
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])

    def comp():
        return dict(optimizer="sgd", loss="mse",
                    metrics=[keras.metrics.R2Score(), "mape",
                             keras.metrics.MeanAbsolutePercentageError()])
    x = ARR["fit_x"]
    _fit("regression", build, comp, x, x[:, :2] * 2 + 1, batch_size=16, epochs=2)


def test_model_metrics_hold_the_logged_results_after_evaluate():
    backend.clear_session()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy",
                  metrics=[keras.metrics.AUC(name="auc"), "accuracy"])
    logs = model.evaluate(ARR["fit_x"], ARR["fit_y"], batch_size=16, return_dict=True,
                          verbose=0)
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics"]
    got = {"loss": model.metrics[0].result(), **model.metrics[1].result()}
    assert sorted(got) == sorted(logs)
    for k in logs:
        _close(got[k], logs[k], k)


def test_string_metrics_log_under_their_string():
    """Keras 3's get_metric: a metric named by a string logs under that string."""
    backend.clear_session()
    keras.metrics.AUC()  # takes the auto name 'auc': the string one is still 'AUC'/'auc'
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=["AUC", "precision", "Recall"])
    logs = model.evaluate(ARR["fit_x"], ARR["fit_y"], return_dict=True, verbose=0)
    assert sorted(logs) == ["AUC", "Recall", "loss", "precision"]
    # as in Keras, the compiled "AUC" was made once (taking 'auc_1') and renamed
    assert keras.metrics.AUC().name == "auc_2"
    with pytest.raises(ValueError, match="Unknown metric function: 'aucc'"):
        model.compile("sgd", "binary_crossentropy", metrics=["aucc"])
