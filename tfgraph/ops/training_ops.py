"""Optimizer update ops (TF's training_ops: ApplyAdam, SparseApplyMomentum, ...), applied in place.

Each op takes variable references first (the variable, then its slots), then TF's other inputs in
TF's order, and outputs the updated variable. Its kernel, under the locks of the variable and its
slots, checks every shape before touching a buffer (a failed update writes nothing), then runs one
fused Numba kernel from tfgraph/kernels/optimizers.py over the buffers in place. `reference` is the
numpy oracle (and the kernel for dtypes Numba does not handle, e.g. float16).

Sparse ops (`SparseApply*`) take the rows of an IndexedSlices gradient: repeated indices are summed
first and only the rows present are updated, as TF1's optimizers do. Two ops have no TF1 op of their
own and keep TF1's semantics under a tfgraph type name: SparseApplyGradientDescent (TF1: ScatterSub
of lr * grad) and SparseApplyAdam (TF1: AdamOptimizer._apply_sparse's assign/scatter_add composite).
"""
import numpy as np

from tfgraph.framework import errors
from tfgraph.framework.op_def import OpDef, TensorSpec
from tfgraph.kernels import optimizers as K

_SCALARS = frozenset(["lr", "alpha", "momentum", "beta1_power", "beta2_power", "beta1", "beta2",
                      "epsilon", "rho"])
_FAST_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _shape(a):
    return "[%s]" % ",".join(str(d) for d in a.shape)


