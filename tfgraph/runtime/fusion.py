"""Plan-time fusion: chains of elementwise ops become one generated Numba kernel.

A chain such as `BiasAdd -> Relu`, or `Mul -> Add -> Neg`, where every intermediate result is used
once and is not fetched, is replaced in the plan by one step. Its kernel reads each input once and
writes the final result once, instead of making a full-size temporary per op. The Numba source is
generated from the chain (each op's `OpDef.scalar` expression, rounded to the op's dtype after every
op, so float32 results match the op-by-op numpy kernels), written to a file keyed by its hash and
compiled with cache=True: the compile cost is paid once per machine.

The fused kernel handles inputs that are full-size, scalars, or per-channel vectors (a bias: the last
dim). Any other run-time shape, a non-contiguous input, or a result smaller than `MIN_FUSED_SIZE`
runs the original kernels one after another, so fusion never changes what a plan computes.
"""
import hashlib
import importlib.util
import os
import sys
import tempfile
import threading
import warnings

import numpy as np

FUSABLE_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

MIN_FUSED_SIZE = 1 << 15       # smaller results: op-by-op kernels (no JIT compile for small graphs)
# From here on the kernel runs its rows in parallel. Elementwise chains are memory-bound: on 2 cores a
# fused BiasAdd->Relu over (128,26,26,32) took 1.13-1.20 ms on one thread and 1.13-1.23 ms on two
# (idle), and 4-7 ms on two when other processes held the cores; so only huge arrays go parallel.
PARALLEL_MIN_SIZE = 1 << 25


def _fusable(op):
    if op.op_def.scalar_expression(op) is None or len(op.outputs) != 1:
        return False
    dtypes = [t.dtype.as_numpy_dtype for t in list(op.inputs) + list(op.outputs)]
    return all(np.dtype(d) == np.dtype(dtypes[-1]) for d in dtypes) and \
        np.dtype(dtypes[-1]) in FUSABLE_DTYPES


def _uses(steps, fetch_slots):
    uses = {}
    for st in steps:
        for s in st.inputs:
            uses[s] = uses.get(s, 0) + 1
    for s in fetch_slots:
        uses[s] = uses.get(s, 0) + 2   # a fetched result is never internal
    return uses


def fuse(steps, fetch_slots, make_step):
    """Steps with each fusable elementwise chain replaced by one step (`make_step(op, kernel, in, out)`)."""
    uses = _uses(steps, fetch_slots)
    producer = {s: i for i, st in enumerate(steps) for s in st.outputs}
    writes = [i for i, st in enumerate(steps) if st.op.op_def.ref_inputs]
    group = {}                          # step index -> sorted member indices of its group
    for i, st in enumerate(steps):
        if st.folded or not _fusable(st.op):  # a folded step's kernel is not its op's alone
            continue
        members = {i}
        for s in st.inputs:
            j = producer.get(s)
            if j is None or j not in group or uses.get(s) != 1:
                continue
            merged = members | set(group[j])
            lo = min(merged)
            if any(lo < w < i for w in writes):
                continue  # a variable write in between: computing the chain late could see it
            members = merged
        group[i] = sorted(members)
        for j in members:
            group[j] = group[i]
    out, done = [], set()
    for i, st in enumerate(steps):
        g = group.get(i)
        if g is None or len(g) == 1:
            out.append(st)
        elif i == g[-1] and i not in done:
            out.append(_fused_step([steps[j] for j in g], make_step))
            done.update(g)
    return out


def _fused_step(members, make_step):
    internal = {m.outputs[0] for m in members[:-1]}
    externals, program = [], []
    for m in members:
        refs = []
        for s in m.inputs:
            if s in internal:
                refs.append(("t", s))
            else:
                if s not in externals:
                    externals.append(s)
                refs.append(("x", externals.index(s)))
        program.append((m.op, m.kernel, refs, m.outputs[0]))
    last = members[-1]
    return make_step(last.op, FusedKernel(program, len(externals)), externals, last.outputs)


