"""Fused recurrent cells: LSTMCell and GRUCell (one time step's gate maths in one op), LSTMSequence
(a whole LSTM: every step's matmuls and gate maths in one op), and their backward ops.

    z = x_t @ kernel + bias + h_prev @ recurrent_kernel      # (batch, 4 * units)
    h, c, gates, tanh_c = lstm_cell(z, c_prev)
    h, gates = gru_cell(x_t @ kernel + b_x, h_prev @ recurrent_kernel + b_h, h_prev)

Like TF's LSTMBlockCell, but the matmuls stay outside (on BLAS, where a layer can do x @ kernel for
all time steps at once) and the gate blocks are in Keras's order (LSTM i, f, c, o; GRU z, r, h).
Unfused, an LSTM step is ~20 small ops (split, 3 activations, 5 multiplies/adds, and their
gradients); here it is one kernel call forward and one backward. `gates` (the activations) and
LSTM's `tanh_c` are outputs so that the backward ops need no transcendental function. The
activations are fixed: sigmoid for the gates, tanh for the candidate and the cell output (Keras's
defaults); other activations, and GRU's reset_after=False (a matmul sits between its gates), keep
the unfused ops. Kernels: tfgraph/kernels/rnn.py. These are tfgraph op types, not TF ones.

LSTMSequence is what the Keras LSTM layer runs (unless recurrent dropout unrolls LSTMCells). The
unrolled graph ran a few ops per step and summed d recurrent_kernel from one small matmul per step;
the one op runs per step only the matmuls h_{t-1} @ recurrent_kernel and x_t @ kernel and the gate
kernel, on one thread per block of batch rows, and its gradient computes d kernel and
d recurrent_kernel as matmuls over all steps at once (W4 training step, CPU time on a busy
2-core machine: 52-58 ms unrolled, 36-37 ms).

    hs, cs, _, _ = lstm_sequence(x_time_major, kernel, recurrent_kernel, bias, h0, c0)
"""
import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.op_def import OpDef, TensorSpec, constant_value, require, require_float
from tfgraph.framework.rewrite_rule import Pattern, RewriteRule, register_rewrite_rule
from tfgraph.kernels import rnn as _kernels
from tfgraph.kernels import threads
from tfgraph.ops import array_ops, math_ops


def _sigmoid(x):
    half = x.dtype.type(0.5)
    return half * np.tanh(half * x) + half      # no overflow warning for large |x|


def _units(z, c_prev, op_type):
    """(batch, units), after checking z (batch, 4 units) against c_prev (batch, units)."""
    if z.ndim != 2 or c_prev.ndim != 2 or z.shape != (c_prev.shape[0], 4 * c_prev.shape[1]):
        raise ValueError("%s: z must be (batch, 4 * units) for c_prev (batch, units); got z %s, "
                         "c_prev %s" % (op_type, list(z.shape), list(c_prev.shape)))
    return c_prev.shape


def _c(a):
    return np.ascontiguousarray(a)


class LSTMCell(OpDef):
    """One LSTM step from its pre-activations: (h, c, gates, tanh_c).

    z (batch, 4u) in gate order i, f, c, o; c_prev (batch, u). `i, f, o = sigmoid(z_i, z_f, z_o)`,
    `g = tanh(z_c)`, `c = f * c_prev + i * g`, `h = o * tanh(c)`; `gates` = [i, f, g, o] and
    `tanh_c` = tanh(c) are kept for the gradient.
    """
    type = "LSTMCell"
    same_dtype = (0, 1)

    def infer(self, z, c_prev):
        require_float(z, self.type)
        require(z.shape.ndims in (None, 2) and c_prev.shape.ndims in (None, 2),
                "z and c_prev must be rank 2, got %s and %s" % (z.shape, c_prev.shape))
        zb, zn = z.shape.as_tuple() if z.shape.ndims == 2 else (None, None)
        cb, u = c_prev.shape.as_tuple() if c_prev.shape.ndims == 2 else (None, None)
        require(zn is None or zn % 4 == 0, "z's last dim must be 4 * units, got %s" % zn)
        if u is None and zn is not None:
            u = zn // 4
        require(zn is None or zn == 4 * u,
                "z's last dim must be 4 * units: %s vs c_prev's %s units" % (zn, u))
        require(zb is None or cb is None or zb == cb,
                "z and c_prev differ in batch size: %s vs %s" % (zb, cb))
        batch = zb if zb is not None else cb
        return [TensorSpec([batch, u], z.dtype), TensorSpec([batch, u], z.dtype),
                TensorSpec([batch, None if u is None else 4 * u], z.dtype),
                TensorSpec([batch, u], z.dtype)]

    def compute(self, z, c_prev):
        _units(z, c_prev, self.type)
        zi, zf, zc, zo = np.split(z, 4, axis=1)
        i, f, g, o = _sigmoid(zi), _sigmoid(zf), np.tanh(zc), _sigmoid(zo)
        c = f * c_prev + i * g
        tanh_c = np.tanh(c)
        return o * tanh_c, c, np.concatenate([i, f, g, o], axis=1), tanh_c

    def make_kernel(self, op, rt):
        dtype = op.inputs[0].dtype
        if dtype not in (dtypes.float32, dtypes.float64):
            return self.compute
        fast = _kernels.lstm_cell_f32 if dtype is dtypes.float32 else _kernels.lstm_cell_exact

        def kernel(z, c_prev):
            n, u = _units(z, c_prev, "LSTMCell")
            h, c, tanh_c = (np.empty((n, u), z.dtype) for _ in range(3))
            gates = np.empty((n, 4 * u), z.dtype)
            fast(_c(z), _c(c_prev), h, c, gates, tanh_c)
            return h, c, gates, tanh_c
        return kernel

    def grad(self, op, dh, dc, dgates, dtanh_c):
        c_prev = op.inputs[1]
        _, _, gates, tanh_c = op.outputs
        if not _is_zero(dtanh_c):   # only when a caller differentiates tanh_c itself
            dc = dc + dtanh_c * (1 - tanh_c * tanh_c)
        dz, dc_prev = LSTMCellGrad.apply(c_prev, gates, tanh_c, dh, dc)
        if not _is_zero(dgates):    # likewise: d gates / d z, blockwise
            i, f, g, o = array_ops.split(gates, 4, axis=1)
            slope = array_ops.concat([i * (1 - i), f * (1 - f), 1 - g * g, o * (1 - o)], axis=1)
            dz = dz + dgates * slope
        return [dz, dc_prev]


