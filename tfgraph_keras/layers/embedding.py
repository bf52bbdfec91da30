"""Embedding: integer ids -> rows of an (input_dim, output_dim) table, by gather (sparse grads)."""
import tfgraph as tf
from tfgraph_keras import initializers, regularizers
from tfgraph_keras.layers.base_layer import Layer
from tfgraph_keras.layers.core import as_shape_tuple, constraints, serialize_or_none


class Embedding(Layer):
    """Turns ids (batch, ...) into vectors (batch, ..., output_dim).

        Embedding(input_dim=10000, output_dim=64)
    The lookup is a gather, so its gradient is an IndexedSlices holding only the looked-up rows: a
    training step never builds a dense (vocabulary x dim) gradient. `mask_zero=True` makes id 0
    padding: the mask `ids != 0` goes on to the layers after (RNNs skip those steps, losses and
    metrics leave them out), as in Keras.
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, activity_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, input_length=None, **kwargs):
        if input_length is not None and "input_shape" not in kwargs and \
                "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,)
        kwargs.setdefault("dtype", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.input_length = input_length
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)

    def build(self, input_shape):
        self.embeddings = self.add_weight(name="embeddings",
                                          shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        ids = inputs if inputs.dtype in (tf.int32, tf.int64) else tf.cast(inputs, tf.int32)
        return tf.gather(self.embeddings, ids)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return tf.not_equal(inputs, tf.constant(0, dtype=inputs.dtype))

    def compute_output_shape(self, input_shape):
        return as_shape_tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.update(
            input_dim=self.input_dim, output_dim=self.output_dim,
            embeddings_initializer=initializers.serialize(self.embeddings_initializer),
            embeddings_regularizer=serialize_or_none(regularizers, self.embeddings_regularizer),
            activity_regularizer=serialize_or_none(
                regularizers, regularizers.get(self.activity_regularizer)),
            embeddings_constraint=constraints.serialize(self.embeddings_constraint),
            mask_zero=self.mask_zero, input_length=self.input_length)
        return config


__all__ = ["Embedding"]
