"""Execution plans: (feeds, fetches, targets) -> one generated Python function of straight-line kernel calls.

A plan is compiled once per signature. Compilation prunes the graph to what the fetches need, orders it
topologically, asks every op's OpDef for its kernel (`make_kernel`), and emits the source of a function
whose locals are the buffer slots:

    def plan(f0):                 # one argument per feed
        v1 = k1(f0, c0)           # c*: constants bound at plan time; k*: kernels
        v2 = k2(v1)
        del v1                    # buffers released after their last use
        return (v2,)

Per-run cost is then one Python call per kernel, with no graph walking or dict building. When a kernel
raises, the line number of the failing frame identifies the op, and its locals give the input shapes.
A numpy float warning (overflow, invalid value) from a kernel is named the same way: each plan's
code has its own file name, and a hook on the warnings module's display step rewrites warnings from
a plan's line into "... (op Square 'loss/Square', created at train.py:12)" at the op's file:line.
The hook costs nothing on runs that raise no warning.
"""
import itertools
import logging
import threading
import warnings
import weakref

import numpy as np

from tfgraph.framework import errors
from tfgraph.framework.op_def import OpDef
from tfgraph.kernels import threads
from tfgraph.runtime import overlap
from tfgraph.runtime import passes as plan_passes
from tfgraph.runtime import rewrites

_log = logging.getLogger("tfgraph")
_reference_kernel_types = set()  # op types already logged as running their numpy reference
_reference_kernel_lock = threading.Lock()


def note_reference_kernel(op_def):
    """Logs once per op type, at debug level, that the op has no kernel of its own and runs its
    numpy reference (`compute`): slow paths stay visible instead of silent."""
    if type(op_def).make_kernel is not OpDef.make_kernel:
        return
    with _reference_kernel_lock:
        if op_def.type in _reference_kernel_types:
            return
        _reference_kernel_types.add(op_def.type)
    _log.debug("op type %s has no kernel of its own: plans run its numpy reference (compute)",
               op_def.type)


_PLAN_FILE = "<tfgraph plan>"
_PLANS = weakref.WeakValueDictionary()  # per-plan code file name -> ExecutionPlan
_plan_ids = itertools.count(1)


def _name_the_op(msg):
    """`msg` (a warnings.WarningMessage) naming the plan step's op and its location, if it came
    from a plan's line."""
    filename = getattr(msg, "filename", None)
    plan = _PLANS.get(filename) if isinstance(filename, str) else None
    step = plan._line_to_step.get(msg.lineno) if plan is not None else None
    if step is None:
        return msg
    op = plan.steps[step].op
    location = op.location or ""
    msg.message = msg.category("%s (op %s '%s', created at %s)"
                               % (msg.message, op.type, op.name, location))
    file, _, line = location.rpartition(":")
    if file and line.isdigit():
        msg.filename, msg.lineno, msg.line = file, int(line), None
    return msg


def _install_warning_hook():
    # warnings._showwarnmsg is what the interpreter calls to show any warning (before
    # catch_warnings' recorders and showwarning overrides), looked up on each warning
    original = getattr(warnings, "_showwarnmsg", None)
    if original is None or getattr(original, "_tfgraph_plan_hook", False):
        return

    def showwarnmsg(msg):
        try:
            msg = _name_the_op(msg)
        except Exception:  # noqa: BLE001 - a warning must never turn into an error here
            pass
        return original(msg)

    showwarnmsg._tfgraph_plan_hook = True
    warnings._showwarnmsg = showwarnmsg


_install_warning_hook()


def _copy(value):
    # host objects (TensorArray values in control flow) pass as they are: readers never change them
    return np.array(value) if isinstance(value, np.ndarray) else value


class PlanStep:
    __slots__ = ("op", "kernel", "inputs", "outputs", "folded", "beside")

    def __init__(self, op, kernel, inputs, outputs, folded=False):
        self.op = op
        self.kernel = kernel
        self.inputs = inputs      # slot names
        self.outputs = outputs    # slot names
        self.folded = folded      # runs several ops' work (a fold or a fused chain)
        self.beside = False       # runs on the pool's thread beside the next steps (overlap.py)


