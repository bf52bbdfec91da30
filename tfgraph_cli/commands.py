"""The subcommands that read models, graphs and checkpoints, and the two that start other tools
(bench, board). `train` is in train_spec.py. tfgraph and tfgraph_keras are imported inside the
commands, so `--help` and the hints answer at once."""
import os
import subprocess
import sys

import click
import numpy as np

from tfgraph_cli import loading, tables

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRAPH_FORMATS = ("html", "dot", "graphml", "svg", "png")


# -- summary ---------------------------------------------------------------------------------------
@click.command()
@click.argument("model")
@click.option("--line-length", type=int, default=None, help="Width of the table (Keras's default).")
def summary(model, line_length):
    """Print a Keras-style summary of MODEL.

    MODEL is a saved Keras model (.keras, .h5): its layers, output shapes and parameter counts,
    as model.summary() prints them. For a tfgraph graph file (tf.train.write_graph's GraphDef or
    a Saver's .meta) the table lists the ops, their output shapes and inputs, then the variables.

    \b
    Example:
      tfgraph summary mnist_cnn.keras
      tfgraph summary logs/model.ckpt-1000.meta
    """
    graph, keras_model = loading.load_graph(model)
    if keras_model is not None:
        keras_model.summary(line_length=line_length, print_fn=click.echo)
    else:
        tables.graph_summary(graph, os.path.basename(model), line_length or 98, click.echo)


# -- graph -----------------------------------------------------------------------------------------
@click.command()
@click.argument("model")
@click.option("-o", "--output", required=True, help="The file to write.")
@click.option("-f", "--format", "fmt", type=click.Choice(GRAPH_FORMATS), default=None,
              help="Output format (default: from the output file's extension).")
@click.option("--depth", type=int, default=1, show_default=True,
              help="Name-scope levels shown expanded (dot, svg, png).")
def graph(model, output, fmt, depth):
    """Draw the graph of MODEL (a saved Keras model or a graph file).

    html is the self-contained interactive viewer, dot Graphviz source, graphml the op graph for
    networkx/yEd/Gephi, svg and png rendered by Graphviz's `dot` (which must be installed).

    \b
    Example:
      tfgraph graph mnist_cnn.keras -o cnn.html
      tfgraph graph graph.json --format svg -o graph.svg --depth 2
    """
    if fmt is None:
        fmt = os.path.splitext(output)[1].lstrip(".").lower()
        if fmt not in GRAPH_FORMATS:
            raise click.UsageError("cannot tell the format from %r: pass --format (one of %s)"
                                   % (output, ", ".join(GRAPH_FORMATS)))
    g, _ = loading.load_graph(model)
    from tfgraph import viz
    if fmt == "html":
        viz.write_html(g, output, title=os.path.basename(model))
    elif fmt == "dot":
        viz.write_dot(g, output, depth=depth)
    elif fmt == "graphml":
        viz.write_graphml(g, output)
    else:
        from tfgraph.viz.dot import dot_binary
        if dot_binary() is None:
            raise click.ClickException("rendering %s needs Graphviz's `dot` program (apt-get "
                                       "install graphviz); --format dot writes the source" % fmt)
        viz.render(g, output, fmt=fmt, depth=depth)
    click.echo("wrote %s (%s, %d ops)" % (output, fmt, len(g.get_operations())))


