"""keras.Model: a graph of layers from Input tensors to output tensors (the functional API).

`Model(inputs, outputs)` walks the Node records back from `outputs` (each symbolic tensor carries
`_keras_history = (layer, node_index, tensor_index)`), orders the nodes topologically, and keeps
them so
the model can be called again on new tensors (nested models, shared models) by re-running each
layer.
Training is in engine/training.py (the Model class mixes it in).
"""
import numpy as np

from tfgraph_keras import _legacy, backend
from tfgraph_keras.engine.training import TrainingMixin
from tfgraph_keras.layers.base_layer import Layer, _flatten, _is_symbolic, _shapes
from tfgraph_keras.layers.input_layer import Input, InputLayer

_NUMPY_CALL_KWARGS = frozenset({"training", "mask"})


class Model(TrainingMixin, Layer):
    """Functional model: `Model(inputs=x, outputs=y)`; subclass it and define `call` for a
    subclassed model (built on the first batch it sees)."""

    def __init__(self, *args, **kwargs):
        if "input" in kwargs or "output" in kwargs:
            _legacy.convert_kwargs("Model", kwargs, {"input": "inputs", "output": "outputs"})
        inputs = kwargs.pop("inputs", None)
        outputs = kwargs.pop("outputs", None)
        if args:
            inputs = args[0]
            if len(args) > 1:
                outputs = args[1]
        name = kwargs.pop("name", None)
        trainable = kwargs.pop("trainable", True)
        Layer.__init__(self, name=name or backend.unique_object_name(self._default_name()),
                       trainable=trainable, **kwargs)
        TrainingMixin.__init__(self)
        self._is_graph_network = False
        self._nodes = []
        self._layers_list = []
        self.inputs, self.outputs = [], []
        if inputs is not None and outputs is not None:
            self._init_graph_network(inputs, outputs)

    def _default_name(self):
        if type(self) is Model:
            return "functional"
        return backend.to_snake_case(type(self).__name__)

    # -- graph network
    # -------------------------------------------------------------------------------
    def _init_graph_network(self, inputs, outputs):
        self._nested_inputs, self._nested_outputs = inputs, outputs
        self.inputs = list(_flatten(inputs))
        self.outputs = list(_flatten(outputs))
        for i, t in enumerate(self.inputs):
            if not hasattr(t, "_keras_history"):
                raise ValueError("Input tensors to a Model must come from `keras.Input`. Received: "
                                 "%s (missing previous layer metadata)." % (t,))
            layer = t._keras_history[0]
            if not isinstance(layer, InputLayer):
                raise ValueError("Model inputs must come from `keras.Input`; input %d comes from "
                                 "layer %s." % (i, layer.name))
        for t in self.outputs:
            if not hasattr(t, "_keras_history"):
                raise ValueError("Output tensors of a Model must be the output of a Keras layer. "
                                 "Received: %s" % (t,))
        self._nodes = self._topo_nodes()
        input_ids = {id(t) for t in self.inputs}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer) and id(node.flat_outputs[0]) not in input_ids:
                raise ValueError("Graph disconnected: cannot obtain value for tensor %s at layer "
                                 "\"%s\". The following previous layers were accessed without "
                                 "issue: %s" % (node.flat_outputs[0].name, node.layer.name,
                                                [n.layer.name for n in self._nodes
                                                 if isinstance(n.layer, InputLayer)
                                                 and id(n.flat_outputs[0]) in input_ids]))
        self._layers_list = self._layers_by_depth()
        self._is_graph_network = True
        self._graph = self.inputs[0].graph
        self.built = True
        self.input_names = [t._keras_history[0].name for t in self.inputs]
        self.output_names = _unique_output_names(self.outputs)
        self._reset_compiled()
        # Keras 3 gives weights their values when they are built; so does a model here, once
        # its graph is known, rather than in the first step of fit. That run also pays the
        # process's first kernel loads (Numba's registry: 0.3-0.5 s), which Keras pays at build.
        backend.initialize_variables(self.weights + self._state_variables())

    def _layers_by_depth(self):
        """model.layers in Keras's order (Keras 2 and 3 alike, so weight lists and legacy .h5
        files line up): by decreasing depth (the longest path to an output), ties in the order
        a depth-first walk from the outputs first meets the layers."""
        first_seen = {}

        def walk(t):
            layer, node_index, _ = t._keras_history
            first_seen.setdefault(id(layer), len(first_seen))
            node = layer._inbound_nodes[node_index]
            if id(node) in walked or any(t is i for i in self.inputs):
                return
            walked.add(id(node))
            for x in node.flat_inputs:
                if hasattr(x, "_keras_history"):
                    walk(x)
        walked = set()
        for t in self.outputs:
            walk(t)
        node_depth, layer_depth, layers = {}, {}, {}
        for node in reversed(self._nodes):  # outputs first: each node passes depth + 1 back
            depth = max(node_depth.get(id(node), 0), layer_depth.get(id(node.layer), 0))
            layer_depth[id(node.layer)] = depth
            layers[id(node.layer)] = node.layer
            node_depth[id(node)] = depth
            for x in node.flat_inputs:
                if hasattr(x, "_keras_history"):
                    parent_layer, parent_index, _ = x._keras_history
                    parent = parent_layer._inbound_nodes[parent_index]
                    node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
        for t in self.inputs:
            layer = t._keras_history[0]
            if id(layer) not in layer_depth:
                layer_depth[id(layer)], layers[id(layer)] = 0, layer
                first_seen[id(layer)] = -1
        return sorted(layers.values(),
                      key=lambda la: (-layer_depth[id(la)], first_seen.get(id(la), -1)))

    def _topo_nodes(self):
        order, seen = [], set()

        def visit(t):
            layer, node_index, _ = t._keras_history
            node = layer._inbound_nodes[node_index]
            if id(node) in seen:
                return
            seen.add(id(node))
            for x in node.flat_inputs:
                if hasattr(x, "_keras_history"):
                    visit(x)
            order.append(node)
        for t in self.outputs:
            visit(t)
        return order

    @property
    def layers(self):
        return list(self._layers_list)

    # the model's own inputs/outputs (not those of its calls as a layer)
    @property
    def input(self):
        if not self.inputs:
            raise AttributeError("Model %s has no input yet (it is not built)." % self.name)
        return self.inputs[0] if len(self.inputs) == 1 else list(self.inputs)

    @property
    def output(self):
        if not self.outputs:
            raise AttributeError("Model %s has no output yet (it is not built)." % self.name)
        return self.outputs[0] if len(self.outputs) == 1 else list(self.outputs)

    @property
    def input_shape(self):
        return _shapes(self.input)

    @property
    def output_shape(self):
        return _shapes(self.output)

    def _sublayers(self):
        if not self._is_graph_network and not getattr(self, "_subclass_built", False):
            # a subclassed model not built yet (one with only train_step): its attributes
            return Layer._sublayers(self)
        return [lay for lay in self._layers_list if lay is not self]

    def get_layer(self, name=None, index=None):
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError("Was asked to retrieve layer at index %d but model only has %d "
                                 "layers." % (index, len(self.layers)))
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError("No such layer: %s. Existing layers are: %s."
                         % (name, [lay.name for lay in self.layers]))

    # -- calling
    # -------------------------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        if not args and kwargs.keys() <= _NUMPY_CALL_KWARGS and (
                type(inputs) is np.ndarray or not _is_symbolic(inputs)):
            # model(numpy): the cached predict callable, no new ops
            xs = self._prepare_x(inputs)
            outs = self._predict_function(bool(kwargs.get("training") or False))(*xs)
            return outs[0] if len(outs) == 1 else outs
        return Layer.__call__(self, inputs, *args, **kwargs)

    def call(self, inputs, training=None, mask=None):
        if not self._is_graph_network:
            raise NotImplementedError("Subclassed models must implement `call`.")
        return self._run_internal_graph(inputs, training)

    def _run_internal_graph(self, inputs, training=None):
        flat = _flatten(inputs)
        if len(flat) != len(self.inputs):
            raise ValueError("Layer \"%s\" expects %d input(s), but it received %d input tensors."
                             % (self.name, len(self.inputs), len(flat)))
        values = {id(a): b for a, b in zip(self.inputs, flat)}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            args = _rebuild(node.input_tensors, values)
            kwargs = dict(node.call_kwargs)
            if "mask" in kwargs:   # a tensor of the old graph: the new inputs carry their masks
                kwargs["mask"] = _rebuild(kwargs["mask"], values) if all(
                    id(m) in values for m in _flatten(kwargs["mask"])) else None
            if isinstance(training, bool) and "training" in node.layer._call_params():
                kwargs.setdefault("training", training)
            extra = [_rebuild(a, values) if _is_symbolic(a) else a for a in node.extra_args]
            out = node.layer(args, *extra, **kwargs)
            for a, b in zip(node.flat_outputs, _flatten(out)):
                values[id(a)] = b
        return _rebuild(self._nested_outputs, values)

    def _check_model_inputs(self, arrays):
        """Keras-style error when a numpy input does not fit the model's Input shape."""
        for i, (t, a) in enumerate(zip(self.inputs, arrays)):
            expected = t.shape.as_list()
            got = tuple(a.shape)
            if len(expected) != len(got) or any(e is not None and e != g
                                                for e, g in zip(expected, got)):
                raise ValueError("Input %d of layer \"%s\" is incompatible with the layer: "
                                 "expected "
                                 "shape=%s, found shape=%s"
                                 % (i, self.name, tuple(expected), got))

    def compute_output_shape(self, input_shape):
        shapes = _shapes(self._nested_outputs)
        return shapes

    # -- subclassed models
    # ---------------------------------------------------------------------------
    def _build_from_arrays(self, arrays):
        """A subclassed model (or unbuilt Sequential) builds its graph from the first data."""
        if self._is_graph_network:
            return
        inputs = [Input(shape=a.shape[1:], dtype=a.dtype.name if a.dtype.kind != "f" else None)
                  for a in arrays]
        nested = inputs[0] if len(inputs) == 1 else inputs
        outputs = Layer.__call__(self, nested)
        self._subclass_graph(nested, outputs)

    def _subclass_graph(self, inputs, outputs):
        self._nested_inputs, self._nested_outputs = inputs, outputs
        self.inputs, self.outputs = list(_flatten(inputs)), list(_flatten(outputs))
        self._layers_list = [lay for lay in Layer._sublayers(self)]
        self._graph = self.inputs[0].graph
        self.input_names = [t._keras_history[0].name for t in self.inputs]
        self.output_names = ["output_%d" % (i + 1) for i in range(len(self.outputs))]
        self._is_graph_network = False
        self._subclass_built = True
        self._reset_compiled()

    def build(self, input_shape):
        if self._is_graph_network or getattr(self, "_subclass_built", False):
            self.built = True
            return
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        inputs = [Input(batch_shape=tuple(s)) for s in shapes]
        nested = inputs[0] if len(inputs) == 1 else inputs
        self.built = True
        outputs = Layer.__call__(self, nested)
        self._subclass_graph(nested, outputs)

    # -- config
    # --------------------------------------------------------------------------------------
    def get_config(self):
        """Keras's functional config: layers with their inbound nodes, input and output layers."""
        if not self._is_graph_network:
            return {"name": self.name, "trainable": self.trainable}
        from tfgraph_keras.saving.serialization import serialize_keras_object
        node_ids = {id(n) for n in self._nodes}
        index = {}  # id(node) -> index among the layer's nodes in this model
        for layer in self.layers:
            kept = [n for n in layer._inbound_nodes if id(n) in node_ids]
            for i, n in enumerate(kept):
                index[id(n)] = i

        def ref(t):
            layer, node_index, tensor_index = t._keras_history
            return [layer.name, index[id(layer._inbound_nodes[node_index])], tensor_index, {}]
        layers = []
        for layer in self.layers:
            entry = serialize_keras_object(layer)
            entry["name"] = layer.name
            entry["inbound_nodes"] = [
                _node_entry(layer, n, ref) for n in layer._inbound_nodes
                if id(n) in node_ids and not isinstance(layer, InputLayer)]
            layers.append(entry)
        return {"name": self.name, "trainable": self.trainable, "layers": layers,
                "input_layers": [ref(t)[:3] for t in self.inputs],
                "output_layers": [ref(t)[:3] for t in self.outputs]}

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """Rebuilds layers and replays their calls (nodes whose inputs exist yet, until all are)."""
        from tfgraph_keras.saving.serialization import deserialize_keras_object
        layers, tensors, pending = {}, {}, []
        for entry in config["layers"]:
            layer = deserialize_keras_object({k: v for k, v in entry.items()
                                              if k != "inbound_nodes"}, custom_objects, safe_mode)
            layers[entry["name"]] = layer
            if isinstance(layer, InputLayer):
                tensors[(entry["name"], 0, 0)] = layer.output
            for node in entry.get("inbound_nodes", []):
                pending.append((entry["name"], node))
        counts = {}
        while pending:
            progressed = False
            for item in list(pending):
                name, node = item
                keys = [tuple(r[:3]) for r in _node_refs(node)]
                if not all(k in tensors for k in keys):
                    continue
                if isinstance(node, dict):   # Keras 3: args and kwargs, tensors and constants
                    args, kwargs = _node_call(node, tensors)
                    if kwargs.get("mask", 0) is None and "mask" not in layers[name]._call_params():
                        del kwargs["mask"]  # Keras 3 records mask=None where its call takes one
                    out = layers[name](*args, **kwargs)
                else:
                    args = [tensors[k] for k in keys]
                    out = layers[name](args[0] if len(args) == 1 else args,
                                       **_ref_kwargs(layers[name], node))
                n = counts.get(name, 0)
                counts[name] = n + 1
                for i, t in enumerate(_flatten(out)):
                    tensors[(name, n, i)] = t
                pending.remove(item)
                progressed = True
            if not progressed:
                raise ValueError("Could not rebuild the model from its config: unresolved inputs "
                                 "for layers %s" % sorted({p[0] for p in pending}))
        def refs(value):   # Keras 3 writes one input/output as [name, node, tensor]
            return [value] if value and isinstance(value[0], str) else value
        inputs = [tensors[tuple(r[:3])] for r in refs(config["input_layers"])]
        outputs = [tensors[tuple(r[:3])] for r in refs(config["output_layers"])]
        kwargs = {"name": config.get("name")}
        model = Model(inputs=inputs if len(inputs) > 1 else inputs[0],
                      outputs=outputs if len(outputs) > 1 else outputs[0], **kwargs)
        if cls is not Model and issubclass(cls, Model):
            model.__class__ = cls
        model.trainable = config.get("trainable", True)
        return model

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        from tfgraph_keras.models.summary import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn)


