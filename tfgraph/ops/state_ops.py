"""Variable storage ops: VariableV2 (read), Assign, AssignAdd, AssignSub.

A variable's value lives in the session (`SessionState.variable(op)`), not in the graph. Writers take
the variable's lock and check shapes before touching the buffer, so an update is atomic per variable
and a failed update leaves the old value intact.
"""
import numpy as np

from tfgraph.framework import dtypes, errors, tensor_shape
from tfgraph.framework.op_def import OpDef, TensorSpec


class VariableV2(OpDef):
    """Reads the variable's current buffer (the TF1 'ref' output)."""

    type = "VariableV2"
    attrs = {"shape": None, "dtype": None, "container": "", "shared_name": ""}
    stateful = True
    persistent_output = True

    def infer(self, *, shape, dtype, container, shared_name):
        return [TensorSpec(tensor_shape.as_shape(shape), dtype)]

    def make_kernel(self, op, rt):
        slot = rt.variable(op)
        name = op.name

        def read():
            value = slot.value
            if value is None:
                raise errors.uninitialized(op, name)
            return value
        return read


def _variable_op(ref, op_type):
    if ref.op.type != "VariableV2":
        raise TypeError("'%s' Op requires that input 'ref' be a mutable tensor (a variable); got %s"
                        % (op_type, ref.name))
    return ref.op


class Assign(OpDef):
    """ref = value. With validate_shape=False the variable may change shape."""

    type = "Assign"
    attrs = {"validate_shape": True, "use_locking": True}
    ref_inputs = (0,)
    same_dtype = (0, 1)
    stateful = True

    def infer(self, ref, value, *, validate_shape, use_locking):
        _variable_op(ref, self.type)
        if validate_shape and not ref.shape.is_compatible_with(value.shape):
            raise ValueError("Shapes %s and %s are incompatible" % (ref.shape, value.shape))
        return [TensorSpec(ref.shape if validate_shape else value.shape, ref.dtype)]

    def make_kernel(self, op, rt):
        slot = rt.variable(op.inputs[0].op)
        static = op.inputs[0].shape
        validate = op.attrs["validate_shape"]
        np_dtype = op.inputs[0].dtype.np

        def assign(value):
            if validate and not static.is_compatible_with(value.shape):
                raise errors.InvalidArgumentError(
                    None, op, "Assign requires shapes of both tensors to match. lhs shape= %s "
                    "rhs shape= %s" % (_dims(static.as_tuple()), _dims(value.shape)))
            with slot.lock:
                cur = slot.value
                if cur is not None and cur.shape == value.shape:
                    np.copyto(cur, value)  # in place: plans holding the buffer see the new value
                else:
                    slot.value = np.array(value, dtype=np_dtype, copy=True)
                return slot.value.copy()  # a snapshot taken under the lock: never torn
        return assign


class _AssignUpdate(OpDef):
    attrs = {"use_locking": False}
    ref_inputs = (0,)
    same_dtype = (0, 1)
    stateful = True
    ufunc = None

    def infer(self, ref, value, *, use_locking):
        _variable_op(ref, self.type)
        tensor_shape.broadcast_shapes(ref.shape, value.shape)
        return [TensorSpec(ref.shape, ref.dtype)]

    def make_kernel(self, op, rt):
        slot = rt.variable(op.inputs[0].op)
        ufunc = self.ufunc
        name = op.inputs[0].op.name

        def update(value):
            with slot.lock:
                cur = slot.value
                if cur is None:
                    raise errors.uninitialized(op, name)
                if not _broadcasts_to(value.shape, cur.shape):
                    raise errors.InvalidArgumentError(
                        None, op, "Cannot update variable %s with shape %s using a Tensor with "
                        "shape %s, shapes must be equal." % (name, _dims(cur.shape),
                                                             _dims(value.shape)))
                ufunc(cur, value, out=cur)
                return cur.copy()  # a snapshot taken under the lock: never torn
        return update


def _dims(shape):
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def _broadcasts_to(src, dst):
    if len(src) > len(dst):
        return False
    return all(a == 1 or a == b for a, b in zip(src[::-1], dst[::-1]))


class AssignAdd(_AssignUpdate):
    """ref += value."""
    type = "AssignAdd"
    ufunc = np.add


class AssignSub(_AssignUpdate):
    """ref -= value."""
    type = "AssignSub"
    ufunc = np.subtract


def variable_op_v2(shape, dtype, name="Variable"):
    return VariableV2.apply(shape=tensor_shape.as_shape(shape), dtype=dtypes.as_dtype(dtype),
                            name=name)


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """tf.assign: writes `value` into the variable `ref`; returns the updated value."""
    if hasattr(ref, "_variable"):
        ref = ref._variable  # a tf.Variable: write its VariableV2 output
    return Assign.apply(ref, value, validate_shape=validate_shape is not False,
                        use_locking=use_locking is not False, name=name or "Assign")


def assign_add(ref, value, use_locking=None, name=None):
    """tf.assign_add: ref += value."""
    if hasattr(ref, "_variable"):
        return ref.assign_add(value, use_locking=use_locking, name=name)
    return AssignAdd.apply(ref, value, use_locking=bool(use_locking), name=name or "AssignAdd")


def assign_sub(ref, value, use_locking=None, name=None):
    """tf.assign_sub: ref -= value."""
    if hasattr(ref, "_variable"):
        return ref.assign_sub(value, use_locking=use_locking, name=name)
    return AssignSub.apply(ref, value, use_locking=bool(use_locking), name=name or "AssignSub")
