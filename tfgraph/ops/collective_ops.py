"""Collective ops across the processes of an MPI job: allreduce, allgather, broadcast.

They are graph ops like any other (Horovod's `HorovodAllreduce` & co. in spirit): every process
builds the same graph, and each collective's kernel meets the same op on the other ranks. The
kernels reach MPI through mpi4py, imported when the first collective is built or run, so the core
of tfgraph never needs it (`pip install 'tfgraph[distributed]'`).

Each op takes several tensors and moves them in one buffer (one MPI call per op, not per tensor):
`DistributedOptimizer` fuses the gradients of many variables into a few such ops.

Faults: a kernel waits on a non-blocking MPI request and gives up after the world's timeout
(`TFGRAPH_MPI_TIMEOUT`, seconds) with an error that names the ranks found dead; the first run of
each collective compares a hash of what it moves (names, shapes, dtypes) across ranks, so ranks
that built different models fail there with the difference spelled out instead of hanging or
mixing up buffers.

Gradients follow Horovod: allreduce's is the allreduce of the output gradients; allgather's is
this rank's rows of their sum over ranks; broadcast's is that sum on the root rank, zero elsewhere.
"""
import hashlib
import os
import socket
import sys
import time

import numpy as np

from tfgraph.framework import errors
from tfgraph.framework.op_def import OpDef, TensorSpec, convert_to_tensor
from tfgraph.ops import array_core_ops, shape_ops

REDUCTIONS = ("Sum", "Average", "Min", "Max")
DEFAULT_TIMEOUT = 300.0
_INSTALL_HINT = ("tfgraph.distribute needs mpi4py and an MPI library: pip install "
                 "'tfgraph[distributed]' (mpi4py with the MPICH wheel), then start the script "
                 "with mpirun -np N python script.py")

_world = None


def _import_mpi():
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise ImportError("%s (%s)" % (_INSTALL_HINT, e)) from None
    return MPI


def get_world(timeout=None):
    """The process's `World` (MPI is set up on the first call)."""
    global _world
    if _world is None:
        _world = World(timeout)
    elif timeout is not None:
        _world.timeout = float(timeout)
    return _world


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child that its launcher has not reaped yet is a zombie: dead all the same
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return True