def _unique_output_names(outputs):
    """Output names as Keras 2 gives them: the producing layer's name, then `name_1`, `name_2`
    for further outputs of the same layer (a shared layer), so every output keeps its own loss
    and metrics. Keras 3 repeats the name and loses all but one of those losses."""
    names, counts = [], {}
    for t in outputs:
        base = proposal = t._keras_history[0].name
        while proposal in names:
            counts[base] = counts.get(base, 0) + 1
            proposal = "%s_%d" % (base, counts[base])
        names.append(proposal)
    return names


def _node_entry(layer, node, ref):
    """A node as Keras 2 writes it ([[layer, node, tensor, call flags], ...]), or in Keras 3's
    {"args", "kwargs"} form for a layer whose call takes several tensor arguments
    (MultiHeadAttention(query, value, key=..., attention_mask=...)), which Keras 3 needs."""
    hook = getattr(layer, "_keras3_node_config", None)
    if hook is not None:
        def keras_tensor(t):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": t.shape.as_list(), "dtype": t.dtype.name,
                               "keras_history": ref(t)[:3]}}
        return hook(node, keras_tensor, _plain_kwargs(node.call_kwargs))
    return [ref(t)[:3] + [_plain_kwargs(node.call_kwargs)] for t in node.flat_inputs]


