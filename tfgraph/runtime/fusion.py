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


def fuse_relu_grad_into_producer(steps, fetch_slots, make_step, rt):
    """ReluGrad(g, y) where g comes, used once, from an op whose OpDef can fold the ReluGrad into its
    own kernel becomes one step, at the producer's place:

    - `make_relu_grad_kernel(op, rt)` when the producer reads y itself, as its first input
      (MaxPoolGrad over the Relu output y: the pool's gradient already reads y, so folding saves
      ReluGrad's full pass over the activation);
    - `make_relu_masked_kernel(op, rt)`, a kernel taking y as one more input, otherwise
      (Conv2DBackpropInput of a conv over a Relu: the mask applied to each chunk of dx while it
      is in cache).
    """
    uses = _uses(steps, fetch_slots)
    producer = {s: i for i, st in enumerate(steps) for s in st.outputs}
    replaced, out = {}, []
    for i, st in enumerate(steps):
        if st.op.type == "ReluGrad" and len(st.inputs) == 2:
            j = producer.get(st.inputs[0])
            p = steps[j] if j is not None else None
            step = None
            if p is not None and uses.get(st.inputs[0]) == 1 and not p.folded and \
                    producer.get(st.inputs[1], -1) < j:   # y ready at the producer's place
                op_def = p.op.op_def
                if p.inputs[:1] == [st.inputs[1]]:
                    make = getattr(op_def, "make_relu_grad_kernel", None)
                    kernel = make(p.op, rt) if make is not None else None
                    inputs = list(p.inputs)
                else:
                    make = getattr(op_def, "make_relu_masked_kernel", None)
                    kernel = make(p.op, rt) if make is not None else None
                    inputs = list(p.inputs) + [st.inputs[1]]
                if kernel is not None:
                    step = make_step(st.op, kernel, inputs, st.outputs, folded=True)
            if step is not None:
                replaced[j] = step
                continue
        out.append((i, st))
    # the fused step takes the producer's place: its inputs are ready there, its result is needed later
    return [replaced.get(i, st) for i, st in out]


def fuse_bias_relu_into_producer(steps, fetch_slots, make_step, rt):
    """BiasAdd(p, b), alone or fused with a following Relu, where p comes, used once, from an op whose
    OpDef can apply the bias (and Relu) inside its own kernel (`make_bias_relu_kernel`: Conv2D, which
    adds them to each output row while it is in cache) becomes one step with inputs p's + b.
    Runs after `fuse`, so a BiasAdd -> Relu chain is one FusedKernel step here."""
    uses = _uses(steps, fetch_slots)
    producer = {s: i for i, st in enumerate(steps) for s in st.outputs}
    writes = [i for i, st in enumerate(steps) if st.op.op_def.ref_inputs]
    dropped, out = set(), []
    for i, st in enumerate(steps):
        relu = _bias_relu_pattern(st)
        j = producer.get(st.inputs[0]) if relu is not None and st.inputs else None
        if j is not None and uses.get(st.inputs[0]) == 1 and j not in dropped and \
                not any(j < w < i for w in writes):
            p = steps[j]
            make = getattr(p.op.op_def, "make_bias_relu_kernel", None)
            kernel = make(p.op, rt, relu) if make is not None else None
            if kernel is not None:
                dropped.add(j)
                # at the BiasAdd's place: the bias (a variable read) may come after the producer
                out.append(make_step(st.op, kernel, list(p.inputs) + [st.inputs[1]], st.outputs,
                                     folded=True))
                continue
        out.append(st)
    return [st for st in out if not any(st is steps[j] for j in dropped)]


def fold_conv_relu_pool(steps, fetch_slots, make_step, rt):
    """A Conv2D -> BiasAdd -> Relu -> MaxPool block (already one conv step with the bias and Relu,
    see `fuse_bias_relu_into_producer`) whose Conv2D OpDef offers joint kernels
    (`make_relu_max_pool_kernel`, `make_relu_max_pool_grad_kernel`: a first layer on images, 2x2
    pool):

    - conv and pool become one step that pools each pair of conv rows while it is in cache; when
      the pool is the activation's only reader (inference) the activation is never stored, else
      the step also outputs it (training: the gradient reads it);
    - in training, the block's gradient steps (MaxPoolGrad with its ReluGrad folded in, then
      BiasAddGrad and Conv2DBackpropFilter as the only readers of its result) become one step
      computing (dL/dw, dL/dbias) in one pass, at the MaxPoolGrad's place.
    """
    uses = _uses(steps, fetch_slots)
    producer = {s: i for i, st in enumerate(steps) for s in st.outputs}
    readers = {}
    for i, st in enumerate(steps):
        for s in dict.fromkeys(st.inputs):
            readers.setdefault(s, []).append(i)
    writes = [i for i, st in enumerate(steps) if st.op.op_def.ref_inputs]
    replaced, dropped = {}, set()
    for i, st in enumerate(steps):
        if st.op.type == "MaxPool" and len(st.inputs) == 1:
            j = producer.get(st.inputs[0])
            conv = _folded_conv(steps[j]) if j is not None else None
            make = getattr(conv.op_def, "make_relu_max_pool_kernel", None) if conv else None
            keep = uses.get(st.inputs[0]) != 1   # other readers of the activation
            kernel = make(conv, st.op, rt, with_relu_out=keep) if make is not None else None
            if kernel is not None:
                outputs = st.outputs + (steps[j].outputs if keep else [])
                replaced[j] = make_step(st.op, kernel, list(steps[j].inputs), outputs,
                                        folded=True)
                dropped.add(i)
        elif st.op.type == "ReluGrad" and st.folded:   # with its MaxPoolGrad
            fused = _conv_pool_grad_step(steps, i, producer, readers, uses, writes, make_step, rt)
            if fused is not None:
                step, gone = fused
                replaced[i] = step
                dropped.update(gone)
    return [replaced.get(i, st) for i, st in enumerate(steps) if i not in dropped]


