"""`tfgraph train SPEC`: a Sequential model and its training run, described in a JSON (or YAML)
file. SPEC_KEYS documents the format; `tfgraph train --help` shows an example."""
import difflib
import json
import os

import click
import numpy as np

from tfgraph_cli import loading

SPEC_KEYS = {
    "name": "the model's name",
    "input_shape": "shape of one sample, e.g. [28, 28] (or start `layers` with an Input)",
    "layers": "list of layers: {\"type\": \"Dense\", \"units\": 10, ...} (the layer's arguments) "
              "or Keras's {\"class_name\", \"config\"}",
    "optimizer": "a name (\"adam\") or {\"type\": \"adam\", \"learning_rate\": 0.001}",
    "loss": "a Keras loss name",
    "metrics": "list of metric names",
    "dataset": "\"mnist\" (any keras.datasets image set), {\"name\": \"mnist\", \"limit\": N} or "
               "{\"path\": \"data.npz\"} holding x_train/y_train (or x/y), optionally x_test/y_test",
    "epochs": "number of epochs (default 1)",
    "batch_size": "batch size (default 32)",
    "validation_split": "fraction of the training data held out for validation",
    "callbacks": "list of {\"type\": \"EarlyStopping\", ...}: ",
    "seed": "random seed (keras.utils.set_random_seed)",
}
CALLBACKS = ("EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint", "TerminateOnNaN")
SPEC_KEYS["callbacks"] += ", ".join(CALLBACKS)
IMAGE_SETS = ("mnist", "fashion_mnist", "cifar10", "cifar100")

EXAMPLE = """{"input_shape": [28, 28],
 "layers": [{"type": "Flatten"},
            {"type": "Dense", "units": 128, "activation": "relu"},
            {"type": "Dense", "units": 10, "activation": "softmax"}],
 "optimizer": {"type": "adam", "learning_rate": 0.001},
 "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"],
 "dataset": {"name": "mnist", "limit": 10000}, "epochs": 2, "batch_size": 64,
 "callbacks": [{"type": "EarlyStopping", "monitor": "loss", "patience": 1}]}"""


class SpecError(click.ClickException):
    def __init__(self, spec_path, where, message):
        super().__init__("%s: %s: %s" % (spec_path, where, message) if where
                         else "%s: %s" % (spec_path, message))


def read_spec(path):
    loading.require_file(path, "spec file")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.lower().endswith((".yaml", ".yml")):
        try:
            import yaml
        except ImportError:
            raise click.ClickException("reading a YAML spec needs PyYAML: pip install pyyaml "
                                       "(or write the spec as JSON)") from None
        try:
            spec = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise SpecError(path, "", "not valid YAML (%s)" % " ".join(str(e).split())) from None
    else:
        try:
            spec = json.loads(text)
        except ValueError as e:
            raise SpecError(path, "", "not valid JSON (%s)" % e) from None
    if not isinstance(spec, dict):
        raise SpecError(path, "", "the spec must be a mapping of %s" % ", ".join(SPEC_KEYS))
    unknown = sorted(set(spec) - set(SPEC_KEYS))
    if unknown:
        raise SpecError(path, unknown[0], "unknown key (the spec's keys: %s)"
                        % ", ".join(SPEC_KEYS))
    for key in ("layers", "loss"):
        if key not in spec:
            raise SpecError(path, "", "the spec needs %r: %s" % (key, SPEC_KEYS[key]))
    return spec


def _typed(entry, where, spec_path):
    """(type name, arguments) of a {"type", ...} or {"class_name", "config"} entry."""
    if isinstance(entry, str):
        return entry, {}
    if not isinstance(entry, dict):
        raise SpecError(spec_path, where, "expected a mapping with a \"type\", got %r" % (entry,))
    if "class_name" in entry:
        return entry["class_name"], dict(entry.get("config", {}))
    if "type" not in entry:
        raise SpecError(spec_path, where, "no \"type\" (e.g. {\"type\": \"Dense\", \"units\": 10})")
    args = dict(entry)
    return args.pop("type"), args


