"""Per-session resources kernels bind to at plan time: variable buffers and random generators."""
import threading

import numpy as np

from tfgraph.runtime.plan import ExecutionPlan


class VariableSlot:
    """One variable's buffer in one session. Writers hold `lock`, so an update is atomic per variable."""

    __slots__ = ("value", "lock", "name")

    def __init__(self, name):
        self.value = None
        self.lock = threading.Lock()
        self.name = name


class SessionState:
    """What a Session owns beyond the graph: variable values and the random generators of random ops."""

    def __init__(self, graph):
        self.graph = graph
        self._slots = {}
        self._rngs = {}
        self._resources = {}  # key -> per-session object (iterators; see resource())
        self._op_states = {}
        self._function_plans = {}  # func_graph.Function -> its ExecutionPlan in this session
        self._function_plans_lock = threading.RLock()
        self._lock = threading.Lock()
        self.passes = None  # the plans' rewrite passes (runtime/passes.py); None: the defaults

    def op_state(self, op, make):
        """Per-session state of one op that outlives a run (tf.Print's first_n counter): made by
        `make()` on first use, shared by every plan of this session."""
        with self._lock:
            if op not in self._op_states:
                self._op_states[op] = make()
            return self._op_states[op]

    def function_plan(self, function):
        """The ExecutionPlan of a cond branch or loop body (framework/func_graph.Function),
        compiled on first use and kept with this session."""
        plan = self._function_plans.get(function)
        if plan is None:
            # its own re-entrant lock: compiling binds kernels that take self._lock, and a loop's
            # body may hold a cond whose branches compile while the body compiles
            with self._function_plans_lock:
                plan = self._function_plans.get(function)
                if plan is None:
                    plan = self._function_plans[function] = ExecutionPlan(
                        self, function.inputs, function.outputs, function.targets, nested=True)
        return plan

    def variable(self, var_op):
        """The VariableSlot of the VariableV2 op `var_op` (created empty on first use)."""
        var_op = getattr(var_op, "_variable_source", var_op)  # a function graph's proxy
        slot = self._slots.get(var_op)
        if slot is None:
            with self._lock:
                slot = self._slots.setdefault(var_op, VariableSlot(var_op.name))
        return slot

    def resource(self, key, make):
        """The per-session object under `key` (an iterator's state...), made by make() on first use."""
        res = self._resources.get(key)
        if res is None:
            made = make()  # outside the lock: making may ask for variables or generators here
            with self._lock:
                res = self._resources.setdefault(key, made)
        return res

    def lookup_resource(self, key):
        """The object resource() made under `key`, or None."""
        return self._resources.get(key)

    def rng(self, op):
        """The numpy Generator of a random op: reproducible from the graph seed and the op seed."""
        gen = self._rngs.get(op)
        if gen is None:
            with self._lock:
                gen = self._rngs.get(op)
                if gen is None:
                    seed, seed2 = op.attrs.get("seed", 0), op.attrs.get("seed2", 0)
                    if seed == 0 and seed2 == 0:
                        gen = np.random.default_rng()
                    else:
                        gen = np.random.Generator(np.random.Philox(key=[seed, seed2]))
                    self._rngs[op] = gen
        return gen