class LSTMCellGrad(OpDef):
    """Backward of LSTMCell: (dz, dc_prev) from c_prev, the saved gates and tanh_c, and (dh, dc).

    `dc_total = dc + dh * o * (1 - tanh_c^2)`; dz = [dc_total * g * i(1-i), dc_total * c_prev *
    f(1-f), dc_total * i * (1-g^2), dh * tanh_c * o(1-o)]; `dc_prev = dc_total * f`. Not itself
    differentiable (nor is TF's LSTMBlockCellGrad).
    """
    type = "LSTMCellGrad"
    same_dtype = (0, 1, 2, 3, 4)

    def infer(self, c_prev, gates, tanh_c, dh, dc):
        require_float(c_prev, self.type)
        shape = c_prev.shape
        for t in (tanh_c, dh, dc):
            require(shape.is_compatible_with(t.shape),
                    "c_prev, tanh_c, dh and dc must have one shape: %s vs %s" % (shape, t.shape))
            shape = shape.merge_with(t.shape)
        require(gates.shape.ndims in (None, 2), "gates must be rank 2, got %s" % gates.shape)
        u = shape.as_tuple()[1] if shape.ndims == 2 else None
        return [TensorSpec(gates.shape.merge_with([shape.as_tuple()[0] if shape.ndims else None,
                                                  None if u is None else 4 * u]), c_prev.dtype),
                TensorSpec(shape, c_prev.dtype)]

    def compute(self, c_prev, gates, tanh_c, dh, dc):
        _units(gates, c_prev, self.type)
        i, f, g, o = np.split(gates, 4, axis=1)
        one = c_prev.dtype.type(1)
        dct = dc + dh * o * (one - tanh_c * tanh_c)
        dz = np.concatenate([dct * g * i * (one - i), dct * c_prev * f * (one - f),
                             dct * i * (one - g * g), dh * tanh_c * o * (one - o)], axis=1)
        return dz, dct * f

    def make_kernel(self, op, rt):
        if op.inputs[0].dtype not in (dtypes.float32, dtypes.float64):
            return self.compute
        compute = self.compute

        def kernel(c_prev, gates, tanh_c, dh, dc):
            n, u = _units(gates, c_prev, "LSTMCellGrad")
            if not tanh_c.shape == dh.shape == dc.shape == (n, u):
                return compute(c_prev, gates, tanh_c, dh, dc)   # broadcasting or its error
            dz = np.empty((n, 4 * u), c_prev.dtype)
            dc_prev = np.empty((n, u), c_prev.dtype)
            _kernels.lstm_cell_grad(_c(c_prev), _c(gates), _c(tanh_c), _c(dh), _c(dc), dz,
                                    dc_prev)
            return dz, dc_prev
        return kernel


# -- GRU (reset_after=True, Keras 3's default) -----------------------------------------------------
def _gru_units(mx, mh, h_prev, op_type):
    n, u = h_prev.shape
    if mx.ndim != 2 or h_prev.ndim != 2 or mx.shape != (n, 3 * u) or mh.shape != mx.shape:
        raise ValueError("%s: mx and mh must be (batch, 3 * units) for h_prev (batch, units); "
                         "got mx %s, mh %s, h_prev %s" % (op_type, list(mx.shape), list(mh.shape),
                                                          list(h_prev.shape)))
    return n, u


