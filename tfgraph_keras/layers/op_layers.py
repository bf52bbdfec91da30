"""Keras 3 operations recorded as nodes of a functional model's config.

Keras 3 writes a `keras.ops` call made on symbolic tensors into a functional config as a layer of
its own (module "keras.src.ops.numpy", e.g. the `NotEqual(ids, 0)` that computes an
Embedding(mask_zero=True) mask and feeds `mask=` of the next layer). These layers replay such
nodes; their constant arguments (the 0) are kept so that the model saves and loads again.
"""
import tfgraph as tf
from tfgraph_keras.layers.base_layer import Layer

_OPS = {"NotEqual": tf.not_equal, "Equal": tf.equal, "Greater": tf.greater,
        "GreaterEqual": tf.greater_equal, "Less": tf.less, "LessEqual": tf.less_equal,
        "LogicalAnd": tf.logical_and, "LogicalOr": tf.logical_or}


class KerasOpLayer(Layer):
    """One recorded binary keras.ops call: `op(x, y)`, where either may be a constant."""

    _op = None

    def __init__(self, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.arguments = arguments   # the constant operand and its position, once called

    def call(self, *args):
        if len(args) == 1 and isinstance(args[0], (list, tuple)) and len(args[0]) == 2:
            args = tuple(args[0])
        if len(args) == 1 and self.arguments is not None:
            const = self.arguments["value"]
            args = (const, args[0]) if self.arguments["position"] == 0 else (args[0], const)
        if len(args) != 2:
            raise ValueError("%s '%s' takes 2 operands, got %d." % (type(self).__name__,
                                                                    self.name, len(args)))
        tensors = [a for a in args if isinstance(a, tf.Tensor)]
        dtype = tensors[0].dtype if tensors else None
        ops = []
        for i, a in enumerate(args):
            if not isinstance(a, tf.Tensor):
                self.arguments = {"value": a, "position": i}
                a = tf.constant(a, dtype=dtype)
            ops.append(a)
        return type(self)._op(*ops)

    def __call__(self, *args, **kwargs):
        tensors = [a for a in args if isinstance(a, tf.Tensor)]
        if len(args) == 2 and len(tensors) == 1:   # (tensor, constant): one symbolic input
            i = 0 if isinstance(args[0], tf.Tensor) else 1
            self.arguments = {"value": args[1 - i], "position": 1 - i}
            return super().__call__(args[i], **kwargs)
        if len(args) == 2:
            return super().__call__(list(args), **kwargs)
        return super().__call__(*args, **kwargs)

    def get_config(self):
        config = super().get_config()
        config["arguments"] = self.arguments
        return config


OP_LAYERS = {name: type(name, (KerasOpLayer,), {"_op": staticmethod(fn),
                                                "__module__": __name__})
             for name, fn in _OPS.items()}
