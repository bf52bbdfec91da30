"""Run profiles: RunOptions(trace_level=FULL_TRACE) / RunMetadata, recorded by an instrumented plan.

`Session.run(..., options=RunOptions(trace_level=RunOptions.FULL_TRACE), run_metadata=md)` runs a
copy of the plan's generated function whose kernels are wrapped in a timer, so the normal plan stays
untouched (no per-call cost when not tracing). `md.step_stats` then holds one
NodeExecStats per executed op: wall-clock start/end in microseconds and the bytes of its outputs.
Ops the plan folded into constants or removed (identities, merged duplicates) did not run and do not
appear.
"""
import time

import numpy as np

from tfgraph.framework import errors
from tfgraph.kernels import threads
from tfgraph.runtime.fusion import FusedKernel

DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


class RunOptions:
    """tf.RunOptions: only trace_level matters here (FULL_TRACE records per-op timings)."""

    NO_TRACE, SOFTWARE_TRACE, HARDWARE_TRACE, FULL_TRACE = 0, 1, 2, 3

    def __init__(self, trace_level=0, timeout_in_ms=0, inter_op_thread_pool=0,
                 output_partition_graphs=False, report_tensor_allocations_upon_oom=False):
        self.trace_level = trace_level
        self.timeout_in_ms = timeout_in_ms
        self.output_partition_graphs = output_partition_graphs


class NodeExecStats:
    """One op execution (TF's NodeExecStats fields, plus duration_ms / output_bytes / op_type)."""

    def __init__(self, node_name, op_type, start_us, end_us, output_bytes, output_shapes, inputs):
        self.node_name = node_name
        self.op_type = op_type
        self.all_start_micros = start_us
        self.op_start_rel_micros = 0
        self.op_end_rel_micros = end_us - start_us
        self.all_end_rel_micros = end_us - start_us
        self.output_bytes = output_bytes
        self.output_shapes = output_shapes
        self.timeline_label = "%s = %s(%s)" % (node_name, op_type, ", ".join(inputs))

    @property
    def duration_ms(self):
        return self.all_end_rel_micros / 1000.0

    def __repr__(self):
        return "<NodeExecStats %s %.3f ms>" % (self.node_name, self.duration_ms)


class DeviceStepStats:
    def __init__(self, device=DEVICE):
        self.device = device
        self.node_stats = []


class StepStats:
    def __init__(self):
        self.dev_stats = []

    def node_stats(self):
        """Every NodeExecStats of every device, in execution order."""
        return [ns for d in self.dev_stats for ns in d.node_stats]


class RunMetadata:
    """tf.RunMetadata: filled in place by a traced Session.run."""

    def __init__(self):
        self.step_stats = StepStats()
        self.partition_graphs = []
        self.cost_graph = None

    def op_times_ms(self):
        """{op name: milliseconds} summed over the recorded runs."""
        out = {}
        for ns in self.step_stats.node_stats():
            out[ns.node_name] = out.get(ns.node_name, 0.0) + ns.duration_ms
        return out


def _instrumented(plan):
    """(the plan's function with every step's kernel wrapped to call hook[0](i, kernel, *args),
    hook): built once per plan by `ExecutionPlan.emit`, the tracer set per run."""
    traced = getattr(plan, "_traced", None)
    if traced is None:
        hook = [None]

        def wrap(i, kernel):
            def call(*args):
                return hook[0](i, kernel, *args)
            return call
        traced = plan._traced = (plan.emit(wrap), hook)
    return traced


def _nbytes(out):
    outs = out if isinstance(out, (tuple, list)) else (out,)
    total, shapes = 0, []
    for o in outs:
        if isinstance(o, np.ndarray):
            total += o.nbytes
            shapes.append(list(o.shape))
        elif o is not None:
            shapes.append([])
    return total, shapes


def run_traced(plan, feed_values, run_metadata=None):
    """Runs `plan` recording per-op timings into run_metadata.step_stats; returns the fetches."""
    fn, hook = _instrumented(plan)
    records = []
    clock = time.perf_counter

    def trace(i, kernel, *args):
        if isinstance(kernel, FusedKernel):  # a fused chain is traced op by op, unfused
            return kernel.run_unfused(args, lambda op, t0, t1, out: records.append(
                (op, t0, t1, out)), clock)
        t0 = clock()
        out = kernel(*args)
        records.append((plan.steps[i].op, t0, clock(), out))
        return out
    hook[0] = trace
    outer = threads.activate(plan.thread_policy)
    try:
        values = fn(*feed_values)
    except errors.OpError:
        raise
    except Exception as e:  # name the failing op as the plain plan does
        raise plan._op_error(e) from e
    finally:
        threads.restore(outer)
    if run_metadata is not None:
        dev = DeviceStepStats()
        wall0, perf0 = time.time(), clock()
        for op, t0, t1, out in records:
            nbytes, shapes = _nbytes(out)
            start = int((wall0 - (perf0 - t0)) * 1e6)
            end = start + max(int((t1 - t0) * 1e6), 0)
            dev.node_stats.append(NodeExecStats(
                op.name, op.type, start, end, nbytes, shapes, [t.name for t in op.inputs]))
        run_metadata.step_stats.dev_stats.append(dev)
    return values


__all__ = ["RunOptions", "RunMetadata"]
