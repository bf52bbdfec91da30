"""Opening the files the commands take: a saved Keras model (.keras zip or legacy .h5) or a
tfgraph graph file (a JSON GraphDef from tf.train.write_graph, or a MetaGraphDef from a Saver's
.meta), told apart by their content, not their names."""
import json
import os

import click

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def require_file(path, what="file"):
    if not os.path.exists(path):
        raise click.ClickException("%s not found: %s" % (what, path))
    if os.path.isdir(path):
        raise click.ClickException("%s is a directory, not a %s" % (path, what))


def kind_of(path):
    """'keras' for a saved Keras model, 'graph' / 'meta' for a tfgraph graph file."""
    require_file(path, "model or graph file")
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"PK") or head == HDF5_MAGIC:
        return "keras"
    if head.lstrip()[:1] == b"{":
        try:
            with open(path, encoding="utf-8") as f:
                fmt = json.load(f).get("format")
        except (ValueError, UnicodeDecodeError) as e:
            raise click.ClickException("%s: not valid JSON (%s)" % (path, e)) from None
        if fmt == "tfgraph.GraphDef":
            return "graph"
        if fmt == "tfgraph.MetaGraphDef":
            return "meta"
    raise click.ClickException(
        "%s is neither a saved Keras model (.keras, .h5) nor a tfgraph GraphDef/MetaGraphDef "
        "file" % path)


def load_keras_model(path, compile=True):
    """keras.models.load_model, with the file checked first (one-line errors for bad files)."""
    if kind_of(path) != "keras":
        raise click.ClickException("%s is a graph file, not a saved Keras model" % path)
    import zipfile

    from tfgraph_keras import models
    try:
        return models.load_model(path, compile=compile)
    except zipfile.BadZipFile as e:
        raise click.ClickException("%s: corrupt .keras file (%s)" % (path, e)) from e


def load_graph(path):
    """(graph, keras model or None) for a model or graph file."""
    kind = kind_of(path)
    if kind == "keras":
        model = load_keras_model(path, compile=False)
        from tfgraph_keras import backend
        return backend.get_graph(), model
    import tfgraph as tf
    from tfgraph.framework.graph_io import read_graph
    graph = tf.Graph()
    with graph.as_default():
        if kind == "meta":
            tf.train.import_meta_graph(path)
        else:
            tf.import_graph_def(read_graph(path), name="")
    return graph, None
