"""Numba kernels of the fused LSTM and GRU cells (tfgraph/ops/rnn_ops.py): all the gate maths of
one time step in one kernel call forward and one backward, for LSTMCell, GRUCell and each step of
LSTMSequence. Their numpy references are the `compute` methods of those ops and of their grad ops.

Layout: z (batch, 4 * units) holds the pre-activations in Keras's gate order i, f, c, o; `gates`
(batch, 4 * units) holds the activations sig(z_i), sig(z_f), tanh(z_c), sig(z_o) in the same order.

float32 uses Eigen's rational approximation of tanh (Eigen's default float tanh), with sigmoid(x) =
0.5 + 0.5 * tanh(x / 2): plain multiply/add/divide, so LLVM vectorizes the loops (this machine's
Numba has no vector libm: each np.exp/np.tanh in a loop is a scalar call). Its error is <= 3.6e-7
absolute against float64 tanh. Measured on 64k float32 elements, 2 shared cores: the rational tanh
47 us, np.tanh 170-280 us, np.exp 85-140 us. The W4 cell (batch 128, 128 units): forward 95 us
(libm exp/tanh in the same loops: 1270 us), backward 26 us. float64 (the gradient checker's dtype)
uses np.tanh and np.exp, exact to float64 rounding.

The loops run over one row at a time and touch few arrays each: one loop over all seven arrays
stayed scalar (475 us forward instead of 95; likely LLVM's limit on run-time alias checks).

error_model="numpy": a division by zero gives inf instead of raising, which is what lets the
divisions vectorize (Python's error model puts a branch in every one).
"""
import numpy as np

from tfgraph.kernels.jit import njit

_CLAMP = 7.90531110763549805   # tanh(x) rounds to +-1 in float32 beyond this
# fastmath "contract" alone: LLVM may fuse a*b+c into one FMA (one rounding instead of two), nothing
# else. In _tanh32's polynomial that is most of the instructions; the LSTM step kernel (64 rows,
# 128 units) ran in 39-40 us instead of 49-51 us.
_FMA = {"contract"}


@njit(error_model="numpy", fastmath=_FMA)
def _tanh32(x):
    """Eigen's generic_fast_tanh_float: a (13, 6)-degree rational approximation, clamped."""
    hi = np.float32(_CLAMP)
    x = x if x < hi else hi
    x = x if x > -hi else -hi
    x2 = x * x
    p = x2 * np.float32(-2.76076847742355e-16) + np.float32(2.00018790482477e-13)
    p = x2 * p + np.float32(-8.60467152213735e-11)
    p = x2 * p + np.float32(5.12229709037114e-08)
    p = x2 * p + np.float32(1.48572235717979e-05)
    p = x2 * p + np.float32(6.37261928875436e-04)
    p = x2 * p + np.float32(4.89352455891786e-03)
    q = x2 * np.float32(1.19825839466702e-06) + np.float32(1.18534705686654e-04)
    q = x2 * q + np.float32(2.26843463243900e-03)
    q = x2 * q + np.float32(4.89352518554385e-03)
    return x * p / q


@njit(inline="always", fastmath=_FMA)
def _lstm_activate(gr, cp, hr, cr, tr, u, exact):
    """One row in place: gr holds z = (i, f, g, o) pre-activations on entry and the gates on return;
    then c = f*c_prev + i*g, tanh(c) and h = o*tanh(c). `exact`: libm's exp and tanh (float64),
    else the float32 rational tanh (sigmoid(x) = 0.5 + 0.5 tanh(x / 2))."""
    half, one = gr.dtype.type(0.5), gr.dtype.type(1)
    if exact:
        for j in range(2 * u):
            gr[j] = one / (one + np.exp(-gr[j]))
        for j in range(u):
            gr[2 * u + j] = np.tanh(gr[2 * u + j])
        for j in range(u):
            gr[3 * u + j] = one / (one + np.exp(-gr[3 * u + j]))
    else:
        for j in range(2 * u):
            gr[j] = half + half * _tanh32(half * gr[j])
        for j in range(u):
            gr[2 * u + j] = _tanh32(gr[2 * u + j])
        for j in range(u):
            gr[3 * u + j] = half + half * _tanh32(half * gr[3 * u + j])
    for j in range(u):
        cc = gr[u + j] * cp[j] + gr[j] * gr[2 * u + j]
        t = np.tanh(cc) if exact else _tanh32(cc)
        cr[j] = cc
        tr[j] = t
        hr[j] = gr[3 * u + j] * t


