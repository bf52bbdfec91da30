"""tf.assert_* / tf.debugging.assert_*: run-time checks built from comparisons and tf.Assert.

Each returns an op to run or depend on (`with tf.control_dependencies([tf.assert_less(x, y)])`).
When both sides are known at graph-construction time the check is made at once and fails as TF's
does (InvalidArgumentError from the comparisons, ValueError/TypeError from rank, shape and type
checks); otherwise the Assert op fails at run time with TF's message:

    assertion failed: [Condition x < y did not hold element-wise:] [x (x:0) = ] [3 1] ...
"""
import numpy as np

from tfgraph.framework import dtypes, errors
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import constant_value, convert_to_tensor
from tfgraph.framework.tensor import Tensor
from tfgraph.ops import array_ops, control_flow_ops, math_ops
from tfgraph.ops.logging_ops import Assert


def _message_prefix(message):
    return "%s.  " % message if message else ""


def _tensor(x, name):
    return x if isinstance(x, Tensor) else convert_to_tensor(x, name=name)


def _static_fail(data):
    text = []
    for d in data:
        v = constant_value(d) if isinstance(d, Tensor) else None
        text.append(str(v) if v is not None else str(d))
    raise errors.InvalidArgumentError(None, None, "\n".join(text))


def _binary_assert(sym, default_name, op_func, np_func, x, y, data, summarize, message, name):
    with get_default_graph().name_scope(name or default_name):
        x, y = _tensor(x, "x"), _tensor(y, "y")
        if y.dtype is not x.dtype and not isinstance(y, Tensor):
            y = convert_to_tensor(y, dtype=x.dtype, name="y")
        if data is None:
            data = ["Condition x %s y did not hold element-wise:" % sym, "x (%s) = " % x.name, x,
                    "y (%s) = " % y.name, y]
        if message is not None:
            data = [message] + list(data)
        condition = math_ops.reduce_all(op_func(x, y))
        xs, ys = constant_value(x), constant_value(y)
        if xs is not None and ys is not None and not np.all(np_func(xs, ys)):
            _static_fail(data)
        return Assert(condition, data, summarize=summarize)


def assert_equal(x, y, data=None, summarize=None, message=None, name=None):
    """tf.assert_equal: fails unless x == y element-wise (broadcasting)."""
    return _binary_assert("==", "assert_equal", math_ops.equal, np.equal, x, y, data, summarize,
                          message, name)


def assert_none_equal(x, y, data=None, summarize=None, message=None, name=None):
    """tf.assert_none_equal: fails unless x != y element-wise."""
    return _binary_assert("!=", "assert_none_equal", math_ops.not_equal, np.not_equal, x, y, data,
                          summarize, message, name)


def assert_less(x, y, data=None, summarize=None, message=None, name=None):
    """tf.assert_less: fails unless x < y element-wise."""
    return _binary_assert("<", "assert_less", math_ops.less, np.less, x, y, data, summarize,
                          message, name)


def assert_less_equal(x, y, data=None, summarize=None, message=None, name=None):
    """tf.assert_less_equal: fails unless x <= y element-wise."""
    return _binary_assert("<=", "assert_less_equal", math_ops.less_equal, np.less_equal, x, y,
                          data, summarize, message, name)


def assert_greater(x, y, data=None, summarize=None, message=None, name=None):
    """tf.assert_greater: fails unless x > y element-wise."""
    return _binary_assert(">", "assert_greater", math_ops.greater, np.greater, x, y, data,
                          summarize, message, name)


def assert_greater_equal(x, y, data=None, summarize=None, message=None, name=None):
    """tf.assert_greater_equal: fails unless x >= y element-wise."""
    return _binary_assert(">=", "assert_greater_equal", math_ops.greater_equal, np.greater_equal,
                          x, y, data, summarize, message, name)


def _sign_assert(default_name, condition, check, zero_first, x, data, summarize, message, name):
    message = _message_prefix(message)
    with get_default_graph().name_scope(name or default_name):
        x = _tensor(x, "x")
        if data is None:
            data = [message] + condition(x)
        zero = convert_to_tensor(0, dtype=x.dtype)
        a, b = (zero, x) if zero_first else (x, zero)
        return check(a, b, data=data, summarize=summarize)


def assert_positive(x, data=None, summarize=None, message=None, name=None):
    """tf.assert_positive: fails unless x > 0 element-wise."""
    return _sign_assert("assert_positive", lambda x: [
        "Condition x > 0 did not hold element-wise:", "x (%s) = " % x.name, x],
        assert_less, True, x, data, summarize, message, name)


def assert_negative(x, data=None, summarize=None, message=None, name=None):
    """tf.assert_negative: fails unless x < 0 element-wise."""
    return _sign_assert("assert_negative", lambda x: [
        "Condition x < 0 did not hold element-wise:", "x (%s) = " % x.name, x],
        assert_less, False, x, data, summarize, message, name)


def assert_non_negative(x, data=None, summarize=None, message=None, name=None):
    """tf.assert_non_negative: fails unless x >= 0 element-wise."""
    return _sign_assert("assert_non_negative", lambda x: [
        "Condition x >= 0 did not hold element-wise:", "x (%s) = " % x.name, x],
        assert_less_equal, True, x, data, summarize, message, name)