class _ApplyOp(OpDef):
    """Base of the update ops. Subclasses set `inputs` (TF's input names), `n_refs`,
    `dense`/`sparse`
    (the fast update on flat or (rows, cols) buffers) and `reference_rows` (numpy, any shape)."""

    inputs = ()
    n_refs = 1
    is_sparse = False
    attrs = {"use_locking": False}
    stateful = True
    persistent_output = True
    runs_beside = True

    def __init_subclass__(cls, **kwargs):
        cls.ref_inputs = tuple(range(cls.n_refs))
        cls.same_dtype = tuple(i for i, n in enumerate(cls.inputs) if n != "indices")
        values = cls.inputs[cls.n_refs:]
        cls._scalar_pos = tuple(i for i, n in enumerate(values) if n in _SCALARS)
        cls._grad_pos = values.index("grad") if "grad" in values else values.index("delta")
        cls._idx_pos = values.index("indices") if "indices" in values else None
        super().__init_subclass__(**kwargs)

    # -- static checks ----------------------------------------------------------------------------
    def infer(self, *ts, **attrs):
        var = ts[0]
        for name, t in zip(self.inputs[:self.n_refs], ts):
            if t.op.type != "VariableV2":
                raise TypeError("'%s' Op requires that input '%s' be a mutable tensor (a variable);"
                                " "
                                "got %s" % (self.type, name, t.name))
            if not var.shape.is_compatible_with(t.shape):
                raise ValueError("var and %s do not have the same shape: %s vs %s"
                                 % (name, var.shape, t.shape))
        if not var.dtype.is_floating:
            raise TypeError("%s needs a floating-point variable, got %s"
                            % (self.type, var.dtype.name))
        for name, t in zip(self.inputs, ts):
            if name in _SCALARS and t.shape.ndims not in (None, 0):
                raise ValueError("%s is not a scalar: %s" % (name, t.shape))
        values = ts[self.n_refs:]
        grad = values[self._grad_pos]
        if self._idx_pos is None:
            if not var.shape.is_compatible_with(grad.shape):
                raise ValueError("var and grad do not have the same shape: %s vs %s"
                                 % (var.shape, grad.shape))
        else:
            idx = values[self._idx_pos]
            if not idx.dtype.is_integer:
                raise TypeError("indices must be int32 or int64, got %s" % idx.dtype.name)
            if idx.shape.ndims not in (None, 1):
                raise ValueError("indices must be one-dimensional: %s" % idx.shape)
            if var.shape.ndims == 0:
                raise ValueError("var must be at least 1 dimensional")
            if var.shape.ndims is not None and grad.shape.ndims is not None and (
                    grad.shape.ndims != var.shape.ndims
                    or not var.shape[1:].is_compatible_with(grad.shape[1:])):
                raise ValueError("var and grad must match in dimension 1 and above: %s vs %s"
                                 % (var.shape, grad.shape))
        return [TensorSpec(var.shape, var.dtype)]

    # -- kernel -----------------------------------------------------------------------------------
    def make_kernel(self, op, rt):
        ref_ops = [t.op for t in op.inputs[:self.n_refs]]
        slots = [rt.variable(o) for o in ref_ops]
        names = [o.name for o in ref_ops]
        attrs = dict(op.attrs)
        dt = np.dtype(op.inputs[0].dtype.np).type
        fast = np.dtype(dt) in _FAST_DTYPES
        sp, gp, ip = self._scalar_pos, self._grad_pos, self._idx_pos
        if ip is None and fast:
            return self._fast_dense_kernel(op, slots, names, attrs, dt)
        run = self._sparse_update if ip is not None else self._dense_update

        def kernel(*values):
            for s in slots:              # var first, then its slots: one fixed order, no deadlock
                s.lock.acquire()
            try:
                bufs = _buffers(op, slots, names)
                scalars = [dt(values[p]) for p in sp]
                run(op, bufs, names, scalars, values[gp], None if ip is None else values[ip],
                    attrs, fast)
                return bufs[0]
            finally:
                for s in reversed(slots):
                    s.lock.release()
        return kernel

    def _fast_dense_kernel(self, op, slots, names, attrs, dt):
        """The common case, kept lean: float32/64 buffers of one shape, a dense gradient."""
        dense, sp, gp, np_dt = self.dense, self._scalar_pos, self._grad_pos, np.dtype(dt)

        def kernel(*values):
            grad = values[gp]
            for s in slots:
                s.lock.acquire()
            try:
                bufs = [s.value for s in slots]
                for b in bufs:
                    if b is None or b.shape != grad.shape or not b.flags.c_contiguous:
                        bufs = _buffers(op, slots, names)   # raises, or makes them contiguous
                        self._check_dense(op, bufs, names, grad)
                        break
                if grad.dtype != np_dt or not grad.flags.c_contiguous:
                    grad = np.ascontiguousarray(grad, dtype=np_dt)
                dense([b.reshape(-1) for b in bufs], [dt(values[p]) for p in sp],
                      grad.reshape(-1), attrs)
                return bufs[0]
            finally:
                for s in reversed(slots):
                    s.lock.release()
        return kernel

    @staticmethod
    def _check_dense(op, bufs, names, grad):
        var = bufs[0]
        for b, n in zip(bufs[1:], names[1:]):
            if b.shape != var.shape:
                raise errors.InvalidArgumentError(None, op, "var and %s do not have the same shape"
                                                  "%s %s" % (n, _shape(var), _shape(b)))
        if grad.shape != var.shape:
            raise errors.InvalidArgumentError(None, op, "var and grad do not have the same shape"
                                              "%s %s" % (_shape(var), _shape(grad)))

    def _dense_update(self, op, bufs, names, scalars, grad, _, attrs, fast):
        self._check_dense(op, bufs, names, grad)
        for b, new in zip(bufs, self.reference_rows([b.copy() for b in bufs], scalars,
                                                    np.asarray(grad, bufs[0].dtype), attrs)):
            np.copyto(b, new)

    def _sparse_update(self, op, bufs, names, scalars, grad, idx, attrs, fast):
        var = bufs[0]
        idx = np.asarray(idx)
        if var.ndim == 0 or idx.ndim != 1 or grad.ndim != var.ndim or \
                grad.shape[0] != idx.shape[0] or grad.shape[1:] != var.shape[1:]:
            raise errors.InvalidArgumentError(None, op, "var, grad and indices do not fit: var %s, "
                                              "grad %s, indices %s" % (_shape(var), _shape(grad),
                                                                       _shape(idx)))
        for b, n in zip(bufs[1:], names[1:]):
            if b.shape != var.shape:
                raise errors.InvalidArgumentError(None, op, "var and %s do not have the same shape"
                                                  "%s %s" % (n, _shape(var), _shape(b)))
        rows = var.shape[0]
        grad2d = np.ascontiguousarray(grad, dtype=var.dtype).reshape(idx.shape[0], -1)
        if idx.size:
            bad = np.flatnonzero((idx < 0) | (idx >= rows))
            if bad.size:
                raise errors.InvalidArgumentError(None, op, "indices[%d] = %d is not in [0, %d)"
                                                  % (bad[0], idx[bad[0]], rows))
        if self.needs_dedup:
            idx, grad2d = K.dedup_rows(idx, grad2d) if fast else _dedup(idx, grad2d)
        bufs2d = [b.reshape(rows, -1) for b in bufs]
        if fast:
            self.sparse(bufs2d, scalars, idx, grad2d, attrs)
        else:
            for b, new in zip(bufs2d, self.reference_sparse([b.copy() for b in bufs2d], scalars,
                                                            idx, grad2d, attrs)):
                np.copyto(b, new)

    needs_dedup = True

    # -- numpy reference ---------------------------------------------------------------------------
    def reference_sparse(self, bufs, scalars, idx, grad, attrs):
        """Default sparse rule: the dense rule applied to the (de-duplicated) rows present."""
        rows = [b[idx] for b in bufs]
        new_rows = self.reference_rows(rows, scalars, grad, attrs)
        out = [b.copy() for b in bufs]
        for o, r in zip(out, new_rows):
            o[idx] = r
        return out

    def reference(self, *arrays, **attrs):
        """All updated buffers (var, slots...), computed in numpy without touching the inputs."""
        n = self.n_refs
        bufs = [np.array(a, copy=True) for a in arrays[:n]]
        values = arrays[n:]
        dt = bufs[0].dtype.type
        scalars = [dt(values[p]) for p in self._scalar_pos]
        grad = np.asarray(values[self._grad_pos], dtype=bufs[0].dtype)
        attrs = dict(self.attrs, **attrs)
        if self._idx_pos is None:
            return self.reference_rows(bufs, scalars, grad, attrs)
        idx = np.asarray(values[self._idx_pos])
        rows = bufs[0].shape[0]
        g2 = grad.reshape(len(idx), -1)
        if self.needs_dedup:
            idx, g2 = _dedup(idx, g2)
        out = self.reference_sparse([b.reshape(rows, -1) for b in bufs], scalars, idx, g2, attrs)
        return [o.reshape(b.shape) for o, b in zip(out, bufs)]

    def compute(self, *arrays, **attrs):
        return self.reference(*arrays, **attrs)[0]