@njit(error_model="numpy")
def lstm_cell_f32(z, c_prev, h, c, gates, tanh_c):
    """Forward of one float32 step: gates, c = f*c_prev + i*g, tanh(c), h = o*tanh(c)."""
    n, u = c_prev.shape
    for b in range(n):
        gr = gates[b]
        for j in range(4 * u):
            gr[j] = z[b, j]
        _lstm_activate(gr, c_prev[b], h[b], c[b], tanh_c[b], u, False)


@njit(error_model="numpy")
def lstm_cell_exact(z, c_prev, h, c, gates, tanh_c):
    """The same step with libm's exp and tanh (float64)."""
    n, u = c_prev.shape
    for b in range(n):
        gr = gates[b]
        for j in range(4 * u):
            gr[j] = z[b, j]
        _lstm_activate(gr, c_prev[b], h[b], c[b], tanh_c[b], u, True)


@njit(error_model="numpy")
def lstm_cell_grad(c_prev, gates, tanh_c, dh, dc, dz, dc_prev):
    """Backward of one step from the saved activations: dz (batch, 4u) and dc_prev (batch, u).

    dc_prev's row first holds dc_total = dc + dh * o * (1 - tanh(c)^2), the gradient reaching c.
    """
    n, u = c_prev.shape
    one = c_prev.dtype.type(1)
    for b in range(n):
        gr, tr, cp, dhr, dzr, dcr = gates[b], tanh_c[b], c_prev[b], dh[b], dz[b], dc_prev[b]
        dcin = dc[b]
        for j in range(u):
            t = tr[j]
            dcr[j] = dcin[j] + dhr[j] * gr[3 * u + j] * (one - t * t)
        for j in range(u):
            i = gr[j]
            dzr[j] = dcr[j] * gr[2 * u + j] * i * (one - i)
        for j in range(u):
            f = gr[u + j]
            dzr[u + j] = dcr[j] * cp[j] * f * (one - f)
        for j in range(u):
            g = gr[2 * u + j]
            dzr[2 * u + j] = dcr[j] * gr[j] * (one - g * g)
        for j in range(u):
            o = gr[3 * u + j]
            dzr[3 * u + j] = dhr[j] * tr[j] * o * (one - o)
        for j in range(u):
            dcr[j] = dcr[j] * gr[u + j]


@njit(error_model="numpy")
def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@njit(error_model="numpy")
def gru_cell(mx, mh, h_prev, h, gates, exact):
    """Forward of one GRU step (reset_after): mx = x@K + b_x, mh = h_prev@R + b_h, both (batch, 3u)
    in gate order z, r, h. gates = [z, r, hh]; h = z * h_prev + (1 - z) * hh. `exact`: libm's
    exp/tanh (float64) instead of the rational tanh (float32)."""
    n, u = h_prev.shape
    half = mx.dtype.type(0.5)
    for b in range(n):
        xr, mr, gr, hp, hr = mx[b], mh[b], gates[b], h_prev[b], h[b]
        if exact:
            for j in range(2 * u):
                gr[j] = _sigmoid(xr[j] + mr[j])
            for j in range(u):
                gr[2 * u + j] = np.tanh(xr[2 * u + j] + gr[u + j] * mr[2 * u + j])
        else:
            for j in range(2 * u):
                gr[j] = half + half * _tanh32(half * (xr[j] + mr[j]))
            for j in range(u):
                gr[2 * u + j] = _tanh32(xr[2 * u + j] + gr[u + j] * mr[2 * u + j])
        for j in range(u):
            hh = gr[2 * u + j]
            hr[j] = hh + gr[j] * (hp[j] - hh)


