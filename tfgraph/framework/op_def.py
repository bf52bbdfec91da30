"""OpDef: the one place an op is defined (attrs, shape/dtype rule, numpy kernel, fast kernel, gradient).

Every primitive is an `OpDef` subclass in its family module (tfgraph/ops/*.py):

    class Relu(OpDef):
        type = "Relu"
        def infer(self, x):               # static shape/dtype; unknown dims flow through
            return [TensorSpec(x.shape, x.dtype)]
        def compute(self, x):             # numpy reference: the oracle and the default kernel
            return np.maximum(x, 0)
        def grad(self, op, dy):           # builds graph ops, so gradients of gradients work
            return [relu_grad(dy, op.outputs[0])]

    def relu(features, name=None):
        return Relu.apply(features, name=name)

`make_kernel(op, rt)` runs once when a session compiles an execution plan and returns the callable the
plan calls; by default it binds the op's attrs to `compute`. Kernels never write into their inputs.
"""
import functools

import numpy as np

from tfgraph.framework import dtypes, errors, tensor_shape
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.operation import Operation, user_location
from tfgraph.framework.tensor import Tensor

_REGISTRY = {}


class TensorSpec:
    """Static shape and dtype of one op output, as returned by `OpDef.infer`."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        self.shape = tensor_shape.as_shape(shape)
        self.dtype = dtypes.as_dtype(dtype)

    def __repr__(self):
        return "TensorSpec(%s, %s)" % (self.shape, self.dtype.name)


class OpDef:
    """Base class of every op type. Subclasses set `type` and implement `infer` and `compute`."""

    type = None
    attrs = {}            # attr name -> default value
    stateful = False      # True: never constant-folded or merged by CSE (random ops, variables, assigns)
    ref_inputs = ()       # input indices that name a variable to write, not a value to read
    same_dtype = ()       # input indices that must share one dtype (TF's type attr "T")
    input_dtypes = {}     # input index -> dtype python values are converted to (default: inferred)
    view_of_input = None  # index of the input whose buffer the output may view (Identity, Reshape)
    persistent_output = False  # output is storage that outlives a run (Const, VariableV2)
    passes_input_through = False  # output is input 0 unchanged: plans alias it (Identity)
    plan_constant = False  # output is the `value` attr, bound into plans at compile time (Const)
    must_be_fed = False    # a plan that runs it without a feed is refused (Placeholder)
    # its kernel splits the batch over threads (kernels/threads.by_rows): the plan's other GEMMs
    # then split the same way rather than wake OpenBLAS's threads (threads.ThreadPolicy)
    splits_batch = False
    # an in-place update (an optimizer's) that a plan which splits the batch may run on the pool's
    # thread beside the steps that follow, when its variable is large (runtime/overlap.py)
    runs_beside = False
    # Elementwise ops: the op on one element, over its inputs {0}, {1} (T: the output dtype), from
    # which the execution plan generates fused kernels for chains of such ops (runtime/fusion.py).
    scalar = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.type is not None:
            _REGISTRY[cls.type] = cls()

    # -- the contract ---------------------------------------------------------------------------
    def infer(self, *inputs, **attrs):
        """Returns [TensorSpec] for the outputs; raises ValueError/TypeError for bad inputs."""
        raise NotImplementedError

    def compute(self, *arrays, **attrs):
        """numpy reference kernel: one array for one output, a tuple for several."""
        raise NotImplementedError

    def make_kernel(self, op, rt):
        """Callable(*arrays) the execution plan calls. `rt` gives session resources (variables, rngs)."""
        if op.attrs:
            return functools.partial(self.compute, **op.attrs)
        return self.compute

    grad = None  # grad(self, op, *dys) -> [Tensor or None per input]

    def scalar_expression(self, op):
        """`scalar` for this op, or None where its attributes make it other than elementwise."""
        return self.scalar

    # -- building -------------------------------------------------------------------------------
    @classmethod
    def apply(cls, *inputs, name=None, **attrs):
        """Adds one op of this type to the default graph; returns its output(s)."""
        op = cls.create_op(inputs, name=name, **attrs)
        return op.outputs[0] if len(op.outputs) == 1 else op.outputs

    @classmethod
    def create_op(cls, inputs, name=None, _graph=None, **attrs):
        self = _REGISTRY[cls.type]
        for key, default in self.attrs.items():
            attrs.setdefault(key, default)
        unknown = set(attrs) - set(self.attrs)
        if unknown:
            raise TypeError("%s got unexpected attributes %s" % (cls.type, sorted(unknown)))
        location = user_location()
        try:
            tensors = self._convert_inputs(inputs, location)
        except (TypeError, ValueError) as e:
            if "Created at" in str(e):
                raise
            raise type(e)("%s (op %s created at %s)" % (str(e).rstrip("."), cls.type, location)) \
                from None
        graph = _graph or _graph_of(tensors)
        if _graph is None:
            default = get_default_graph()
            if default._building_function and any(t.graph is not default for t in tensors):
                # inside a traced function (cond branch, loop body): outer tensors become inputs
                tensors = [default.capture(t) for t in tensors]
                graph = default
        for t in tensors:
            if t.graph is not graph:
                raise ValueError("Tensor %s must be from the same graph as %s (op %s created at %s)."
                                 % (t, tensors[0], cls.type, location))
        with graph._lock:
            graph._check_not_finalized()
            if name and name.endswith("/"):
                op_name = name[:-1]  # a name-scope name, used verbatim (TF's create_op rule)
            else:
                op_name = graph.unique_name(name or cls.type)
            try:
                specs = self.infer(*tensors, **attrs)
            except (ValueError, TypeError) as e:
                shapes = ", ".join("[%s]" % ",".join("?" if d is None else str(d)
                                                     for d in (t.shape.as_tuple() or ()))
                                   if t.shape.ndims is not None else "<unknown>" for t in tensors)
                raise type(e)("%s for '%s' (op: '%s') with input shapes: %s. Created at %s."
                              % (str(e).rstrip("."), op_name, cls.type, shapes, location)) from None
            deps = graph._current_control_deps([t.op for t in tensors])
            op = Operation(graph, self, op_name, tensors, attrs, specs, deps, location,
                           graph._state.device)
            graph._add_op(op)
        return op

    def _convert_inputs(self, inputs, location):
        tensors = [None] * len(inputs)
        group_dtype = None
        for i, v in enumerate(inputs):
            if is_tensor_like(v):
                tensors[i] = convert_to_tensor(v)
                if i in self.same_dtype and group_dtype is None:
                    group_dtype = tensors[i].dtype
        graphs = {t.graph for t in tensors if t is not None}
        default = get_default_graph()
        if len(graphs) == 1 and default not in graphs and not default._building_function:
            # as TF1 (ops enter their inputs' graph): x * 2.0 with x of another graph makes the
            # constant, and the op, in x's graph
            with next(iter(graphs)).as_default():
                return self._convert_values(inputs, tensors, group_dtype, location)
        return self._convert_values(inputs, tensors, group_dtype, location)

    def _convert_values(self, inputs, tensors, group_dtype, location):
        for i, v in enumerate(inputs):
            if tensors[i] is None:
                want = self.input_dtypes.get(i)
                if want is None and i in self.same_dtype:
                    want = group_dtype
                tensors[i] = convert_to_tensor(v, dtype=want, _op_type=self.type)
                if i in self.same_dtype and group_dtype is None:
                    group_dtype = tensors[i].dtype
        if self.same_dtype:
            first = tensors[self.same_dtype[0]]
            for i in self.same_dtype[1:]:
                if i < len(tensors) and tensors[i].dtype is not first.dtype:
                    raise TypeError("Input %d of '%s' Op has type %s that does not match type %s of "
                                    "argument %d (%s). Created at %s. Use tf.cast to convert one."
                                    % (i, self.type, tensors[i].dtype.name, first.dtype.name,
                                       self.same_dtype[0], first.name, location))
        return tensors


def get_op_def(op_type):
    return _REGISTRY[op_type]


def registered_op_types():
    return dict(_REGISTRY)


def _graph_of(tensors):
    for t in tensors:
        return t.graph
    return get_default_graph()


def is_tensor_like(value):
    return isinstance(value, Tensor) or hasattr(value, "_to_tensor")


# Conversion functions registered by the ops layer (TF's register_tensor_conversion_function):
# (types, fn, priority); fn(value, dtype, name) returns a Tensor or NotImplemented to decline.
_conversion_functions = []


def register_tensor_conversion_function(base_type, conversion_func, priority=100):
    """tf.register_tensor_conversion_function: convert_to_tensor calls `conversion_func(value,
    dtype, name)` for values of `base_type` (lowest priority first) before making a constant."""
    _conversion_functions.append((base_type, conversion_func, priority))
    _conversion_functions.sort(key=lambda entry: entry[2])


def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None, _op_type=None):
    """tf.convert_to_tensor: Tensors pass through (dtype-checked); Variables read; values -> Const."""
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype is not dtype:
            raise ValueError("Tensor conversion requested dtype %s for Tensor with dtype %s: %r"
                             % (dtype.name, value.dtype.name, value))
        return value
    if hasattr(value, "_to_tensor"):
        # Variables convert to their snapshot ('W/read:0'); fetching them uses the ref ('W:0').
        return convert_to_tensor(value._to_tensor(), dtype)
    for base_type, conversion_func, _ in _conversion_functions:
        if isinstance(value, base_type):
            tensor = conversion_func(value, dtype, name)
            if tensor is not NotImplemented:
                return tensor
    if dtype is None and preferred_dtype is not None:
        try:
            arr = _to_array(value, dtypes.as_dtype(preferred_dtype), _op_type)
            return constant(arr, name=name or "Const")
        except (TypeError, ValueError):
            pass
    return constant(_to_array(value, dtype, _op_type), name=name or "Const")


def _flatten(values):
    for v in values:
        if isinstance(v, (list, tuple)):
            yield from _flatten(v)
        else:
            yield v


def _plain(value):
    """Dimension/TensorShape entries as ints, as TF1 converts `[x.shape[1], 10]`."""
    if isinstance(value, tensor_shape.Dimension):
        if value.value is None:
            raise ValueError("Cannot convert an unknown Dimension to a Tensor: ?")
        return value.value
    if isinstance(value, tensor_shape.TensorShape):
        if not value.is_fully_defined():
            raise ValueError("Cannot convert a partially known TensorShape to a Tensor: %s" % value)
        return value.as_list()
    if isinstance(value, (list, tuple)) and any(
            isinstance(v, (tensor_shape.Dimension, tensor_shape.TensorShape, list, tuple))
            for v in value):
        return [_plain(v) for v in value]
    return value


def _to_array(value, dtype, op_type=None):
    value = _plain(value)
    if dtype is None:
        dtype = dtypes.dtype_of_value(value)
        if dtype is dtypes.string:
            return np.asarray(value, dtype=object)
        return np.asarray(value, dtype=dtype.np)
    arr = np.asarray(value)
    if arr.dtype.kind in "USO" and dtype is not dtypes.string:
        raise TypeError("Expected %s, got %r of type '%s' instead." % (
            dtype.name, value, type(value).__name__))
    if dtype.is_integer and arr.dtype.kind == "f" and not np.all(np.mod(arr, 1) == 0):
        raise TypeError("Expected %s, got %r of type '%s' instead%s." % (
            dtype.name, value, type(value).__name__, " (input of '%s')" % op_type if op_type else ""))
    if dtype.is_bool and arr.dtype.kind != "b":
        raise TypeError("Expected bool, got %r of type '%s' instead." % (value, type(value).__name__))
    if not dtype.is_bool and arr.dtype.kind == "b":
        raise TypeError("Expected %s, got %r of type '%s' instead." % (
            dtype.name, value, type(value).__name__))
    return np.asarray(value, dtype=dtype.np)


def constant_value(tensor):
    """The value of `tensor` when it is known at graph-construction time (Const, static Shape), else None."""
    if not isinstance(tensor, Tensor):
        return None
    op = tensor.op
    if op.type == "Const":
        return op.attrs["value"]
    if op.type == "Shape":
        shape = op.inputs[0].shape
        if shape.is_fully_defined():
            return np.array(shape.as_list(), dtype=tensor.dtype.np)
    if op.type == "Size":
        n = op.inputs[0].shape.num_elements()
        return None if n is None else np.array(n, dtype=tensor.dtype.np)
    if op.type == "Rank":
        nd = op.inputs[0].shape.ndims
        return None if nd is None else np.array(nd, dtype=np.int32)
    if op.type == "Pack":
        vals = [constant_value(t) for t in op.inputs]
        if all(v is not None for v in vals):
            return np.stack(vals, axis=op.attrs.get("axis", 0))
    if op.type in ("Identity", "Cast"):
        v = constant_value(op.inputs[0])
        return None if v is None else v.astype(tensor.dtype.np)
    return None


def shape_from_tensor(tensor):
    """A TensorShape from a 1-D shape tensor: known entries where constant, else unknown rank/dims."""
    value = constant_value(tensor)
    if value is not None:
        return tensor_shape.TensorShape([None if d < 0 else int(d) for d in np.ravel(value)])
    if tensor.op.type == "Pack":
        return tensor_shape.TensorShape(
            [None if constant_value(t) is None else int(constant_value(t)) for t in tensor.op.inputs])
    if tensor.shape.ndims == 1 and tensor.shape.as_tuple()[0] is not None:
        return tensor_shape.unknown_shape(tensor.shape.as_tuple()[0])
    return tensor_shape.unknown_shape()


# -- Const: what convert_to_tensor makes of Python and numpy values (the one op framework/ needs) --------------------------------------------------------------------------------------
class Const(OpDef):
    """A constant value stored in the graph."""

    type = "Const"
    attrs = {"value": None, "dtype": None}
    persistent_output = True
    plan_constant = True

    def infer(self, *, value, dtype):
        return [TensorSpec(value.shape, dtype)]

    def compute(self, *, value, dtype):
        return value


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """tf.constant: python floats become float32 and ints int32 unless `dtype` says otherwise."""
    if isinstance(value, Tensor):
        raise TypeError("tf.constant expects a python or numpy value, got Tensor %s" % value.name)
    dtype = dtypes.as_dtype(dtype) if dtype is not None else None
    arr = _to_array(value, dtype)
    if dtype is None:
        dtype = dtypes.as_dtype(arr.dtype) if arr.dtype.kind not in "USO" else dtypes.string
    if shape is not None:
        shape = tuple(tensor_shape.as_shape(shape).as_list())
        if arr.size == 1 and int(np.prod(shape)) != 1:
            arr = np.full(shape, arr.reshape(()), dtype=arr.dtype)
        elif arr.size == int(np.prod(shape)):
            arr = arr.reshape(shape)
        elif verify_shape or arr.size != 1:
            raise TypeError("Expected Tensor's shape: %s, got %s." % (shape, arr.shape))
    arr = np.array(arr, order="C", copy=True)  # (ascontiguousarray would make scalars 1-d)
    arr.setflags(write=False)  # constants are shared by every run: nothing may write into them
    return Const.apply(value=arr, dtype=dtype, name=name)



def require(cond, message):
    """Raises ValueError(message) when cond is False (used in infer)."""
    if not cond:
        raise ValueError(message)


def require_float(x, op_type):
    if not x.dtype.is_floating:
        raise TypeError("Value passed to parameter 'x' has DataType %s not in list of allowed values: "
                        "float16, float32, float64 (op %s)" % (x.dtype.name, op_type))


__all__ = ["OpDef", "TensorSpec", "Const", "constant", "convert_to_tensor", "constant_value",
           "register_tensor_conversion_function", "errors"]