def _buffers(op, slots, names):
    """The buffers of a variable and its slots (caller holds their locks), C-contiguous."""
    bufs = []
    for s, n in zip(slots, names):
        b = s.value
        if b is None:
            raise errors.uninitialized(op, n)
        if not b.flags.c_contiguous:
            b = s.value = np.ascontiguousarray(b)
        bufs.append(b)
    return bufs


def _dedup(idx, grad2d):
    uniq, inv = np.unique(idx, return_inverse=True)
    summed = np.zeros((len(uniq), grad2d.shape[1]), grad2d.dtype)
    np.add.at(summed, inv.reshape(-1), grad2d)
    return uniq, summed


def _refs(*variables):
    return [v._ref() if hasattr(v, "_ref") else v for v in variables]


# -- GradientDescent ------------------------------------------------------------------------------
class ApplyGradientDescent(_ApplyOp):
    """var -= alpha * delta."""

    type = "ApplyGradientDescent"
    inputs = ("var", "alpha", "delta")

    def dense(self, b, s, g, attrs):
        K.gradient_descent(b[0], s[0], g)

    def reference_rows(self, b, s, g, attrs):
        return [b[0] - g * s[0]]


class SparseApplyGradientDescent(_ApplyOp):
    """var[indices] -= alpha * grad (TF1: ScatterSub; repeated indices accumulate)."""

    type = "SparseApplyGradientDescent"
    inputs = ("var", "alpha", "grad", "indices")
    needs_dedup = False

    def sparse(self, b, s, idx, g, attrs):
        K.sparse_gradient_descent(b[0], s[0], idx, g)

    def reference_rows(self, b, s, g, attrs):
        return [b[0] - g * s[0]]

    def reference_sparse(self, b, s, idx, g, attrs):
        out = b[0].copy()
        np.subtract.at(out, idx, g * s[0])
        return [out]


