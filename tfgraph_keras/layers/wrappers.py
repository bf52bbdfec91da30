"""Layer wrappers: TimeDistributed and Bidirectional (Keras 3 semantics, weights and names).

    TimeDistributed(Dense(8))(x)                 # (batch, time, f) -> (batch, time, 8)
    Bidirectional(LSTM(16, return_sequences=True))(x)          # concat: (batch, time, 32)
    Bidirectional(GRU(4), merge_mode="sum", backward_layer=GRU(4, go_backwards=True))

The wrapped layers keep their weights under the wrapper's name, as Keras does
("bidirectional/forward_lstm/lstm_cell/kernel", "time_distributed/dense/kernel"), and are saved in
Keras 3's layout (`layers/bidirectional/forward_layer/cell/vars`, `layers/time_distributed/layer/
vars`), so Keras weight files of models holding them load.
"""
import tfgraph as tf
from tfgraph_keras.layers.base_layer import InputSpec, Layer
from tfgraph_keras.layers.core import as_shape_tuple


def _copy_layer(layer, **overrides):
    """A fresh layer from `layer`'s config (Keras rebuilds the wrapped layer the same way)."""
    from tfgraph_keras.saving import serialization
    config = serialization.serialize_keras_object(layer)
    config["config"].update(overrides)
    return serialization.deserialize_keras_object(config)


def _takes(layer, arg):
    return arg in layer._call_params()