def build_layers(spec, spec_path):
    from tfgraph_keras.saving import builtin_objects, serialization
    known = builtin_objects.names()
    out = []
    for i, entry in enumerate(spec["layers"]):
        where = "layers[%d]" % i
        name, args = _typed(entry, where, spec_path)
        if name in ("Input", "InputLayer"):
            if i != 0:
                raise SpecError(spec_path, where, "an Input can only be the first layer")
            import tfgraph_keras as keras
            try:
                out.append(keras.Input(**args))
            except (TypeError, ValueError) as e:
                raise SpecError(spec_path, where, " ".join(str(e).split())) from None
            continue
        try:
            cls = serialization.find_class(name)
        except ValueError:
            close = difflib.get_close_matches(name, known, n=3)
            raise SpecError(spec_path, where, "unknown layer %r%s" % (
                name, " (did you mean %s?)" % ", ".join(close) if close else "")) from None
        try:
            if isinstance(entry, dict) and "class_name" in entry:   # a Keras config: from_config knows its extra fields
                out.append(serialization.deserialize_keras_object(entry))
            else:   # the layer's own arguments, checked by its constructor
                out.append(cls(**args))
        except (TypeError, ValueError) as e:
            raise SpecError(spec_path, "%s (%s)" % (where, cls.__name__),
                            " ".join(str(e).split())) from None
    return out


def build_model(spec, spec_path):
    import tfgraph_keras as keras
    layers = build_layers(spec, spec_path)
    if "input_shape" in spec:
        layers.insert(0, keras.Input(tuple(spec["input_shape"])))
    elif not layers or hasattr(layers[0], "built"):   # a layer, not keras.Input's tensor
        raise SpecError(spec_path, "", "give \"input_shape\" (or start the layers with "
                        "{\"type\": \"Input\", \"shape\": [...]})")
    model = keras.Sequential(layers, name=spec.get("name"))
    name, args = _typed(spec.get("optimizer", "rmsprop"), "optimizer", spec_path)
    try:
        optimizer = keras.optimizers.get({"class_name": name, "config": args})
    except (TypeError, ValueError) as e:
        raise SpecError(spec_path, "optimizer", " ".join(str(e).split())) from None
    try:
        model.compile(optimizer=optimizer, loss=spec["loss"], metrics=spec.get("metrics"))
    except (TypeError, ValueError) as e:
        raise SpecError(spec_path, "loss/metrics", " ".join(str(e).split())) from None
    return model


def load_dataset(spec, spec_path):
    """(x_train, y_train, test split or None, description)."""
    ds = spec.get("dataset")
    if ds is None:
        raise SpecError(spec_path, "", "the spec needs 'dataset': %s" % SPEC_KEYS["dataset"])
    if isinstance(ds, str):
        ds = {"name": ds} if ds in IMAGE_SETS else {"path": ds}
    limit = ds.get("limit")
    if "name" in ds:
        if ds["name"] not in IMAGE_SETS:
            raise SpecError(spec_path, "dataset", "unknown data set %r (one of %s, or "
                            "{\"path\": FILE.npz})" % (ds["name"], ", ".join(IMAGE_SETS)))
        import importlib
        module = importlib.import_module("tfgraph_keras.datasets." + ds["name"])
        (x, y), test = module.load_data()
        x, test = x.astype("float32") / 255.0, (test[0].astype("float32") / 255.0, test[1])
        what = ds["name"]
    elif "path" in ds:
        path = ds["path"]
        if not os.path.isabs(path):
            path = os.path.join(os.path.dirname(os.path.abspath(spec_path)), path)
        loading.require_file(path, "dataset file")
        with np.load(path, allow_pickle=False) as f:
            names = getattr(f, "files", [])
            if "x_train" in names and "y_train" in names:
                x, y = f["x_train"], f["y_train"]
            elif "x" in names and "y" in names:
                x, y = f["x"], f["y"]
            else:
                raise SpecError(spec_path, "dataset", "%s holds %s; it needs x_train and "
                                "y_train (or x and y)" % (path, ", ".join(names) or "one array"))
            test = (f["x_test"], f["y_test"]) if "x_test" in names and "y_test" in names else None
        what = os.path.basename(path)
    else:
        raise SpecError(spec_path, "dataset", SPEC_KEYS["dataset"])
    if limit:
        x, y = x[:limit], y[:limit]
        test = (test[0][:limit], test[1][:limit]) if test is not None else None
    return x, y, test, what


