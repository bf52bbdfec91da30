"""Records keras.ops control flow results for
tests/tfgraph_keras/ops/test_keras_ops_control_flow.py.

Run with Keras 3 on its TensorFlow backend (tfgraph never imports either):
    /root/venvs/tf/bin/python tests/reference/make_keras_ops_control_flow.py
Writes tests/data/keras_ops_control_flow.json: for each case of keras_control_flow_cases.py its
inputs and encoded result, the recorded errors (type and message), and the training losses and
predictions of the ops.scan layer model (build_scan_model) from fixed initial weights.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
OUT = os.path.join(HERE, "..", "data", "keras_ops_control_flow.json")


def main():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    from keras import ops

    import keras_control_flow_cases as cases

    out = {"keras_version": keras.__version__, "cases": {}, "errors": {}}
    for name, (fn, inputs) in cases.CASES.items():
        result = fn(ops, *inputs)
        out["cases"][name] = {"inputs": [{"array": a.tolist(), "dtype": a.dtype.name}
                                         for a in inputs],
                              "result": cases.encode(result, ops.convert_to_numpy)}
    for name, thunk in cases.error_cases(ops):
        try:
            thunk()
        except Exception as e:  # noqa: BLE001 - recording whatever Keras raises
            out["errors"][name] = {"type": type(e).__name__, "message": str(e)}
        else:
            raise AssertionError("%s did not raise" % name)

    keras.utils.set_random_seed(0)
    model = cases.build_scan_model(keras, ops)
    weights = cases.scan_model_weights(model)
    model.set_weights(weights)
    model.compile(keras.optimizers.SGD(0.3), "sparse_categorical_crossentropy")
    x, y = cases.scan_model_data()
    history = model.fit(x, y, batch_size=16, epochs=6, shuffle=False, verbose=0)
    out["scan_model"] = {"losses": history.history["loss"],
                         "weight_shapes": [list(w.shape) for w in weights],
                         "predictions": model.predict(x[:4], verbose=0).tolist()}
    with open(OUT, "w") as f:
        json.dump(out, f, indent=0)
    print("wrote", OUT, history.history["loss"])


if __name__ == "__main__":
    main()
