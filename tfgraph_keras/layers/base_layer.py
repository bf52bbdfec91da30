"""keras.layers.Layer: the base class of every layer and model, in TF1-Keras (graph) style.

Subclass API (stable; concrete layers build on it):

    class MyDense(Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)            # name, trainable, dtype, input_shape, input_dim
            ...
            self.units = units
        def build(self, input_shape):             # tuple with None for unknown dims
            self.kernel = self.add_weight("kernel", (input_shape[-1], self.units),
                                          initializer="glorot_uniform", regularizer=None)
        def call(self, inputs, training=None):    # inputs: tfgraph Tensor(s); return tfgraph
        Tensor(s)
            return tf.matmul(inputs, self.kernel)
        def compute_output_shape(self, input_shape):
            return input_shape[:-1] + (self.units,)
        def get_config(self):
            return {**super().get_config(), "units": self.units}

`layer(x)` on symbolic tensors (from `Input` or other layers) adds ops to x's graph and records a
Node
(the functional API's layer graph); on numpy arrays it runs the layer and returns numpy.
`training` reaching `call` is a python bool or a scalar bool tensor (the learning phase, False
unless
`fit` feeds True); use `backend.in_train_phase(train_fn, test_fn, training)` to branch.
`add_update(op)` registers ops (BatchNormalization moving stats) that `fit` runs once per batch;
`add_loss(tensor)` registers extra loss terms (regularizers) that `compile` adds to the total loss.
"""
import inspect

import numpy as np

import tfgraph as tf
from tfgraph.framework.tensor import Tensor
from tfgraph_keras import backend


