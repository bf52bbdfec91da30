"""Fused, in-place Numba update kernels for the tf.train optimizers (dense and sparse forms).

Every kernel works on flat (dense) or (rows, cols) (sparse) views of the variable's own buffer and
its slots, and updates them in one pass. Hyper-parameters arrive at run time as scalars of the
variable's dtype (STYLE.md "Attr rule": one compile serves every learning rate), so float32 math
stays float32. The formulas follow TensorFlow 1's C++ kernels (training_ops.cc) term for term.

Sparse kernels take already de-duplicated rows (`dedup_rows`): TF1's optimizers sum the gradient
rows of repeated indices before applying them, and only the rows present are touched.
"""
import numpy as np

from tfgraph.kernels.jit import njit

# error_model="numpy": x / 0 gives inf/nan as in TF instead of raising; the loops then vectorize.


@njit(error_model="numpy")
def dedup_rows(indices, values):
    """(unique indices, summed rows): rows of repeated indices summed in their original order."""
    n = indices.shape[0]
    order = np.argsort(indices, kind="mergesort")
    count = 0
    for k in range(n):
        if k == 0 or indices[order[k]] != indices[order[k - 1]]:
            count += 1
    uniq = np.empty(count, dtype=indices.dtype)
    summed = np.zeros((count, values.shape[1]), dtype=values.dtype)
    j = -1
    for k in range(n):
        i = order[k]
        if k == 0 or indices[i] != indices[order[k - 1]]:
            j += 1
            uniq[j] = indices[i]
        for c in range(values.shape[1]):
            summed[j, c] += values[i, c]
    return uniq, summed


# -- GradientDescent -------------------------------------------------------------------------------
@njit(error_model="numpy")
def gradient_descent(var, lr, grad):
    for i in range(var.size):
        var[i] -= grad[i] * lr


@njit(error_model="numpy")
def sparse_gradient_descent(var, lr, idx, grad):
    # scatter_sub(var, idx, grad * lr): repeated indices accumulate, as TF's ScatterSub does.
    for k in range(idx.shape[0]):
        r = idx[k]
        for c in range(var.shape[1]):
            var[r, c] -= grad[k, c] * lr


# -- Momentum --------------------------------------------------------------------------------------
@njit(error_model="numpy")
def momentum(var, accum, lr, grad, mom, nesterov):
    for i in range(var.size):
        a = accum[i] * mom + grad[i]
        accum[i] = a
        if nesterov:
            var[i] -= grad[i] * lr + a * mom * lr
        else:
            var[i] -= a * lr


@njit(error_model="numpy")
def sparse_momentum(var, accum, lr, idx, grad, mom, nesterov):
    for k in range(idx.shape[0]):
        r = idx[k]
        for c in range(var.shape[1]):
            a = accum[r, c] * mom + grad[k, c]
            accum[r, c] = a
            if nesterov:
                var[r, c] -= grad[k, c] * lr + a * mom * lr
            else:
                var[r, c] -= a * lr


# -- Adam ------------------------------------------------------------------------------------------
@njit(error_model="numpy")
def adam(var, m, v, lr_t, beta1, one_minus_b1, one_minus_b2, eps, grad, nesterov):
    for i in range(var.size):
        g = grad[i]
        mi = m[i] + (g - m[i]) * one_minus_b1
        vi = v[i] + (g * g - v[i]) * one_minus_b2
        m[i] = mi
        v[i] = vi
        if nesterov:
            var[i] -= ((mi * beta1 + one_minus_b1 * g) * lr_t) / (np.sqrt(vi) + eps)
        else:
            var[i] -= (mi * lr_t) / (np.sqrt(vi) + eps)


@njit(error_model="numpy")
def sparse_adam(var, m, v, lr_t, beta1, beta2, one_minus_b1, one_minus_b2, eps, idx, grad):
    # TF1's AdamOptimizer._apply_sparse: m and v decay everywhere, the rows present get the new
    # gradient, and every row of var moves by lr * m / (sqrt(v) + eps).
    mf, vf = m.ravel(), v.ravel()
    for i in range(mf.size):
        mf[i] = mf[i] * beta1
        vf[i] = vf[i] * beta2
    for k in range(idx.shape[0]):
        r = idx[k]
        for c in range(var.shape[1]):
            g = grad[k, c]
            m[r, c] += g * one_minus_b1
            v[r, c] += (g * g) * one_minus_b2
    wf = var.ravel()
    for i in range(wf.size):
        wf[i] -= lr_t * mf[i] / (np.sqrt(vf[i]) + eps)