# -- inspect ---------------------------------------------------------------------------------------
@click.command()
@click.argument("checkpoint")
@click.option("--tensor-name", default=None, help="Print this tensor's value.")
@click.option("--all-tensors", is_flag=True, help="Print every tensor's value.")
def inspect(checkpoint, tensor_name, all_tensors):
    """List the variables of a checkpoint: names, dtypes and shapes (TF's inspect_checkpoint).

    CHECKPOINT is a checkpoint prefix (what Saver.save returned, e.g. model.ckpt-1000), one of
    its files, or a directory holding a `checkpoint` state file (its latest checkpoint is read).
    TensorFlow's V2 checkpoints and tfgraph's are both read.

    \b
    Example:
      tfgraph inspect logs/model.ckpt-1000
      tfgraph inspect logs/ --tensor-name dense/kernel
    """
    import tfgraph as tf
    prefix = checkpoint
    for suffix in (".index", ".meta"):
        prefix = prefix.removesuffix(suffix)
    if ".data-" in os.path.basename(prefix):
        prefix = prefix[:prefix.rindex(".data-")]
    if not os.path.exists(prefix) and not os.path.exists(prefix + ".index"):
        raise click.ClickException("checkpoint not found: %s" % checkpoint)
    reader = tf.train.load_checkpoint(prefix)
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()
    if tensor_name is not None:
        if not reader.has_tensor(tensor_name):
            raise click.ClickException("no tensor %r in %s (it has: %s)" % (
                tensor_name, checkpoint, ", ".join(sorted(shapes)[:10])))
        click.echo("tensor_name:  %s" % tensor_name)
        click.echo(np.array2string(reader.get_tensor(tensor_name), threshold=1000))
        return
    rows = [(name, _dtype_name(dtypes[name]), str(shapes[name])) for name in sorted(shapes)]
    tables.print_table(["Variable", "Dtype", "Shape"], rows, click.echo)
    total = sum(int(np.prod(s)) for s in shapes.values())
    click.echo("%d tensors, %s values" % (len(rows), format(total, ",")))
    if all_tensors:
        for name in sorted(shapes):
            click.echo("\ntensor_name:  %s" % name)
            click.echo(np.array2string(reader.get_tensor(name), threshold=1000))


def _dtype_name(dtype):
    return getattr(dtype, "name", str(dtype))


# -- evaluate --------------------------------------------------------------------------------------
def _model_input_shape(model):
    shape = model.inputs[0].shape
    dims = shape.as_list() if hasattr(shape, "as_list") else list(shape)
    return dims[1:]


def fit_to_model(x, model, what):
    """x, reshaped to the model's input when only the layout differs ((N, 784) <-> (N, 28, 28))."""
    want = _model_input_shape(model)
    if None in want or list(x.shape[1:]) == want:
        return x
    if int(np.prod(x.shape[1:])) == int(np.prod(want)):
        return x.reshape((x.shape[0],) + tuple(want))
    raise click.ClickException("%s has samples of shape %s; the model takes %s"
                               % (what, tuple(x.shape[1:]), tuple(want)))


def load_xy(data, limit=None):
    """(x, y, description) from 'mnist' (the test split, scaled to [0, 1]) or an .npz file with
    x_test/y_test (or x/y)."""
    if data == "mnist":
        from tfgraph_keras.datasets import mnist
        _, (x, y) = mnist.load_data()
        x = x.astype("float32") / 255.0
        what = "MNIST test set"
    else:
        loading.require_file(data, "data file")
        try:
            f = np.load(data, allow_pickle=False)
        except (ValueError, OSError) as e:
            raise click.ClickException("%s: not a readable .npz file (%s)" % (data, e)) from None
        if not hasattr(f, "files"):
            raise click.ClickException("%s holds one array; evaluate needs an .npz with "
                                       "x_test and y_test (or x and y)" % data)
        with f:
            for xk, yk in (("x_test", "y_test"), ("x", "y")):
                if xk in f.files and yk in f.files:
                    x, y = f[xk], f[yk]
                    break
            else:
                raise click.ClickException("%s has arrays %s; evaluate needs x_test and y_test "
                                           "(or x and y)" % (data, ", ".join(f.files)))
        what = data
    if limit:
        x, y = x[:limit], y[:limit]
    return x, y, what


@click.command()
@click.argument("model")
@click.option("--data", required=True, help="'mnist' (the test split) or an .npz file holding "
              "x_test and y_test (or x and y).")
