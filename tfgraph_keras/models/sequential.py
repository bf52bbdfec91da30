"""keras.Sequential: a linear stack of layers, a thin builder over the functional Model."""
from tfgraph_keras import backend
from tfgraph_keras.layers.base_layer import Layer
from tfgraph_keras.layers.input_layer import InputLayer
from tfgraph_keras.models.functional import Model


class Sequential(Model):
    """`Sequential([Dense(64, input_shape=(784,)), Dense(10)])`, or `add()` one layer at a time.

    The graph is built as soon as the input shape is known (an `Input`, or `input_shape=` on the
    first
    layer); otherwise on the first batch of data."""

    _is_sequential = True  # models/summary.py prints it as Keras prints a Sequential

    def __init__(self, layers=None, name=None, trainable=True, **kwargs):
        Model.__init__(self, name=name or backend.unique_object_name("sequential"),
                       trainable=trainable, **kwargs)
        self._stack = []
        self._input_layer = None
        self._chain = []
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self):
        return list(self._stack)

    def _sublayers(self):
        return list(self._stack)

    def add(self, layer):
        if hasattr(layer, "_keras_history") and isinstance(layer._keras_history[0], InputLayer):
            layer = layer._keras_history[0]
        if not isinstance(layer, Layer):
            raise TypeError("The added layer must be an instance of class Layer. Received: "
                            "layer=%r of type %s." % (layer, type(layer)))
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._stack:
                raise ValueError("An InputLayer can only be the first layer of a Sequential model.")
            self._input_layer = layer
            self._chain = [layer.output]
            return
        if any(lay is layer for lay in self._stack):
            raise ValueError("All layers added to a Sequential model should have unique names. "
                             "Name \"%s\" is already the name of a layer in this model."
                             % layer.name)
        self._stack.append(layer)
        if not self._chain and len(self._stack) == 1 and layer._batch_input_shape is not None:
            self._input_layer = InputLayer(batch_input_shape=layer._batch_input_shape,
                                           dtype=layer.dtype if layer.dtype != "float32" and
                                           isinstance(layer, Model) else None,
                                           name=layer.name + "_input")
            self._chain = [self._input_layer.output]
        if self._chain:
            self._chain.append(layer(self._chain[-1]))
            self._refresh()

    def pop(self):
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        if len(self._chain) > 1:
            self._chain.pop()
        self._refresh()
        return layer

    def _refresh(self):
        if self._chain and len(self._chain) > 1:
            self._init_graph_network(self._chain[0], self._chain[-1])
        else:
            self._is_graph_network = False
            self.inputs, self.outputs = [], []
            self._reset_compiled()

    def _build_from_arrays(self, arrays):
        if self.outputs:
            return
        a = arrays[0]
        self._build_input((None,) + tuple(a.shape[1:]),
                          a.dtype.name if a.dtype.kind in "iub" else None)

    def _build_input(self, batch_shape, dtype=None):
        if not self._stack:
            raise ValueError("Sequential model %s has no layers." % self.name)
        if self._input_layer is None:
            self._input_layer = InputLayer(batch_input_shape=tuple(batch_shape), dtype=dtype,
                                           name=self._stack[0].name + "_input")
        self._chain = [self._input_layer.output]
        for layer in self._stack:
            self._chain.append(layer(self._chain[-1]))
        self._refresh()

    def build(self, input_shape=None):
        if self.outputs:
            return
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError("You must provide an `input_shape` argument.")
            input_shape = self._input_layer._batch_input_shape
        self._build_input(tuple(input_shape))
        self.built = True

    def get_config(self):
        from tfgraph_keras.saving.serialization import serialize_keras_object
        layers = []
        if self._input_layer is not None:
            layers.append(serialize_keras_object(self._input_layer))
        layers.extend(serialize_keras_object(lay) for lay in self._stack)
        return {"name": self.name, "trainable": self.trainable, "layers": layers}

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        from tfgraph_keras.saving.serialization import deserialize_keras_object
        entries = config["layers"] if isinstance(config, dict) else config
        model = cls(name=config.get("name") if isinstance(config, dict) else None)
        for entry in entries:
            model.add(deserialize_keras_object(entry, custom_objects, safe_mode))
        if isinstance(config, dict) and "trainable" in config:
            model.trainable = config["trainable"]
        return model
