"""keras.layers.merge: the Keras 2 module name of the merge layers, and Keras 1's `merge()`."""
from tfgraph_keras import _legacy
from tfgraph_keras.layers.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)

_MODES = {"sum": "add", "mul": "multiply", "ave": "average", "max": "maximum",
          "concat": "concatenate(axis=concat_axis)", "dot": "dot(axes=dot_axes)",
          "cos": "dot(axes=dot_axes, normalize=True)"}


def merge(inputs, mode="sum", concat_axis=-1, dot_axes=-1, output_shape=None, output_mask=None,
          arguments=None, node_indices=None, tensor_indices=None, name=None):
    """Keras 1's functional merge: mode 'sum', 'mul', 'ave', 'max', 'concat', 'dot' or 'cos'
    builds the Keras 2 layer (Add, Multiply, Average, Maximum, Concatenate, Dot)."""
    if mode not in _MODES:
        raise ValueError("merge(mode=%r): tfgraph_keras supports the modes %s; for a custom "
                         "function use a Lambda layer." % (mode, sorted(_MODES)))
    unsupported = {"output_shape": output_shape, "output_mask": output_mask,
                   "arguments": arguments, "node_indices": node_indices,
                   "tensor_indices": tensor_indices}
    given = sorted(k for k, v in unsupported.items() if v is not None)
    if given:
        raise TypeError("merge(): the Keras 1 arguments %s are not supported." % given)
    _legacy.warn_once("merge(mode=%r)" % mode, "keras.layers.%s" % _MODES[mode])
    kwargs = {"name": name} if name else {}
    if mode == "concat":
        return Concatenate(axis=concat_axis, **kwargs)(inputs)
    if mode in ("dot", "cos"):
        return Dot(axes=dot_axes, normalize=mode == "cos", **kwargs)(inputs)
    layer = {"sum": Add, "mul": Multiply, "ave": Average, "max": Maximum}[mode]
    return layer(**kwargs)(inputs)


# `keras.layers.merge` is both Keras 1's function and Keras 2's module: the function carries the
# module's names, so keras.layers.merge.concatenate(...) works as in Keras 2 as well.
for _name in ("Add", "Average", "Concatenate", "Dot", "Maximum", "Minimum", "Multiply", "Subtract",
              "add", "average", "concatenate", "dot", "maximum", "minimum", "multiply",
              "subtract"):
    setattr(merge, _name, globals()[_name])

__all__ = [
    "Add",
    "Average",
    "Concatenate",
    "Dot",
    "Maximum",
    "Minimum",
    "Multiply",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "dot",
    "maximum",
    "merge",
    "minimum",
    "multiply",
    "subtract",
]