class FusedKernel:
    """Runs a fused chain: the generated Numba kernel, or the ops' own kernels when it does not apply."""

    def __init__(self, program, n_inputs):
        self.program = program
        self.n_inputs = n_inputs
        self.ops = [p[0] for p in program]
        self.dtype = np.dtype(self.ops[-1].outputs[0].dtype.as_numpy_dtype)
        self._compiled = {}
        self._disabled = False
        self._sequential = _sequential_function(program, n_inputs)

    def __call__(self, *args):
        for a in args:   # any input as large as the threshold: try the fused kernel
            if np.size(a) >= MIN_FUSED_SIZE:
                break
        else:
            return self._run_sequential(args)
        if self._disabled:
            return self._run_sequential(args)
        big = max(args, key=np.size)
        shape = np.shape(big)
        kinds = self._kinds(args, shape) if len(shape) >= 1 else None
        if kinds is None:
            return self._run_sequential(args)
        return self._run_fused(args, shape, kinds)

    def _run_sequential(self, args):
        try:
            return self._sequential(*args)
        except Exception:  # run again op by op to name the op that failed (the kernels are pure)
            return self.run_unfused(args)

    def _kinds(self, args, shape):
        kinds = []
        for a in args:
            # np.generic: ufuncs return numpy scalars for 0-d results (a count, a learning rate)
            if not isinstance(a, (np.ndarray, np.generic)) or a.dtype != self.dtype:
                return None
            if a.shape == shape and a.flags.c_contiguous:
                kinds.append("f")
            elif a.size == 1 and a.ndim <= len(shape):
                kinds.append("s")
            elif a.ndim <= len(shape) and a.shape[-1] == shape[-1] == a.size and \
                    a.flags.c_contiguous:
                kinds.append("b")
            else:
                return None
        return "".join(kinds)

    def _run_fused(self, args, shape, kinds):
        parallel = int(np.prod(shape)) >= PARALLEL_MIN_SIZE
        cols = shape[-1]
        out = np.empty(shape, dtype=self.dtype)
        views = [a.reshape(-1, cols) if k == "f" else a.reshape(-1) for a, k in zip(args, kinds)]
        fn = self._compiled.get((kinds, parallel))
        if fn is not None:
            fn(out.reshape(-1, cols), *views)
            return out
        try:  # first use: generate, load and compile (or load Numba's cached machine code)
            fn = compile_chain(self.program, kinds, self.dtype, parallel)
            fn(out.reshape(-1, cols), *views)
        except Exception as e:  # a broken disk cache or compiler: slower, never wrong
            warnings.warn("tfgraph: fused kernel for %s unavailable (%s: %s); running the ops one "
                          "by one" % ("+".join(op.type for op in self.ops), type(e).__name__, e),
                          RuntimeWarning)
            self._disabled = True
            return self.run_unfused(args)
        self._compiled[(kinds, parallel)] = fn
        return out

    def run_unfused(self, args, record=None, clock=None):
        """The ops' own kernels one after another; `record(op, t0, t1, out)` traces each (profiles)."""
        temps = {}
        value = None
        for op, kernel, refs, out_slot in self.program:
            values = [args[r] if kind == "x" else temps.pop(r) for kind, r in refs]
            t0 = clock() if record is not None else 0.0
            try:
                value = kernel(*values)
            except Exception as e:  # name the op of the chain that failed, not the chain's last op
                e.tfgraph_op = op
                e.tfgraph_input_shapes = [np.shape(v) for v in values]
                raise
            if record is not None:
                record(op, t0, clock(), value)
            temps[out_slot] = value
        return value


def _sequential_function(program, n_inputs):
    """The chain's own kernels as one generated Python function (the small-array path: no loop over
    the program per call)."""
    names, kernels, lines = {}, {}, []
    for n, (op, kernel, refs, out_slot) in enumerate(program):
        kernels["k%d" % n] = kernel
        operands = ["x%d" % r if kind == "x" else names[r] for kind, r in refs]
        names[out_slot] = "t%d" % n
        lines.append("    t%d = k%d(%s)" % (n, n, ", ".join(operands)))
        used = sorted({names[r] for kind, r in refs if kind == "t"})
        if used:  # each intermediate has this one consumer: free it now, as the plan would
            lines.append("    del %s" % ", ".join(used))
    lines.append("    return t%d" % (len(program) - 1))
    source = "def run(%s):\n%s\n" % (", ".join("x%d" % i for i in range(n_inputs)), "\n".join(lines))
    namespace = dict(kernels)
    exec(compile(source, "<tfgraph fused chain>", "exec"), namespace)
    return namespace["run"]


# -- code generation ------------------------------------------------------------------------------------
_lock = threading.Lock()
_modules = {}


def chain_source(program, kinds, dtype, parallel):
    """The Numba source of one chain for the given input kinds ('f' full, 's' scalar, 'b' bias)."""
    args = ["x%d" % i for i in range(len(kinds))]
    lines = ["import numpy as np",
             "from tfgraph.kernels.jit import njit, prange",
             "",
             "T = np.%s" % dtype.name,
             "",
             "",
             "@njit(parallel=%s, error_model='numpy')" % parallel,
             "def chain(out, %s):" % ", ".join(args),
             "    rows, cols = out.shape"]
    for i, k in enumerate(kinds):
        if k == "s":
            lines.append("    s%d = x%d[0]" % (i, i))
    lines += ["    for r in %s(rows):" % ("prange" if parallel else "range"),
              "        for c in range(cols):"]
    read = {"f": "x{0}[r, c]", "s": "s{0}", "b": "x{0}[c]"}
    for i, k in enumerate(kinds):
        lines.append("            a%d = %s" % (i, read[k].format(i)))
    names = {}
    for n, (op, _, refs, out_slot) in enumerate(program):
        operands = ["a%d" % r if kind == "x" else names[r] for kind, r in refs]
        expr = op.op_def.scalar_expression(op).format(*operands)
        names[out_slot] = "t%d" % n
        lines.append("            t%d = T(%s)  # %s" % (n, expr, op.type))
    lines.append("            out[r, c] = t%d" % (len(program) - 1))
    return "\n".join(lines) + "\n"


def compile_chain(program, kinds, dtype, parallel):
    source = chain_source(program, kinds, dtype, parallel)
    key = hashlib.sha1(source.encode()).hexdigest()[:20]
    with _lock:
        module = _modules.get(key)
        if module is None:
            module = _modules[key] = _load(key, source)
    return module.chain


def _cache_dir():
    base = os.environ.get("NUMBA_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "tfgraph")
    path = os.path.join(base, "fused_kernels")
    os.makedirs(path, exist_ok=True)
    return path


def _load(key, source):
    """Imports the generated source from a file, so that Numba can cache its machine code on disk."""
    path = os.path.join(_cache_dir(), "chain_%s.py" % key)
    try:
        with open(path) as f:
            current = f.read()
    except OSError:
        current = None
    if current != source:  # written once; rewriting would change its mtime and drop Numba's cache
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            f.write(source)
        os.replace(tmp, path)
    name = "tfgraph_fused_chain_%s" % key
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module   # Numba's disk cache looks the module up by name
    spec.loader.exec_module(module)
    return module