class GRUCell(OpDef):
    """One GRU step with the reset gate after the recurrent matmul (Keras 3 / CuDNN): (h, gates).

    mx = x_t @ kernel + input_bias and mh = h_prev @ recurrent_kernel + recurrent_bias, both
    (batch, 3u) in gate order z, r, h; h_prev (batch, u). `z, r = sigmoid(mx_zr + mh_zr)`,
    `hh = tanh(mx_h + r * mh_h)`, `h = z * h_prev + (1 - z) * hh`; `gates` = [z, r, hh].
    """
    type = "GRUCell"
    same_dtype = (0, 1, 2)

    def infer(self, mx, mh, h_prev):
        require_float(mx, self.type)
        require(mx.shape.is_compatible_with(mh.shape),
                "mx and mh must have one shape: %s vs %s" % (mx.shape, mh.shape))
        m = mx.shape.merge_with(mh.shape)
        require(m.ndims in (None, 2) and h_prev.shape.ndims in (None, 2),
                "mx, mh and h_prev must be rank 2, got %s and %s" % (m, h_prev.shape))
        mb, mn = m.as_tuple() if m.ndims == 2 else (None, None)
        hb, u = h_prev.shape.as_tuple() if h_prev.shape.ndims == 2 else (None, None)
        require(mn is None or mn % 3 == 0, "mx's last dim must be 3 * units, got %s" % mn)
        u = mn // 3 if u is None and mn is not None else u
        require(mn is None or mn == 3 * u,
                "mx's last dim must be 3 * units: %s vs h_prev's %s units" % (mn, u))
        require(mb is None or hb is None or mb == hb,
                "mx and h_prev differ in batch size: %s vs %s" % (mb, hb))
        batch = mb if mb is not None else hb
        return [TensorSpec([batch, u], mx.dtype),
                TensorSpec([batch, None if u is None else 3 * u], mx.dtype)]

    def compute(self, mx, mh, h_prev):
        _gru_units(mx, mh, h_prev, self.type)
        xz, xr, xh = np.split(mx, 3, axis=1)
        rz, rr, rh = np.split(mh, 3, axis=1)
        z, r = _sigmoid(xz + rz), _sigmoid(xr + rr)
        hh = np.tanh(xh + r * rh)
        return hh + z * (h_prev - hh), np.concatenate([z, r, hh], axis=1)

    def make_kernel(self, op, rt):
        dtype = op.inputs[0].dtype
        if dtype not in (dtypes.float32, dtypes.float64):
            return self.compute
        exact = dtype is not dtypes.float32

        def kernel(mx, mh, h_prev):
            n, u = _gru_units(mx, mh, h_prev, "GRUCell")
            h, gates = np.empty((n, u), mx.dtype), np.empty((n, 3 * u), mx.dtype)
            _kernels.gru_cell(_c(mx), _c(mh), _c(h_prev), h, gates, exact)
            return h, gates
        return kernel

    def grad(self, op, dh, dgates):
        mx, mh, h_prev = op.inputs
        dmx, dmh, dh_prev = GRUCellGrad.apply(mh, h_prev, op.outputs[1], dh)
        if not _is_zero(dgates):   # only when a caller differentiates `gates` itself
            xz, xr, xh = array_ops.split(mx, 3, axis=1)
            rz, rr, rh = array_ops.split(mh, 3, axis=1)
            r = math_ops.sigmoid(xr + rr)
            gates = array_ops.concat([math_ops.sigmoid(xz + rz), r, math_ops.tanh(xh + r * rh)],
                                     axis=1)
            from tfgraph.autodiff.gradients import gradients
            gx, gm = gradients(gates, [mx, mh], grad_ys=dgates)
            dmx, dmh = dmx + gx, dmh + gm
        return [dmx, dmh, dh_prev]


class GRUCellGrad(OpDef):
    """Backward of GRUCell: (dmx, dmh, dh_prev) from mh, h_prev, the saved gates and dh.

    `da_h = dh * (1-z) * (1-hh^2)`, `da_z = dh * (h_prev - hh) * z(1-z)`,
    `da_r = da_h * mh_h * r(1-r)`; dmx = [da_z, da_r, da_h], dmh = [da_z, da_r, da_h * r],
    `dh_prev = dh * z`. Not itself differentiable.
    """
    type = "GRUCellGrad"
    same_dtype = (0, 1, 2, 3)

    def infer(self, mh, h_prev, gates, dh):
        require_float(mh, self.type)
        require(h_prev.shape.is_compatible_with(dh.shape),
                "h_prev and dh must have one shape: %s vs %s" % (h_prev.shape, dh.shape))
        m = mh.shape.merge_with(gates.shape)
        return [TensorSpec(m, mh.dtype), TensorSpec(m, mh.dtype),
                TensorSpec(h_prev.shape.merge_with(dh.shape), mh.dtype)]

    def compute(self, mh, h_prev, gates, dh):
        _gru_units(gates, mh, h_prev, self.type)
        z, r, hh = np.split(gates, 3, axis=1)
        rh = np.split(mh, 3, axis=1)[2]
        one = mh.dtype.type(1)
        dah = dh * (one - z) * (one - hh * hh)
        daz = dh * (h_prev - hh) * z * (one - z)
        dar = dah * rh * r * (one - r)
        return (np.concatenate([daz, dar, dah], axis=1),
                np.concatenate([daz, dar, dah * r], axis=1), dh * z)

    def make_kernel(self, op, rt):
        if op.inputs[0].dtype not in (dtypes.float32, dtypes.float64):
            return self.compute
        compute = self.compute

        def kernel(mh, h_prev, gates, dh):
            n, u = _gru_units(gates, mh, h_prev, "GRUCellGrad")
            if dh.shape != (n, u):
                return compute(mh, h_prev, gates, dh)   # broadcasting or its error
            dmx, dmh = np.empty((n, 3 * u), mh.dtype), np.empty((n, 3 * u), mh.dtype)
            dh_prev = np.empty((n, u), mh.dtype)
            _kernels.gru_cell_grad(_c(mh), _c(h_prev), _c(gates), _c(dh), dmx, dmh, dh_prev)
            return dmx, dmh, dh_prev
        return kernel