def fold_bias_grad_into_filter_grad(steps, fetch_slots, make_step, rt):
    """BiasAddGrad(d) and Conv2DBackpropFilter(x, sizes, d) over the same d (a conv layer's bias and
    filter gradients) become one step whose kernel reads d once for both (the OpDef's
    `make_bias_grad_kernel`): at the earlier of the two places when the filter gradient's inputs
    are ready there, else at the filter gradient's when nothing between reads the bias gradient.
    Runs after `fold_conv_relu_pool`, which covers a first conv + pool block."""
    producer = {s: i for i, st in enumerate(steps) for s in st.outputs}
    writes = [i for i, st in enumerate(steps) if st.op.op_def.ref_inputs]
    bias_grads = {}
    for i, st in enumerate(steps):
        if st.op.type == "BiasAddGrad" and not st.folded and len(st.inputs) == 1 and \
                st.op.attrs.get("data_format", "NHWC") == "NHWC":
            bias_grads.setdefault(st.inputs[0], i)
    replaced, dropped = {}, set()
    for f, st in enumerate(steps):
        b = bias_grads.get(st.inputs[2]) if st.op.type == "Conv2DBackpropFilter" and \
            not st.folded and len(st.inputs) == 3 else None
        if b is None:
            continue
        at, other = min(b, f), max(b, f)
        if any(producer.get(s, -1) >= at for s in st.inputs):
            # the filter gradient's inputs come after the BiasAddGrad: at the filter gradient's
            # place instead, if nothing in between reads the bias gradient
            between = {s for k in range(b + 1, f) for s in steps[k].inputs}
            if b > f or any(s in between for s in steps[b].outputs):
                continue
            at, other = f, b
        if any(min(b, f) < w < max(b, f) for w in writes):
            continue
        make = getattr(st.op.op_def, "make_bias_grad_kernel", None)
        kernel = make(st.op, rt) if make is not None else None
        if kernel is None:
            continue
        replaced[at] = make_step(st.op, kernel, list(st.inputs), st.outputs + steps[b].outputs,
                                 folded=True)
        dropped.add(other)
        del bias_grads[st.inputs[2]]   # one pair per BiasAddGrad (two convs may share d)
    return [replaced.get(i, st) for i, st in enumerate(steps) if i not in dropped]


def _folded_conv(step):
    """The Conv2D op of a step that runs Conv2D -> BiasAdd -> Relu as one kernel, else None."""
    if not step.folded or step.op.type != "Relu" or len(step.inputs) != 3:
        return None
    bias_add = step.op.inputs[0].op
    if bias_add.type != "BiasAdd" or bias_add.inputs[0].op.type != "Conv2D":
        return None
    return bias_add.inputs[0].op


def _conv_pool_grad_step(steps, i, producer, readers, uses, writes, make_step, rt):
    """(the one step for the training gradient of a conv -> relu -> pool block, indices of the
    steps it replaces) for the folded MaxPoolGrad + ReluGrad step i, or None."""
    g = steps[i]
    pool_grad = g.op.inputs[0].op
    if pool_grad.type != "MaxPoolGrad" or len(g.inputs) != 3:
        return None
    a, y, dy_pool = g.inputs
    j = producer.get(a)
    conv = _folded_conv(steps[j]) if j is not None else None
    if conv is None or any(j < w < i for w in writes):
        return None
    d = g.outputs[0]
    consumers = readers.get(d, [])
    if uses.get(d) != 2 or len(consumers) != 2:
        return None
    by_type = {steps[k].op.type: k for k in consumers}
    b, f = by_type.get("BiasAddGrad"), by_type.get("Conv2DBackpropFilter")
    x, w, bias = steps[j].inputs
    if b is None or f is None or steps[f].inputs[0] != x or steps[f].inputs[2] != d:
        return None
    make = getattr(conv.op_def, "make_relu_max_pool_grad_kernel", None)
    kernel = make(conv, pool_grad, rt) if make is not None else None
    if kernel is None:
        return None
    step = make_step(steps[f].op, kernel, [x, w, bias, a, y, dy_pool],
                     [steps[f].outputs[0], steps[b].outputs[0]], folded=True)
    return step, (b, f)


def _bias_relu_pattern(step):
    """True/False (with/without Relu) when `step` is BiasAdd(value, bias) [-> Relu] in NHWC, else None."""
    kernel = step.kernel
    if isinstance(kernel, FusedKernel):
        types = [op.type for op in kernel.ops]
        refs = [refs for _, _, refs, _ in kernel.program]
        if types == ["BiasAdd", "Relu"] and refs[0] == [("x", 0), ("x", 1)] and \
                kernel.ops[0].attrs.get("data_format", "NHWC") == "NHWC":
            return True
        return None
    if step.op.type == "BiasAdd" and step.op.attrs.get("data_format", "NHWC") == "NHWC" and \
            len(step.inputs) == 2:
        return False
    return None


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