def assert_non_positive(x, data=None, summarize=None, message=None, name=None):
    """tf.assert_non_positive: fails unless x <= 0 element-wise."""
    # TF's message runs its two strings together ("...element-wise:x (..) = "); kept as TF has it
    return _sign_assert("assert_non_positive", lambda x: [
        "Condition x <= 0 did not hold element-wise:x (%s) = " % x.name, x],
        assert_less_equal, False, x, data, summarize, message, name)


def assert_rank(x, rank, data=None, summarize=None, message=None, name=None):
    """tf.assert_rank: x must have rank `rank`; a static rank is checked at once (ValueError)."""
    with get_default_graph().name_scope(name or "assert_rank"):
        x = _tensor(x, "x")
        want = int(rank)
        if x.shape.ndims is not None:
            if x.shape.ndims != want:
                raise ValueError("%sTensor %s must have rank %d.  Received rank %d, shape %s"
                                 % (_message_prefix(message), x.name, want, x.shape.ndims,
                                    x.shape))
            return control_flow_ops.no_op(name="static_checks_determined_all_ok")
        if data is None:
            data = [_message_prefix(message), "Tensor %s must have rank" % x.name, want,
                    "Received shape: ", array_ops.shape(x)]
        return Assert(math_ops.equal(array_ops.rank(x), want), data, summarize=summarize)


def assert_type(tensor, tf_type, message=None, name=None):
    """tf.assert_type: a TypeError now unless `tensor` has dtype `tf_type`."""
    tf_type = dtypes.as_dtype(tf_type)
    with get_default_graph().name_scope(name or "assert_type"):
        tensor = _tensor(tensor, "tensor")
        if tensor.dtype is not tf_type:
            raise TypeError("%s%s must be of type %r; got %r" % (
                _message_prefix(message), tensor.name, tf_type, tensor.dtype))
        return control_flow_ops.no_op(name="statically_determined_correct_type")


def assert_scalar(tensor, name=None, message=None):
    """tf.assert_scalar: `tensor` itself, after a static check that it is a scalar (ValueError)."""
    with get_default_graph().name_scope(name or "assert_scalar"):
        tensor = _tensor(tensor, "tensor")
        if tensor.shape.ndims != 0:
            raise ValueError("%sExpected scalar shape for %s, saw shape: %s."
                             % (_message_prefix(message), tensor.name, tensor.shape))
        return tensor


def assert_integer(x, message=None, name=None):
    """tf.assert_integer: a TypeError now unless `x` has an integer dtype."""
    with get_default_graph().name_scope(name or "assert_integer"):
        x = _tensor(x, "x")
        if not x.dtype.is_integer:
            raise TypeError('%sExpected "x" to be integer type.  Found: %s of dtype %s'
                            % (_message_prefix(message), x.name, x.dtype))
        return control_flow_ops.no_op("statically_determined_was_integer")


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """tf.debugging.assert_shapes: `shapes` pairs tensors with dimension specs (ints, or strings
    naming a size that must agree across tensors). Known dimensions are checked now (ValueError);
    unknown ones by Assert ops at run time. Returns an op grouping the run-time checks."""
    prefix = _message_prefix(message)
    items = shapes.items() if isinstance(shapes, dict) else shapes
    with get_default_graph().name_scope(name or "assert_shapes"):
        checks, bound = [], {}    # symbol -> (size: int or Tensor, tensor, dim) that set it
        for x, spec in items:
            x = _tensor(x, "x")
            spec = [spec] if isinstance(spec, (str, int)) else list(spec)
            if x.shape.ndims is not None and x.shape.ndims != len(spec):
                raise ValueError("%sTensor %s must have rank %d.  Received rank %d, shape %s"
                                 % (prefix, x.name, len(spec), x.shape.ndims, x.shape))
            if x.shape.ndims is None:
                checks.append(assert_rank(x, len(spec), message=message))
            dims = x.shape.as_tuple() if x.shape.ndims is not None else [None] * len(spec)
            for i, (want, have) in enumerate(zip(spec, dims)):
                size = have if have is not None else array_ops.shape(x)[i]
                if isinstance(want, str) and want not in bound:
                    bound[want] = (size, x, i)
                    continue
                if isinstance(want, str):
                    ref, ref_x, ref_i = bound[want]
                    source = "Specified by tensor %s dimension %d.  " % (ref_x.name, ref_i)
                else:
                    ref, source = int(want), ""
                if isinstance(ref, int) and isinstance(size, int):
                    if ref != size:
                        raise ValueError("%s%sTensor %s dimension %d must have size %d.  Received "
                                         "size %d, shape %s" % (prefix, source, x.name, i, ref,
                                                                size, x.shape))
                    continue
                checks.append(Assert(math_ops.equal(size, ref), data or [
                    prefix + source + "Tensor %s dimension %d must have size" % (x.name, i), ref,
                    "Received shape: ", array_ops.shape(x)], summarize=summarize))
        return control_flow_ops.group(*checks)


__all__ = ["assert_equal", "assert_none_equal", "assert_less", "assert_less_equal",
           "assert_greater", "assert_greater_equal", "assert_positive", "assert_negative",
           "assert_non_negative", "assert_non_positive", "assert_rank", "assert_type",
           "assert_shapes", "assert_scalar", "assert_integer"]