def apply_gradient_descent(var, alpha, delta, use_locking=False, name=None):
    return ApplyGradientDescent.apply(*_refs(var), alpha, delta, use_locking=use_locking, name=name)


def sparse_apply_gradient_descent(var, alpha, grad, indices, use_locking=False, name=None):
    return SparseApplyGradientDescent.apply(*_refs(var), alpha, grad, indices,
                                            use_locking=use_locking, name=name)


# -- Momentum -------------------------------------------------------------------------------------
def _momentum_rows(b, s, g, attrs, lr, mom):
    var, accum = b
    accum = accum * mom + g
    if attrs["use_nesterov"]:
        return [var - (g * lr + accum * mom * lr), accum]
    return [var - accum * lr, accum]


class ApplyMomentum(_ApplyOp):
    """accum = accum * momentum + grad; var -= lr * accum (Nesterov: var -= lr * (grad + momentum *
    accum))."""

    type = "ApplyMomentum"
    inputs = ("var", "accum", "lr", "grad", "momentum")
    n_refs = 2
    attrs = {"use_locking": False, "use_nesterov": False}

    def dense(self, b, s, g, attrs):
        K.momentum(b[0], b[1], s[0], g, s[1], attrs["use_nesterov"])

    def reference_rows(self, b, s, g, attrs):
        return _momentum_rows(b, s, g, attrs, s[0], s[1])


class SparseApplyMomentum(_ApplyOp):
    type = "SparseApplyMomentum"
    inputs = ("var", "accum", "lr", "grad", "indices", "momentum")
    n_refs = 2
    attrs = {"use_locking": False, "use_nesterov": False}

    def sparse(self, b, s, idx, g, attrs):
        K.sparse_momentum(b[0], b[1], s[0], idx, g, s[1], attrs["use_nesterov"])

    def reference_rows(self, b, s, g, attrs):
        return _momentum_rows(b, s, g, attrs, s[0], s[1])


def apply_momentum(var, accum, lr, grad, momentum, use_locking=False, use_nesterov=False,
                   name=None):
    return ApplyMomentum.apply(*_refs(var, accum), lr, grad, momentum, use_locking=use_locking,
                               use_nesterov=use_nesterov, name=name)


def sparse_apply_momentum(var, accum, lr, grad, indices, momentum, use_locking=False,
                          use_nesterov=False, name=None):
    return SparseApplyMomentum.apply(*_refs(var, accum), lr, grad, indices, momentum,
                                     use_locking=use_locking, use_nesterov=use_nesterov, name=name)


# -- Adam -----------------------------------------------------------------------------------------
class ApplyAdam(_ApplyOp):
    """lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t); m += (g - m)(1 - beta1);
    v += (g^2 - v)(1 - beta2); var -= lr_t * m / (sqrt(v) + epsilon)."""

    type = "ApplyAdam"
    inputs = ("var", "m", "v", "beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon",
              "grad")
    n_refs = 3
    attrs = {"use_locking": False, "use_nesterov": False}

    def dense(self, b, s, g, attrs):
        b1p, b2p, lr, b1, b2, eps = s
        one = b1.dtype.type(1)
        lr_t = lr * np.sqrt(one - b2p) / (one - b1p)
        K.adam(b[0], b[1], b[2], lr_t, b1, one - b1, one - b2, eps, g, attrs["use_nesterov"])

    def reference_rows(self, b, s, g, attrs):
        var, m, v = b
        b1p, b2p, lr, b1, b2, eps = s
        one = b1.dtype.type(1)
        lr_t = lr * np.sqrt(one - b2p) / (one - b1p)
        m = m + (g - m) * (one - b1)
        v = v + (g * g - v) * (one - b2)
        if attrs["use_nesterov"]:
            return [var - (m * b1 + (one - b1) * g) * lr_t / (np.sqrt(v) + eps), m, v]
        return [var - m * lr_t / (np.sqrt(v) + eps), m, v]


