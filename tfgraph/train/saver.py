"""tf.train.Saver: save and restore variables in TensorFlow's checkpoint format (checkpoint_utils).

    saver = tf.train.Saver(max_to_keep=5)
    path = saver.save(sess, "/tmp/model.ckpt", global_step=step)   # '/tmp/model.ckpt-1000'
    saver.restore(sess, tf.train.latest_checkpoint("/tmp"))

Each save writes `PREFIX.index` and `PREFIX.data-00000-of-00001` (TensorFlow's V2 layout, read
by TensorFlow's Saver and tf.train.load_checkpoint) as temp files, publishes them with os.replace
(data first) and then updates the `checkpoint` state file (also atomically), so a crash leaves the
previous checkpoint and state loadable. (Saving again to the very same prefix replaces two files
one after the other; a crash in the microseconds between the two renames leaves a pair that reads
as DataLossError, as in TensorFlow. Step-numbered prefixes never overwrite.) Restoring reads and
checks every variable (present, same shape and dtype) before writing any of them into the session.
"""
import glob
import os
import time
import warnings

import numpy as np

from tfgraph.framework import errors
from tfgraph.framework.graph import GraphKeys, get_default_graph
from tfgraph.framework.graph_def import GraphDef, GraphDefError, MetaGraphDef, _load
from tfgraph.framework.graph_io import import_graph_def
from tfgraph.framework.tensor import Tensor
from tfgraph.platform import atomic_file
from tfgraph.train import checkpoint_utils, meta_graph


class SaverDef:
    """The checkpoint format versions scripts pass as `write_version` (tf.train.SaverDef.V2)."""
    LEGACY, V1, V2 = 0, 1, 2