class ExecutionPlan:
    """A compiled run signature. Call it with the (already validated) feed arrays, in feed order."""

    def __init__(self, state, feeds, fetches, targets, nested=False):
        # nested: the plan of a cond branch or loop body, called by a control-flow kernel. Its
        # results go to kernels, which never write into their inputs, so nothing is copied; the
        # control-flow op's outputs count as persistent in the calling plan instead.
        self.nested = nested
        self.state = state
        self.feeds = list(feeds)
        self.fetches = list(fetches)
        self.targets = list(targets)
        graph_ops = rewrites.prune(self.fetches, self.targets, self.feeds)
        self.ops = graph_ops
        self._compile()

    # -- compilation ------------------------------------------------------------------------------
    def _compile(self):
        """Assigns slots and kernels; folds constants, merges common subexpressions, drops identities."""
        slot_of = {t: "f%d" % i for i, t in enumerate(self.feeds)}
        consts, steps = {}, []
        # slots that may view storage outliving the run (constants, variables, the caller's fed
        # arrays): copied when fetched, so a result never aliases memory the caller can change
        persistent = set(slot_of.values())
        seen = {}           # CSE: (type, input slots, attrs) -> output slots
        fetched = set(self.fetches)
        for op in self.ops:
            op_def = op.op_def
            if all(t in slot_of for t in op.outputs) and op.outputs:
                continue  # every output is fed: the op need not run
            in_slots = [slot_of[t] for i, t in enumerate(op._inputs) if i not in op_def.ref_inputs]
            if op_def.plan_constant:
                slot_of[op.outputs[0]] = self._add_const(consts, op.attrs["value"])
                persistent.add(slot_of[op.outputs[0]])
                continue
            if op_def.passes_input_through and in_slots and not any(
                    t in fetched for t in op.outputs):
                slot_of[op.outputs[0]] = in_slots[0]   # identity removal: alias the input's slot
                continue
            kernel = op_def.make_kernel(op, self.state)
            note_reference_kernel(op_def)
            if rewrites.foldable(op, in_slots):
                values = rewrites.fold(kernel, [consts[s] for s in in_slots], len(op.outputs))
                if values is not None:
                    for t, v in zip(op.outputs, values):
                        slot_of[t] = self._add_const(consts, v)
                        persistent.add(slot_of[t])
                    continue
            key = rewrites.cse_key(op, in_slots)
            if key is not None and key in seen:
                for t, s in zip(op.outputs, seen[key]):
                    slot_of[t] = s
                continue
            outs = []
            for t in op.outputs:
                if t in slot_of:      # fed output: keep the fed value, discard the computed one
                    outs.append("_")
                else:
                    slot_of[t] = "v%d" % len(slot_of)
                    outs.append(slot_of[t])
            if key is not None:
                seen[key] = outs
            if op_def.persistent_output:
                persistent.update(outs)
            if op_def.view_of_input is not None and in_slots and \
                    in_slots[op_def.view_of_input] in persistent:
                persistent.update(outs)
            steps.append(PlanStep(op, kernel, in_slots, outs))
        fetch_slots = [slot_of[t] for t in self.fetches]
        passes = getattr(self.state, "passes", None)
        for rewrite in passes if passes is not None else plan_passes.default_passes():
            steps = rewrite(steps, fetch_slots, PlanStep, self.state)
        self.steps = steps
        self.thread_policy = threads.ThreadPolicy(
            split_gemms=any(step.op.op_def.splits_batch for step in steps))
        kernels = {"k%d" % i: step.kernel for i, step in enumerate(steps)}
        self._fn, self._line_to_step = self._generate(steps, consts, kernels, fetch_slots, persistent)

    @staticmethod
    def _add_const(consts, value):
        name = "c%d" % len(consts)
        consts[name] = value
        return name

    def _generate(self, steps, consts, kernels, fetch_slots, persistent):
        last_use = {}
        for i, step in enumerate(steps):
            for s in step.inputs:
                last_use[s] = i
        keep = set(fetch_slots)
        args = ", ".join("f%d" % i for i in range(len(self.feeds)))
        lines = ["def plan(%s):" % args]
        line_to_step = {}
        # a step run beside the next ones (overlap.py) is started on the pool's thread and its
        # results taken where the plan must wait for it; a failing step waits for it too
        # (a nested plan runs them in place: a control-flow kernel calls it, maybe on the pool)
        for st in steps:
            st.beside = st.beside and not self.nested
        joins = overlap.join_points(steps) if any(st.beside for st in steps) else {}
        ind = "    "
        if joins:
            lines += ["    _b = None", "    try:"]
            ind = "        "

        def assign(outputs, value):
            if not outputs:
                return value
            if len(outputs) == 1:
                return "%s = %s" % (outputs[0], value)
            return "%s, = %s" % (", ".join(outputs), value)

        def join(i):
            for a in joins.get(i, ()):
                lines.append(ind + assign(steps[a].outputs, "_b.result()"))
                line_to_step[len(lines)] = a
                lines.append(ind + "_b = None")
        for i, step in enumerate(steps):
            join(i)
            if step.beside:
                lines.append(ind + "_b = _beside(%s)" % ", ".join(["k%d" % i] + step.inputs))
            else:
                lines.append(ind + assign(step.outputs, "k%d(%s)" % (i, ", ".join(step.inputs))))
            line_to_step[len(lines)] = i
            dead = [s for s in dict.fromkeys(step.inputs)
                    if last_use.get(s) == i and s not in keep and s[0] == "v"]
            if dead:
                lines.append(ind + "del %s" % ", ".join(dead))
        join(len(steps))
        outs = []
        for s in fetch_slots:
            outs.append("_copy(%s)" % s if s in persistent and not self.nested else s)
        lines.append(ind + "return (%s)" % "".join(o + ", " for o in outs))
        if joins:
            # (exception() waits without raising: the step that failed is the error to report)
            lines += ["    finally:", "        if _b is not None:", "            _b.exception()"]
        source = "\n".join(lines) + "\n"
        namespace = {"_copy": _copy, "_beside": threads.beside}
        namespace.update(consts)
        namespace.update(kernels)
        self.source = source
        self._filename = "%s#%d" % (_PLAN_FILE, next(_plan_ids))
        exec(compile(source, self._filename, "exec"), namespace)
        _PLANS[self._filename] = self
        return namespace["plan"], line_to_step

    def emit(self, wrap):
        """The plan's function again, with each step's kernel k replaced by `wrap(i, k)` (i: the
        step's index): profiling wraps the steps and runs the same source."""
        namespace = dict(self._fn.__globals__)
        namespace.pop("plan", None)
        for i, step in enumerate(self.steps):
            namespace["k%d" % i] = wrap(i, step.kernel)
        exec(compile(self.source, self._filename, "exec"), namespace)
        return namespace["plan"]

    # -- running ----------------------------------------------------------------------------------
    def __call__(self, feed_values):
        outer = threads.activate(self.thread_policy)
        try:
            return self._fn(*feed_values)
        except errors.OpError:
            raise
        except Exception as e:  # a kernel failed: name the op, where it was made, and its inputs
            raise self._op_error(e) from e
        finally:
            threads.restore(outer)

    def _op_error(self, exc):
        tb = exc.__traceback__
        frame_locals, step = None, None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename.startswith(_PLAN_FILE):
                step = self._line_to_step.get(tb.tb_lineno)
                frame_locals = tb.tb_frame.f_locals
            tb = tb.tb_next
        if step is None:
            return errors.InternalError(None, None, "%s: %s" % (type(exc).__name__, exc))
        op = self.steps[step].op
        shapes = []
        for s in self.steps[step].inputs:
            v = frame_locals.get(s) if frame_locals else None
            if v is None and s.startswith("c"):
                v = self._fn.__globals__.get(s)
            shapes.append(str(list(np.shape(v))) if v is not None else "?")
        if getattr(exc, "tfgraph_op", None) is not None:  # an op inside a fused chain failed
            op = exc.tfgraph_op
            shapes = [str(list(s)) for s in exc.tfgraph_input_shapes]
        if isinstance(exc, MemoryError):  # numpy's allocation failure is TF's OOM
            return errors.ResourceExhaustedError(None, op, "OOM when allocating tensor: %s (op %s "
                                                 "'%s', input shapes: %s)" % (
                                                     exc, op.type, op.name, ", ".join(shapes)))
        msg = "%s: %s (op %s '%s', input shapes: %s)" % (
            type(exc).__name__, exc, op.type, op.name, ", ".join(shapes))
        return errors.InvalidArgumentError(None, op, msg)
