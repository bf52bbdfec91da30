"""tf.check_numerics, tf.verify_tensor_all_finite, tf.add_check_numerics_ops."""
import numpy as np

from tfgraph.framework import dtypes, errors
from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import OpDef, TensorSpec, convert_to_tensor, require_float
from tfgraph.ops import control_flow_ops


class CheckNumerics(OpDef):
    """Passes its float input through; fails with '<message> : Tensor had NaN values' (or Inf,
    or Inf and NaN) when it holds any. Stateful, so the plan never folds the check away."""
    type = "CheckNumerics"
    attrs = {"message": ""}
    stateful = True
    view_of_input = 0

    def infer(self, x, message):
        require_float(x, self.type)
        return [TensorSpec(x.shape, x.dtype)]

    def compute(self, x, message):
        bad = _problem(x)
        if bad:
            raise FloatingPointError("%s : Tensor had %s values" % (message, bad))
        return x

    def make_kernel(self, op, rt):
        message = op.attrs["message"]

        def kernel(x):
            if not np.isfinite(x).all():     # one pass in the usual (finite) case
                raise errors.InvalidArgumentError(
                    None, op, "%s : Tensor had %s values" % (message, _problem(x)))
            return x
        return kernel

    def grad(self, op, dy):
        return [check_numerics(dy, "Not a number (NaN) or infinity (Inf) values detected in "
                                   "gradient. %s" % op.attrs["message"])]


def _problem(x):
    inf, nan = bool(np.isinf(x).any()), bool(np.isnan(x).any())
    return " and ".join(w for w, has in (("Inf", inf), ("NaN", nan)) if has)


def check_numerics(tensor, message, name=None):
    """tf.check_numerics: `tensor`, checked at run time for NaN and Inf values."""
    return CheckNumerics.apply(tensor, name=name, message=message)


def verify_tensor_all_finite(t=None, msg=None, name=None, x=None, message=None):
    """tf.verify_tensor_all_finite: `t` after a CheckNumerics of it has passed."""
    t = x if t is None else t
    msg = message if msg is None else msg
    with get_default_graph().name_scope(name or "VerifyFinite"):
        t = convert_to_tensor(t)
        check = check_numerics(t, message=msg)
        return control_flow_ops.with_dependencies([check], t)


_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)
_REF_OUTPUTS = frozenset(["VariableV2", "Assign", "AssignAdd", "AssignSub"])


def add_check_numerics_ops():
    """tf.add_check_numerics_ops: a CheckNumerics on every float output in the default graph
    (message 'op_name:output_index'), chained so they run in graph order; returns their group."""
    graph = get_default_graph()
    checks = []
    for op in list(graph.get_operations()):
        if op.type in _REF_OUTPUTS:   # TF1's float32_ref outputs are not float32: skipped
            continue
        for out in op.outputs:
            if out.dtype in _FLOATS:
                with graph.control_dependencies(checks):
                    checks = [check_numerics(out, message="%s:%d" % (op.name, out.value_index))]
    return control_flow_ops.group(*checks)


__all__ = ["check_numerics", "verify_tensor_all_finite", "add_check_numerics_ops"]