class SparseApplyAdam(_ApplyOp):
    """TF1's AdamOptimizer._apply_sparse: m = m * beta1 then m[indices] += (1 - beta1) * grad (v
    likewise with grad^2), then every row: var -= lr_t * m / (sqrt(v) + epsilon)."""

    type = "SparseApplyAdam"
    inputs = ("var", "m", "v", "beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon",
              "grad", "indices")
    n_refs = 3

    def sparse(self, b, s, idx, g, attrs):
        b1p, b2p, lr, b1, b2, eps = s
        one = b1.dtype.type(1)
        lr_t = lr * np.sqrt(one - b2p) / (one - b1p)
        K.sparse_adam(b[0], b[1], b[2], lr_t, b1, b2, one - b1, one - b2, eps, idx, g)

    def reference_sparse(self, b, s, idx, g, attrs):
        var, m, v = b
        b1p, b2p, lr, b1, b2, eps = s
        one = b1.dtype.type(1)
        lr_t = lr * np.sqrt(one - b2p) / (one - b1p)
        m, v = m * b1, v * b2
        m[idx] += g * (one - b1)
        v[idx] += (g * g) * (one - b2)
        return [var - lr_t * m / (np.sqrt(v) + eps), m, v]


def apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad,
               use_locking=False, use_nesterov=False, name=None):
    return ApplyAdam.apply(*_refs(var, m, v), beta1_power, beta2_power, lr, beta1, beta2, epsilon,
                           grad, use_locking=use_locking, use_nesterov=use_nesterov, name=name)


def sparse_apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad, indices,
                      use_locking=False, name=None):
    return SparseApplyAdam.apply(*_refs(var, m, v), beta1_power, beta2_power, lr, beta1, beta2,
                                 epsilon, grad, indices, use_locking=use_locking, name=name)


# -- RMSProp --------------------------------------------------------------------------------------
def _rms_rows(b, s, g, centered):
    lr, rho, mom_, eps = s
    one = rho.dtype.type(1)
    if centered:
        var, mg, ms, mom = b
    else:
        var, ms, mom = b
    ms = ms + (g * g - ms) * (one - rho)
    denom = ms + eps
    if centered:
        mg = mg + (g - mg) * (one - rho)
        denom = (ms - mg * mg) + eps
    mom = mom * mom_ + (g * lr) / np.sqrt(denom)
    return [var - mom, mg, ms, mom] if centered else [var - mom, ms, mom]