def build_callbacks(spec, spec_path, out_dir):
    from tfgraph_keras import callbacks
    out = [callbacks.CSVLogger(os.path.join(out_dir, "history.csv")),
           callbacks.TensorBoard(log_dir=os.path.join(out_dir, "logs"))]
    for i, entry in enumerate(spec.get("callbacks", [])):
        where = "callbacks[%d]" % i
        name, args = _typed(entry, where, spec_path)
        if name not in CALLBACKS:
            raise SpecError(spec_path, where, "unknown callback %r (one of %s; the history CSV "
                            "and TensorBoard log are always written)" % (name, ", ".join(CALLBACKS)))
        if name == "ModelCheckpoint" and not os.path.isabs(args.get("filepath", "/")):
            args["filepath"] = os.path.join(out_dir, args["filepath"])
        try:
            out.append(getattr(callbacks, name)(**args))
        except (TypeError, ValueError) as e:
            raise SpecError(spec_path, "%s (%s)" % (where, name), " ".join(str(e).split())) from None
    return out


@click.command()
@click.argument("spec")
@click.option("-o", "--output-dir", default=None,
              help="Where the model, TensorBoard log and history go (default: SPEC's name "
                   "without extension, plus _run, in the current directory).")
@click.option("--epochs", type=int, default=None, help="Override the spec's epochs.")
@click.option("--quiet", is_flag=True, help="No summary and no progress bar.")
def train(spec, output_dir, epochs, quiet):
    """Build, train and save the model described in SPEC (.json, or .yaml with PyYAML).

    Writes OUTPUT_DIR/model.keras, a TensorBoard log in OUTPUT_DIR/logs (see `tfgraph board`)
    and the per-epoch history in OUTPUT_DIR/history.csv; then evaluates on the data set's test
    split when it has one. A spec is a mapping with the keys: layers, input_shape, optimizer,
    loss, metrics, dataset, epochs, batch_size, validation_split, callbacks, seed, name.

    \b
    Example:
      tfgraph train mlp.json -o runs/mlp
    \b
    where mlp.json is
      EXAMPLE
    """
    spec_path = spec
    spec = read_spec(spec_path)
    import tfgraph_keras as keras
    if "seed" in spec:
        keras.utils.set_random_seed(int(spec["seed"]))
    model = build_model(spec, spec_path)
    x, y, test, what = load_dataset(spec, spec_path)
    from tfgraph_cli.commands import fit_to_model
    x = fit_to_model(x, model, what)
    if output_dir is None:
        output_dir = os.path.splitext(os.path.basename(spec_path))[0] + "_run"
    os.makedirs(output_dir, exist_ok=True)
    callbacks = build_callbacks(spec, spec_path, output_dir)
    if not quiet:
        model.summary(print_fn=click.echo)
    epochs = epochs if epochs is not None else int(spec.get("epochs", 1))
    history = model.fit(x, y, batch_size=int(spec.get("batch_size", 32)), epochs=epochs,
                        validation_split=float(spec.get("validation_split", 0.0)),
                        callbacks=callbacks, verbose=0 if quiet else 1)
    path = os.path.join(output_dir, "model.keras")
    model.save(path)
    last = {k: v[-1] for k, v in history.history.items()}
    click.echo("trained %d epochs on %d samples of %s: %s" % (
        len(history.history.get("loss", [])), len(x), what,
        " - ".join("%s: %.4f" % kv for kv in last.items())))
    if test is not None:
        results = model.evaluate(fit_to_model(test[0], model, what), test[1], verbose=0,
                                 return_dict=True)
        click.echo("test: " + " - ".join("%s: %.4f" % kv for kv in results.items()))
    click.echo("wrote %s, %s, %s" % (path, os.path.join(output_dir, "logs"),
                                     os.path.join(output_dir, "history.csv")))


train.help = train.help.replace("EXAMPLE", EXAMPLE.replace("\n", "\n      "))