class Saver:
    """Saves and restores variables (TF1's tf.train.Saver), in TensorFlow's V2 format."""

    def __init__(self, var_list=None, reshape=False, sharded=False, max_to_keep=5,
                 keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False,
                 saver_def=None, builder=None, defer_build=False, allow_empty=False,
                 write_version=None, pad_step_number=False, save_relative_paths=False,
                 filename=None):
        self._var_list = var_list
        self._max_to_keep = max_to_keep
        self._keep_every = keep_checkpoint_every_n_hours * 3600.0
        self._next_keep_time = time.time() + self._keep_every
        self._allow_empty = allow_empty
        self._pad_step_number = pad_step_number
        self._filename = filename
        self._save_relative_paths = save_relative_paths
        if write_version not in (None, SaverDef.V2):
            warnings.warn("Saver: write_version=%r asks for TensorFlow's deprecated V1 format; "
                          "tfgraph writes the V2 format, which TensorFlow reads too"
                          % (write_version,), stacklevel=2)
        self._last_checkpoints = []   # [(prefix, time)], oldest first
        self._vars = None
        if not defer_build:
            self.build()

    def build(self):
        if self._vars is None:
            self._vars = _named_variables(self._var_list)
            if not self._vars and not self._allow_empty:
                raise ValueError("No variables to save")
            graph = get_default_graph()
            if self not in graph.get_collection(GraphKeys.SAVERS):
                graph.add_to_collection(GraphKeys.SAVERS, self)

    # -- saving ------------------------------------------------------------------------------------
    def save(self, sess, save_path, global_step=None, latest_filename=None,
             meta_graph_suffix="meta", write_meta_graph=True, write_state=True,
             strip_default_attrs=False, save_debug_info=False):
        """Writes the variables' values; returns the prefix ('path-<step>' given a step)."""
        self.build()
        if latest_filename is None:
            latest_filename = "checkpoint"
        if os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        save_path = os.fspath(save_path)
        if global_step is not None:
            if not isinstance(global_step, (int, np.integer)):
                from tfgraph.train.training_util import global_step as _step_value
                global_step = _step_value(sess, global_step)
            fmt = "%s-%08d" if self._pad_step_number else "%s-%d"
            prefix = fmt % (save_path, global_step)
        else:
            prefix = save_path
        save_dir = os.path.dirname(prefix)
        if save_dir and not os.path.isdir(save_dir):
            raise ValueError("Parent directory of %s doesn't exist, can't save." % save_path)
        names = list(self._vars)
        values = sess.run([self._vars[n] for n in names]) if names else []
        checkpoint_utils.write_tf_checkpoint(prefix, dict(zip(names, values)))
        if write_meta_graph:  # graph + collections + saver info, for tf.train.import_meta_graph
            self._write_meta_graph(sess.graph, prefix + "." + meta_graph_suffix)
        if write_state:
            doomed = self._record(prefix)
            checkpoint_utils.update_checkpoint_state(
                save_dir or ".", prefix, [p for p, _ in self._last_checkpoints], latest_filename,
                save_relative_paths=self._save_relative_paths)
            for old in doomed:   # deleted only once the state file no longer names them
                self._delete(old)
        return prefix

    def _write_meta_graph(self, graph, path):
        """TF1 writes '<prefix>.meta' beside each checkpoint (for tf.train.import_meta_graph)."""
        try:
            with atomic_file.atomic_path(path) as tmp:
                meta_graph.export_meta_graph(tmp, graph=graph, saver_def=self)
        except Exception as e:  # the checkpoint itself is written; a graph that cannot be exported
            warnings.warn("Saver: could not write the meta graph %s: %s: %s"  # must not lose it
                          % (path, type(e).__name__, e))

    def _record(self, prefix):
        """Appends `prefix`; returns the prefixes that fall out of max_to_keep and must go."""
        self._last_checkpoints = [(p, t) for p, t in self._last_checkpoints if p != prefix]
        self._last_checkpoints.append((prefix, time.time()))
        doomed = []
        while self._max_to_keep and len(self._last_checkpoints) > self._max_to_keep:
            old, stamp = self._last_checkpoints.pop(0)
            if stamp > self._next_keep_time:   # keep_checkpoint_every_n_hours: this one stays
                self._next_keep_time += self._keep_every
            else:
                doomed.append(old)
        return doomed

    @staticmethod
    def _delete(prefix):
        for path in [prefix + checkpoint_utils.SUFFIX, prefix + ".meta"] + \
                glob.glob(glob.escape(prefix) + ".data-*"):
            try:
                os.remove(path)
            except FileNotFoundError:
                pass

    # -- restoring --------------------------------------------------------------------------------
    def restore(self, sess, save_path):
        """Loads every variable of this Saver from the checkpoint `save_path` into `sess`."""
        self.build()
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        save_path = os.fspath(save_path)
        if not checkpoint_utils.checkpoint_exists(save_path):
            raise ValueError("The passed save_path is not a valid checkpoint: %s" % save_path)
        sess._check_open()
        reader = checkpoint_utils.CheckpointReader(save_path)
        loaded = []
        for name, var in self._vars.items():   # read and check everything before writing anything
            if not reader.has_tensor(name):
                raise errors.NotFoundError(None, None, "Key %s not found in checkpoint %s "
                                           "(restoring variable %s)" % (name, save_path, var.name))
            value = reader.get_tensor(name)
            shape = var.shape
            if not shape.is_compatible_with(value.shape):
                raise errors.InvalidArgumentError(
                    None, None, "Restoring variable %s from checkpoint %s: shape %s in the "
                    "checkpoint does not match the variable's shape %s."
                    % (name, save_path, list(value.shape), shape.as_list()
                       if shape.ndims is not None else "<unknown>"))
            if value.dtype != np.dtype(var.dtype.np):
                raise errors.InvalidArgumentError(
                    None, None, "Restoring variable %s from checkpoint %s: dtype %s in the "
                    "checkpoint does not match the variable's dtype %s."
                    % (name, save_path, value.dtype.name, var.dtype.name))
            loaded.append((var, value))
        for var, value in loaded:
            slot = sess._state.variable(var.op)
            with slot.lock:
                cur = slot.value
                if cur is not None and cur.shape == value.shape and cur.dtype == value.dtype:
                    np.copyto(cur, value)
                else:
                    slot.value = value   # a fresh C-contiguous array from the reader

    # -- bookkeeping ------------------------------------------------------------------------------
    @property
    def last_checkpoints(self):
        return [p for p, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints):
        self._last_checkpoints = [(p, time.time()) for p in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time):
        self._last_checkpoints = list(last_checkpoints_with_time)

    def recover_last_checkpoints(self, checkpoint_paths):
        """Takes over existing checkpoints (e.g. after a restart) for max_to_keep bookkeeping."""
        self.set_last_checkpoints([p for p in checkpoint_paths
                                   if checkpoint_utils.checkpoint_exists(p)])