class Wrapper(Layer):
    """Base of layers that wrap another layer (`self.layer`)."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `%s` layer with a `keras.layers.Layer` instance. "
                             "Received: %r" % (type(self).__name__, layer))
        super().__init__(**kwargs)
        self.layer = layer

    def _adopt(self, input_shape, *layers):
        """Names the held layers' weights under this one's and builds them, as Keras does."""
        for layer in layers:
            layer._weight_scope_prefix = self._weight_scope_prefix + self.name + "/"
            if not layer.built:
                layer.build(input_shape)
                layer.built = True
                if layer._initial_weights is not None:
                    layer.set_weights(layer._initial_weights)
                    layer._initial_weights = None

    def _state_children(self):
        """Keras 3's weight-file groups of the wrapped layer(s) (see saving/state.py)."""
        return [("layer", self.layer)]

    def get_config(self):
        from tfgraph_keras.saving import serialization
        config = super().get_config()
        config["layer"] = serialization.serialize_keras_object(self.layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tfgraph_keras.saving import serialization
        config = dict(config)
        config["layer"] = serialization.deserialize_keras_object(config["layer"], custom_objects)
        return cls(**config)


class TimeDistributed(Wrapper):
    """Applies `layer` to every time step of (batch, time, ...) inputs (the same weights at each
    step): the inputs are folded to (batch * time, ...), the layer runs once, and the result is
    unfolded to (batch, time, ...). The input mask passes through.

        TimeDistributed(Conv2D(8, 3))(frames)    # (batch, time, h, w, c)
    """

    _supports_masking = True

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.input_spec = InputSpec(min_ndim=3)

    def build(self, input_shape):
        shape = as_shape_tuple(input_shape)
        if len(shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with at "
                             "least 3 dimensions, received: %s" % (shape,))
        self._adopt((shape[0],) + tuple(shape[2:]), self.layer)
        self.built = True

    def call(self, inputs, training=None, mask=None):
        shape = inputs.shape.as_list()
        inner = shape[2:]
        if any(d is None for d in inner):
            raise ValueError("TimeDistributed '%s' needs known dimensions after the time axis; "
                             "got input shape %s." % (self.name, tuple(shape)))
        steps = shape[1] if shape[1] is not None else tf.shape(inputs)[1]
        folded = tf.reshape(inputs, [-1] + inner)
        kwargs = {"training": training} if _takes(self.layer, "training") else {}
        y = self.layer(folded, **kwargs)
        if isinstance(y, (list, tuple)):
            raise ValueError("TimeDistributed '%s' wraps a layer with several outputs (%s), "
                             "which is not supported." % (self.name, self.layer.name))
        out_inner = y.shape.as_list()[1:]
        if any(d is None for d in out_inner):
            tail = tf.shape(y)[1:]
            target = tf.concat([tf.stack([-1, steps]), tail], 0)
        elif isinstance(steps, int):
            target = [-1, steps] + out_inner
        else:
            target = tf.concat([tf.stack([-1, steps]), tf.constant(out_inner, tf.int32)], 0)
        return tf.reshape(y, target)

    def compute_output_shape(self, input_shape):
        shape = as_shape_tuple(input_shape)
        inner = self.layer.compute_output_shape((shape[0],) + tuple(shape[2:]))
        return (shape[0], shape[1]) + tuple(inner[1:])


_MERGE_MODES = ("concat", "sum", "ave", "mul", None)


class Bidirectional(Wrapper):
    """Runs a recurrent layer forward and a copy of it backward over the sequence and merges the
    two: merge_mode "concat" (default), "sum", "ave", "mul", or None (a list of both).

    The forward layer is rebuilt from `layer`'s config as "forward_<name>"; the backward layer is
    `backward_layer`, or another copy with `go_backwards` flipped named "backward_<name>". With
    return_sequences the backward outputs are flipped back to input order before merging, and
    masked steps output zeros (zero_output_for_mask), as in Keras. With return_state the forward
    then the backward final states follow the merged output.

        Bidirectional(LSTM(64, return_sequences=True), input_shape=(100, 8))
    """

    _supports_masking = True

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a "
                             "`keras.layers.Layer` instance. Received: %r" % (layer,))
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("`backward_layer` need to be a `keras.layers.Layer` instance. "
                             "Received: %r" % (backward_layer,))
        if merge_mode not in _MERGE_MODES:
            raise ValueError("Invalid merge mode. Received: %s. Merge mode should be one of "
                             "{\"sum\", \"mul\", \"ave\", \"concat\", None}" % (merge_mode,))
        Layer.__init__(self, **kwargs)
        base = layer.name.removeprefix("forward_")
        self.forward_layer = _copy_layer(layer, name="forward_" + base)
        self._custom_backward = backward_layer is not None
        if backward_layer is None:
            base = layer.name.removeprefix("backward_")
            backward_layer = _copy_layer(layer, name="backward_" + base,
                                         go_backwards=not getattr(layer, "go_backwards", False))
        self.backward_layer = backward_layer
        self._verify()
        for sub in (self.forward_layer, self.backward_layer):
            if hasattr(sub, "zero_output_for_mask"):
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        if weights:
            n = len(weights) // 2
            self.forward_layer._initial_weights = list(weights[:n])
            self.backward_layer._initial_weights = list(weights[n:])
        self.stateful = getattr(layer, "stateful", False)
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.input_spec = layer.input_spec
        self._n_state_outputs = 0

    def _verify(self):
        fwd, bwd = self.forward_layer, self.backward_layer
        for attr in ("go_backwards", "return_sequences", "return_state"):
            if not hasattr(fwd, attr) or not hasattr(bwd, attr):
                raise ValueError("Bidirectional wraps a recurrent layer with `%s`; %s (%s) has "
                                 "none." % (attr, fwd.name, type(fwd).__name__))
        if fwd.go_backwards == bwd.go_backwards:
            raise ValueError("Forward layer and backward layer should have different "
                             "`go_backwards` value. Received: forward_layer.go_backwards %s, "
                             "backward_layer.go_backwards=%s" % (fwd.go_backwards,
                                                                 bwd.go_backwards))
        for attr in ("stateful", "return_sequences", "return_state"):
            a, b = getattr(fwd, attr, False), getattr(bwd, attr, False)
            if a != b:
                raise ValueError("Forward layer and backward layer are expected to have the same "
                                 "value for attribute \"%s\", got \"%s\" for forward layer and "
                                 "\"%s\" for backward layer" % (attr, a, b))

    @property
    def layer(self):
        """The forward layer (the wrapped layer is copied, not kept)."""
        return self.forward_layer

    def _state_children(self):
        return [("forward_layer", self.forward_layer), ("backward_layer", self.backward_layer)]

    def build(self, input_shape):
        self._adopt(input_shape, self.forward_layer, self.backward_layer)
        self.built = True

    def call(self, inputs, training=None, mask=None, initial_state=None):
        kwargs = {}
        if _takes(self.forward_layer, "training"):
            kwargs["training"] = training
        if mask is not None and _takes(self.forward_layer, "mask"):
            kwargs["mask"] = mask[0] if isinstance(mask, (list, tuple)) else mask
        fwd_state = bwd_state = None
        if initial_state is not None:
            states = list(initial_state)
            half = len(states) // 2
            fwd_state, bwd_state = states[:half], states[half:]
        y = self.forward_layer(inputs, initial_state=fwd_state, **kwargs)
        y_rev = self.backward_layer(inputs, initial_state=bwd_state, **kwargs)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        self._n_state_outputs = len(states)
        if self.return_sequences:
            y_rev = tf.reverse(y_rev, [1])
        if self.merge_mode == "concat":
            out = [tf.concat([y, y_rev], axis=-1)]
        elif self.merge_mode == "sum":
            out = [y + y_rev]
        elif self.merge_mode == "ave":
            out = [(y + y_rev) / 2]
        elif self.merge_mode == "mul":
            out = [y * y_rev]
        else:
            out = [y, y_rev]
        out = out + states
        return out[0] if len(out) == 1 else out

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = [mask if self.return_sequences else None] * (1 if self.merge_mode else 2)
        out += [None] * self._n_state_outputs
        return out[0] if len(out) == 1 else out

    def compute_output_shape(self, input_shape):
        fwd = self.forward_layer.compute_output_shape(input_shape)
        bwd = self.backward_layer.compute_output_shape(input_shape)
        fstates, bstates = [], []
        if self.return_state:
            fwd, fstates, bwd, bstates = fwd[0], list(fwd[1:]), bwd[0], list(bwd[1:])
        fwd, bwd = tuple(fwd), tuple(bwd)
        if self.merge_mode == "concat":
            last = None if fwd[-1] is None or bwd[-1] is None else fwd[-1] + bwd[-1]
            out = [fwd[:-1] + (last,)]
        elif self.merge_mode is None:
            out = [fwd, bwd]
        else:
            out = [fwd]
        out = out + fstates + bstates
        return out[0] if len(out) == 1 else out

    def get_config(self):
        from tfgraph_keras.saving import serialization
        config = Layer.get_config(self)
        config["merge_mode"] = self.merge_mode
        config["layer"] = serialization.serialize_keras_object(self.forward_layer)
        if self._custom_backward:
            config["backward_layer"] = serialization.serialize_keras_object(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tfgraph_keras.saving import serialization
        config = dict(config)
        config["layer"] = serialization.deserialize_keras_object(config["layer"], custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = serialization.deserialize_keras_object(
                config["backward_layer"], custom_objects)
        return cls(**config)


__all__ = ["Wrapper", "TimeDistributed", "Bidirectional"]
