"""tfgraph.onnx: export TF1 graphs (and Keras models) to ONNX for onnxruntime / Netron.

    tfgraph.onnx.export(sess, "model.onnx", inputs=[x], outputs=[probs], opset=17)

Needs the optional `onnx` package (tfgraph[viz]); the file is checked with onnx.checker.
"""
from tfgraph.onnx.exporter import export_graph


def export(model_or_session, path, inputs=None, outputs=None, opset=17):
    """Writes an ONNX file; returns the onnx.ModelProto.

    With a Session: `inputs` and `outputs` are tensors (or names) of its graph. With a Keras model,
    its inputs and outputs are used (and its backend session).
    """
    sess = model_or_session
    if not (hasattr(sess, "run") and hasattr(sess, "graph")):
        return _export_keras(model_or_session, path, opset)
    if not inputs or not outputs:
        raise ValueError("export(sess, path, inputs=[...], outputs=[...]) needs input and output "
                         "tensors")
    return export_graph(sess, path, list(inputs), list(outputs), opset)


def _export_keras(model, path, opset):
    try:
        from tfgraph_keras import backend
    except ImportError as e:
        raise TypeError("export() takes a tf.Session or a Keras model, got %r" % (model,)) from e
    inputs = list(getattr(model, "inputs", None) or [])
    outputs = list(getattr(model, "outputs", None) or [])
    if not inputs or not outputs:
        raise ValueError("The Keras model has no symbolic inputs/outputs; build or call it first.")
    sess = backend.get_session(outputs[0].graph)
    # a built model's weights exist from its construction (as in Keras), run or not
    backend.initialize_variables(list(getattr(model, "weights", [])) + list(
        getattr(model, "_state_variables", list)()), sess)
    return export_graph(sess, path, inputs, outputs, opset)


__all__ = ["export"]
