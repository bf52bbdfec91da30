"""keras.layers.Hashing: values -> bins by FarmHash Fingerprint64 (SipHash-2-4 with a `salt`),
bit-exact with Keras on TensorFlow; integers hash their decimal text, floats are truncated to
integers first, as Keras does."""
import tfgraph as tf
from tfgraph.ops import string_ops
from tfgraph.ops.lookup_ops import StaticHashTable
from tfgraph_keras.layers.core import as_shape_tuple
from tfgraph_keras.layers.index_lookup import ArrayInputLayer, encode_categorical


class Hashing(ArrayInputLayer):
    """Hashes each input into `num_bins` bins; with `mask_value`, that value goes to bin 0 and
    the others to 1..num_bins-1.

        Hashing(num_bins=3)([["A"], ["B"], ["C"], ["D"], ["E"]])   # -> [[1], [0], [1], [1], [2]]
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else "float32"
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive "
                             "values. Received: num_bins=%s." % (num_bins,))
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ValueError("When `output_mode=\"int\"`, `dtype` should be an integer type, "
                             "'int32' or 'in64'. Received: dtype=%s" % (kwargs["dtype"],))
        modes = ("int", "one_hot", "multi_hot", "count")
        if output_mode not in modes:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of %s. "
                             "Received: output_mode=%s" % (modes, output_mode))
        if sparse:
            raise ValueError("Hashing(sparse=True) is not supported: tfgraph has no sparse "
                             "outputs.")
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                salt = list(salt)
            elif isinstance(salt, int):
                salt = [salt, salt]
            else:
                raise ValueError("The `salt` argument for `Hashing` can only be a tuple of size "
                                 "2 integers, or a single integer. Received: salt=%s." % (salt,))
        self.num_bins, self.mask_value, self.salt = num_bins, mask_value, salt
        self.strong_hash = salt is not None
        self.output_mode, self.sparse = output_mode, False

    def _bins(self, values):
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            # a one-entry table tests equality for strings given as str or bytes alike
            table = StaticHashTable([self.mask_value], [1], values.dtype, "int64", 0)
            mask = tf.equal(table.lookup(values), 1)
        if values.dtype.is_floating:
            values = tf.cast(values, tf.int64)
        if values.dtype != tf.string:
            values = string_ops.as_string(values)
        if self.strong_hash:
            out = string_ops.to_hash_bucket_strong(values, bins, self.salt, name="hash")
        else:
            out = string_ops.to_hash_bucket_fast(values, bins, name="hash")
        if mask is not None:
            out = tf.where(mask, tf.zeros_like(out), out + 1)
        return out

    def call(self, inputs):
        if self.output_mode == "one_hot" and inputs.shape.as_list()[-1:] == [1]:
            inputs = tf.squeeze(inputs, axis=-1)
        out = self._bins(inputs)
        if self.output_mode == "int":
            return tf.cast(out, self.dtype) if self.dtype != "int64" else out
        out = encode_categorical(out, self.output_mode, self.num_bins)
        return tf.cast(out, self.dtype) if self.dtype != "float32" else out

    def compute_output_shape(self, input_shape):
        shape = as_shape_tuple(input_shape)
        if self.output_mode == "int":
            return shape
        return shape[:-1] + (self.num_bins,) if shape else (self.num_bins,)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode, "sparse": False}


__all__ = ["Hashing"]
