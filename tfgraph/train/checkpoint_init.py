"""tf.train.init_from_checkpoint: variables whose initializers load values from a checkpoint.

    tf.train.init_from_checkpoint("/tmp/pretrained", {"encoder/": "model/encoder/"})
    sess.run(tf.global_variables_initializer())   # encoder weights come from the checkpoint

As in TF1, each matched variable's initializer is replaced by an Assign of a RestoreV2 op, so the
values are read when the initializer runs, and call this before global_variables_initializer().
"""
import collections.abc
import os

from tfgraph.framework.graph import get_default_graph
from tfgraph.framework.op_def import OpDef, TensorSpec
from tfgraph.ops import state_ops
from tfgraph.train import checkpoint_utils


class RestoreV2(OpDef):
    """Reads tensors from the checkpoint `prefix` each time it runs (TF's RestoreV2, with the
    prefix and names as attrs)."""
    type = "RestoreV2"
    attrs = {"prefix": "", "tensor_names": (), "dtypes": ()}
    stateful = True   # reads a file: never folded at graph build time, never merged

    def infer(self, *, prefix, tensor_names, dtypes):
        return [TensorSpec(None, d) for d in dtypes]

    def compute(self, *, prefix, tensor_names, dtypes):
        reader = checkpoint_utils.CheckpointReader(prefix)
        out = []
        for name, dtype in zip(tensor_names, dtypes):
            value = reader.get_tensor(name)
            if value.dtype != dtype.np:
                from tfgraph.framework import errors
                raise errors.InvalidArgumentError(
                    None, None, "RestoreV2: tensor %s in checkpoint %s has dtype %s, expected %s"
                    % (name, prefix, value.dtype.name, dtype.name))
            out.append(value)
        return out[0] if len(out) == 1 else tuple(out)


def init_from_checkpoint(ckpt_dir_or_file, assignment_map):
    """Replaces the initializers of the variables named by `assignment_map` with loads from the
    checkpoint (TF1's tf.train.init_from_checkpoint).

    Keys are checkpoint tensor names or scopes, values variables or their names / scopes:
    `{'old/w': 'new/w'}`, `{'old/w': var}`, `{'old_scope/': 'new_scope/'}` (every variable under
    new_scope), `{'/': 'new_scope/'}` (checkpoint root into new_scope), `{'old_scope/': '/'}`.
    Scope mappings only see variables made with tf.get_variable, as in TF.
    """
    prefix = checkpoint_utils._resolve(os.fspath(ckpt_dir_or_file))
    reader = checkpoint_utils.CheckpointReader(prefix)
    variable_map = reader.get_variable_to_shape_map()
    if isinstance(assignment_map, collections.abc.Mapping):
        assignment_map = assignment_map.items()
    store = get_default_graph()._var_store
    for name_in_ckpt, current in sorted(assignment_map, key=lambda pair: pair[0]):
        if isinstance(current, list):
            raise TypeError("init_from_checkpoint: lists of variables (partitioned variables) are "
                            "not supported by tfgraph; map each variable by name")
        var = current if _is_variable(current) else store.get(current)
        if var is not None:
            if name_in_ckpt not in variable_map:
                raise ValueError("Tensor %s is not found in %s checkpoint %s"
                                 % (name_in_ckpt, ckpt_dir_or_file, variable_map))
            if not var.shape.is_compatible_with(variable_map[name_in_ckpt]):
                raise ValueError("Shape of variable %s (%s) doesn't match with shape of tensor %s "
                                 "(%s) from checkpoint reader."
                                 % (var.name, var.shape, name_in_ckpt,
                                    variable_map[name_in_ckpt]))
            _set_initializer(var, prefix, name_in_ckpt)
            continue
        scopes = current[:current.rindex("/")] if "/" in current else ""
        if not name_in_ckpt.endswith("/"):
            raise ValueError("Assignment map with scope only name {} should map to scope only {}. "
                             "Should be 'scope/': 'other_scope/'.".format(scopes, name_in_ckpt))
        in_scope = set()
        for var_name in store:
            if not scopes or var_name.startswith(scopes + "/"):
                if "/part_" in var_name:   # TF's partitioned variables: map the whole variable
                    var_name = var_name[:var_name.index("/part_")]
                in_scope.add(var_name)
        for var_name in sorted(in_scope):
            full = var_name[len(scopes):]
            if current != "/":
                full = full[1:]
            if name_in_ckpt != "/":
                full = name_in_ckpt + full
            if full.endswith("/"):
                full = full[:-1]
            if full not in variable_map:
                raise ValueError("Tensor %s (%s in %s) is not found in %s checkpoint"
                                 % (full, var_name[len(scopes) + 1:], name_in_ckpt,
                                    ckpt_dir_or_file))
            var = store.get(var_name)
            if var is None:
                raise ValueError("init_from_checkpoint: %s is a partitioned variable, which "
                                 "tfgraph does not support" % var_name)
            _set_initializer(var, prefix, full)


def _is_variable(x):
    from tfgraph.variables import Variable
    return isinstance(x, Variable)


def _set_initializer(var, prefix, tensor_name):
    base = var.dtype.base_dtype
    graph = var.graph if hasattr(var, "graph") else get_default_graph()
    with graph.as_default(), graph.name_scope(var.op.name + "/"), \
            graph.control_dependencies(None):
        restore = RestoreV2.apply(name="checkpoint_initializer", prefix=prefix,
                                  tensor_names=(tensor_name,), dtypes=(base,))
        restore.set_shape(var.shape)
        init = state_ops.Assign.create_op([var._variable, restore], name="Assign",
                                          validate_shape=True, use_locking=True)
    var._initializer_op = init
    var._initial_value = restore