def _plain_kwargs(kwargs):
    """A node's call flags (return_attention_scores=True, ...) as Keras 2 writes them in its
    inbound refs; tensors travel as inputs, `training` is the learning phase's."""
    return {k: v for k, v in kwargs.items()
            if k != "training" and isinstance(v, (bool, int, float, str))}


def _ref_kwargs(layer, node):
    """The call flags of a Keras 2 style node that the layer's call accepts."""
    params = layer._call_params()
    kwargs = node[0][3] if node and len(node[0]) > 3 and isinstance(node[0][3], dict) else {}
    return {k: v for k, v in _plain_kwargs(kwargs).items() if k in params}


def _node_refs(node):
    """Inbound refs from Keras 2 ([[name, node, tensor, kwargs]]) or Keras 3 ({"args": ...,
    "kwargs": ...}: a `mask=` tensor is an input of the node too)."""
    if isinstance(node, dict):
        refs = []

        def walk(x):
            if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
                refs.append(x["config"]["keras_history"])
            elif isinstance(x, dict):
                for e in x.values():
                    walk(e)
            elif isinstance(x, (list, tuple)):
                for e in x:
                    walk(e)
        walk(node.get("args", []))
        walk({k: v for k, v in (node.get("kwargs") or {}).items() if k != "training"})
        return refs
    return node


def _node_call(node, tensors):
    """(args, kwargs) of a Keras 3 node with its tensors in place. The recorded `training`
    flag is dropped: the learning phase decides it, as when Keras replays the node."""
    def fill(x):
        if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
            return tensors[tuple(x["config"]["keras_history"][:3])]
        if isinstance(x, dict):
            return {k: fill(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [fill(e) for e in x]
        return x
    kwargs = {k: fill(v) for k, v in (node.get("kwargs") or {}).items() if k != "training"}
    return [fill(a) for a in node.get("args", [])], kwargs


def _rebuild(structure, values):
    if isinstance(structure, (list, tuple)):
        return type(structure)(_rebuild(s, values) for s in structure)
    if isinstance(structure, dict):
        return {k: _rebuild(v, values) for k, v in structure.items()}
    try:
        return values[id(structure)]
    except KeyError:
        raise ValueError("Graph disconnected: cannot obtain value for tensor %s." % (structure,)) \
            from None
