"""Fused recurrent cells: LSTMCell and GRUCell (one time step's gate maths in one op), and their
backward ops.

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
"""
import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.op_def import OpDef, TensorSpec, constant_value, require, require_float
from tfgraph.kernels import rnn as _kernels
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


__all__ = ["lstm_cell", "gru_cell"]