@click.option("--batch-size", type=int, default=32, show_default=True)
@click.option("--limit", type=int, default=None, help="Use only the first N samples.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def evaluate(model, data, batch_size, limit, quiet):
    """Compute the loss and metrics of a saved, compiled Keras model on a data set.

    \b
    Example:
      tfgraph evaluate mnist_cnn.keras --data mnist
      tfgraph evaluate model.keras --data test.npz --batch-size 128
    """
    loading.kind_of(model)   # the files are checked before the model is loaded
    x, y, what = load_xy(data, limit)
    m = loading.load_keras_model(model)
    if getattr(m, "optimizer", None) is None and not getattr(m, "_compile_args", None):
        raise click.ClickException("%s was saved without compile(): it has no loss to evaluate"
                                   % model)
    x = fit_to_model(x, m, what)
    results = m.evaluate(x, y, batch_size=batch_size, verbose=0 if quiet else 1,
                         return_dict=True)
    click.echo("%s on %d samples of %s" % (os.path.basename(model), len(x), what))
    click.echo(" - ".join("%s: %.4f" % (k, v) for k, v in results.items()))


# -- predict ---------------------------------------------------------------------------------------
def read_input(path, key=None):
    loading.require_file(path, "input file")
    ext = os.path.splitext(path)[1].lower()
    if ext == ".csv":
        try:
            return np.loadtxt(path, delimiter=",", dtype="float32", ndmin=2)
        except ValueError as e:
            raise click.ClickException("%s: not a numeric CSV file (%s)" % (path, e)) from None
    if ext not in (".npy", ".npz"):
        raise click.ClickException("%s: the input must be .npy, .npz or .csv" % path)
    try:
        arr = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as e:
        raise click.ClickException("%s: not a readable %s file (%s)" % (path, ext, e)) from None
    if not hasattr(arr, "files"):
        return arr
    with arr:
        names = arr.files
        if key is None:
            key = next((k for k in ("x", "x_test", "inputs") if k in names),
                       names[0] if len(names) == 1 else None)
        if key not in names:
            raise click.ClickException("%s has arrays %s: choose one with --key" % (
                path, ", ".join(names)))
        return arr[key]


def write_output(path, outputs):
    """Writes predictions: .npy, .npz (one array per model output) or .csv (one row a sample)."""
    ext = os.path.splitext(path)[1].lower() if path else ".csv"
    if ext == ".npz":
        np.savez(path, **{"output_%d" % i if len(outputs) > 1 else "predictions": o
                          for i, o in enumerate(outputs)})
        return
    if len(outputs) > 1:
        raise click.ClickException("the model has %d outputs: write them to an .npz file"
                                   % len(outputs))
    if ext == ".npy":
        np.save(path, outputs[0])
    elif ext == ".csv":
        flat = outputs[0].reshape(len(outputs[0]), -1)
        if path:
            np.savetxt(path, flat, delimiter=",", fmt="%.7g")
        else:
            np.savetxt(sys.stdout, flat, delimiter=",", fmt="%.7g")
    else:
        raise click.ClickException("%s: the output must be .npy, .npz or .csv" % path)


@click.command()
@click.argument("model")
@click.argument("inputs", metavar="INPUT")
@click.option("-o", "--output", default=None,
              help="Where to write the predictions (.npy, .npz, .csv); default: CSV on stdout.")
@click.option("--key", default=None, help="The array of an .npz input (default: x).")
@click.option("--batch-size", type=int, default=32, show_default=True)
def predict(model, inputs, output, key, batch_size):
    """Run a saved Keras model on the samples in INPUT (.npy, .npz or .csv).

    A CSV file has one sample a row, flattened; the rows are reshaped to the model's input shape.
    --output .npy/.csv write the predictions (one row a sample in CSV); .npz writes one array a
    model output. Without --output they are printed as CSV.

    \b
    Example:
      tfgraph predict mnist_cnn.keras digits.npy -o probs.npy
      tfgraph predict model.keras rows.csv
    """
    loading.kind_of(model)
    if output and os.path.splitext(output)[1].lower() not in (".npy", ".npz", ".csv"):
        raise click.ClickException("%s: the output must be .npy, .npz or .csv" % output)
    x = np.asarray(read_input(inputs, key))
    m = loading.load_keras_model(model, compile=False)
    x = fit_to_model(x, m, inputs)
    if x.dtype.kind in "iub" and m.inputs[0].dtype.is_floating:
        x = x.astype(m.inputs[0].dtype.as_numpy_dtype)
    result = m.predict(x, batch_size=batch_size, verbose=1 if output else 0)
    outputs = [np.asarray(r) for r in (result if isinstance(result, list) else [result])]
    write_output(output, outputs)
    if output:
        click.echo("wrote %s: %s" % (output, ", ".join(str(o.shape) for o in outputs)))


# -- export ----------------------------------------------------------------------------------------
@click.command()
@click.argument("model")
@click.option("--onnx", "onnx_path", default=None, help="Write an ONNX file here.")
@click.option("--opset", type=int, default=17, show_default=True, help="ONNX opset.")
@click.option("--frozen-graph", "frozen_path", default=None,
              help="Write a frozen GraphDef (variables folded into constants) here.")
def export(model, onnx_path, opset, frozen_path):
    """Export a saved Keras model to ONNX and/or a frozen tfgraph GraphDef.

    ONNX needs the `onnx` package (pip install "tfgraph[viz]"); the file runs in onnxruntime.
    The frozen graph is a JSON GraphDef holding the model's inference ops with its weights as
    Const nodes: load it with tf.import_graph_def and feed the input tensor printed here.

    \b
    Example:
      tfgraph export mnist_cnn.keras --onnx cnn.onnx
      tfgraph export mnist_cnn.keras --frozen-graph cnn_frozen.json
    """
    if not onnx_path and not frozen_path:
        raise click.UsageError("nothing to export: give --onnx OUT and/or --frozen-graph OUT")
    m = loading.load_keras_model(model, compile=False)
    if onnx_path:
        try:
            import onnx  # noqa: F401 - only to give the hint before exporting
        except ImportError:
            raise click.ClickException('ONNX export needs the onnx package: '
                                       'pip install "tfgraph[viz]"') from None
        from tfgraph import onnx as tf_onnx
        tf_onnx.export(m, onnx_path, opset=opset)
        click.echo("wrote %s (ONNX opset %d)" % (onnx_path, opset))
    if frozen_path:
        import tfgraph as tf
        from tfgraph_keras import backend
        sess = backend.get_session(m.outputs[0].graph)
        backend.initialize_variables(m.weights, sess)
        outputs = [t.op.name for t in m.outputs]
        frozen = tf.graph_util.convert_variables_to_constants(
            sess, m.outputs[0].graph.as_graph_def(), outputs)
        folder, name = os.path.split(os.path.abspath(frozen_path))
        tf.train.write_graph(frozen, folder, name, as_text=False)
        click.echo("wrote %s (%d nodes); inputs: %s; outputs: %s" % (
            frozen_path, len(frozen.node), ", ".join(t.name for t in m.inputs),
            ", ".join(t.name for t in m.outputs)))


# -- bench -----------------------------------------------------------------------------------------
@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--quick", is_flag=True, help="A fraction of an epoch per workload.")
@click.option("--dry-run", is_flag=True, help="Print the command instead of running it.")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bench(quick, dry_run, args):
    """Run the benchmark workloads W1-W6 (python -m benchmarks) and print their table.

    Other arguments go to `python -m benchmarks` (--only W1,W5, --repeat 3, --tf-python ...).
    The benchmarks ship with the source checkout, not with the wheel.

    \b
    Example:
      tfgraph bench --quick
      tfgraph bench --quick --only W1,W5
    """
    if not os.path.exists(os.path.join(ROOT, "benchmarks", "__main__.py")):
        raise click.ClickException("the benchmarks ship with the source checkout, not the "
                                   "installed package: run tfgraph bench from a clone")
    cmd = [sys.executable, "-m", "benchmarks"] + (["--quick"] if quick else []) + list(args)
    if dry_run:
        click.echo(" ".join(cmd))
        return 0
    return subprocess.call(cmd, cwd=ROOT)


# -- board -----------------------------------------------------------------------------------------
def tensorboard_command(logdir, port, host):
    cmd = [sys.executable, "-m", "tensorboard.main", "--logdir", logdir, "--port", str(port)]
    return cmd + (["--host", host] if host else [])


@click.command()
@click.argument("logdir")
@click.option("--port", type=int, default=6006, show_default=True)
@click.option("--host", default=None, help="Interface to listen on (TensorBoard's default).")
@click.option("--dry-run", is_flag=True, help="Print the command instead of starting it.")
def board(logdir, port, host, dry_run):
    """Start TensorBoard on LOGDIR (event files from tf.summary.FileWriter or Keras's callback).

    Needs the tensorboard package (pip install "tfgraph[viz]").

    \b
    Example:
      tfgraph board logs/
      tfgraph board runs/cnn --port 6007
    """
    if not os.path.isdir(logdir):
        raise click.ClickException("log directory not found: %s" % logdir)
    try:
        import tensorboard  # noqa: F401 - only checks that it is installed
    except ImportError:
        raise click.ClickException('TensorBoard is not installed: pip install "tfgraph[viz]" '
                                   '(or pip install tensorboard), then run: tfgraph board %s'
                                   % logdir) from None
    cmd = tensorboard_command(logdir, port, host)
    if dry_run:
        click.echo(" ".join(cmd))
        return 0
    click.echo("TensorBoard on http://%s:%d/ (Ctrl-C stops it)" % (host or "localhost", port))
    return subprocess.call(cmd)
