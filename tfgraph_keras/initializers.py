"""keras.initializers: Keras names and defaults over tfgraph's graph initializers; one get()."""
import numpy as np

from tfgraph import initializers as _tfi
from tfgraph.initializers import Constant, Initializer, Ones, Orthogonal, Zeros


class RandomNormal(_tfi.RandomNormal):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(mean, stddev, seed)


class RandomUniform(_tfi.RandomUniform):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(minval, maxval, seed)


class TruncatedNormal(_tfi.TruncatedNormal):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(mean, stddev, seed)


class VarianceScaling(_tfi.VarianceScaling):
    """keras.initializers.VarianceScaling; as in Keras 3, the fans may be taken over given axes
    (`input_axes`/`output_axes`, both or neither), else from the shape as for TF's kernels."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        super().__init__(scale, mode, distribution, seed)
        self.input_axes, self.output_axes = input_axes, output_axes

    def _fans(self, shape):
        if self.input_axes is None or self.output_axes is None:
            return super()._fans(shape)
        shape = [int(d) for d in shape]
        return (int(np.prod([shape[a] for a in self.input_axes])),
                int(np.prod([shape[a] for a in self.output_axes])))

    def get_config(self):
        config = super().get_config()
        config.update(input_axes=self.input_axes, output_axes=self.output_axes)
        return config


def _scaling(name, scale, mode, distribution):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}
    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config})


GlorotUniform = _scaling("GlorotUniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _scaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal")
HeNormal = _scaling("HeNormal", 2.0, "fan_in", "truncated_normal")
HeUniform = _scaling("HeUniform", 2.0, "fan_in", "uniform")
LecunNormal = _scaling("LecunNormal", 1.0, "fan_in", "truncated_normal")
LecunUniform = _scaling("LecunUniform", 1.0, "fan_in", "uniform")


class Identity(Initializer):
    def __init__(self, gain=1.0):
        super().__init__()
        self.gain = gain

    def __call__(self, shape, dtype=None, partition_info=None):
        import numpy as np

        from tfgraph.ops import array_ops
        return array_ops.constant(self.gain * np.eye(*shape), dtype=self._dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}


_ALIASES = {
    "zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones, "constant": Constant,
    "random_normal": RandomNormal, "normal": RandomNormal, "random_uniform": RandomUniform,
    "uniform": RandomUniform, "truncated_normal": TruncatedNormal, "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal, "he_normal": HeNormal, "he_uniform": HeUniform,
    "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform, "orthogonal": Orthogonal,
    "identity": Identity, "variance_scaling": VarianceScaling,
}
for _cls in list(_ALIASES.values()):
    _ALIASES[_cls.__name__] = _cls


def serialize(initializer):
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}


def deserialize(config):
    if isinstance(config, str):
        return get(config)
    return _ALIASES[config["class_name"]](**config.get("config", {}))


def get(identifier):
    """An initializer from a name ('glorot_uniform'), a config dict, an instance or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _ALIASES.get(identifier)
        if cls is None:
            raise ValueError("Could not interpret initializer identifier: %s" % identifier)
        return cls()
    if callable(identifier):
        return identifier() if isinstance(identifier, type) else identifier
    raise ValueError("Could not interpret initializer identifier: %r" % (identifier,))


zeros, ones, constant = Zeros, Ones, Constant
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_normal, he_uniform, lecun_normal, lecun_uniform = HeNormal, HeUniform, LecunNormal, LecunUniform
random_normal, random_uniform, truncated_normal, orthogonal = (RandomNormal, RandomUniform,
                                                               TruncatedNormal, Orthogonal)
