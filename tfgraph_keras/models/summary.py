"""model.summary(): Keras 2's text table (Layer (type), Output Shape, Param #, Connected to).
The layers of an unbuilt model show "?" and "unbuilt" (Keras 3: "?", "0 (unbuilt)") and a line
at the end says that the model is not built."""
from tfgraph_keras.layers.base_layer import Layer
from tfgraph_keras.layers.input_layer import InputLayer


def _shape_text(layer):
    if not layer.built:
        return "?"
    try:
        shape = layer.output_shape
    except AttributeError:
        return "multiple"
    if isinstance(shape, list):
        return "[" + ", ".join(_tuple_text(s) for s in shape) + "]"
    return _tuple_text(shape)


def _tuple_text(shape):
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return "[" + ", ".join(_tuple_text(s) for s in shape) + "]"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"


def _count(layer):
    if not layer.built:   # Keras 3 writes "0 (unbuilt)" (wider than Keras 2's column)
        return "unbuilt"
    try:
        return layer.count_params()
    except ValueError:
        return 0


def _is_sequential_like(model):
    if getattr(model, "_is_sequential", False):  # models/sequential.py imports this module
        return True
    nodes = [n for n in getattr(model, "_nodes", []) if not isinstance(n.layer, InputLayer)]
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        return False
    for n in nodes:
        if len(n.flat_inputs) != 1:
            return False
    layers = [n.layer for n in nodes]
    return len(layers) == len({id(x) for x in layers})


def print_summary(model, line_length=None, positions=None, print_fn=None):
    print_fn = print_fn or print
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [0.33, 0.55, 0.67, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    print_fn('Model: "%s"' % model.name)
    print_fn("_" * line_length)
    _row(header, positions, print_fn)
    print_fn("=" * line_length)
    layers = model.layers or [layer for layer in Layer._sublayers(model)   # subclassed model
                              if not isinstance(layer, InputLayer)]
    node_ids = {id(n) for n in getattr(model, "_nodes", [])}
    for i, layer in enumerate(layers):
        name = "%s (%s)" % (layer.name, type(layer).__name__)
        fields = [name, _shape_text(layer), _count(layer)]
        if sequential_like:
            _row(fields, positions, print_fn)
        else:
            connections = []
            for node in layer._inbound_nodes:
                if node_ids and id(node) not in node_ids:
                    continue
                for t in node.flat_inputs:
                    src, node_index, tensor_index = t._keras_history
                    connections.append("%s[%d][%d]" % (src.name, node_index, tensor_index))
            if not connections:
                _row(fields + [""], positions, print_fn)
            else:
                _row(fields + [connections[0]], positions, print_fn)
                for c in connections[1:]:
                    _row(["", "", "", c], positions, print_fn)
        print_fn(" " * line_length)
    print_fn("=" * line_length)
    trainable = sum(int(_size(w)) for w in _unique(model.trainable_weights))
    non_trainable = sum(int(_size(w)) for w in _unique(model.non_trainable_weights))
    print_fn("Total params: {:,}".format(trainable + non_trainable))
    print_fn("Trainable params: {:,}".format(trainable))
    print_fn("Non-trainable params: {:,}".format(non_trainable))
    print_fn("_" * line_length)
    if any(not layer.built for layer in layers):
        print_fn("The model is not built yet: its layers have no weights and no shapes. Build "
                 "it with an Input, `build(input_shape)`, or by calling it on a batch of data.")


def _row(fields, positions, print_fn):
    """Keras 2's print_row: each field cut to its column (wrapping onto extra lines)."""
    left = [str(x) for x in fields]
    while any(left):
        line = ""
        for col in range(len(left)):
            start = positions[col - 1] if col > 0 else 0
            end = positions[col]
            space = 2 if col != len(positions) - 1 else 0
            cutoff = end - start - space
            if col != len(positions) - 1:
                cutoff -= 1  # except for the last column, offset by one to align column starts
            fit = left[col][:cutoff]
            breaks = [fit.find(x) + len(x) for x in ("),", "},", "],", "',") if fit.find(x) >= 0]
            if breaks:
                cutoff = min(breaks)
                fit = fit[:cutoff]
            if col == 0:
                line += " "
            line += fit + " " * space
            left[col] = left[col][cutoff:]
            line += " " * (positions[col] - len(line))
        print_fn(line)


def _size(w):
    n = 1
    for d in w.shape.as_list():
        n *= d
    return n


def _unique(weights):
    seen, out = set(), []
    for w in weights:
        if id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out

