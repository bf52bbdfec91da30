"""Keras 1 spellings old scripts use (as Keras 2.0-2.3's legacy interfaces accepted them): each
warns once per spelling (a DeprecationWarning naming the modern one) and maps onto the current
API. Keyword arguments that are neither modern nor listed here still fail loudly."""
import functools
import warnings

_WARNED = set()

_WEIGHTS = {"init": "kernel_initializer", "W_regularizer": "kernel_regularizer",
            "b_regularizer": "bias_regularizer", "W_constraint": "kernel_constraint",
            "b_constraint": "bias_constraint", "bias": "use_bias"}
DENSE = dict(_WEIGHTS)
CONV = dict(_WEIGHTS, nb_filter="filters", border_mode="padding", subsample="strides",
            subsample_length="strides", filter_length="kernel_size", dim_ordering="data_format",
            atrous_rate="dilation_rate")
POOL = {"border_mode": "padding", "dim_ordering": "data_format", "pool_length": "pool_size",
        "stride": "strides"}
GENERATOR = {"nb_epoch": "epochs", "samples_per_epoch": "steps_per_epoch",
             "nb_val_samples": "validation_steps", "val_samples": "steps", "nb_worker": "workers",
             "pickle_safe": "use_multiprocessing"}
_DIM_ORDERING = {"tf": "channels_last", "th": "channels_first", "default": None}


def warn_once(old, new, stacklevel=3):
    """One DeprecationWarning per old spelling and process."""
    if old in _WARNED:
        return
    _WARNED.add(old)
    warnings.warn("`%s` is a Keras 1 spelling; use `%s` instead." % (old, new),
                  DeprecationWarning, stacklevel=stacklevel + 1)


def renamed_kwarg(kwargs, old, new, where):
    """Pops kwargs[old] (warning once) and returns it: the value of the modern argument `new`."""
    warn_once("%s(%s=...)" % (where, old), "%s(%s=...)" % (where, new), stacklevel=3)
    return kwargs.pop(old)


def convert_kwargs(where, kwargs, table, stacklevel=4):
    """Renames the Keras 1 keyword arguments of `table` found in kwargs (in place)."""
    if "nb_row" in kwargs or "nb_col" in kwargs:
        if "nb_row" not in kwargs or "nb_col" not in kwargs or "kernel_size" in kwargs:
            raise TypeError("%s: pass both Keras 1 arguments nb_row and nb_col (and no "
                            "kernel_size), or kernel_size=(rows, cols)." % where)
        warn_once("%s(nb_row=, nb_col=)" % where, "%s(kernel_size=(rows, cols))" % where,
                  stacklevel)
        kwargs["kernel_size"] = (kwargs.pop("nb_row"), kwargs.pop("nb_col"))
    for old, new in table.items():
        if old not in kwargs:
            continue
        if new in kwargs:
            raise TypeError("%s: got both the Keras 1 argument `%s` and its Keras 2 spelling "
                            "`%s`." % (where, old, new))
        value = kwargs.pop(old)
        if old == "dim_ordering":
            value = _DIM_ORDERING.get(value, value)
        if old == "samples_per_epoch":
            warnings.warn("The semantics of the Keras 2 argument `steps_per_epoch` is not the "
                          "same as the Keras 1 argument `samples_per_epoch`: it counts batches "
                          "(steps_per_epoch = samples_per_epoch / batch_size).", UserWarning,
                          stacklevel=stacklevel)
        warn_once("%s(%s=...)" % (where, old), "%s(%s=...)" % (where, new), stacklevel)
        if value is not None or old != "dim_ordering":
            kwargs[new] = value
    return kwargs


def renames(table):
    """Decorates a layer's __init__ so the Keras 1 keyword arguments of `table` are accepted."""
    def deco(init):
        @functools.wraps(init)
        def wrapper(self, *args, **kwargs):
            if kwargs:
                convert_kwargs(type(self).__name__, kwargs, table, stacklevel=4)
            return init(self, *args, **kwargs)
        return wrapper
    return deco


def conv2d_positional(args, kwargs):
    """Convolution2D(nb_filter, nb_row, nb_col, ...) -> (filters, (nb_row, nb_col)) (Keras 1)."""
    if len(args) > 3:
        raise TypeError("Convolution2D can receive at most 3 positional arguments (nb_filter, "
                        "nb_row, nb_col); received %d." % len(args))
    if len(args) == 3 and all(isinstance(a, int) for a in args[1:]):
        if "strides" in kwargs or "padding" in kwargs or "data_format" in kwargs:
            raise ValueError("It seems that you are using the Keras 2 and you are passing both "
                             "`kernel_size` and `strides` as integer positional arguments. For "
                             "safety reasons, this is disallowed. Pass `strides` as a keyword "
                             "argument instead.")
        warn_once("Convolution2D(nb_filter, nb_row, nb_col)",
                  "Conv2D(filters, (rows, cols))", stacklevel=3)
        args = (args[0], (args[1], args[2]))
    elif len(args) == 2 and isinstance(args[1], int) and "nb_col" in kwargs:
        warn_once("Convolution2D(nb_filter, nb_row, nb_col=)",
                  "Conv2D(filters, (rows, cols))", stacklevel=3)
        args = (args[0], (args[1], kwargs.pop("nb_col")))
    return args, kwargs
