"""keras.Input / InputLayer: a placeholder in the default graph that starts a functional model."""
import tfgraph as tf
from tfgraph_keras import backend
from tfgraph_keras.layers.base_layer import Layer, Node


class InputLayer(Layer):
    """Holds the placeholder fed with a model input; `batch_input_shape` includes the batch dim."""

    def __init__(self, input_shape=None, batch_size=None, dtype=None, input_tensor=None,
                 sparse=False, name=None, ragged=False, batch_input_shape=None, shape=None,
                 batch_shape=None, **kwargs):
        name = name or backend.unique_object_name("input")
        if shape is not None and input_shape is None:
            input_shape = shape
        if batch_shape is not None and batch_input_shape is None:
            batch_input_shape = batch_shape
        if batch_input_shape is None and input_shape is not None:
            batch_input_shape = (batch_size,) + tuple(input_shape)
        super().__init__(name=name, dtype=dtype)
        if input_tensor is None:
            if batch_input_shape is None:
                raise ValueError("Please provide to Input either a `shape` or a `tensor` argument.")
            batch_input_shape = tuple(None if d is None else int(d) for d in batch_input_shape)
            graph = tf.get_default_graph()
            with graph.as_default(), graph.name_scope(None):
                input_tensor = tf.placeholder(self.dtype, batch_input_shape, name=self.name)
        else:
            batch_input_shape = tuple(input_tensor.shape.as_list())
        self._batch_input_shape = batch_input_shape
        self._graph = input_tensor.graph
        self.is_placeholder = True
        self.built = True
        Node(self, [], [input_tensor])

    @property
    def input(self):
        return self._inbound_nodes[0].output_tensors[0]

    @property
    def output(self):
        return self._inbound_nodes[0].output_tensors[0]

    @property
    def input_shape(self):
        return self._batch_input_shape

    @property
    def output_shape(self):
        return self._batch_input_shape

    @property
    def batch_shape(self):
        return self._batch_input_shape

    def get_config(self):
        return {"batch_input_shape": self._batch_input_shape, "dtype": self.dtype,
                "sparse": False, "name": self.name}


def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=False, tensor=None,
          ragged=False, batch_shape=None, **kwargs):
    """keras.Input(shape=(28, 28, 1)): a symbolic placeholder tensor with unknown batch size."""
    if shape is None and batch_shape is None and tensor is None:
        raise ValueError("Please provide to Input a `shape` or a `tensor` or a `batch_shape` "
                         "argument. Note that `shape` does not include the batch dimension.")
    if "batch_input_shape" in kwargs:
        batch_shape = kwargs.pop("batch_input_shape")
    if kwargs:
        raise ValueError("Unrecognized keyword arguments: %s" % sorted(kwargs))
    if isinstance(shape, int):
        shape = (shape,)
    layer = InputLayer(input_shape=shape, batch_size=batch_size, dtype=dtype, input_tensor=tensor,
                       name=name, batch_input_shape=batch_shape)
    return layer.output