class ApplyRMSProp(_ApplyOp):
    """ms += (g^2 - ms)(1 - rho); mom = mom * momentum + lr * g / sqrt(ms + epsilon); var -= mom."""

    type = "ApplyRMSProp"
    inputs = ("var", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad")
    n_refs = 3

    def dense(self, b, s, g, attrs):
        lr, rho, mom, eps = s
        K.rmsprop(b[0], b[1], b[2], lr, rho.dtype.type(1) - rho, mom, eps, g)

    def reference_rows(self, b, s, g, attrs):
        return _rms_rows(b, s, g, False)


class ApplyKerasRMSProp(_ApplyOp):
    """Keras's RMSprop without momentum: ms += (g^2 - ms)(1 - rho); var -= lr * g / sqrt(ms + eps).

    ApplyRMSProp with momentum 0 computes the same, but reads and writes a momentum buffer that
    only carries the step (7 array passes instead of 5; the W2 MLP's 670k weights are
    memory-bound). Named after TF's ResourceApplyKerasMomentum, the Keras form of ApplyMomentum.
    """

    type = "ApplyKerasRMSProp"
    inputs = ("var", "ms", "lr", "rho", "epsilon", "grad")
    n_refs = 2

    def dense(self, b, s, g, attrs):
        lr, rho, eps = s
        K.keras_rmsprop(b[0], b[1], lr, rho.dtype.type(1) - rho, eps, g)

    def reference_rows(self, b, s, g, attrs):
        var, ms = b
        lr, rho, eps = s
        ms = ms + (g * g - ms) * (rho.dtype.type(1) - rho)
        return [var - (g * lr) / np.sqrt(ms + eps), ms]


class ApplyCenteredRMSProp(_ApplyOp):
    """RMSProp normalized by the centered second moment: denominator sqrt(ms - mg^2 + epsilon)."""

    type = "ApplyCenteredRMSProp"
    inputs = ("var", "mg", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad")
    n_refs = 4

    def dense(self, b, s, g, attrs):
        lr, rho, mom, eps = s
        K.centered_rmsprop(b[0], b[1], b[2], b[3], lr, rho.dtype.type(1) - rho, mom, eps, g)

    def reference_rows(self, b, s, g, attrs):
        return _rms_rows(b, s, g, True)


class SparseApplyRMSProp(_ApplyOp):
    type = "SparseApplyRMSProp"
    inputs = ("var", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad", "indices")
    n_refs = 3

    def sparse(self, b, s, idx, g, attrs):
        lr, rho, mom, eps = s
        K.sparse_rmsprop(b[0], b[1], b[1], b[2], lr, rho, rho.dtype.type(1) - rho, mom, eps, idx,
                         g, False)

    def reference_rows(self, b, s, g, attrs):
        return _rms_rows(b, s, g, False)


class SparseApplyCenteredRMSProp(_ApplyOp):
    type = "SparseApplyCenteredRMSProp"
    inputs = ("var", "mg", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad", "indices")
    n_refs = 4

    def sparse(self, b, s, idx, g, attrs):
        lr, rho, mom, eps = s
        K.sparse_rmsprop(b[0], b[1], b[2], b[3], lr, rho, rho.dtype.type(1) - rho, mom, eps, idx,
                         g, True)

    def reference_rows(self, b, s, g, attrs):
        return _rms_rows(b, s, g, True)


def apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False, name=None):
    return ApplyRMSProp.apply(*_refs(var, ms, mom), lr, rho, momentum, epsilon, grad,
                              use_locking=use_locking, name=name)


def apply_keras_rms_prop(var, ms, lr, rho, epsilon, grad, use_locking=False, name=None):
    return ApplyKerasRMSProp.apply(*_refs(var, ms), lr, rho, epsilon, grad,
                                   use_locking=use_locking, name=name)


def apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad, use_locking=False,
                            name=None):
    return ApplyCenteredRMSProp.apply(*_refs(var, mg, ms, mom), lr, rho, momentum, epsilon, grad,
                                      use_locking=use_locking, name=name)


def sparse_apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, indices,
                          use_locking=False, name=None):
    return SparseApplyRMSProp.apply(*_refs(var, ms, mom), lr, rho, momentum, epsilon, grad, indices,
                                    use_locking=use_locking, name=name)


def sparse_apply_centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad, indices,
                                   use_locking=False, name=None):
    return SparseApplyCenteredRMSProp.apply(*_refs(var, mg, ms, mom), lr, rho, momentum, epsilon,
                                            grad, indices, use_locking=use_locking, name=name)


# -- Adagrad --------------------------------------------------------------------------------------
def _adagrad_rows(b, s, g):
    var, accum = b
    accum = accum + g * g
    return [var - g * s[0] / np.sqrt(accum), accum]