# -- RMSProp ---------------------------------------------------------------------------------------
@njit(error_model="numpy")
def rmsprop(var, ms, mom, lr, one_minus_rho, momentum_, eps, grad):
    for i in range(var.size):
        g = grad[i]
        s = ms[i] + (g * g - ms[i]) * one_minus_rho
        ms[i] = s
        mo = mom[i] * momentum_ + (g * lr) / np.sqrt(s + eps)
        mom[i] = mo
        var[i] -= mo


@njit(error_model="numpy")
def keras_rmsprop(var, ms, lr, one_minus_rho, eps, grad):
    # rmsprop with momentum 0 and no momentum buffer: 3 arrays read and 2 written instead of 4 and 3
    for i in range(var.size):
        g = grad[i]
        s = ms[i] + (g * g - ms[i]) * one_minus_rho
        ms[i] = s
        var[i] -= (g * lr) / np.sqrt(s + eps)


@njit(error_model="numpy")
def centered_rmsprop(var, mg, ms, mom, lr, one_minus_rho, momentum_, eps, grad):
    for i in range(var.size):
        g = grad[i]
        s = ms[i] + (g * g - ms[i]) * one_minus_rho
        ms[i] = s
        a = mg[i] + (g - mg[i]) * one_minus_rho
        mg[i] = a
        mo = mom[i] * momentum_ + (g * lr) / np.sqrt((s - a * a) + eps)
        mom[i] = mo
        var[i] -= mo


@njit(error_model="numpy")
def sparse_rmsprop(var, mg, ms, mom, lr, rho, one_minus_rho, momentum_, eps, idx, grad, centered):
    for k in range(idx.shape[0]):
        r = idx[k]
        for c in range(var.shape[1]):
            g = grad[k, c]
            s = ms[r, c] * rho + (g * g) * one_minus_rho
            ms[r, c] = s
            denom = s + eps
            if centered:
                a = mg[r, c] * rho + g * one_minus_rho
                mg[r, c] = a
                denom = (s - a * a) + eps
            mo = mom[r, c] * momentum_ + (g * lr) / np.sqrt(denom)
            mom[r, c] = mo
            var[r, c] -= mo


# -- Adagrad ---------------------------------------------------------------------------------------
@njit(error_model="numpy")
def adagrad(var, accum, lr, grad):
    for i in range(var.size):
        g = grad[i]
        a = accum[i] + g * g
        accum[i] = a
        var[i] -= g * lr / np.sqrt(a)


@njit(error_model="numpy")
def sparse_adagrad(var, accum, lr, idx, grad):
    for k in range(idx.shape[0]):
        r = idx[k]
        for c in range(var.shape[1]):
            g = grad[k, c]
            a = accum[r, c] + g * g
            accum[r, c] = a
            var[r, c] -= g * lr / np.sqrt(a)


# -- Adadelta --------------------------------------------------------------------------------------
@njit(error_model="numpy")
def adadelta(var, accum, accum_update, lr, rho, one_minus_rho, eps, grad):
    for i in range(var.size):
        g = grad[i]
        a = accum[i] * rho + g * g * one_minus_rho
        accum[i] = a
        update = np.sqrt(accum_update[i] + eps) / np.sqrt(a + eps) * g
        var[i] -= update * lr
        accum_update[i] = accum_update[i] * rho + update * update * one_minus_rho


@njit(error_model="numpy")
def sparse_adadelta(var, accum, accum_update, lr, rho, one_minus_rho, eps, idx, grad):
    for k in range(idx.shape[0]):
        r = idx[k]
        for c in range(var.shape[1]):
            g = grad[k, c]
            a = accum[r, c] * rho + g * g * one_minus_rho
            accum[r, c] = a
            update = np.sqrt(accum_update[r, c] + eps) / np.sqrt(a + eps) * g
            var[r, c] -= update * lr
            accum_update[r, c] = accum_update[r, c] * rho + update * update * one_minus_rho
