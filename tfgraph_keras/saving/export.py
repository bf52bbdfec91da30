"""Model.export: a deployable artefact of a built Keras model's inference graph.

Keras 3 writes a TF SavedModel (format="tf_saved_model", its default), an ONNX file or an
OpenVINO model. Here:

- format="onnx": an ONNX file (tfgraph.onnx; needs the optional `onnx` package), runnable by
  onnxruntime;
- format="tfgraph": a frozen tfgraph GraphDef file (weights folded into Const nodes), loaded with
  `tf.import_graph_def` and run by a Session; `<file>.signature.json` beside it names the
  input and output tensors;
- format="tf_saved_model" (the default, as in Keras): a directory holding that frozen graph
  (`frozen_graph.pb`) and `signature.json`: a tfgraph artefact, not a TensorFlow SavedModel.
"""
import json
import os

import tfgraph as tf
from tfgraph_keras import backend

FORMATS = ("tf_saved_model", "onnx", "tfgraph")


def export_model(model, filepath, format="tf_saved_model", verbose=True, opset=17, **kwargs):
    if "opset_version" in kwargs:   # Keras 3's name for it
        opset = kwargs.pop("opset_version") or opset
    if format not in FORMATS:
        raise ValueError("Unrecognized format=%s. Supported formats are: %s. (tfgraph_keras has "
                         "no OpenVINO, LiteRT or torch export.)" % (format, list(FORMATS)))
    if kwargs.pop("input_signature", None) is not None:
        raise ValueError("`input_signature` is not supported: the model's own Input shapes are "
                         "exported.")
    if kwargs:
        raise TypeError("Invalid keyword argument(s) in `export()`: %s" % sorted(kwargs))
    inputs, outputs = list(model.inputs or []), list(model.outputs or [])
    if not inputs or not outputs:
        raise ValueError("The model %s is not built: call it on data or build it before "
                         "`export()`." % model.name)
    if format == "onnx":
        from tfgraph import onnx as tf_onnx
        tf_onnx.export(model, filepath, opset=opset)
        if verbose:
            print("Saved artifact at '%s'." % (filepath,))   # Keras's words
        return
    graph = outputs[0].graph
    sess = backend.get_session(graph)
    backend.initialize_variables(model.weights + model._state_variables(), sess)
    frozen = tf.graph_util.convert_variables_to_constants(
        sess, graph.as_graph_def(), [t.op.name for t in outputs])
    signature = {"inputs": [{"name": t.name, "shape": t.shape.as_list(), "dtype": t.dtype.name}
                            for t in inputs],
                 "outputs": [{"name": t.name, "shape": t.shape.as_list(),
                              "dtype": t.dtype.name} for t in outputs]}
    if format == "tf_saved_model":
        os.makedirs(filepath, exist_ok=True)
        folder, name = os.path.abspath(filepath), "frozen_graph.pb"
        sig_path = os.path.join(folder, "signature.json")
    else:
        folder, name = os.path.split(os.path.abspath(filepath))
        sig_path = os.path.abspath(filepath) + ".signature.json"
    tf.train.write_graph(frozen, folder, name, as_text=False)
    with open(sig_path, "w") as f:
        json.dump(signature, f, indent=1)
    if verbose:
        print("Saved artifact at '%s' (frozen tfgraph graph, %d nodes). Inputs: %s; outputs: %s"
              % (filepath, len(frozen.node), ", ".join(t.name for t in inputs),
                 ", ".join(t.name for t in outputs)))