class ApplyAdagrad(_ApplyOp):
    """accum += grad^2; var -= lr * grad / sqrt(accum)."""

    type = "ApplyAdagrad"
    inputs = ("var", "accum", "lr", "grad")
    n_refs = 2

    def dense(self, b, s, g, attrs):
        K.adagrad(b[0], b[1], s[0], g)

    def reference_rows(self, b, s, g, attrs):
        return _adagrad_rows(b, s, g)


class SparseApplyAdagrad(_ApplyOp):
    type = "SparseApplyAdagrad"
    inputs = ("var", "accum", "lr", "grad", "indices")
    n_refs = 2

    def sparse(self, b, s, idx, g, attrs):
        K.sparse_adagrad(b[0], b[1], s[0], idx, g)

    def reference_rows(self, b, s, g, attrs):
        return _adagrad_rows(b, s, g)


def apply_adagrad(var, accum, lr, grad, use_locking=False, name=None):
    return ApplyAdagrad.apply(*_refs(var, accum), lr, grad, use_locking=use_locking, name=name)


def sparse_apply_adagrad(var, accum, lr, grad, indices, use_locking=False, name=None):
    return SparseApplyAdagrad.apply(*_refs(var, accum), lr, grad, indices, use_locking=use_locking,
                                    name=name)


# -- Adadelta -------------------------------------------------------------------------------------
def _adadelta_rows(b, s, g):
    var, accum, accum_update = b
    lr, rho, eps = s
    one = rho.dtype.type(1)
    accum = accum * rho + g * g * (one - rho)
    update = np.sqrt(accum_update + eps) / np.sqrt(accum + eps) * g
    accum_update = accum_update * rho + update * update * (one - rho)
    return [var - update * lr, accum, accum_update]


class ApplyAdadelta(_ApplyOp):
    """accum = rho accum + (1 - rho) g^2; update = sqrt(accum_update + eps) / sqrt(accum + eps) * g;
    var -= lr * update; accum_update = rho accum_update + (1 - rho) update^2."""

    type = "ApplyAdadelta"
    inputs = ("var", "accum", "accum_update", "lr", "rho", "epsilon", "grad")
    n_refs = 3

    def dense(self, b, s, g, attrs):
        lr, rho, eps = s
        K.adadelta(b[0], b[1], b[2], lr, rho, rho.dtype.type(1) - rho, eps, g)

    def reference_rows(self, b, s, g, attrs):
        return _adadelta_rows(b, s, g)


class SparseApplyAdadelta(_ApplyOp):
    type = "SparseApplyAdadelta"
    inputs = ("var", "accum", "accum_update", "lr", "rho", "epsilon", "grad", "indices")
    n_refs = 3

    def sparse(self, b, s, idx, g, attrs):
        lr, rho, eps = s
        K.sparse_adadelta(b[0], b[1], b[2], lr, rho, rho.dtype.type(1) - rho, eps, idx, g)

    def reference_rows(self, b, s, g, attrs):
        return _adadelta_rows(b, s, g)


def apply_adadelta(var, accum, accum_update, lr, rho, epsilon, grad, use_locking=False, name=None):
    return ApplyAdadelta.apply(*_refs(var, accum, accum_update), lr, rho, epsilon, grad,
                               use_locking=use_locking, name=name)


def sparse_apply_adadelta(var, accum, accum_update, lr, rho, epsilon, grad, indices,
                          use_locking=False, name=None):
    return SparseApplyAdadelta.apply(*_refs(var, accum, accum_update), lr, rho, epsilon, grad,
                                     indices, use_locking=use_locking, name=name)


__all__ = [
    "apply_gradient_descent",
    "sparse_apply_gradient_descent",
    "apply_momentum",
    "sparse_apply_momentum",
    "apply_adam",
    "sparse_apply_adam",
    "apply_rms_prop",
    "apply_keras_rms_prop",
    "apply_centered_rms_prop",
    "sparse_apply_rms_prop",
    "sparse_apply_centered_rms_prop",
    "apply_adagrad",
    "sparse_apply_adagrad",
    "apply_adadelta",
    "sparse_apply_adadelta",
]