# -- LSTM over a whole sequence --------------------------------------------------------------------
def _seq_units(x, kernel, rk, bias, h0, c0, op_type):
    """(steps, batch, units), after checking the shapes of LSTMSequence's inputs."""
    if x.ndim != 3 or kernel.ndim != 2 or kernel.shape[0] != x.shape[2] or kernel.shape[1] % 4:
        raise ValueError("%s: x must be (time, batch, features) and kernel (features, 4 * units); "
                         "got %s and %s" % (op_type, list(x.shape), list(kernel.shape)))
    t, n, u = x.shape[0], x.shape[1], kernel.shape[1] // 4
    if rk.shape != (u, 4 * u) or bias.shape != (4 * u,) or h0.shape != (n, u) or \
            c0.shape != (n, u):
        raise ValueError("%s: for x %s and kernel %s, recurrent_kernel must be %s, bias %s and the "
                         "initial states %s; got %s, %s, %s, %s"
                         % (op_type, list(x.shape), list(kernel.shape), [u, 4 * u], [4 * u],
                            [n, u], list(rk.shape), list(bias.shape), list(h0.shape),
                            list(c0.shape)))
    return t, n, u


# Batch rows are independent in an LSTM: a sequence runs as one block of rows per core, each on its
# own thread with one BLAS thread (kernels/threads.py: numpy's matmul and the nogil Numba kernels
# release the GIL). On 2 shared cores W4's epoch estimate measured 16-19 s against 33-34 s for one
# block with threads.matmul choosing the threads per matmul: a 128x128x512 matmul is too small to
# split well, the gate kernels run in parallel too, and the threads meet once per sequence instead
# of once per matmul.
MIN_BLOCK_ROWS = 32


class LSTMSequence(OpDef):
    """An LSTM over all time steps: (hs, cs, gates, tanh_c), each time-major (time, batch, .).

    x (time, batch, features); step t computes
    `z = x[t] @ kernel + h_{t-1} @ recurrent_kernel + bias` and then what LSTMCell does, from h0,
    c0 (batch, u). hs and cs are every step's h and c; gates and tanh_c are what the gradient
    reads. The gradient (LSTMSequenceGrad) runs the steps backwards with one matmul each and
    computes d kernel and d recurrent_kernel as matmuls over all steps and d bias as one sum.
    """
    type = "LSTMSequence"
    splits_batch = True
    same_dtype = (0, 1, 2, 3, 4, 5)

    def infer(self, x, kernel, rk, bias, h0, c0):
        require_float(x, self.type)
        require(x.shape.ndims in (None, 3) and kernel.shape.ndims in (None, 2),
                "x must be rank 3 and kernel rank 2, got %s and %s" % (x.shape, kernel.shape))
        t, n, f = x.shape.as_tuple() if x.shape.ndims == 3 else (None, None, None)
        kf, g = kernel.shape.as_tuple() if kernel.shape.ndims == 2 else (None, None)
        require(g is None or g % 4 == 0, "kernel's last dim must be 4 * units, got %s" % g)
        require(f is None or kf is None or f == kf,
                "x has %s features but kernel %s rows" % (f, kf))
        u = None if g is None else g // 4
        for name, a, want in (("recurrent_kernel", rk, [u, g]), ("bias", bias, [g]),
                              ("h0", h0, [n, u]), ("c0", c0, [n, u])):
            require(a.shape.is_compatible_with(want),
                    "%s must be %s for x %s and kernel %s, got %s"
                    % (name, want, x.shape, kernel.shape, a.shape))
        if n is None and h0.shape.ndims == 2:
            n = h0.shape.as_tuple()[0]
        return [TensorSpec([t, n, u], x.dtype), TensorSpec([t, n, u], x.dtype),
                TensorSpec([t, n, g], x.dtype), TensorSpec([t, n, u], x.dtype)]

    def compute(self, x, kernel, rk, bias, h0, c0):
        t, n, u = _seq_units(x, kernel, rk, bias, h0, c0, self.type)
        hs, cs, tcs = (np.empty((t, n, u), x.dtype) for _ in range(3))
        gates = np.empty((t, n, 4 * u), x.dtype)
        h, c = h0, c0
        for k in range(t):
            h, c, gates[k], tcs[k] = LSTMCell.compute(self, x[k] @ kernel + h @ rk + bias, c)
            hs[k], cs[k] = h, c
        return hs, cs, gates, tcs

    def make_kernel(self, op, rt):
        dtype = op.inputs[0].dtype
        if dtype not in (dtypes.float32, dtypes.float64):
            return self.compute
        exact = dtype is not dtypes.float32

        def kernel(x, kernel, rk, bias, h0, c0):
            t, n, u = _seq_units(x, kernel, rk, bias, h0, c0, "LSTMSequence")
            dt = x.dtype
            hs, cs, tcs = (np.empty((t, n, u), dt) for _ in range(3))
            gates = np.empty((t, n, 4 * u), dt)
            x, kernel, rk, bias, h0, c0 = (_c(a) for a in (x, kernel, rk, bias, h0, c0))
            zero_h = not h0.any()   # a zero initial state (the usual case) needs no matmul

            def rows(lo, hi, matmul):
                # every step's x_t @ kernel first, into `gates` (each step's kernel adds
                # h_{t-1} @ recurrent_kernel and the bias there): one call, not one per step
                if hi - lo == n:
                    matmul(x.reshape(t * n, -1), kernel, out=gates.reshape(t * n, 4 * u))
                else:   # a stack of (rows, features) matrices: numpy loops over the steps in C
                    np.matmul(x[:, lo:hi], kernel, out=gates[:, lo:hi])
                rec = np.empty((hi - lo, 4 * u), dt)
                for k in range(t):
                    if k or not zero_h:
                        matmul(hs[k - 1, lo:hi] if k else h0[lo:hi], rk, out=rec)
                    else:
                        rec.fill(0)
                    _kernels.lstm_seq_step(k, lo, rec, bias, c0, gates, hs, cs, tcs, exact)
            threads.by_rows(n, rows, min_rows=MIN_BLOCK_ROWS)
            return hs, cs, gates, tcs
        return kernel

    def grad(self, op, dhs, dcs, dgates, dtanh_c):
        if not _is_zero(dgates):
            raise NotImplementedError("LSTMSequence: gradients through its `gates` output are "
                                      "not supported (use lstm_cell per step)")
        x, kernel, rk, _, h0, c0 = op.inputs
        hs, cs, gates, tanh_c = op.outputs
        zero = array_ops.zeros([], dtype=hs.dtype)
        if not _is_zero(dtanh_c):   # only when a caller differentiates tanh_c itself
            dcs = dtanh_c * (1 - tanh_c * tanh_c) + (0 if _is_zero(dcs) else dcs)
        dhs = zero if _is_zero(dhs) else dhs
        dcs = zero if _is_zero(dcs) else dcs
        dz, dkernel, drk, dbias, dc0 = LSTMSequenceGrad.apply(
            x, rk, h0, c0, hs, cs, gates, tanh_c, dhs, dcs)
        # d x and d h0 as graph ops on dz: pruned from the plan when nothing needs them (a
        # model's input, a zero initial state)
        dx = math_ops.matmul(array_ops.reshape(dz, [-1, dz.shape.as_list()[2] or -1]), kernel,
                             transpose_b=True)
        dh0 = math_ops.matmul(dz[0], rk, transpose_b=True)
        return [array_ops.reshape(dx, array_ops.shape(x)), dkernel, drk, dbias, dh0, dc0]