class InputSpec:
    """Constraints on a layer's input: ndim, min_ndim, max_ndim, axes {axis: size}, shape."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
                 allow_last_axis_squeeze=False, name=None):
        self.dtype = dtype
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.axes = dict(axes or {})
        self.name = name


class Node:
    """One call of a layer on symbolic tensors: links inbound tensors to outbound tensors."""

    def __init__(self, layer, input_tensors, output_tensors, call_kwargs=None, extra_args=()):
        self.layer = layer
        self.input_tensors = input_tensors  # as passed (tensor or list)
        self.output_tensors = output_tensors
        self.call_kwargs = call_kwargs or {}
        # further positional tensors, call(targets, logits) (Keras 3): inputs of the node too
        self.extra_args = tuple(extra_args)
        self.flat_inputs = _flatten(input_tensors) + [
            t for t in _flatten(list(extra_args)) if _is_symbolic(t)]
        self.flat_outputs = _flatten(output_tensors)
        self.node_index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for i, t in enumerate(self.flat_outputs):
            t._keras_history = (layer, self.node_index, i)

    @property
    def inbound_layers(self):
        return [t._keras_history[0] for t in self.flat_inputs if hasattr(t, "_keras_history")]


def _flatten(x):
    if isinstance(x, (list, tuple)):
        out = []
        for e in x:
            out.extend(_flatten(e))
        return out
    if isinstance(x, dict):
        return _flatten(list(x.values()))
    return [x]


def _map(fn, x):
    if isinstance(x, (list, tuple)):
        return type(x)(_map(fn, e) for e in x)
    if isinstance(x, dict):
        return {k: _map(fn, v) for k, v in x.items()}
    return fn(x)


def _is_symbolic(x):
    return any(isinstance(t, Tensor) or isinstance(t, tf.Variable) for t in _flatten(x))


def _shape_of(t):
    if t.shape.ndims is None:
        return None
    return tuple(t.shape.as_list())


def _shapes(x):
    return _map(_shape_of, x)


def _fmt_shape(shape):
    return str(tuple(shape)) if shape is not None else "(unknown)"


_LAYER_KWARGS = ("input_shape", "batch_input_shape", "batch_size", "weights",
                 "activity_regularizer", "autocast", "input_dim", "dynamic", "input_length")


class Layer:
    """Base class for layers (see module docstring for the subclass API)."""

    # Keras's `supports_masking`: a layer that keeps the time axis passes its input mask on.
    _supports_masking = False

    def __init__(self, trainable=True, name=None, dtype=None, input_shape=None,
                 batch_input_shape=None, input_dim=None, **kwargs):
        allowed = set(_LAYER_KWARGS)
        for k in kwargs:
            if k not in allowed:
                raise TypeError("Keyword argument not understood: '%s' (layer %s)"
                                % (k, type(self).__name__))
        if input_dim is not None and input_shape is None:
            input_length = kwargs.get("input_length")
            input_shape = (input_length, input_dim) if input_length is not None else (input_dim,)
        if batch_input_shape is None and input_shape is not None:
            batch_input_shape = (kwargs.get("batch_size"),) + tuple(input_shape)
        self._batch_input_shape = (tuple(batch_input_shape) if batch_input_shape is not None
                                   else None)
        self._trainable = trainable
        self.name = name or backend.unique_object_name(backend.to_snake_case(type(self).__name__))
        self.dtype = tf.as_dtype(dtype).name if dtype is not None else backend.floatx()
        self.built = False
        self.input_spec = None
        self.supports_masking = type(self)._supports_masking
        # A layer held by a wrapper (Bidirectional, TimeDistributed, RNN cells) names its weights
        # under the wrapper's: "bidirectional/forward_lstm/lstm_cell/kernel" as in Keras.
        self._weight_scope_prefix = ""
        self._initial_weights = kwargs.get("weights")
        self.activity_regularizer = kwargs.get("activity_regularizer")
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._losses = []
        self._updates = []
        self._inbound_nodes = []
        self._numpy_fns = {}
        self._graph = None

    # -- attributes
    # ---------------------------------------------------------------------------------
    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._sublayers():
            layer.trainable = value

    def _sublayers(self):
        """Layers tracked as attributes (a layer built from other layers); models override."""
        out = []
        for v in vars(self).values():
            if isinstance(v, Layer) and v is not self:
                out.append(v)
            elif isinstance(v, (list, tuple)):
                out.extend(e for e in v if isinstance(e, Layer) and e is not self)
        return out

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        own = list(self._trainable_weights)
        for layer in self._sublayers():
            own.extend(w for w in layer.trainable_weights if not _contains(own, w))
        return own

    @property
    def non_trainable_weights(self):
        own = list(self._non_trainable_weights)
        if not self.trainable:
            own = list(self._trainable_weights) + own
        for layer in self._sublayers():
            own.extend(w for w in layer.non_trainable_weights if not _contains(own, w))
        return own

    @property
    def weights(self):
        """Own weights (trainable, then not), then each sublayer's, as Keras 3 orders them: a
        model's list goes layer by layer (Keras 2 put every trainable weight first), so
        get_weights/set_weights lists line up with Keras 3's."""
        own = list(self._trainable_weights) + list(self._non_trainable_weights)
        for layer in self._sublayers():
            own.extend(w for w in layer.weights if not _contains(own, w))
        return own

    def _state_variables(self):
        """Variables that are not weights (a stateful RNN's states): initialized with the
        weights, never saved, zeroed by reset_states()."""
        out = list(getattr(self, "_rnn_state_vars", None) or [])
        for layer in self._sublayers():
            out.extend(v for v in layer._state_variables() if not _contains(out, v))
        return out

    def reset_states(self):
        """Zeroes the states of the stateful RNN layers in this layer or model (Keras 2 API)."""
        for layer in self._sublayers():
            layer.reset_states()

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    @property
    def variables(self):
        return self.weights

    @property
    def losses(self):
        out = list(self._losses)
        for layer in self._sublayers():
            out.extend(loss for loss in layer.losses if not _contains(out, loss))
        return out

    @property
    def updates(self):
        out = list(self._updates)
        for layer in self._sublayers():
            out.extend(u for u in layer.updates if not _contains(out, u))
        return out

    # -- building
    # ------------------------------------------------------------------------------------
    def build(self, input_shape):
        self.built = True

    def add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None,
                   trainable=True, constraint=None, **kwargs):
        """Creates a tfgraph Variable named '<layer>/<name>' and tracks it (and its regularizer)."""
        from tfgraph_keras import initializers, regularizers
        if shape is None:
            shape = ()
        dtype = tf.as_dtype(dtype or self.dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.is_floating else "zeros"
        init = initializers.get(initializer)
        shape = tuple(int(d) for d in shape)
        graph = self._graph or tf.get_default_graph()
        self._graph = graph
        with graph.as_default(), graph.name_scope(None), \
                graph.name_scope(self._weight_scope_prefix + self.name + "/"):
            var = tf.Variable(lambda: init(shape, dtype=dtype), name=name or "Variable",
                              dtype=dtype, trainable=trainable)
        var._keras_constraint = constraint
        (self._trainable_weights if trainable else self._non_trainable_weights).append(var)
        if regularizer is not None:
            reg = regularizers.get(regularizer)
            with graph.as_default(), graph.name_scope(None), \
                    graph.name_scope(self._weight_scope_prefix + self.name + "/"):
                self.add_loss(reg(var))
        return var

    def add_loss(self, losses, inputs=None):
        for loss in _flatten(losses):
            if loss is not None and not _contains(self._losses, loss):
                self._losses.append(loss)

    def add_update(self, updates, inputs=None):
        for u in _flatten(updates):
            if u is not None and not _contains(self._updates, u):
                self._updates.append(u)

    def _maybe_build(self, inputs):
        if self.built:
            return
        self.build(_shapes(inputs))
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    # -- calling
    # -------------------------------------------------------------------------------------
    def call(self, inputs, **kwargs):
        return inputs

    def __call__(self, inputs, *args, **kwargs):
        if not _is_symbolic(inputs):
            return self._call_numpy(inputs, *args, **kwargs)
        inputs = _map(lambda t: t.value() if isinstance(t, tf.Variable) else t, inputs)
        graph = _flatten(inputs)[0].graph
        if self._graph is not None and self._graph is not graph:
            raise ValueError("Layer %s was built in another graph than its input %s; create the "
                             "model again after keras.backend.clear_session()."
                             % (self.name, _flatten(inputs)[0].name))
        self._graph = graph
        with graph.as_default():
            self._assert_input_compatibility(inputs)
            self._maybe_build(inputs)
            call_kwargs = dict(kwargs)
            params = self._call_params()
            if "training" in call_kwargs and "training" not in params and not any(
                    p.kind == p.VAR_KEYWORD for p in params.values()):
                del call_kwargs["training"]  # Keras 3: call(x) without `training` is called so
            if "training" in params and call_kwargs.get("training") is None:
                call_kwargs["training"] = backend.learning_phase()
            in_mask = call_kwargs.get("mask")
            if in_mask is None:
                in_mask = _map(lambda t: getattr(t, "_keras_mask", None), inputs)
                if not any(m is not None for m in _flatten(in_mask)):
                    in_mask = None
                if "mask" in params and in_mask is not None:
                    call_kwargs["mask"] = in_mask
            with graph.name_scope(self.name):
                try:
                    outputs = self.call(inputs, *args, **call_kwargs)
                except (ValueError, TypeError) as e:
                    if "Exception encountered when calling layer" in str(e):
                        raise
                    raise type(e)("Exception encountered when calling layer \"%s\" (type %s).\n\n"
                                  "%s\n\nCall arguments received by layer \"%s\" (type %s):\n"
                                  "  \u2022 inputs shape=%s" % (
                                      self.name, type(self).__name__, e, self.name,
                                      type(self).__name__, _map(_shape_of, inputs))) from e
                if self.activity_regularizer is not None:
                    from tfgraph_keras import regularizers
                    reg = regularizers.get(self.activity_regularizer)
                    for o in _flatten(outputs):
                        n = tf.cast(tf.shape(o)[0], o.dtype)
                        self.add_loss(reg(o) / n)
            outputs = _map(lambda t: tf.identity(t) if _is_reused(t, inputs) else t, outputs)
            Node(self, inputs, outputs, kwargs, args)
            mask = self.compute_mask(inputs, in_mask)
            if mask is not None:
                for o, m in zip(_flatten(outputs), _flatten(mask)):
                    if m is not None:
                        o._keras_mask = m
        return outputs

    def _call_params(self):
        try:
            return inspect.signature(self.call).parameters
        except (TypeError, ValueError):
            return {}

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs: the input mask where `supports_masking`, else None."""
        return mask if self.supports_masking else None

    def _assert_input_compatibility(self, inputs):
        spec = self.input_spec
        if spec is None:
            return
        specs = spec if isinstance(spec, (list, tuple)) else [spec]
        flat = _flatten(inputs)
        if len(specs) != len(flat):
            if len(specs) == 1:
                specs = specs * len(flat)
            else:
                raise ValueError("Layer %s expects %d input(s), but it received %d input tensors."
                                 % (self.name, len(specs), len(flat)))
        for i, (s, x) in enumerate(zip(specs, flat)):
            if s is None:
                continue
            shape = _shape_of(x)
            nd = len(shape) if shape is not None else None
            where = "Input %d of layer \"%s\" is incompatible with the layer: " % (i, self.name)
            if s.ndim is not None and nd is not None and nd != s.ndim:
                raise ValueError(where + "expected ndim=%d, found ndim=%d. Full shape received: %s"
                                 % (s.ndim, nd, _fmt_shape(shape)))
            if s.min_ndim is not None and nd is not None and nd < s.min_ndim:
                raise ValueError(where + "expected min_ndim=%d, found ndim=%d. Full shape received:"
                                 " %s" % (s.min_ndim, nd, _fmt_shape(shape)))
            if s.max_ndim is not None and nd is not None and nd > s.max_ndim:
                raise ValueError(where + "expected max_ndim=%d, found ndim=%d. Full shape received:"
                                 " %s" % (s.max_ndim, nd, _fmt_shape(shape)))
            for axis, size in s.axes.items():
                if shape is None or size is None:
                    continue
                got = shape[axis] if -len(shape) <= axis < len(shape) else None
                if got is not None and got != size:
                    raise ValueError(where + "expected axis %d of input shape to have value %d, "
                                     "but received input with shape %s"
                                     % (axis, size, _fmt_shape(shape)))
            if s.shape is not None and shape is not None:
                for a, b in zip(s.shape, shape):
                    if a is not None and b is not None and a != b:
                        raise ValueError(where + "expected shape=%s, found shape=%s"
                                         % (_fmt_shape(s.shape), _fmt_shape(shape)))

    def _call_numpy(self, inputs, *args, **kwargs):
        """Runs the layer on numpy input: a cached placeholder graph per input signature."""
        arrays = _map(lambda a: np.asarray(a), inputs)
        training = kwargs.pop("training", None)
        flat = _flatten(arrays)
        key = (tuple((a.shape, a.dtype.str) for a in flat), training, args,
               tuple(sorted(kwargs.items())))
        entry = self._numpy_fns.get(key)
        if entry is None:
            graph = self._graph or tf.get_default_graph()
            with graph.as_default():
                holders = []

                def make(a):
                    dt = a.dtype if a.dtype.kind != "f" else (np.dtype(self.dtype) if
                                                             self.dtype else a.dtype)
                    p = tf.placeholder(dt, (None,) + a.shape[1:])
                    holders.append(p)
                    return p
                sym = _map(make, arrays)
                if training is not None:
                    kwargs["training"] = bool(training)
                saved = list(self._inbound_nodes)
                out = self.__call__(sym, *args, **kwargs)
                self._inbound_nodes[:] = saved  # eager calls are not part of the layer graph
            sess = backend.get_session(graph)
            backend.initialize_variables(self.weights + self._state_variables(), sess)
            fn = sess.make_callable(out, holders)
            entry = (fn, holders)
            self._numpy_fns[key] = entry
        fn, holders = entry
        backend.initialize_variables(self.weights + self._state_variables(),
                                     backend.get_session(holders[0].graph))
        return fn(*[a.astype(h.dtype.np, copy=False) for a, h in zip(flat, holders)])

    # -- weights
    # -------------------------------------------------------------------------------------
    def get_weights(self):
        return [np.array(v) for v in backend.batch_get_value(self.weights)]

    def set_weights(self, weights):
        params = self.weights
        if len(params) != len(weights):
            raise ValueError("You called `set_weights(weights)` on layer \"%s\" with a weight "
                             "list of "
                             "length %d, but the layer was expecting %d weights."
                             % (self.name, len(weights), len(params)))
        pairs = []
        for p, w in zip(params, weights):
            w = np.asarray(w)
            if tuple(p.shape.as_list()) != w.shape:
                raise ValueError("Layer %s weight shape %s is not compatible with provided weight "
                                 "shape %s." % (self.name, tuple(p.shape.as_list()), w.shape))
            pairs.append((p, w))
        backend.batch_set_value(pairs)

    def count_params(self):
        if not self.built:
            raise ValueError("You tried to call `count_params` on layer %s, but the layer isn't "
                             "built. You can build it manually via: `%s.build(batch_input_shape)`."
                             % (self.name, self.name))
        return int(sum(backend.count_params(w) for w in self.weights))

    # -- config
    # --------------------------------------------------------------------------------------
    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def compute_output_shape(self, input_shape):
        """Default: the static shape of the outputs of a call with the same input shape."""
        for node in self._inbound_nodes:
            if _shapes(node.input_tensors) == _norm_shape(input_shape):
                return _shapes(node.output_tensors)
        raise NotImplementedError("Please implement compute_output_shape in layer %s (%s)."
                                  % (self.name, type(self).__name__))

    # -- node-derived properties
    # ---------------------------------------------------------------------
    def _node_attr(self, attr):
        if not self._inbound_nodes:
            raise AttributeError("Layer %s is not connected, no input to return." % self.name)
        values = [getattr(n, attr) for n in self._inbound_nodes]
        return values[0]

    @property
    def input(self):
        return self._node_attr("input_tensors")

    @property
    def output(self):
        if not self._inbound_nodes:
            raise AttributeError("Layer %s has no inbound nodes." % self.name)
        return self._inbound_nodes[0].output_tensors

    @property
    def input_shape(self):
        if not self._inbound_nodes and self._batch_input_shape is not None:
            return self._batch_input_shape
        shapes = {repr(_shapes(n.input_tensors)) for n in self._inbound_nodes}
        if len(shapes) > 1:
            raise AttributeError("The layer \"%s\" has multiple inbound nodes, with different "
                                 "input "
                                 "shapes. Hence the notion of \"input shape\" is ill-defined for "
                                 "the "
                                 "layer." % self.name)
        return _shapes(self.input)

    @property
    def output_shape(self):
        shapes = {repr(_shapes(n.output_tensors)) for n in self._inbound_nodes}
        if not shapes:
            raise AttributeError("The layer \"%s\" has never been called and thus has no defined "
                                 "output shape." % self.name)
        if len(shapes) > 1:
            raise AttributeError("The layer \"%s\" has multiple inbound nodes, with different "
                                 "output"
                                 " shapes." % self.name)
        return _shapes(self.output)

    @property
    def inbound_nodes(self):
        return self._inbound_nodes

    def __repr__(self):
        return "<%s name=%s, built=%s>" % (type(self).__name__, self.name, self.built)


def _norm_shape(shape):
    if shape is None:
        return None
    if isinstance(shape, list):
        return [_norm_shape(s) for s in shape]
    return tuple(shape)


def _contains(seq, x):
    return any(e is x for e in seq)


def _is_reused(t, inputs):
    """A call returning its input tensor unchanged needs a fresh tensor to carry its own history."""
    return any(t is i for i in _flatten(inputs))