@njit(error_model="numpy")
def gru_cell_grad(mh, h_prev, gates, dh, dmx, dmh, dh_prev):
    """Backward of one GRU step: dmx, dmh (batch, 3u) and dh_prev (batch, u) from the saved gates.

    dmx's candidate block is computed first and read back for the reset gate's gradient."""
    n, u = h_prev.shape
    one = h_prev.dtype.type(1)
    for b in range(n):
        mr, hp, gr, dhr = mh[b], h_prev[b], gates[b], dh[b]
        dxr, dmr, dpr = dmx[b], dmh[b], dh_prev[b]
        for j in range(u):
            z, hh = gr[j], gr[2 * u + j]
            d = dhr[j] * (one - z) * (one - hh * hh)
            dxr[2 * u + j] = d
            dmr[2 * u + j] = d * gr[u + j]
        for j in range(u):
            z = gr[j]
            d = dhr[j] * (hp[j] - gr[2 * u + j]) * z * (one - z)
            dxr[j] = d
            dmr[j] = d
        for j in range(u):
            r = gr[u + j]
            d = dxr[2 * u + j] * mr[2 * u + j] * r * (one - r)
            dxr[u + j] = d
            dmr[u + j] = d
        for j in range(u):
            dpr[j] = dhr[j] * gr[j]


# -- LSTM over a whole sequence (LSTMSequence): the per-step gate kernels; BLAS does the matmuls ---
# They index the op's whole (time, batch, .) arrays by step k and first row `lo` themselves: six
# views sliced per step in Python (~0.5 us each) cost more than the kernel's dispatch (1-2 us).
@njit(error_model="numpy", fastmath=_FMA)
def lstm_seq_step(k, lo, rec, bias, c0, gates, hs, cs, tanh_c, exact):
    """Forward of step k of LSTMSequence for rows lo .. lo + len(rec) of the (time, batch, .)
    arrays.

    gates[k] holds x_k @ kernel on entry; z = that + rec + bias (rec (rows, 4u): h_{k-1} @
    recurrent_kernel) is turned into the activations in place, and hs, cs, tanh_c[k] are written.
    c_{k-1} is cs[k - 1], or c0 at k = 0. `exact`: libm's exp/tanh (float64) instead of the
    rational tanh (float32)."""
    u = c0.shape[1]
    for b in range(rec.shape[0]):
        r = lo + b
        gr, rr = gates[k, r], rec[b]
        for j in range(4 * u):
            gr[j] += rr[j] + bias[j]
        _lstm_activate(gr, cs[k - 1, r] if k else c0[r], hs[k, r], cs[k, r], tanh_c[k, r], u,
                       exact)


@njit(inline="always", fastmath=_FMA)
def _lstm_gate_grads(gr, tr, cp, dho, dhr, dco, dcn, dzr, dcr, dbias, u, one):
    """One row of a step's backward: dz (gates i, f, c, o) and dc_{k-1} from the gradients
    reaching h_k (dho + dhr) and c_k (dco + dcn); dz is added to dbias."""
    for j in range(u):
        t = tr[j]
        o = gr[3 * u + j]
        dh = dho[j] + dhr[j]
        dcr[j] = dco[j] + dcn[j] + dh * o * (one - t * t)
        dzr[3 * u + j] = dh * t * o * (one - o)
    for j in range(u):
        i = gr[j]
        dzr[j] = dcr[j] * gr[2 * u + j] * i * (one - i)
    for j in range(u):
        f = gr[u + j]
        dzr[u + j] = dcr[j] * cp[j] * f * (one - f)
    for j in range(u):
        g = gr[2 * u + j]
        dzr[2 * u + j] = dcr[j] * gr[j] * (one - g * g)
    for j in range(u):
        dcr[j] = dcr[j] * gr[u + j]
    for j in range(4 * u):
        dbias[j] += dzr[j]