class LSTMSequenceInference(LSTMSequence):
    """LSTMSequence for a plan that reads neither `gates` nor `tanh_c` (inference: predict, an
    accuracy over a test set): each block of rows keeps one step of them in scratch, so the
    whole-sequence arrays are not stored. Those two outputs come back as zeros (read-only views
    of one zero); the `lstm_sequence_inference` rule applies only when nothing reads them. W9's
    test accuracy over 10,000 sequences held 573 + 143 MB of them."""
    type = "_LSTMSequenceInference"

    def compute(self, x, kernel, rk, bias, h0, c0):
        hs, cs, gates, tcs = super().compute(x, kernel, rk, bias, h0, c0)
        return hs, cs, _zeros_view(gates.shape, x.dtype), _zeros_view(tcs.shape, x.dtype)

    def make_kernel(self, op, rt):
        exact = op.inputs[0].dtype is not dtypes.float32

        def kernel(x, kernel, rk, bias, h0, c0):
            t, n, u = _seq_units(x, kernel, rk, bias, h0, c0, "LSTMSequence")
            dt = x.dtype
            hs, cs = np.empty((t, n, u), dt), np.empty((t, n, u), dt)
            x, kernel, rk, bias, h0, c0 = (_c(a) for a in (x, kernel, rk, bias, h0, c0))

            def rows(lo, hi, matmul):
                # step k runs lstm_seq_step as its step 0 on views: this step's rows of hs and
                # cs, c_{k-1} as its "c0", and one step of gates and tanh_c in scratch
                gates, tcs = np.empty((1, hi - lo, 4 * u), dt), np.empty((1, hi - lo, u), dt)
                rec = np.empty((hi - lo, 4 * u), dt)
                for k in range(t):
                    matmul(x[k, lo:hi], kernel, out=gates[0])
                    matmul(hs[k - 1, lo:hi] if k else h0[lo:hi], rk, out=rec)
                    _kernels.lstm_seq_step(0, 0, rec, bias, cs[k - 1, lo:hi] if k else c0[lo:hi],
                                           gates, hs[k:k + 1, lo:hi], cs[k:k + 1, lo:hi], tcs,
                                           exact)
            threads.by_rows(n, rows, min_rows=MIN_BLOCK_ROWS)
            return hs, cs, _zeros_view((t, n, 4 * u), dt), _zeros_view((t, n, u), dt)
        return kernel


def _zeros_view(shape, dtype):
    return np.broadcast_to(np.zeros((), dtype), shape)


register_rewrite_rule(RewriteRule(
    "lstm_sequence_inference",
    Pattern("LSTMSequence", "x", "kernel", "rk", "bias", "h0", "c0"),
    "_LSTMSequenceInference", inputs=("x", "kernel", "rk", "bias", "h0", "c0"),
    attrs=lambda m: {},
    where=lambda m: m.op("LSTMSequence").inputs[0].dtype in (dtypes.float32, dtypes.float64) and
    not m.reads("LSTMSequence", 2) and not m.reads("LSTMSequence", 3)))


def _steps(d, shape):
    """d (a gradient of the whole sequence, or a scalar 0 for none) for the step kernels: `shape`,
    or one step (1, batch, u) that stands for every step."""
    if d.shape == shape:
        return _c(d)
    if d.ndim == 0 and d == 0:
        return np.zeros((1,) + shape[1:], d.dtype)
    if d.ndim < 3 or d.shape[0] == 1:
        return np.ascontiguousarray(np.broadcast_to(d, (1,) + shape[1:]))
    return np.ascontiguousarray(np.broadcast_to(d, shape))


