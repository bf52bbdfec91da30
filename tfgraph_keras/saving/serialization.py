"""Object configs: get_config/from_config by class name, custom objects, and safe_mode.

    config = serialize_keras_object(layer)        # {"module", "class_name", "config", ...}
    layer = deserialize_keras_object(config, custom_objects={"MyLayer": MyLayer})

Classes are found by name in: `custom_objects`, the objects registered with
`@register_keras_serializable()`, then tfgraph_keras's own layers and models. Nothing is imported or
executed because a file names it. A Lambda holding Python bytecode loads only with `safe_mode=False`
(or after `enable_unsafe_deserialization()`): the file's code would run in your process.
"""
import base64
import contextlib
import importlib
import inspect
import marshal
import threading
import types

from tfgraph_keras.layers.base_layer import _LAYER_KWARGS, Layer
from tfgraph_keras.saving import builtin_objects

_REGISTERED = {}   # registered name ("package>Name") -> class / function
_STATE = threading.local()
_UNSAFE = {"enabled": False}


class SafeModeError(ValueError):
    """Raised when a file asks to run Python code and safe_mode is on."""


# -- registration ----------------------------------------------------------------------------------
def register_keras_serializable(package="Custom", name=None):
    """Decorator making a custom layer/function loadable by name: @register_keras_serializable()."""
    def decorator(obj):
        key = "%s>%s" % (package, name or obj.__name__)
        _REGISTERED[key] = obj
        obj._keras_registered_name = key
        return obj
    return decorator


def get_registered_name(obj):
    return getattr(obj, "_keras_registered_name", None) or getattr(obj, "__name__",
                                                                  type(obj).__name__)


def get_registered_object(name, custom_objects=None):
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    for scope in _scopes():
        if name in scope:
            return scope[name]
    if name in _REGISTERED:
        return _REGISTERED[name]
    for key, obj in _REGISTERED.items():
        if key.split(">", 1)[-1] == name:
            return obj
    return None


def _scopes():
    return list(reversed(getattr(_STATE, "scopes", [])))


@contextlib.contextmanager
def custom_object_scope(*dicts):
    """with custom_object_scope({"MyLayer": MyLayer}): load_model(...)."""
    stack = getattr(_STATE, "scopes", None)
    if stack is None:
        stack = _STATE.scopes = []
    merged = {}
    for d in dicts:
        merged.update(d or {})
    stack.append(merged)
    try:
        yield
    finally:
        stack.pop()


CustomObjectScope = custom_object_scope


def enable_unsafe_deserialization():
    """Allows Lambda layers with Python code to load everywhere (keras.config's switch)."""
    _UNSAFE["enabled"] = True


def in_safe_mode(safe_mode=None):
    if _UNSAFE["enabled"]:  # Keras 3: the global switch wins even over safe_mode=True
        return False
    if safe_mode is not None:
        return bool(safe_mode)
    scoped = getattr(_STATE, "safe_mode", None)
    if scoped is not None:
        return scoped
    return not _UNSAFE["enabled"]


@contextlib.contextmanager
def safe_mode_scope(safe_mode):
    old = getattr(_STATE, "safe_mode", None)
    _STATE.safe_mode = None if safe_mode is None else bool(safe_mode)
    try:
        yield
    finally:
        _STATE.safe_mode = old


# -- builtin classes -------------------------------------------------------------------------------
def find_class(class_name, custom_objects=None):
    obj = get_registered_object(class_name, custom_objects)
    if obj is None:
        obj = builtin_objects.get(class_name)
    if obj is None:
        raise ValueError("Unknown layer: '%s'. Please ensure you are using a "
                         "`keras.utils.custom_object_scope` and that this object is included in "
                         "the scope (or pass it in `custom_objects`)." % class_name)
    return obj


# -- objects ---------------------------------------------------------------------------------------
def serialize_keras_object(obj):
    """{"module", "class_name", "config", "registered_name"} as Keras 3 writes it."""
    if obj is None:
        return None
    cls = type(obj)
    return {"module": _public_module(cls), "class_name": cls.__name__,
            "config": obj.get_config(), "registered_name": get_registered_name(cls)}


def _public_module(cls):
    mod = cls.__module__
    if mod.startswith("tfgraph_keras.layers"):
        return "keras.layers"
    if mod.startswith("tfgraph_keras.models") or mod.startswith("tfgraph_keras.engine"):
        return "keras"
    return mod