@njit(error_model="numpy", fastmath=_FMA)
def lstm_seq_step_grad(k, lo, c0, cs, gates, tanh_c, dhs, dh_rec, dcs, dc_next, dz, dc_prev,
                       dbias):
    """Backward of step k of LSTMSequence for rows lo .. lo + len(dh_rec): dz[k] and dc_prev.

    The gradient reaching h_k is dhs[k] + dh_rec (from the sequence output and from step k+1's
    recurrent matmul), the one reaching c_k dcs[k] + dc_next; a dhs or dcs of one step stands for
    every step (the op passes one step of zeros for none). dz's rows are added to dbias (float64,
    (4u,)). dc_prev must not alias dc_next."""
    u = c0.shape[1]
    one = c0.dtype.type(1)
    kh, kc = min(k, dhs.shape[0] - 1), min(k, dcs.shape[0] - 1)
    for b in range(dh_rec.shape[0]):
        r = lo + b
        gr, tr, dzr, dcr = gates[k, r], tanh_c[k, r], dz[k, r], dc_prev[b]
        cp = cs[k - 1, r] if k else c0[r]
        dho, dhr, dco, dcn = dhs[kh, r], dh_rec[b], dcs[kc, r], dc_next[b]
        _lstm_gate_grads(gr, tr, cp, dho, dhr, dco, dcn, dzr, dcr, dbias, u, one)


# -- MaskedLSTMSequence: the same steps, where a row whose mask is 0 at step k keeps h and c ------
@njit(error_model="numpy", fastmath=_FMA)
def lstm_seq_step_masked(k, lo, rec, bias, h0, c0, mask, gates, hs, cs, tanh_c, exact):
    """lstm_seq_step, then the rows masked at step k (mask[k, r] == 0) copy h and c from step
    k-1 (h0, c0 at k = 0) over what the step computed."""
    u = c0.shape[1]
    for b in range(rec.shape[0]):
        r = lo + b
        gr, rr = gates[k, r], rec[b]
        for j in range(4 * u):
            gr[j] += rr[j] + bias[j]
        cp = cs[k - 1, r] if k else c0[r]
        _lstm_activate(gr, cp, hs[k, r], cs[k, r], tanh_c[k, r], u, exact)
        if mask[k, r] == 0:
            hp = hs[k - 1, r] if k else h0[r]
            hr, cr = hs[k, r], cs[k, r]
            for j in range(u):
                hr[j] = hp[j]
                cr[j] = cp[j]


@njit(error_model="numpy", fastmath=_FMA)
def lstm_seq_step_grad_masked(k, lo, c0, cs, gates, tanh_c, mask, dhs, dh_rec, dcs, dc_next, dz,
                              dc_prev, dh_carry, dbias):
    """lstm_seq_step_grad for the masked sequence: a row masked at step k passes the gradients
    reaching its h_k and c_k on to h_{k-1} (through dh_carry, added after the recurrent matmul)
    and c_{k-1} unchanged, and its dz row is 0. Unmasked rows: as lstm_seq_step_grad, with
    dh_carry set to 0."""
    u = c0.shape[1]
    one = c0.dtype.type(1)
    kh, kc = min(k, dhs.shape[0] - 1), min(k, dcs.shape[0] - 1)
    for b in range(dh_rec.shape[0]):
        r = lo + b
        gr, tr, dzr, dcr, dhc = gates[k, r], tanh_c[k, r], dz[k, r], dc_prev[b], dh_carry[b]
        dho, dhr, dco, dcn = dhs[kh, r], dh_rec[b], dcs[kc, r], dc_next[b]
        if mask[k, r] == 0:
            for j in range(u):
                dhc[j] = dho[j] + dhr[j]
                dcr[j] = dco[j] + dcn[j]
            for j in range(4 * u):
                dzr[j] = 0
            continue
        cp = cs[k - 1, r] if k else c0[r]
        for j in range(u):
            dhc[j] = 0
        _lstm_gate_grads(gr, tr, cp, dho, dhr, dco, dcn, dzr, dcr, dbias, u, one)
