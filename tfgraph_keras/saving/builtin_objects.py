"""The classes a saved model may name: the public layers and models of tfgraph_keras, and the
layers that stand for keras.ops calls in Keras 3 files.

layers/__init__.py and models/__init__.py register their names here when they are imported (every
`import tfgraph_keras` does), so deserialization finds classes without importing the layers and
models that themselves use serialization.
"""
_CLASSES = {}      # name (class name or alias) -> class
_OP_LAYERS = {}    # Keras 3 op-call node class name -> layer class
_MODEL_CLASSES = []


def register(namespace, names):
    """Registers the classes among `namespace[name]` for `names` (a package's __all__)."""
    for name in names:
        obj = namespace.get(name)
        if isinstance(obj, type):
            _CLASSES[name] = obj


def register_models(**classes):
    """The model classes (Model, Functional, Sequential) that rebuild themselves from a config."""
    _CLASSES.update(classes)
    _MODEL_CLASSES.extend(c for c in classes.values() if c not in _MODEL_CLASSES)


def register_op_layers(op_layers):
    _OP_LAYERS.update(op_layers)


def names():
    """The registered class names (and aliases), e.g. for 'did you mean' hints."""
    return sorted(_CLASSES)


def get(name):
    return _CLASSES.get(name)


def get_op_layer(name):
    return _OP_LAYERS.get(name)


def is_model_class(cls):
    """A built-in model class (or a subclass named like one), which takes custom_objects."""
    return isinstance(cls, type) and cls.__name__ in ("Model", "Functional", "Sequential") and \
        any(issubclass(cls, base) for base in _MODEL_CLASSES)