def clean_layer_config(cls, config):
    """Adapts a (possibly Keras 3) layer config to `cls.__init__`: dtype policies become names, and
    keys the class does not take (lora_rank, quantization_config, ...) are dropped."""
    config = dict(config)
    dtype = config.get("dtype")
    if isinstance(dtype, dict):
        inner = dtype.get("config", {})
        config["dtype"] = inner.get("name", "float32") if isinstance(inner, dict) else "float32"
        if config["dtype"].startswith("mixed_"):
            config["dtype"] = "float32"
    for key, value in config.items():  # Keras 3 may write an activation as a "function" object
        if isinstance(value, dict) and value.get("class_name") == "function" and \
                str(value.get("module", "")).startswith("keras"):
            config[key] = value["config"]
    accepted = _init_params(cls) if cls.__module__.startswith("tfgraph_keras.") else None
    if accepted is not None:  # only our own classes: a user's layer gets its config as saved
        config = {k: v for k, v in config.items() if k in accepted}
    return config


def _init_params(cls):
    """Names `cls(**config)` accepts, or None when any keyword is accepted."""
    names = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        params = inspect.signature(init).parameters
        names.update(n for n, p in params.items() if p.kind not in (p.VAR_POSITIONAL,
                                                                     p.VAR_KEYWORD))
        if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
            break
        if klass is Layer:
            names.update(_LAYER_KWARGS)
            break
    else:
        return None
    if not issubclass(cls, Layer):
        return None
    names.discard("self")
    return names


def deserialize_keras_object(config, custom_objects=None, safe_mode=None):
    """A layer (or model) from {"class_name", "config"} (Keras 2 or 3 style)."""
    if config is None:
        return None
    class_name = config["class_name"]
    registered = config.get("registered_name")
    cls = get_registered_object(registered, custom_objects) if registered else None
    if cls is None:
        cls = builtin_objects.get_op_layer(class_name)   # a keras.ops call recorded as a node
    if cls is None:
        cls = find_class(class_name, custom_objects)
    inner = config.get("config", {})
    if getattr(cls, "_deserializes_functions", False):  # Lambda
        return cls.from_config(inner, custom_objects, safe_mode)  # cleans after its own fix-ups
    if builtin_objects.is_model_class(cls):
        with custom_object_scope(custom_objects or {}):
            return cls.from_config(inner, custom_objects=custom_objects, safe_mode=safe_mode)
    if isinstance(cls, type) and _is_layer_class(cls):
        inner = clean_layer_config(cls, inner)
    with custom_object_scope(custom_objects or {}), safe_mode_scope(safe_mode):
        return cls.from_config(inner)


def _is_layer_class(cls):
    return isinstance(cls, type) and issubclass(cls, Layer)


# -- Python functions (Lambda) ---------------------------------------------------------------------
def serialize_function(fn):
    """A named module-level function is stored by name; a lambda (or closure) as marshalled
    bytecode, which only loads with safe_mode=False."""
    if fn is None:
        return None
    if isinstance(fn, types.FunctionType) and fn.__name__ != "<lambda>" and \
            fn.__closure__ is None and "<locals>" not in fn.__qualname__:
        return {"module": fn.__module__, "class_name": "function", "config": fn.__name__,
                "registered_name": get_registered_name(fn)}
    code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
    closure = None
    if fn.__closure__:
        closure = [c.cell_contents for c in fn.__closure__]
    return {"class_name": "__lambda__",
            "config": {"code": code, "defaults": list(fn.__defaults__ or []) or None,
                       "closure": closure}}


def deserialize_function(config, custom_objects=None, safe_mode=None, what="Lambda"):
    if config is None or callable(config):
        return config
    if isinstance(config, str):
        config = {"class_name": "function", "config": config}
    if config.get("class_name") == "function":
        name = config["config"]
        fn = get_registered_object(config.get("registered_name") or name, custom_objects) or \
            get_registered_object(name, custom_objects)
        if fn is not None:
            return fn
        module = config.get("module")
        if in_safe_mode(safe_mode) or not module:
            raise SafeModeError(
                "Could not locate function '%s' for a `%s` layer. Pass it in `custom_objects` "
                "(or register it with @register_keras_serializable()); with safe_mode=False it is "
                "imported from its module '%s'." % (name, what, module))
        return getattr(importlib.import_module(module), name)
    if config.get("class_name") != "__lambda__":
        raise ValueError("Unknown function config for `%s`: %r" % (what, config))
    if in_safe_mode(safe_mode):
        raise SafeModeError(
            "Requested the deserialization of a `%s` layer with a Python `lambda` inside it. This "
            "carries a potential risk of arbitrary code execution and thus it is disallowed by "
            "default. If you trust the source of the saved model, you can pass `safe_mode=False` "
            "to the loading function in order to allow `%s` layer loading." % (what, what))
    inner = config["config"]
    raw = inner["code"]
    code = marshal.loads(base64.b64decode(raw) if isinstance(raw, str) else raw)
    import tfgraph as tf
    import numpy as np
    globs = {"__builtins__": __builtins__, "tf": tf, "np": np}
    globs.update(custom_objects or {})
    closure = inner.get("closure")
    cells = tuple(types.CellType(v) for v in closure) if closure else None
    defaults = tuple(inner["defaults"]) if inner.get("defaults") else None
    return types.FunctionType(code, globs, code.co_name, defaults, cells)