class LSTMSequenceGrad(OpDef):
    """Backward of LSTMSequence: (dz, d kernel, d recurrent_kernel, d bias, dc0).

    dhs and dcs are the gradients of the outputs hs and cs ((time, batch, u), or a scalar 0 for
    none). Going back from the last step, the gradient reaching h_t is dhs[t] plus
    dz_{t+1} @ recurrent_kernel^T, the one reaching c_t dcs[t] plus f_{t+1} * dc_{t+1}; dz_t
    (time, batch, 4u) is LSTMCellGrad's. `d kernel = x^T @ dz`,
    `d recurrent_kernel = [h0, h_0 .. h_{T-2}]^T @ dz` and `d bias = sum(dz)`, over all steps
    (d x = dz @ kernel^T and dh0 = dz[0] @ recurrent_kernel^T are left to graph ops). Not itself
    differentiable.
    """
    type = "LSTMSequenceGrad"
    splits_batch = True
    same_dtype = tuple(range(10))

    def infer(self, x, rk, h0, c0, hs, cs, gates, tanh_c, dhs, dcs):
        require_float(rk, self.type)
        g = gates.shape
        f = x.shape.as_tuple()[2] if x.shape.ndims == 3 else None
        g4 = g.as_tuple()[2] if g.ndims == 3 else None
        return [TensorSpec(g, rk.dtype), TensorSpec([f, g4], rk.dtype),
                TensorSpec(rk.shape, rk.dtype), TensorSpec([g4], rk.dtype),
                TensorSpec(c0.shape, rk.dtype)]

    def compute(self, x, rk, h0, c0, hs, cs, gates, tanh_c, dhs, dcs):
        t, n, u = hs.shape
        dhs, dcs = np.broadcast_to(dhs, hs.shape), np.broadcast_to(dcs, hs.shape)
        dz = np.empty(gates.shape, rk.dtype)
        dh, dc = np.zeros((n, u), rk.dtype), np.zeros((n, u), rk.dtype)
        for k in range(t - 1, -1, -1):
            c_prev = cs[k - 1] if k else c0
            dz[k], dc = LSTMCellGrad.compute(self, c_prev, gates[k], tanh_c[k], dhs[k] + dh,
                                             dcs[k] + dc)
            dh = dz[k] @ rk.T
        h_prev = np.concatenate([h0[None], hs[:-1]]).reshape(-1, u)
        dz2 = dz.reshape(-1, 4 * u)
        return dz, x.reshape(-1, x.shape[2]).T @ dz2, h_prev.T @ dz2, dz.sum(axis=(0, 1)), dc

    def make_kernel(self, op, rt):
        if op.inputs[0].dtype not in (dtypes.float32, dtypes.float64):
            return self.compute

        def kernel(x, rk, h0, c0, hs, cs, gates, tanh_c, dhs, dcs):
            t, n, u = hs.shape
            _seq_units(x, np.empty((x.shape[-1], 4 * u)), rk, np.empty(4 * u), h0, c0,
                       "LSTMSequenceGrad")
            dt = rk.dtype
            dhs, dcs = _steps(dhs, hs.shape), _steps(dcs, hs.shape)
            x, gates, tanh_c, hs, cs, c0, h0 = (_c(a) for a in (x, gates, tanh_c, hs, cs, c0,
                                                                h0))
            rk_t = _c(rk).T
            dz = np.empty((t, n, 4 * u), dt)
            dc0 = np.empty((n, u), dt)
            dbias = []

            def rows(lo, hi, matmul):
                m = hi - lo
                dh, dc, dc_prev = np.zeros((m, u), dt), np.zeros((m, u), dt), np.empty((m, u), dt)
                db = np.zeros(4 * u, np.float64)
                for k in range(t - 1, -1, -1):
                    _kernels.lstm_seq_step_grad(k, lo, c0, cs, gates, tanh_c, dhs, dh, dcs, dc,
                                                dz, dc_prev, db)
                    dc, dc_prev = dc_prev, dc
                    if k:
                        matmul(dz[k, lo:hi], rk_t, out=dh)
                dc0[lo:hi] = dc
                dbias.append(db)
            threads.by_rows(n, rows, min_rows=MIN_BLOCK_ROWS)

            # d kernel = x^T @ dz and d recurrent_kernel = [h0, h_0 .. h_{T-2}]^T @ dz: matmuls
            # over blocks of steps (contiguous time-major rows), one block per thread; step 0's
            # h0 term apart, and only when h0 is not 0
            def steps(lo, hi, matmul):
                dk = matmul(x[lo:hi].reshape(-1, x.shape[2]).T, dz[lo:hi].reshape(-1, 4 * u))
                a = max(lo, 1)
                if a >= hi:
                    return dk, np.zeros((u, 4 * u), dt)
                return dk, matmul(hs[a - 1:hi - 1].reshape(-1, u).T, dz[a:hi].reshape(-1, 4 * u))
            dkernel, drk = (sum(p) for p in zip(*threads.by_rows(t, steps), strict=True))
            if h0.any():
                drk += threads.matmul(h0.T, dz[0])
            return dz, dkernel, drk, sum(dbias).astype(dt), dc0
        return kernel


