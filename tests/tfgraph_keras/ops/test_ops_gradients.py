"""Gradients flow through keras.ops: numeric gradient checks of the composed and mapped ops."""
import numpy as np
import pytest

import tfgraph as tf
from tfgraph_keras import ops

rng = np.random.RandomState(1)
X = rng.uniform(0.3, 1.5, (2, 3, 4))
K2 = rng.uniform(-0.5, 0.5, (4, 5))
IMG = rng.uniform(-1, 1, (1, 5, 5, 2))
DWK = rng.uniform(-0.5, 0.5, (3, 3, 2, 2))

# (name, function of one float64 tensor, input value)
CASES = [
    ("divide", lambda x: ops.divide(x, ops.sum(x)), X),
    ("power", lambda x: ops.power(x, 1.5), X),
    ("mean_var_std", lambda x: ops.mean(x, 0) + ops.var(x, 1, keepdims=True) + ops.std(x), X),
    ("max_min_prod", lambda x: ops.max(x, 1) * ops.min(x, 1) + ops.prod(x, -1)[..., :1], X),
    ("einsum", lambda x: ops.einsum("bij,jk->bik", x, ops.ones((4, 2), "float64")), X),
    ("einsum_pair", lambda x: ops.einsum("bij,bkj->bik", x, x), X),
    ("tensordot", lambda x: ops.tensordot(x, x, axes=[[0, 2], [0, 2]]), X),
    ("matmul", lambda x: ops.matmul(x, ops.convert_to_tensor(K2)), X),
    ("dot_vec", lambda x: ops.dot(x, ops.convert_to_tensor(K2[:, 0])), X),
    ("cumsum_cumprod", lambda x: ops.cumsum(x, 1) + ops.cumprod(x, axis=2)[:, :, :1], X),
    ("sort", lambda x: ops.sort(x, axis=1) * ops.arange(3, dtype="float64")[:, None], X),
    ("take_along_axis", lambda x: ops.take_along_axis(
        x, ops.argsort(x, axis=-1), axis=-1) * ops.arange(4, dtype="float64"), X),
    ("take_repeat_tile", lambda x: ops.take(ops.repeat(ops.tile(x, (1, 2, 1)), 2, axis=2),
                                            [0, 3, 5], axis=2), X),
    ("roll_flip_pad", lambda x: ops.pad(ops.roll(ops.flip(x, 1), 1, axis=2), ((0, 0), (1, 1),
                                                                              (2, 0)),
                                        mode="reflect"), X),
    ("triu_trace_diag", lambda x: ops.trace(ops.triu(x[0, :, :3])) + ops.diag(x[1, :, :3]), X),
    ("norm", lambda x: ops.norm(x, axis=-1) + ops.norm(x, ord=1, axis=(1, 2))[:, None], X),
    ("logsumexp", lambda x: ops.logsumexp(x, axis=(0, 2)), X),
    ("inverse_trig", lambda x: ops.arcsinh(x) + ops.arctanh(x * 0.5) + ops.arccosh(x + 1.1)
     + ops.log2(x) + ops.exp2(x), X),
    ("where_clip", lambda x: ops.where(x > 0.8, ops.clip(x, 0.5, 1.2), ops.square(x)), X),
    ("slice_update", lambda x: ops.slice_update(x, (0, 1, 1), ops.sqrt(x[:1, :2, :2])), X),
    ("scatter_update", lambda x: ops.scatter_update(x[0], [[0, 1], [2, 3]],
                                                    ops.exp(x[1, 0, :2])), X),
    ("segment_sum", lambda x: ops.segment_sum(x[0], ops.convert_to_tensor([0, 1, 1])), X),
    ("activations", lambda x: ops.gelu(x) + ops.gelu(x, approximate=False) + ops.silu(x)
     + ops.elu(x - 1, alpha=0.5) + ops.selu(x - 1) + ops.hard_sigmoid(x) + ops.log_sigmoid(x)
     + ops.leaky_relu(x - 1) + ops.softplus(x) + ops.erf(x), X),
    ("softmax_axes", lambda x: ops.softmax(x, axis=(1, 2)) * ops.arange(4, dtype="float64")
     + ops.log_softmax(x, axis=0), X),
    ("normalize_moments", lambda x: ops.normalize(x, axis=1) + ops.moments(x, [0, 1])[1], X),
    ("batch_normalization", lambda x: ops.batch_normalization(
        x, ops.mean(x, (0, 1)), ops.var(x, (0, 1)), -1, offset=x[0, 0], scale=x[1, 1]), X),
    ("crossentropies", lambda x: ops.categorical_crossentropy(ops.softmax(x[0]), x[1] / 2.0)
     + ops.sparse_categorical_crossentropy([1, 0, 3], x[1], from_logits=True)
     + ops.mean(ops.binary_crossentropy(x[0] / 2, x[1] / 2), -1), X),
    ("layer_rms_norm", lambda x: ops.layer_normalization(x, x[0, 0], x[1, 1])
     + ops.rms_normalization(x, axis=(1, 2)), X),
    ("attention", lambda x: ops.dot_product_attention(
        x[:, :, None, :], ops.sin(x[:, :, None, :]), ops.cos(x[:, :, None, :]), is_causal=True),
     X),
    ("logaddexp_diff_average", lambda x: ops.logaddexp(x, 1 - x)[:, :2, :2]
     + ops.diff(x, 1, 1)[:, :, :2]
     + ops.average(x, axis=2, weights=ops.arange(1, 5, dtype="float64"))[:, :2, None], X),
    ("order_statistics", lambda x: ops.quantile(x, [0.3, 0.8], axis=1) + ops.median(x, axis=1)
     + ops.percentile(x, 55, axis=1, method="midpoint"), X),
    ("extra_elementwise", lambda x: ops.hypot(x, 1 - x) + ops.cbrt(x) + ops.deg2rad(x)
     + ops.select([x > 1.0], [ops.square(x)], default=x), X),
    ("segment_max_rot90_inner", lambda x: ops.segment_max(x[0], ops.convert_to_tensor([0, 1, 0]))
     [:, :3] + ops.rot90(x[1])[:2, :] + ops.inner(x[0, 0], x[1, 1]) + ops.vdot(x, x), X),
    ("conv", lambda x: ops.conv(x, ops.convert_to_tensor(DWK), padding="same"), IMG),
    ("depthwise_conv", lambda x: ops.depthwise_conv(x, ops.convert_to_tensor(DWK), 2,
                                                    "same"), IMG),
    ("separable_conv", lambda x: ops.separable_conv(
        x, ops.convert_to_tensor(DWK), ops.ones((1, 1, 4, 3), "float64")), IMG),
    ("conv_transpose", lambda x: ops.conv_transpose(x, ops.convert_to_tensor(DWK), 2), IMG),
    ("pools", lambda x: ops.max_pool(x, 2) + ops.average_pool(x, 2), IMG),
]


@pytest.mark.parametrize("name,fn,xv", CASES, ids=[c[0] for c in CASES])
def test_gradient(name, fn, xv):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, xv.shape)
        y = fn(x)
        assert isinstance(y, tf.Tensor)
        with tf.Session() as sess:
            y_shape = sess.run(y, {x: xv}).shape
            err = tf.test.compute_gradient_error(x, list(xv.shape), y, list(y_shape),
                                                 x_init_value=xv, delta=1e-6, sess=sess)
    assert err < 1e-5, name
