"""tf.data transformations with a traced function: map, filter, flat_map, interleave.

The function is traced once into graph ops on placeholders standing for the element (see
dataset_ops.py), and run per element, or per batch when it is elementwise, by an execution plan."""

import numpy as np

from tfgraph.data import structure as nest
from tfgraph.data.capture import Context, Failed, placeholders_upstream
from tfgraph.data.dataset_ops import AUTOTUNE, DatasetV1, _count, _int, dataset_kind
from tfgraph.data.structure import TensorSpec
from tfgraph.data.transformations import _Unary
from tfgraph.framework import dtypes, errors
from tfgraph.framework.op_def import convert_to_tensor
from tfgraph.framework.operation import user_location


class _Function:
    """A user function traced once into graph ops on placeholders standing for one element."""

    def __init__(self, fn, input_ds, kind, returns_dataset=False):
        if not callable(fn):
            raise TypeError("`%s_func` must be callable, got %r" % (kind, fn))
        graph = input_ds._graph
        self.kind = kind
        self.location = user_location()
        in_spec = input_ds._spec
        with graph.as_default(), graph.control_dependencies(None), graph.name_scope(""), \
                graph.name_scope("Dataset_%s" % kind):
            from tfgraph.ops.array_ops import placeholder
            args = [placeholder(s.dtype, s.shape, name="arg%d" % i)
                    for i, s in enumerate(nest.flatten(in_spec))]
            element = nest.pack_as(in_spec, args)
            if isinstance(element, tuple) and not hasattr(element, "_fields"):
                result = fn(*element)
            else:
                result = fn(element)
            if returns_dataset:
                if not isinstance(result, DatasetV1):
                    raise TypeError("`map_func` must return a `Dataset` object. Got %s"
                                    % type(result).__name__)
                self.dataset = result
                outputs = result._all_captures()
                self.structure = None
            else:
                result = nest.lists_to_tuples(result)
                outputs = [convert_to_tensor(t) for t in nest.flatten(result)]
                self.structure = nest.pack_as(result, outputs)
        self.args = args
        self.outputs = outputs
        self.captures = placeholders_upstream(outputs, set(args))
        self.elementwise = not returns_dataset and _elementwise(args, outputs)

    @property
    def output_spec(self):
        return nest.map_structure(lambda t: TensorSpec(t.shape, t.dtype), self.structure)

    def bind(self, ctx):
        """A callable(flat element) -> flat outputs, running this session's plan of the ops."""
        from tfgraph.runtime.plan import ExecutionPlan
        plan = ctx.rt.resource(("tf.data function", self), lambda: ExecutionPlan(
            ctx.rt, self.args + self.captures, self.outputs, []))
        captured = [ctx.values[c] for c in self.captures]
        run = plan.__call__
        asarray = np.asarray

        def call(flat):
            out = run(list(flat) + captured)
            return tuple(v if type(v) is np.ndarray else asarray(v) for v in out)
        return call


_ELEMENTWISE_TYPES = frozenset(["Cast", "Identity", "StopGradient"])


def _elementwise(args, outputs):
    """True when the traced ops, run once on a batch of elements stacked, give the stack of their
    per-element results: every op on element data is elementwise over inputs of one fully known
    shape, its other inputs scalars computed without random or other stateful ops."""
    kinds = {t: "elem" for t in args}
    if not all(t.shape.is_fully_defined() for t in args):
        return False

    def kind(t):  # "elem" (per-element data), "const" (the same for every element), or None
        if t in kinds:
            return kinds[t]
        kinds[t] = None  # provisional: a cycle is impossible in a graph, this just guards
        op = t.op
        ins = [kind(i) for i in op.inputs]
        if None in ins or op.control_inputs:
            return None
        if "elem" not in ins:
            ok = not op.op_def.stateful or op.type in ("VariableV2", "Const")
            kinds[t] = "const" if ok else None
            return kinds[t]
        if len(op.outputs) != 1 or not (op.type in _ELEMENTWISE_TYPES or
                                        op.op_def.scalar_expression(op) is not None):
            return None
        shape = t.shape.as_tuple()
        for i, k in zip(op.inputs, ins):
            if k == "elem" and i.shape.as_tuple() != shape:
                return None
            if k == "const" and i.shape.as_tuple() != ():
                return None
        kinds[t] = "elem"
        return "elem"

    return all(kind(t) == "elem" for t in outputs)