class MaskedLSTMSequence(OpDef):
    """LSTMSequence with a (time, batch) mask, Keras's masked LSTM: where mask[t, b] is 0, row b
    keeps h and c of step t-1 (h0, c0 at t = 0) instead of the step's, so hs and cs hold the
    carried states. The gradient (MaskedLSTMSequenceGrad) passes the gradients of a masked step
    straight to the step before, and returns d h0 itself.

        hs, cs, _, _ = rnn_ops.masked_lstm_sequence(x_tm, kernel, rk, bias, h0, c0, mask_tm)
    """
    type = "MaskedLSTMSequence"
    splits_batch = True
    same_dtype = (0, 1, 2, 3, 4, 5, 6)

    def infer(self, x, kernel, rk, bias, h0, c0, mask):
        specs = LSTMSequence.infer(self, x, kernel, rk, bias, h0, c0)
        t, n = specs[0].shape.as_tuple()[:2] if specs[0].shape.ndims == 3 else (None, None)
        require(mask.shape.is_compatible_with([t, n]),
                "mask must be (time, batch) = %s, got %s" % ([t, n], mask.shape))
        return specs

    def compute(self, x, kernel, rk, bias, h0, c0, mask):
        t, n, u = _seq_units(x, kernel, rk, bias, h0, c0, self.type)
        hs, cs, tcs = (np.empty((t, n, u), x.dtype) for _ in range(3))
        gates = np.empty((t, n, 4 * u), x.dtype)
        h, c = h0, c0
        for k in range(t):
            hn, cn, gates[k], tcs[k] = LSTMCell.compute(self, x[k] @ kernel + h @ rk + bias, c)
            keep = mask[k][:, None] != 0
            h, c = np.where(keep, hn, h), np.where(keep, cn, c)
            hs[k], cs[k] = h, c
        return hs, cs, gates, tcs

    def make_kernel(self, op, rt):
        dtype = op.inputs[0].dtype
        if dtype not in (dtypes.float32, dtypes.float64):
            return self.compute
        exact = dtype is not dtypes.float32

        def kernel(x, kernel, rk, bias, h0, c0, mask):
            t, n, u = _seq_units(x, kernel, rk, bias, h0, c0, "MaskedLSTMSequence")
            dt = x.dtype
            hs, cs, tcs = (np.empty((t, n, u), dt) for _ in range(3))
            gates = np.empty((t, n, 4 * u), dt)
            x, kernel, rk, bias, h0, c0, mask = (_c(a) for a in (x, kernel, rk, bias, h0, c0,
                                                                 mask))

            def rows(lo, hi, matmul):
                if hi - lo == n:
                    matmul(x.reshape(t * n, -1), kernel, out=gates.reshape(t * n, 4 * u))
                else:
                    np.matmul(x[:, lo:hi], kernel, out=gates[:, lo:hi])
                rec = np.empty((hi - lo, 4 * u), dt)
                for k in range(t):
                    matmul(hs[k - 1, lo:hi] if k else h0[lo:hi], rk, out=rec)
                    _kernels.lstm_seq_step_masked(k, lo, rec, bias, h0, c0, mask, gates, hs, cs,
                                                  tcs, exact)
            threads.by_rows(n, rows, min_rows=MIN_BLOCK_ROWS)
            return hs, cs, gates, tcs
        return kernel

    def grad(self, op, dhs, dcs, dgates, dtanh_c):
        if not (_is_zero(dgates) and _is_zero(dtanh_c)):
            raise NotImplementedError("MaskedLSTMSequence: gradients through its `gates` and "
                                      "`tanh_c` outputs are not supported")
        x, kernel, rk, _, h0, c0, mask = op.inputs
        hs, cs, gates, tanh_c = op.outputs
        zero = array_ops.zeros([], dtype=hs.dtype)
        dhs = zero if _is_zero(dhs) else dhs
        dcs = zero if _is_zero(dcs) else dcs
        dz, dkernel, drk, dbias, dh0, dc0 = MaskedLSTMSequenceGrad.apply(
            x, rk, h0, c0, hs, cs, gates, tanh_c, dhs, dcs, mask)
        dx = math_ops.matmul(array_ops.reshape(dz, [-1, dz.shape.as_list()[2] or -1]), kernel,
                             transpose_b=True)
        return [array_ops.reshape(dx, array_ops.shape(x)), dkernel, drk, dbias, dh0, dc0, None]


