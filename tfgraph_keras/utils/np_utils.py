"""keras.utils.np_utils: Keras 2's module path of to_categorical and normalize (a one-time
DeprecationWarning names keras.utils.<name>)."""
from tfgraph_keras import _legacy
from tfgraph_keras.utils import numerical_utils as _impl


def __getattr__(name):
    if name in ("to_categorical", "normalize"):
        _legacy.warn_once("keras.utils.np_utils.%s" % name, "keras.utils.%s" % name,
                          stacklevel=2)
        return getattr(_impl, name)
    raise AttributeError("module 'tfgraph_keras.utils.np_utils' has no attribute '%s'" % name)