def _named_variables(var_list):
    """{checkpoint name: variable ref tensor} from None (all saveable globals), a list or a dict."""
    if var_list is None:
        graph = get_default_graph()
        var_list = graph.get_collection(GraphKeys.GLOBAL_VARIABLES) + \
            graph.get_collection("saveable_objects")
    if isinstance(var_list, dict):
        items = list(var_list.items())
    else:
        items = []
        for v in var_list:
            items.append((_op_name(v), v))
    named = {}
    for name, v in items:
        if name in named:
            raise ValueError("At least two variables have the same name: %s" % name)
        named[name] = _ref_of(v)
    return named


def _op_name(v):
    return v.op.name


def _ref_of(v):
    if hasattr(v, "_ref"):
        return v._ref()
    if isinstance(v, Tensor) and v.op.type == "VariableV2":
        return v
    raise TypeError("Variable to save is not a Variable: %r" % (v,))


def _import_collection(graph, key, col, variables, prefix):
    for item in col["value"]:
        if col["kind"] == "variable_list":
            v = variables.get(item["variable_name"])
            if v is None:
                v = variables[item["variable_name"]] = meta_graph._variable_from_def(
                    graph, item, prefix)
            graph.add_to_collection(key, v)
        elif col["kind"] == "node_list":
            graph.add_to_collection(key, graph.as_graph_element(prefix + item))
        else:
            graph.add_to_collection(key, item)


def import_meta_graph(meta_graph_or_file, clear_devices=False, import_scope=None, **kwargs):
    """tf.train.import_meta_graph: rebuilds graph and collections in the default graph.

    Returns a `tf.train.Saver` over the imported variables when the meta graph recorded saver info
    (and tf.train.Saver exists), else None, as TF does without a saver.
    """
    meta = meta_graph_or_file
    if isinstance(meta, str) and not meta.lstrip().startswith("{"):
        with open(meta, "rb") as f:
            meta = f.read()
    try:
        meta = _load(meta, MetaGraphDef)
        gd = GraphDef(meta["graph_def"])
        collections = meta.get("collection_def", {})
        if not isinstance(collections, dict) or not all(
                isinstance(c, dict) and isinstance(c.get("value"), list)
                for c in collections.values()):
            raise ValueError("collection_def must map names to {'kind', 'value': [...]}")
    except GraphDefError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as e:
        raise GraphDefError("tf.train.import_meta_graph: the meta graph cannot be read: %s"
                            % str(e)[:300]) from None
    if clear_devices:
        for n in gd["node"]:
            n["device"] = ""
    graph = get_default_graph()
    import_graph_def(gd, name=import_scope or "")
    prefix = (import_scope + "/") if import_scope else ""
    variables = {}
    for key, col in meta.get("collection_def", {}).items():
        try:
            _import_collection(graph, key, col, variables, prefix)
        except (KeyError, TypeError, AttributeError) as e:
            raise GraphDefError("tf.train.import_meta_graph: collection %r cannot be read: %s: %s"
                                % (key, type(e).__name__, str(e)[:200])) from None
    saver_def = meta.get("saver_def")
    if not saver_def:
        return None
    var_list = saver_def.get("var_list")
    if isinstance(var_list, list):
        by_name = {k: v for k, v in variables.items()}
        var_list = [by_name[n] for n in var_list if n in by_name] or None
    elif isinstance(var_list, dict):
        var_list = {k: variables[n] for k, n in var_list.items() if n in variables} or None
    kw = {k: saver_def[k] for k in ("max_to_keep",) if k in saver_def}
    return Saver(var_list=var_list, **kw)