class MaskedLSTMSequenceGrad(OpDef):
    """Backward of MaskedLSTMSequence: (dz, d kernel, d recurrent_kernel, d bias, dh0, dc0).

    As LSTMSequenceGrad, except that a row masked at step t has dz = 0 and hands the gradients
    reaching its h_t and c_t on to h_{t-1} and c_{t-1}. d recurrent_kernel uses hs, which hold
    the carried states each step read. Not itself differentiable.
    """
    type = "MaskedLSTMSequenceGrad"
    splits_batch = True
    same_dtype = tuple(range(11))

    def infer(self, x, rk, h0, c0, hs, cs, gates, tanh_c, dhs, dcs, mask):
        specs = LSTMSequenceGrad.infer(self, x, rk, h0, c0, hs, cs, gates, tanh_c, dhs, dcs)
        return specs[:4] + [TensorSpec(h0.shape, rk.dtype), specs[4]]

    def compute(self, x, rk, h0, c0, hs, cs, gates, tanh_c, dhs, dcs, mask):
        t, n, u = hs.shape
        dhs, dcs = np.broadcast_to(dhs, hs.shape), np.broadcast_to(dcs, hs.shape)
        dz = np.empty(gates.shape, rk.dtype)
        dh, dc = np.zeros((n, u), rk.dtype), np.zeros((n, u), rk.dtype)
        for k in range(t - 1, -1, -1):
            keep = mask[k][:, None] != 0
            c_prev = cs[k - 1] if k else c0
            dzk, dck = LSTMCellGrad.compute(self, c_prev, gates[k], tanh_c[k], dhs[k] + dh,
                                            dcs[k] + dc)
            dz[k] = np.where(keep, dzk, 0)
            dh = dz[k] @ rk.T + np.where(keep, 0, dhs[k] + dh)
            dc = np.where(keep, dck, dcs[k] + dc)
        h_prev = np.concatenate([h0[None], hs[:-1]]).reshape(-1, u)
        dz2 = dz.reshape(-1, 4 * u)
        return (dz, x.reshape(-1, x.shape[2]).T @ dz2, h_prev.T @ dz2, dz.sum(axis=(0, 1)), dh,
                dc)

    def make_kernel(self, op, rt):
        if op.inputs[0].dtype not in (dtypes.float32, dtypes.float64):
            return self.compute

        def kernel(x, rk, h0, c0, hs, cs, gates, tanh_c, dhs, dcs, mask):
            t, n, u = hs.shape
            _seq_units(x, np.empty((x.shape[-1], 4 * u)), rk, np.empty(4 * u), h0, c0,
                       "MaskedLSTMSequenceGrad")
            dt = rk.dtype
            dhs, dcs = _steps(dhs, hs.shape), _steps(dcs, hs.shape)
            x, gates, tanh_c, hs, cs, c0, h0, mask = (_c(a) for a in (
                x, gates, tanh_c, hs, cs, c0, h0, mask))
            rk_t = _c(rk).T
            dz = np.empty((t, n, 4 * u), dt)
            dh0, dc0 = np.empty((n, u), dt), np.empty((n, u), dt)
            dbias = []

            def rows(lo, hi, matmul):
                m = hi - lo
                dh, dc, dc_prev = np.zeros((m, u), dt), np.zeros((m, u), dt), np.empty((m, u), dt)
                carry = np.empty((m, u), dt)
                db = np.zeros(4 * u, np.float64)
                for k in range(t - 1, -1, -1):
                    _kernels.lstm_seq_step_grad_masked(k, lo, c0, cs, gates, tanh_c, mask, dhs,
                                                       dh, dcs, dc, dz, dc_prev, carry, db)
                    dc, dc_prev = dc_prev, dc
                    matmul(dz[k, lo:hi], rk_t, out=dh)
                    dh += carry
                dh0[lo:hi] = dh
                dc0[lo:hi] = dc
                dbias.append(db)
            threads.by_rows(n, rows, min_rows=MIN_BLOCK_ROWS)

            def steps(lo, hi, matmul):
                dk = matmul(x[lo:hi].reshape(-1, x.shape[2]).T, dz[lo:hi].reshape(-1, 4 * u))
                a = max(lo, 1)
                if a >= hi:
                    return dk, np.zeros((u, 4 * u), dt)
                return dk, matmul(hs[a - 1:hi - 1].reshape(-1, u).T, dz[a:hi].reshape(-1, 4 * u))
            dkernel, drk = (sum(p) for p in zip(*threads.by_rows(t, steps), strict=True))
            if h0.any():
                drk += threads.matmul(h0.T, dz[0])
            return dz, dkernel, drk, sum(dbias).astype(dt), dh0, dc0
        return kernel


def _is_zero(t):
    if t is None or t.op.type == "ZerosLike":   # what tf.gradients feeds for an unused output
        return True
    v = constant_value(t)
    return v is not None and not np.any(v)


def lstm_cell(z, c_prev, name=None):
    """One fused LSTM step (Keras gate order i, f, c, o; sigmoid gates, tanh activations).

    Returns (h, c, gates, tanh_c); the last two are what the gradient reads.

        z = x_t @ kernel + bias + h_prev @ recurrent_kernel      # (batch, 4 * units)
        h, c, _, _ = rnn_ops.lstm_cell(z, c_prev)   # tfgraph.ops.rnn_ops; not in TF1
    """
    return LSTMCell.apply(z, c_prev, name=name)


def gru_cell(mx, mh, h_prev, name=None):
    """One fused GRU step, reset gate after the matmul (Keras gate order z, r, h; sigmoid, tanh).

    Returns (h, gates); `gates` = [z, r, hh] is what the gradient reads.

        mx = x_t @ kernel + input_bias; mh = h_prev @ recurrent_kernel + recurrent_bias
        h, _ = rnn_ops.gru_cell(mx, mh, h_prev)
    """
    return GRUCell.apply(mx, mh, h_prev, name=name)


def lstm_sequence(x, kernel, recurrent_kernel, bias, h0, c0, name=None):
    """A fused LSTM over all time steps (Keras gate order i, f, c, o; sigmoid gates, tanh).

    x: (time, batch, features), time-major; h0, c0: (batch, units). Returns (hs, cs, gates,
    tanh_c), time-major; the last two are what the gradient reads.

        hs, cs, _, _ = rnn_ops.lstm_sequence(tf.transpose(x, [1, 0, 2]), kernel,
                                             recurrent_kernel, bias, h0, c0)
    """
    return LSTMSequence.apply(x, kernel, recurrent_kernel, bias, h0, c0, name=name)


def masked_lstm_sequence(x, kernel, recurrent_kernel, bias, h0, c0, mask, name=None):
    """lstm_sequence where `mask` (time, batch; x's dtype, 1 keep / 0 masked) makes a masked row
    keep its h and c from the step before (Keras's masked LSTM). Returns (hs, cs, gates, tanh_c),
    time-major; hs and cs are the carried states."""
    return MaskedLSTMSequence.apply(x, kernel, recurrent_kernel, bias, h0, c0, mask, name=name)


__all__ = ["lstm_cell", "gru_cell", "lstm_sequence", "masked_lstm_sequence"]