_THREAD_VARIABLES = ("OMP_NUM_THREADS", "NUMBA_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def _share_cores(processes):
    """Gives each of the `processes` ranks on this machine its share of the cores (BLAS, Numba
    and the row-splitting pool), unless the user set a thread count: the kernels' default of
    every core each made the 2-process MNIST tutorial on 2 cores 16x slower per step."""
    if any(v in os.environ for v in _THREAD_VARIABLES):
        return
    from tfgraph.kernels import blas, jit, threads
    share = max(1, (os.cpu_count() or 1) // processes)
    if blas._set_threads is not None:
        blas._set_threads(share)
    blas.DEFAULT_THREADS = min(blas.DEFAULT_THREADS, share)
    threads.THREADS = min(threads.THREADS, share)
    try:
        jit.numba.set_num_threads(min(jit.NUMBA_THREADS, share))
    except (ValueError, AttributeError):
        pass


class World:
    """This process's view of the MPI job: rank, size, local rank, and the waits with a timeout."""

    def __init__(self, timeout=None):
        MPI = _import_mpi()
        if not MPI.Is_initialized():
            MPI.Init()
        self.MPI = MPI
        # a communicator of our own: the user's mpi4py calls on COMM_WORLD never meet ours
        self.comm = MPI.COMM_WORLD.Dup()
        self.rank = self.comm.Get_rank()
        self.size = self.comm.Get_size()
        local = self.comm.Split_type(MPI.COMM_TYPE_SHARED, key=self.rank)
        self.local_rank, self.local_size = local.Get_rank(), local.Get_size()
        local.Free()
        if self.local_size > 1:
            _share_cores(self.local_size)
        if timeout is None:
            timeout = os.environ.get("TFGRAPH_MPI_TIMEOUT", DEFAULT_TIMEOUT)
        self.timeout = float(timeout)
        self.host = socket.gethostname()
        self.processes = self.comm.allgather((self.host, os.getpid()))
        if self.size > 1:
            _install_excepthook(self)
            if self.rank == 0 and os.environ.get("TFGRAPH_MPI_QUIET") != "1":
                # launchers name a failed process by its pid: this line says which rank it was
                sys.stderr.write("tfgraph.distribute: %d processes: %s\n" % (self.size, ", ".join(
                    "rank %d = pid %d on %s" % (r, pid, host)
                    for r, (host, pid) in enumerate(self.processes))))
                sys.stderr.flush()

    # -- waiting ----------------------------------------------------------------------------------
    def wait(self, request, what, op=None):
        """Waits for `request`; past the timeout raises UnavailableError naming dead ranks."""
        if request.Test():
            return
        deadline = time.monotonic() + self.timeout
        spins, pause = 0, 0.0
        while not request.Test():
            spins += 1
            if spins > 200:  # spin briefly (a step's collective is usually near), then yield
                pause = min(0.001, pause + 0.0001)
                time.sleep(pause)
            if time.monotonic() > deadline:
                raise errors.UnavailableError(None, op, self.stall_message(what))

    def stall_message(self, what):
        dead = [r for r, (host, pid) in enumerate(self.processes)
                if r != self.rank and host == self.host and not _pid_alive(pid)]
        if dead:
            why = "; ".join("rank %d (pid %d on %s) is no longer running"
                            % ((r,) + tuple(reversed(self.processes[r]))) for r in dead)
        else:
            here = [r for r, (host, _) in enumerate(self.processes)
                    if r != self.rank and host == self.host]
            why = ("no rank on this machine died%s; a rank hangs, died on another machine, or "
                   "runs other collectives" % (" (ranks %s here still run)" % here if here else ""))
        return ("tfgraph.distribute: %s on rank %d of %d did not complete within %g s "
                "(TFGRAPH_MPI_TIMEOUT): %s." % (what, self.rank, self.size, self.timeout, why))

    # -- collectives on numpy arrays ---------------------------------------------------------------
    def allreduce(self, buf, reduction="Sum", what="allreduce", op=None):
        """Reduces the contiguous array `buf` across ranks, in place; returns it."""
        if self.size > 1:
            mpi_op = {"Sum": self.MPI.SUM, "Average": self.MPI.SUM, "Min": self.MPI.MIN,
                      "Max": self.MPI.MAX}[reduction]
            self.wait(self.comm.Iallreduce(self.MPI.IN_PLACE, buf, op=mpi_op), what, op)
            if reduction == "Average":
                buf /= self.size
        return buf

    def allgather_rows(self, arrays, what="allgather", op=None):
        """Per array, the arrays of every rank joined along axis 0 (in rank order)."""
        shapes = np.zeros(sum(max(a.ndim, 1) for a in arrays), np.int64)
        k = 0
        for a in arrays:
            shapes[k:k + a.ndim] = a.shape
            k += max(a.ndim, 1)
        every = np.empty((self.size, len(shapes)), np.int64)
        if self.size > 1:
            self.wait(self.comm.Iallgather(shapes, every), what, op)
        else:
            every[0] = shapes
        out, k = [], 0
        for a in arrays:
            nd = max(a.ndim, 1)
            tails = every[:, k + 1:k + nd]
            bad = [r for r in range(self.size) if (tails[r] != tails[self.rank]).any()]
            if bad:
                raise errors.InvalidArgumentError(None, op, "%s: rank %d has shape [?, %s] where "
                                                  "rank %d has [?, %s]: only the first dimension "
                                                  "may differ across ranks." % (
                                                      what, bad[0], ", ".join(map(str, tails[bad[0]])),
                                                      self.rank, ", ".join(map(str, a.shape[1:]))))
            rows = every[:, k]
            k += nd
            a = np.require(a, requirements="C")
            result = np.empty((int(rows.sum()),) + a.shape[1:], a.dtype)
            if self.size > 1:
                row_bytes = a.dtype.itemsize * int(np.prod(a.shape[1:], dtype=np.int64))
                counts = rows * row_bytes
                displs = np.concatenate([[0], np.cumsum(counts)[:-1]])
                send = a.reshape(-1).view(np.uint8)
                recv = result.reshape(-1).view(np.uint8)
                self.wait(self.comm.Iallgatherv(send, [recv, (counts, displs), self.MPI.BYTE]),
                          what, op)
            else:
                result[...] = a
            out.append(result)
        return out

    def broadcast(self, buf, root_rank=0, what="broadcast", op=None):
        """Overwrites the contiguous byte array `buf` with root_rank's; returns it."""
        if self.size > 1:
            self.wait(self.comm.Ibcast([buf, self.MPI.BYTE], root=root_rank), what, op)
        return buf

    def check_same(self, description, what, op=None):
        """Raises FailedPreconditionError when `description` differs on another rank."""
        if self.size == 1:
            return
        digest = np.frombuffer(hashlib.sha256(description.encode()).digest(), np.uint8)
        every = np.empty((self.size, digest.size), np.uint8)
        self.wait(self.comm.Iallgather(digest, every), what, op)
        if (every == every[0]).all():
            return
        # every rank saw the difference, so every rank is in this (blocking) exchange
        descriptions = self.comm.allgather(description)
        raise errors.FailedPreconditionError(None, op, mismatch_message(descriptions, what))


def mismatch_message(descriptions, what):
    """What differs between rank 0's description lines ('name shape dtype') and each other's."""
    def entries(text):
        out = {}
        for line in text.splitlines():
            name, _, rest = line.partition(" ")
            out[name] = rest
        return out

    base = entries(descriptions[0])
    parts = []
    for r, text in enumerate(descriptions[1:], 1):
        other = entries(text)
        missing = [n for n in base if n not in other]
        extra = [n for n in other if n not in base]
        changed = ["%s is %s on rank %d but %s on rank 0" % (n, other[n], r, base[n])
                   for n in base if n in other and other[n] != base[n]]
        if missing:
            parts.append("rank %d lacks %s" % (r, missing))
        if extra:
            parts.append("rank %d has %s that rank 0 lacks" % (r, extra))
        parts.extend(changed)
        if not (missing or extra or changed) and text != descriptions[0]:
            parts.append("rank %d lists the same tensors in another order" % r)
    return ("tfgraph.distribute: ranks disagree at the first run of %s: %s. Every rank must "
            "build the same model and the same collectives in the same order."
            % (what, "; ".join(parts)))


def _install_excepthook(world):
    previous = sys.excepthook

    def excepthook(exc_type, exc, tb):
        previous(exc_type, exc, tb)
        sys.stderr.write("tfgraph.distribute: rank %d of %d (pid %d on %s) stopped on %s; "
                         "aborting the other ranks (MPI_Abort).\n"
                         % (world.rank, world.size, os.getpid(), world.host, exc_type.__name__))
        sys.stderr.flush()
        world.comm.Abort(1)

    sys.excepthook = excepthook


def describe(tensors, rows_may_differ=False):
    """The description lines ('name shape dtype') that `check_same` compares across ranks
    (rows_may_differ: the first dimension, which allgather lets differ, left out)."""
    lines = []
    for t in tensors:
        shape = t.shape
        if rows_may_differ and shape.ndims:
            shape = "(?, %s)" % ", ".join(str(d) for d in shape.as_list()[1:])
        lines.append("%s %s %s" % (getattr(t, "name", "?").replace(" ", "_"), shape,
                                   t.dtype.name))
    return "\n".join(lines)


# -- ops ---------------------------------------------------------------------------------------
class _Collective(OpDef):
    stateful = True  # never folded or merged: every rank must run every collective, in order

    def make_kernel(self, op, rt):
        world = get_world()
        what = "%s '%s'" % (op.type, op.name)
        attrs = dict(op.attrs)
        description = attrs.pop("description")
        checked = []

        def kernel(*arrays):
            if not checked:
                world.check_same(description or op.name, what, op)
                checked.append(True)
            return self._run(world, what, op, arrays, **attrs)
        return kernel

    def compute(self, *arrays, description="", **attrs):
        return self._run(get_world(), self.type, None, arrays, **attrs)

    def _run(self, world, what, op, arrays, **attrs):
        raise NotImplementedError


def _same_dtype(xs, op_type):
    if not xs:
        raise ValueError("%s needs at least one tensor" % op_type)
    for x in xs[1:]:
        if x.dtype is not xs[0].dtype:
            raise TypeError("%s fuses tensors of one dtype: got %s and %s"
                            % (op_type, xs[0].dtype.name, x.dtype.name))


class MpiAllreduce(_Collective):
    """Every input reduced element-wise across ranks (one fused buffer, one MPI call)."""

    type = "MpiAllreduce"
    attrs = {"reduction": "Average", "description": ""}

    def infer(self, *xs, reduction, description):
        _same_dtype(xs, self.type)
        if reduction not in REDUCTIONS:
            raise ValueError("MpiAllreduce: reduction must be one of %s, got %r"
                             % (list(REDUCTIONS), reduction))
        if reduction == "Average" and not xs[0].dtype.is_floating:
            raise TypeError("MpiAllreduce: op=Average needs a floating-point tensor, got %s; use "
                            "op=Sum" % xs[0].dtype.name)
        return [TensorSpec(x.shape, x.dtype) for x in xs]

    def _run(self, world, what, op, arrays, reduction):
        dtype = arrays[0].dtype
        # MPI has no float16 sum: reduce such buffers in float32
        work = np.float32 if dtype.itemsize < 4 and dtype.kind == "f" else dtype
        buf = np.concatenate([np.ravel(a) for a in arrays]).astype(work, copy=False)
        world.allreduce(buf, reduction, what, op)
        if work is not dtype:
            buf = buf.astype(dtype)
        out, k = [], 0
        for a in arrays:
            out.append(buf[k:k + a.size].reshape(a.shape))
            k += a.size
        return out[0] if len(out) == 1 else tuple(out)

    def grad(self, op, *dys):
        if op.attrs["reduction"] not in ("Sum", "Average"):
            return [None] * len(dys)
        dys = [array_core_ops.zeros_like(x) if dy is None else dy
               for dy, x in zip(dys, op.inputs)]
        return _as_list(MpiAllreduce.apply(*dys, reduction=op.attrs["reduction"],
                                           description=describe(op.inputs) + "\ngrad"))


class MpiAllgather(_Collective):
    """Each input joined along axis 0 over the ranks, in rank order (first dims may differ)."""

    type = "MpiAllgather"
    attrs = {"description": ""}

    def infer(self, *xs, description):
        if not xs:
            raise ValueError("MpiAllgather needs at least one tensor")
        out = []
        for x in xs:
            if x.shape.ndims is None or x.shape.ndims == 0:
                raise ValueError("MpiAllgather: tensor %s needs a known rank of at least 1, got "
                                 "shape %s" % (x.name, x.shape))
            out.append(TensorSpec([None] + x.shape.as_list()[1:], x.dtype))
        return out

    def _run(self, world, what, op, arrays):
        out = world.allgather_rows(list(arrays), what, op)
        return out[0] if len(out) == 1 else tuple(out)

    def grad(self, op, *dys):
        grads = []
        for x, dy in zip(op.inputs, dys):
            if dy is None:
                grads.append(None)
                continue
            text = describe([x], rows_may_differ=True)
            total = MpiAllreduce.apply(dy, reduction="Sum", description=text + "\nallgather grad")
            rows = MpiAllgather.apply(shape_ops.reshape(shape_ops.shape(x)[0], [1]),
                                      description=text + "\nallgather rows")
            grads.append(MpiRankRows.apply(total, rows))
        return grads


class MpiRankRows(OpDef):
    """This rank's rows of x, given every rank's row count (the allgather gradient's slice)."""

    type = "MpiRankRows"
    stateful = True

    def infer(self, x, rows):
        return [TensorSpec([None] + x.shape.as_list()[1:], x.dtype)]

    def compute(self, x, rows):
        rank = get_world().rank
        start = int(np.sum(rows[:rank]))
        return np.array(x[start:start + int(rows[rank])])


class MpiBroadcast(_Collective):
    """Every input replaced by root_rank's value (one byte buffer, one MPI call)."""

    type = "MpiBroadcast"
    attrs = {"root_rank": 0, "description": ""}

    def infer(self, *xs, root_rank, description):
        if not xs:
            raise ValueError("MpiBroadcast needs at least one tensor")
        if not isinstance(root_rank, int) or root_rank < 0:
            raise ValueError("MpiBroadcast: root_rank must be a rank (an int >= 0), got %r"
                             % (root_rank,))
        return [TensorSpec(x.shape, x.dtype) for x in xs]

    def _run(self, world, what, op, arrays, root_rank):
        if root_rank >= world.size:
            raise errors.InvalidArgumentError(None, op, "%s: root_rank %d is not a rank of this "
                                              "job of %d processes" % (what, root_rank, world.size))
        arrays = [np.require(a, requirements="C") for a in arrays]
        buf = np.concatenate([a.reshape(-1).view(np.uint8) for a in arrays]) if arrays else None
        world.broadcast(buf, root_rank, what, op)
        out, k = [], 0
        for a in arrays:
            out.append(buf[k:k + a.nbytes].view(a.dtype).reshape(a.shape))
            k += a.nbytes
        return out[0] if len(out) == 1 else tuple(out)

    def grad(self, op, *dys):
        dys = [array_core_ops.zeros_like(x) if dy is None else dy
               for dy, x in zip(dys, op.inputs)]
        total = _as_list(MpiAllreduce.apply(*dys, reduction="Sum",
                                            description=describe(op.inputs) + "\nbroadcast grad"))
        return [MpiOnRank.apply(t, rank=op.attrs["root_rank"]) for t in total]


class MpiOnRank(OpDef):
    """x on rank `rank`, zeros on every other rank."""

    type = "MpiOnRank"
    attrs = {"rank": 0}
    stateful = True

    def infer(self, x, rank):
        return [TensorSpec(x.shape, x.dtype)]

    def compute(self, x, rank):
        return np.array(x) if get_world().rank == rank else np.zeros_like(x)


def _as_list(outputs):
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def _check_reduction(op):
    if op not in REDUCTIONS:
        raise ValueError("op must be one of %s (tfgraph.distribute.Average, Sum, ...), got %r"
                         % (list(REDUCTIONS), op))


def allreduce(tensors, op="Average", name=None):
    """A tensor (or list of tensors of one dtype) reduced across ranks; one MPI call for all."""
    _check_reduction(op)
    return _collective(MpiAllreduce, tensors, name, reduction=op)


def allgather(tensors, name=None):
    """A tensor (or list) joined along axis 0 over ranks, in rank order."""
    return _collective(MpiAllgather, tensors, name, rows_may_differ=True)


def broadcast(tensors, root_rank=0, name=None):
    """root_rank's value of a tensor (or list of tensors), on every rank."""
    return _collective(MpiBroadcast, tensors, name, root_rank=root_rank)


def _collective(op_def, tensors, name, rows_may_differ=False, **attrs):
    """One op of `op_def` over a tensor or a list of them (the world started first); the result
    in the same form."""
    get_world()
    single = not isinstance(tensors, (list, tuple))
    xs = [tensors] if single else list(tensors)
    out = _as_list(op_def.apply(*xs, name=name or op_def.type,
                                description=_describe_inputs(xs, rows_may_differ), **attrs))
    return out[0] if single else out


def _describe_inputs(xs, rows_may_differ=False):
    return describe([convert_to_tensor(x) for x in xs], rows_may_differ)


__all__ = ["allreduce", "allgather", "broadcast", "get_world", "World", "REDUCTIONS"]
