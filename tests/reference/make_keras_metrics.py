"""Records Keras 3 metric values, names and fit logs that tfgraph_keras must reproduce, into
tests/data/keras_metrics.json and tests/data/keras_metrics.npz (the inputs), for
tests/tfgraph_keras/test_keras_metrics.py:

- standalone metrics: update_state over two batches (with and without sample weights), result,
  name; reset_state then one more batch;
- compile(metrics=[...]) in fit with class_weight and in evaluate with sample_weight: the
  history keys and values of a small model whose initial weights are recorded.

    /root/venvs/tf/bin/python tests/reference/make_keras_metrics.py
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "data", "keras_metrics")


def data():
    rng = np.random.RandomState(42)
    d = {}
    d["bin_true"] = (rng.rand(60, 1) > 0.6).astype(np.float32)
    d["bin_pred"] = rng.rand(60, 1).astype(np.float32)
    d["bin_sw"] = rng.rand(60).astype(np.float32) * 2
    d["cls_true"] = np.eye(5, dtype=np.float32)[rng.randint(0, 5, 40)]
    logits = rng.randn(40, 5).astype(np.float32)
    d["cls_pred"] = (np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)).astype(np.float32)
    d["cls_sw"] = rng.rand(40).astype(np.float32)
    d["ml_true"] = (rng.rand(30, 3) > 0.5).astype(np.float32)
    d["ml_pred"] = rng.rand(30, 3).astype(np.float32)
    d["ml_sw"] = rng.rand(30).astype(np.float32)
    d["reg_true"] = rng.randn(30, 2).astype(np.float32)
    d["reg_pred"] = (d["reg_true"] + 0.5 * rng.randn(30, 2)).astype(np.float32)
    d["reg_sw"] = rng.rand(30).astype(np.float32)
    d["seg_true"] = rng.randint(0, 4, (20, 6)).astype(np.float32)
    d["seg_pred"] = rng.randint(0, 4, (20, 6)).astype(np.float32)
    d["seg_sw"] = rng.rand(20, 6).astype(np.float32)
    d["logit_pred"] = rng.randn(60, 1).astype(np.float32) * 2
    # compiled models
    d["fit_x"] = rng.randn(64, 4).astype(np.float32)
    d["fit_y"] = (d["fit_x"][:, :1] + 0.7 * rng.randn(64, 1) > 0.4).astype(np.float32)
    d["fit_sw"] = rng.rand(64).astype(np.float32) + 0.5
    d["mc_x"] = rng.randn(48, 6).astype(np.float32)
    d["mc_y"] = rng.randint(0, 4, 48).astype(np.int64)
    return d


# (label, class name, kwargs, data prefix, true transform)
CASES = [
    ("tp", "TruePositives", {}, "bin"),
    ("fp", "FalsePositives", {}, "bin"),
    ("tn", "TrueNegatives", {}, "bin"),
    ("fn", "FalseNegatives", {}, "bin"),
    ("tp_list", "TruePositives", {"thresholds": [0.2, 0.5, 0.8]}, "bin"),
    ("fn_ml", "FalseNegatives", {"thresholds": 0.3}, "ml"),
    ("precision", "Precision", {}, "bin"),
    ("precision_list", "Precision", {"thresholds": [0.1, 0.4, 0.9]}, "bin"),
    ("precision_topk", "Precision", {"top_k": 2}, "cls"),
    ("precision_class", "Precision", {"class_id": 2}, "cls"),
    ("precision_topk_class", "Precision", {"top_k": 2, "class_id": 1, "thresholds": 0.1},
     "cls"),
    ("recall", "Recall", {}, "bin"),
    ("recall_list", "Recall", {"thresholds": [0.25, 0.75]}, "ml"),
    ("recall_topk", "Recall", {"top_k": 3}, "cls"),
    ("recall_class", "Recall", {"class_id": 0, "thresholds": 0.3}, "cls"),
    ("auc", "AUC", {}, "bin"),
    ("auc_pr", "AUC", {"curve": "PR"}, "bin"),
    ("auc_few", "AUC", {"num_thresholds": 7}, "bin"),
    ("auc_min", "AUC", {"summation_method": "minoring", "num_thresholds": 50}, "bin"),
    ("auc_maj", "AUC", {"summation_method": "majoring", "curve": "PR"}, "bin"),
    ("auc_thr", "AUC", {"thresholds": [0.1, 0.3, 0.35, 0.8]}, "bin"),
    ("auc_ml", "AUC", {"multi_label": True}, "ml"),
    ("auc_ml_pr", "AUC", {"multi_label": True, "curve": "PR", "num_thresholds": 30}, "ml"),
    ("auc_ml_lw", "AUC", {"multi_label": True, "label_weights": [0.2, 1.0, 0.5]}, "ml"),
    ("auc_flat", "AUC", {}, "ml"),
    ("auc_logits", "AUC", {"from_logits": True}, "logit"),
    ("p_at_r", "PrecisionAtRecall", {"recall": 0.6}, "bin"),
    ("p_at_r_cls", "PrecisionAtRecall", {"recall": 0.5, "class_id": 3, "num_thresholds": 20},
     "cls"),
    ("r_at_p", "RecallAtPrecision", {"precision": 0.5}, "bin"),
    ("r_at_p_none", "RecallAtPrecision", {"precision": 0.99, "num_thresholds": 13}, "bin"),
    ("sens_at_spec", "SensitivityAtSpecificity", {"specificity": 0.7}, "bin"),
    ("spec_at_sens", "SpecificityAtSensitivity", {"sensitivity": 0.8, "num_thresholds": 1},
     "bin"),
    ("spec_at_sens_ml", "SpecificityAtSensitivity", {"sensitivity": 0.4}, "ml"),
    ("f1_none", "F1Score", {}, "cls"),
    ("f1_micro", "F1Score", {"average": "micro"}, "cls"),
    ("f1_macro", "F1Score", {"average": "macro", "threshold": 0.3}, "cls"),
    ("f1_weighted", "F1Score", {"average": "weighted"}, "cls"),
    ("fbeta_ml", "FBetaScore", {"beta": 2.0, "threshold": 0.5}, "ml"),
    ("fbeta_micro", "FBetaScore", {"beta": 0.5, "average": "micro", "threshold": 0.4}, "ml"),
    ("miou", "MeanIoU", {"num_classes": 4}, "seg"),
    ("miou_ignore", "MeanIoU", {"num_classes": 4, "ignore_class": 0}, "seg"),
    ("miou_dense", "MeanIoU", {"num_classes": 5, "sparse_y_true": False,
                               "sparse_y_pred": False}, "cls"),
    ("topk", "TopKCategoricalAccuracy", {"k": 2}, "cls"),
    ("sparse_topk", "SparseTopKCategoricalAccuracy", {"k": 3}, "cls_sparse"),
    ("mape", "MeanAbsolutePercentageError", {}, "reg"),
    ("r2", "R2Score", {}, "reg"),
    ("r2_none", "R2Score", {"class_aggregation": None}, "reg"),
    ("r2_var", "R2Score", {"class_aggregation": "variance_weighted_average"}, "reg"),
    ("r2_adj", "R2Score", {"num_regressors": 3}, "reg"),
]


def arrays(d, prefix):
    if prefix == "cls_sparse":
        return d["cls_true"].argmax(-1), d["cls_pred"], d["cls_sw"]
    if prefix == "logit":
        return d["bin_true"], d["logit_pred"], d["bin_sw"]
    return d[prefix + "_true"], d[prefix + "_pred"], d[prefix + "_sw"]


def to_list(v):
    v = np.asarray(v, np.float64)
    return v.tolist()


def standalone(keras, d):
    out = {}
    for label, cls, kwargs, prefix in CASES:
        t, p, sw = arrays(d, prefix)
        half = len(t) // 2
        rec = {"cls": cls, "kwargs": kwargs, "data": prefix}
        m = getattr(keras.metrics, cls)(**kwargs)
        rec["name"] = m.name
        m.update_state(t[:half], p[:half])
        rec["first"] = to_list(m.result())
        m.update_state(t[half:], p[half:])
        rec["plain"] = to_list(m.result())
        m.reset_state()
        m.update_state(t[:half], p[:half], sample_weight=sw[:half])
        m.update_state(t[half:], p[half:], sample_weight=sw[half:])
        rec["weighted"] = to_list(m.result())
        out[label] = rec
    return out


def compiled(keras, d):
    out = {}
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    w0 = [w.copy() for w in model.get_weights()]
    metrics = [keras.metrics.TruePositives(), keras.metrics.FalsePositives(),
               keras.metrics.TrueNegatives(), keras.metrics.FalseNegatives(),
               keras.metrics.Precision(), keras.metrics.Recall(thresholds=0.3),
               keras.metrics.AUC(), keras.metrics.AUC(curve="PR", name="prc"),
               keras.metrics.PrecisionAtRecall(0.5), keras.metrics.BinaryAccuracy()]
    model.compile(keras.optimizers.SGD(0.1), "binary_crossentropy", metrics=metrics,
                  weighted_metrics=[keras.metrics.Precision(name="wp")])
    hist = model.fit(d["fit_x"], d["fit_y"], batch_size=16, epochs=3, shuffle=False,
                     class_weight={0: 1.0, 1: 2.5}, verbose=0)
    out["binary"] = {"weights": [w.tolist() for w in w0], "history": hist.history,
                     "final": [w.tolist() for w in model.get_weights()]}
    ev = model.evaluate(d["fit_x"], d["fit_y"], sample_weight=d["fit_sw"], batch_size=20,
                        return_dict=True, verbose=0)
    out["binary"]["evaluate"] = {k: float(v) for k, v in ev.items()}

    keras.utils.set_random_seed(2)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(4, activation="softmax")])
    w0 = [w.copy() for w in model.get_weights()]
    model.compile(keras.optimizers.Adam(0.05), "sparse_categorical_crossentropy",
                  metrics=[keras.metrics.SparseTopKCategoricalAccuracy(k=2),
                           "sparse_top_k_categorical_accuracy", "accuracy"])
    hist = model.fit(d["mc_x"], d["mc_y"], batch_size=12, epochs=2, shuffle=False,
                     class_weight={0: 0.5, 1: 1.0, 2: 2.0, 3: 1.5}, verbose=0)
    out["multiclass"] = {"weights": [w.tolist() for w in w0], "history": hist.history}

    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(4, activation="softmax")])
    w0 = [w.copy() for w in model.get_weights()]
    model.compile("sgd", "categorical_crossentropy",
                  metrics=[keras.metrics.F1Score(average="macro"),
                           keras.metrics.TopKCategoricalAccuracy(k=2),
                           keras.metrics.MeanIoU(4, sparse_y_true=False, sparse_y_pred=False),
                           keras.metrics.AUC(multi_label=True, num_labels=4)])
    y1 = np.eye(4, dtype=np.float32)[d["mc_y"]]
    hist = model.fit(d["mc_x"], y1, batch_size=16, epochs=2, shuffle=False, verbose=0)
    out["onehot"] = {"weights": [w.tolist() for w in w0], "history": hist.history}

    keras.utils.set_random_seed(4)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    w0 = [w.copy() for w in model.get_weights()]
    model.compile("sgd", "mse", metrics=[keras.metrics.R2Score(), "mape",
                                         keras.metrics.MeanAbsolutePercentageError()])
    hist = model.fit(d["fit_x"], np.concatenate([d["fit_x"][:, :2] * 2 + 1,
                                                 d["fit_x"][:, 2:] - 1], 1)[:, :2],
                     batch_size=16, epochs=2, shuffle=False, verbose=0)
    out["regression"] = {"weights": [w.tolist() for w in w0], "history": hist.history}
    return out


def main():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    d = data()
    np.savez(OUT + ".npz", **d)
    rec = {"keras_version": keras.__version__, "standalone": standalone(keras, d),
           "compiled": compiled(keras, d)}
    with open(OUT + ".json", "w") as f:
        json.dump(rec, f, indent=0)
    print("wrote", len(rec["standalone"]), "standalone cases")


if __name__ == "__main__":
    main()