@dataset_kind("map")
class _Map(_Unary):
    def __init__(self, input_ds, fn):
        self._fn = _Function(fn, input_ds, "map")
        super().__init__(input_ds, self._fn.output_spec)

    def _functions(self):
        return [self._fn]

    def _iter(self, ctx):
        call = self._fn.bind(ctx)
        for e in self._input._iter(ctx):
            if type(e) is not Failed:
                try:
                    e = call(e)
                except errors.OpError as err:
                    e = Failed(err)
            yield e

    def _rows(self, ctx):
        if not self._fn.elementwise:
            return None
        rows = self._input._rows(ctx)
        if rows is None:
            return None
        call, inner = self._fn.bind(ctx), rows[2]
        return rows[0], rows[1], call if inner is None else (lambda batch: call(inner(batch)))


@dataset_kind("filter")
class _Filter(_Unary):
    def __init__(self, input_ds, predicate):
        self._fn = _Function(predicate, input_ds, "filter")
        out = nest.flatten(self._fn.structure)
        if isinstance(self._fn.structure, (tuple, dict)) or out[0].dtype is not dtypes.bool or \
                out[0].shape.ndims not in (0, None):
            raise ValueError("Invalid `predicate`. `predicate` must return a `tf.bool` scalar "
                             "tensor, but its return type is %s." % (self._fn.output_spec,))
        super().__init__(input_ds)

    def _functions(self):
        return [self._fn]

    def _iter(self, ctx):
        call = self._fn.bind(ctx)
        for e in self._input._iter(ctx):
            if type(e) is Failed:
                yield e
                continue
            try:
                keep = call(e)[0]
            except errors.OpError as err:
                yield Failed(err)
                continue
            if keep.shape != ():
                yield Failed(errors.InvalidArgumentError(
                    None, None, "Filter predicate `predicate` must return a scalar bool tensor, "
                    "but its return type is %s." % (keep.shape,)))
            elif keep:
                yield e


@dataset_kind("flat_map")
class _FlatMap(_Unary):
    def __init__(self, input_ds, fn):
        self._fn = _Function(fn, input_ds, "flat_map", returns_dataset=True)
        super().__init__(input_ds, self._fn.dataset._spec)

    def _functions(self):
        return [self._fn]

    def _inner(self, ctx):
        call = self._fn.bind(ctx)
        inner = self._fn.dataset
        caps = inner._all_captures()
        for e in self._input._iter(ctx):
            if type(e) is not Failed:
                try:
                    yield inner._iter(Context(ctx.rt, dict(zip(caps, call(e)))))
                    continue
                except errors.OpError as err:
                    e = Failed(err)
            yield iter((e,))

    def _iter(self, ctx):
        for it in self._inner(ctx):
            yield from it


@dataset_kind("interleave")
class _Interleave(_FlatMap):
    def __init__(self, input_ds, fn, cycle_length, block_length):
        super().__init__(input_ds, fn)
        self._cycle = AUTOTUNE if cycle_length is None else _count(cycle_length, "cycle_length")
        self._block = 1 if block_length is None else _count(block_length, "block_length")
        self._params = (self._cycle, self._block)

    def _iter(self, ctx):
        inners = self._inner(ctx)
        cycle, block = _int(ctx, self._cycle), _int(ctx, self._block)
        if cycle == AUTOTUNE:
            cycle = 16  # TF picks the CPU count; the order then depends on the machine
        if cycle <= 0 or block <= 0:
            raise errors.InvalidArgumentError(None, None, "cycle_length and block_length must "
                                              "be greater than zero.")
        active = []
        exhausted_input = False
        while True:
            while not exhausted_input and len(active) < cycle:
                nxt = next(inners, None)
                if nxt is None:
                    exhausted_input = True
                else:
                    active.append(nxt)
            if not active:
                return
            i = 0
            while i < len(active):
                it = active[i]
                finished = False
                for _ in range(block):
                    e = next(it, None)
                    if e is None:
                        finished = True
                        break
                    yield e
                if finished:  # the slot takes the next input element; the cycle moves on
                    nxt = None if exhausted_input else next(inners, None)
                    if nxt is None:
                        exhausted_input = True
                        active.pop(i)
                        continue
                    active[i] = nxt
                i += 1
