"""Cases for TF1 ops that public scripts call (arg_max, linspace, meshgrid, einsum, band_part,
segment ops, unique, truncatediv, resize, depthwise/atrous conv, embedding_lookup, nce and sampled
softmax losses), written once against the TF1 API (`tf` is tf.compat.v1 or tfgraph):
make_tf_missing_ops.py records TensorFlow's values, gradients, static shapes and errors,
tests/tfgraph/ops/test_tf1_missing_ops.py builds the same graphs with tfgraph and compares.

A case is (inputs, build, grad): `inputs` maps names to numpy arrays (fed through placeholders of
their full shape), `build(tf, **tensors)` returns one tensor or a list, `grad` names the float
inputs whose gradient of sum(output * weights) is recorded and checked numerically.
"""
import numpy as np

_R = np.random.RandomState(1234)


def _f(*shape, lo=-1.0, hi=1.0):
    return _R.uniform(lo, hi, size=shape).astype(np.float32)


def _i(values, dtype=np.int32):
    return np.asarray(values, dtype=dtype)


def _pow2_grid(*shape):
    # distinct values spaced apart, so max/argmax ties and numeric-gradient kinks stay away
    n = int(np.prod(shape))
    return (_R.permutation(n).astype(np.float32) * 0.37 - n * 0.15).reshape(shape)


def C(inputs, build, grad=(), atol=1e-5, grad_tol=2e-3, tf_grad=True, ph=None):
    """`tf_grad=False`: TensorFlow's CPU kernels have no gradient here (Conv2D with dilations:
    "Current CPU implementations do not yet support dilation rates larger than 1"), so only the
    numeric gradient checks tfgraph's. `ph`: placeholder shapes (None for unknown dimensions)
    for some inputs, to compare the static shapes inferred from partly known inputs."""
    return {"inputs": inputs, "build": build, "grad": list(grad), "atol": atol,
            "grad_tol": grad_tol, "tf_grad": tf_grad, "ph": ph or {}}


X34 = _pow2_grid(3, 4)


def _nce_inputs(num_true):
    """10 classes of dimension 3, a batch of 3; the sampled classes hit some true ones."""
    labels = [[2], [7], [3]] if num_true == 1 else [[2, 5], [7, 1], [3, 3]]
    sampled = [0, 7, 4, 2]
    p = np.log((np.float64(sampled) + 2) / (np.float64(sampled) + 1)) / np.log(11.0)
    pt = np.log((np.float64(labels) + 2) / (np.float64(labels) + 1)) / np.log(11.0)
    return {"w": _f(10, 3), "b": _f(10, lo=-0.5, hi=0.5), "x": _f(3, 3),
            "y": _i(labels, np.int64), "s": _i(sampled, np.int64),
            "te": (pt * 4).astype(np.float32), "se": (p * 4).astype(np.float32)}

CASES = {
    # -- arg_max / arg_min (the raw ops: `dimension` required) --
    "arg_max": C({"x": X34}, lambda tf, x: tf.arg_max(x, 1)),
    "arg_min_int32": C({"x": X34}, lambda tf, x: tf.arg_min(x, 0, output_type=tf.int32)),
    # -- truncatediv / truncatemod --
    "truncatediv_int": C({"x": _i([-7, 7, 5, -9, 0, 6]), "y": _i([2, -2, 3, -4, 3, 3])},
                         lambda tf, x, y: tf.truncatediv(x, y)),
    "truncatediv_float": C({"x": np.float32([-7, 7, 5.5, -9]), "y": np.float32([2, -2, 3, 4])},
                           lambda tf, x, y: tf.truncatediv(x, y)),
    "truncatemod_int64": C({"x": _i([-7, 7, 5, -9], np.int64), "y": _i([2, -2, 3, -4], np.int64)},
                           lambda tf, x, y: tf.truncatemod(x, y)),
    "truncatemod_float_bcast": C({"x": np.float32([[-7.5, 7.25], [3, -1]]), "y": np.float32([2])},
                                 lambda tf, x, y: tf.truncatemod(x, y)),
    # -- linspace --
    "linspace": C({}, lambda tf: tf.linspace(0.0, 1.0, 7)),
    "lin_space_neg": C({}, lambda tf: tf.lin_space(3.0, -2.0, 4)),
    "linspace_one": C({}, lambda tf: tf.linspace(2.0, 5.0, 1)),
    "linspace_int_ends": C({}, lambda tf: tf.linspace(0, 5, 4)),
    "linspace_f64": C({}, lambda tf: tf.linspace(tf.constant(-1.0, tf.float64), 1.0, 11)),
    "linspace_tensor_ends": C({"a": _f(2), "b": _f(2)}, lambda tf, a, b: tf.linspace(a, b, 5),
                              grad=["a", "b"]),
    "linspace_axis": C({"a": _f(2), "b": _f(2)},
                       lambda tf, a, b: tf.linspace(a, b, 4, axis=-1), grad=["a"]),
    # -- meshgrid --
    "meshgrid_xy": C({"x": _f(3), "y": _f(4)}, lambda tf, x, y: tf.meshgrid(x, y),
                     grad=["x", "y"]),
    "meshgrid_ij3": C({"x": _f(2), "y": _f(3), "z": _f(4)},
                      lambda tf, x, y, z: tf.meshgrid(x, y, z, indexing="ij"), grad=["y"]),
    "meshgrid_xy3": C({"x": _f(2), "y": _f(3), "z": _f(4)},
                      lambda tf, x, y, z: tf.meshgrid(x, y, z), grad=["x"]),
    # -- einsum --
    "einsum_matmul": C({"a": _f(2, 3), "b": _f(3, 4)},
                       lambda tf, a, b: tf.einsum("ij,jk->ik", a, b), grad=["a", "b"]),
    "einsum_implicit": C({"a": _f(2, 3), "b": _f(3, 4)},
                         lambda tf, a, b: tf.einsum("ij,jk", a, b)),
    "einsum_transpose": C({"a": _f(2, 3)}, lambda tf, a: tf.einsum("ij->ji", a), grad=["a"]),
    "einsum_sum": C({"a": _f(2, 3)}, lambda tf, a: tf.einsum("ij->", a), grad=["a"]),
    "einsum_batch": C({"a": _f(2, 3, 4), "b": _f(2, 4, 5)},
                      lambda tf, a, b: tf.einsum("bij,bjk->bik", a, b), grad=["a", "b"]),
    "einsum_attention": C({"q": _f(2, 2, 3, 4), "k": _f(2, 2, 5, 4)},
                          lambda tf, q, k: tf.einsum("bhqd,bhkd->bhqk", q, k), grad=["q", "k"]),
    "einsum_outer": C({"a": _f(3), "b": _f(4)}, lambda tf, a, b: tf.einsum("i,j->ij", a, b),
                      grad=["a"]),
    "einsum_dot": C({"a": _f(5), "b": _f(5)}, lambda tf, a, b: tf.einsum("i,i->", a, b),
                    grad=["b"]),
    "einsum_ellipsis": C({"a": _f(2, 3, 4), "b": _f(4, 5)},
                         lambda tf, a, b: tf.einsum("...ij,jk->...ik", a, b), grad=["a", "b"]),
    "einsum_three": C({"a": _f(2, 3, 4), "b": _f(4, 5), "c": _f(5, 2)},
                      lambda tf, a, b, c: tf.einsum("abc,cd,de->ae", a, b, c),
                      grad=["a", "b", "c"]),
    "einsum_hadamard_reduce": C({"a": _f(2, 3), "b": _f(2, 3)},
                                lambda tf, a, b: tf.einsum("ij,ij->i", a, b), grad=["a"]),
    "einsum_private_sum": C({"a": _f(2, 3, 4), "b": _f(4, 5)},
                            lambda tf, a, b: tf.einsum("ijk,kl->il", a, b), grad=["a", "b"]),
    "einsum_trace": C({"a": _f(4, 4)}, lambda tf, a: tf.einsum("ii->", a), grad=["a"]),
    "einsum_diag_implicit_trace": C({"a": _f(3, 3)}, lambda tf, a: tf.einsum("ii", a),
                                    grad=["a"]),
    "einsum_batch_diag": C({"a": _f(2, 3, 3)}, lambda tf, a: tf.einsum("bii->bi", a),
                           grad=["a"]),
    "einsum_diag_times": C({"a": _f(3, 3), "b": _f(3, 2)},
                           lambda tf, a, b: tf.einsum("ii,ij->j", a, b), grad=["a", "b"]),
    # -- matrix_band_part / linalg.band_part --
    "band_part_upper": C({"x": _f(4, 5)}, lambda tf, x: tf.matrix_band_part(x, 0, -1),
                         grad=["x"]),
    "band_part_lower_batch": C({"x": _f(2, 4, 3)}, lambda tf, x: tf.linalg.band_part(x, -1, 0),
                               grad=["x"]),
    "band_part_tridiag": C({"x": _f(5, 5)}, lambda tf, x: tf.matrix_band_part(x, 1, 1),
                           grad=["x"]),
    "band_part_int_tensor_counts": C(
        {"x": _i(np.arange(12).reshape(3, 4)), "lo": _i(1, np.int64), "hi": _i(2, np.int64)},
        lambda tf, x, lo, hi: tf.matrix_band_part(x, lo, hi)),
    # -- sorted segment reductions --
    "segment_sum": C({"x": _f(5, 3), "ids": _i([0, 0, 1, 3, 3])},
                     lambda tf, x, ids: tf.segment_sum(x, ids), grad=["x"]),
    "segment_sum_int64_ids": C({"x": _f(4), "ids": _i([0, 1, 1, 1], np.int64)},
                               lambda tf, x, ids: tf.math.segment_sum(x, ids), grad=["x"]),
    "segment_mean": C({"x": _f(5, 2, 2), "ids": _i([0, 2, 2, 2, 3])},
                      lambda tf, x, ids: tf.segment_mean(x, ids), grad=["x"]),
    "segment_max": C({"x": _pow2_grid(6, 2), "ids": _i([0, 0, 0, 2, 2, 4])},
                     lambda tf, x, ids: tf.segment_max(x, ids), grad=["x"], grad_tol=5e-3),
    "segment_min": C({"x": _pow2_grid(6, 2), "ids": _i([0, 1, 1, 1, 2, 2])},
                     lambda tf, x, ids: tf.segment_min(x, ids), grad=["x"], grad_tol=5e-3),
    "segment_max_ties_int": C({"x": _i([[3, 1], [3, 5], [2, 5]]), "ids": _i([0, 0, 0])},
                              lambda tf, x, ids: tf.segment_max(x, ids)),
    "segment_sum_int": C({"x": _i([1, 2, 3, 4]), "ids": _i([0, 0, 1, 1])},
                         lambda tf, x, ids: tf.segment_sum(x, ids)),
    # -- unique --
    "unique": C({"x": _i([4, 1, 4, 2, 1, 7, 7, 0])}, lambda tf, x: tf.unique(x)),
    "unique_float_int64": C({"x": np.float32([0.5, -1, 0.5, 3])},
                            lambda tf, x: tf.unique(x, out_idx=tf.int64)),
    "unique_with_counts": C({"x": _i([4, 1, 4, 2, 1, 7, 7, 7], np.int64)},
                            lambda tf, x: tf.unique_with_counts(x)),
    # -- nce_loss / sampled_softmax_loss with the candidates given (sampled_values) --
    "nce_loss": C(_nce_inputs(1), lambda tf, w, b, x, y, s, te, se: tf.nn.nce_loss(
        w, b, y, x, 4, 10, sampled_values=(s, te, se)), grad=["w", "b", "x"]),
    "nce_loss_num_true2_hits": C(_nce_inputs(2), lambda tf, w, b, x, y, s, te, se: tf.nn.nce_loss(
        w, b, y, x, 4, 10, num_true=2, sampled_values=(s, te, se), remove_accidental_hits=True),
        grad=["w", "x"]),
    "nce_loss_partitioned_div": C(
        _nce_inputs(1), lambda tf, w, b, x, y, s, te, se: tf.nn.nce_loss(
            [w[:4], w[4:7], w[7:]], b, y, x, 4, 10, sampled_values=(s, te, se),
            partition_strategy="div"), grad=["w"]),
    "sampled_softmax_loss": C(
        _nce_inputs(1), lambda tf, w, b, x, y, s, te, se: tf.nn.sampled_softmax_loss(
            w, b, y, x, 4, 10, sampled_values=(s, te, se)), grad=["w", "b", "x"]),
    "sampled_softmax_loss_num_true2": C(
        _nce_inputs(2), lambda tf, w, b, x, y, s, te, se: tf.nn.sampled_softmax_loss(
            w, b, y, x, 4, 10, num_true=2, sampled_values=(s, te, se)), grad=["w", "x"]),
    "sampled_softmax_loss_keep_hits_mod": C(
        _nce_inputs(1), lambda tf, w, b, x, y, s, te, se: tf.nn.sampled_softmax_loss(
            [w[0::2], w[1::2]], b, y, x, 4, 10, sampled_values=(s, te, se),
            remove_accidental_hits=False), grad=["w", "x"]),
    # -- conv2d with dilations, atrous_conv2d, depthwise_conv2d --
    "conv2d_dilations_same": C({"x": _f(2, 7, 6, 3), "w": _f(3, 2, 3, 4)},
                               lambda tf, x, w: tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME",
                                                             dilations=[1, 2, 3, 1]),
                               grad=["x", "w"], grad_tol=5e-3, tf_grad=False),
    "conv2d_dilations_valid": C({"x": _f(1, 8, 8, 2), "w": _f(3, 3, 2, 2)},
                                lambda tf, x, w: tf.nn.conv2d(x, w, [1, 1, 1, 1], "VALID",
                                                              dilations=2),
                                grad=["x", "w"], grad_tol=5e-3, tf_grad=False),
    "atrous_conv2d_same": C({"x": _f(2, 6, 7, 2), "w": _f(3, 3, 2, 3)},
                            lambda tf, x, w: tf.nn.atrous_conv2d(x, w, 2, "SAME"),
                            grad=["x", "w"], grad_tol=5e-3),
    "atrous_conv2d_valid": C({"x": _f(1, 9, 9, 1), "w": _f(2, 2, 1, 2)},
                             lambda tf, x, w: tf.nn.atrous_conv2d(x, w, 3, "VALID"),
                             grad=["x", "w"]),
    "depthwise_same": C({"x": _f(2, 5, 5, 3), "w": _f(3, 3, 3, 2)},
                        lambda tf, x, w: tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME"),
                        grad=["x", "w"], grad_tol=5e-3),
    "depthwise_strided_valid": C({"x": _f(2, 7, 6, 2), "w": _f(3, 2, 2, 3)},
                                 lambda tf, x, w: tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1],
                                                                         "VALID"),
                                 grad=["x", "w"], grad_tol=5e-3),
    "depthwise_strided_same": C({"x": _f(1, 6, 7, 3), "w": _f(3, 3, 3, 1)},
                                lambda tf, x, w: tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1],
                                                                        "SAME"),
                                grad=["x", "w"], grad_tol=5e-3),
    "depthwise_rate": C({"x": _f(1, 8, 7, 2), "w": _f(2, 3, 2, 2)},
                        lambda tf, x, w: tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME",
                                                                rate=[2, 2]),
                        grad=["x", "w"], grad_tol=5e-3),
    "depthwise_rate_valid": C({"x": _f(1, 8, 7, 2), "w": _f(2, 2, 2, 1)},
                              lambda tf, x, w: tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1],
                                                                      "VALID", rate=[3, 2]),
                              grad=["x", "w"]),
    # -- image resizing (TF1 align_corners / half_pixel_centers) --
    "resize_images_bilinear_up": C({"x": _f(2, 3, 4, 2)},
                                   lambda tf, x: tf.image.resize_images(x, [5, 7]), grad=["x"]),
    "resize_images_bilinear_down": C({"x": _f(1, 6, 5, 1)},
                                     lambda tf, x: tf.image.resize_images(x, [4, 3]), grad=["x"]),
    "resize_images_align_corners": C(
        {"x": _f(2, 3, 4, 1)}, lambda tf, x: tf.image.resize_images(x, [5, 6],
                                                                   align_corners=True),
        grad=["x"]),
    "resize_images_nearest_3d_uint8": C(
        {"x": _i(np.arange(24).reshape(3, 4, 2), np.uint8)},
        lambda tf, x: tf.image.resize_images(x, [5, 7], method=1)),
    "resize_images_bilinear_uint8": C(
        {"x": _i(np.arange(24).reshape(1, 3, 4, 2) * 9 % 256, np.uint8)},
        lambda tf, x: tf.image.resize_images(x, [6, 5])),
    "image_resize_nearest_align": C(
        {"x": _f(1, 3, 4, 1)}, lambda tf, x: tf.image.resize(
            x, [5, 5], method=tf.image.ResizeMethod.NEAREST_NEIGHBOR, align_corners=True),
        grad=["x"]),
    "resize_images_same_size": C({"x": _i(np.arange(12).reshape(1, 3, 4, 1), np.uint8)},
                                 lambda tf, x: tf.image.resize_images(x, [3, 4])),
    "resize_images_preserve_aspect": C(
        {"x": _f(1, 4, 6, 1)}, lambda tf, x: tf.image.resize_images(
            x, [6, 6], preserve_aspect_ratio=True)),
    "resize_bilinear_half_pixel": C(
        {"x": _f(2, 4, 3, 2)}, lambda tf, x: tf.image.resize_bilinear(
            x, [7, 5], half_pixel_centers=True), grad=["x"]),
    "resize_bilinear_half_pixel_down": C(
        {"x": _f(1, 7, 8, 1)}, lambda tf, x: tf.image.resize_bilinear(
            x, [3, 3], half_pixel_centers=True), grad=["x"]),
    "resize_bilinear_align_down": C(
        {"x": _f(1, 7, 5, 1)}, lambda tf, x: tf.image.resize_bilinear(
            x, [4, 2], align_corners=True), grad=["x"]),
    "resize_nearest": C({"x": _f(2, 3, 5, 1)},
                        lambda tf, x: tf.image.resize_nearest_neighbor(x, [7, 4]), grad=["x"]),
    "resize_nearest_align": C({"x": _f(1, 4, 5, 2)},
                              lambda tf, x: tf.image.resize_nearest_neighbor(
                                  x, [7, 9], align_corners=True), grad=["x"]),
    "resize_nearest_half_pixel": C({"x": _f(1, 5, 4, 1)},
                                   lambda tf, x: tf.image.resize_nearest_neighbor(
                                       x, [3, 9], half_pixel_centers=True), grad=["x"]),
    "resize_nearest_half_pixel_up_int": C(
        {"x": _i(np.arange(12).reshape(1, 3, 4, 1))},
        lambda tf, x: tf.image.resize_nearest_neighbor(x, [8, 6], half_pixel_centers=True)),
    # -- embedding_lookup: partitioned params ('mod' / 'div') and max_norm --
    "embedding_mod_3parts": C(
        {"p0": _f(4, 3), "p1": _f(3, 3), "p2": _f(3, 3), "ids": _i([[0, 4, 9], [5, 5, 1]])},
        lambda tf, p0, p1, p2, ids: tf.nn.embedding_lookup([p0, p1, p2], ids),
        grad=["p0", "p1", "p2"]),
    "embedding_div_uneven": C(
        {"p0": _f(4, 2), "p1": _f(3, 2), "p2": _f(3, 2), "ids": _i([9, 0, 3, 4, 6, 7], np.int64)},
        lambda tf, p0, p1, p2, ids: tf.nn.embedding_lookup([p0, p1, p2], ids,
                                                           partition_strategy="div"),
        grad=["p0", "p2"]),
    "embedding_max_norm": C(
        {"p": _f(6, 4, lo=-2, hi=2), "ids": _i([[1, 3], [3, 0]])},
        lambda tf, p, ids: tf.nn.embedding_lookup(p, ids, max_norm=1.5), grad=["p"]),
    "embedding_div_max_norm_rank3": C(
        {"p0": _f(3, 2, 2, lo=-2, hi=2), "p1": _f(3, 2, 2, lo=-2, hi=2), "ids": _i([5, 0, 2])},
        lambda tf, p0, p1, ids: tf.nn.embedding_lookup([p0, p1], ids, partition_strategy="div",
                                                       max_norm=1.0),
        grad=["p0", "p1"]),
    # -- static shapes from partly known inputs --
    "unknown_einsum_batch": C({"a": _f(2, 3, 4), "b": _f(4, 5)},
                              lambda tf, a, b: tf.einsum("bij,jk->bik", a, b),
                              ph={"a": [None, 3, None]}, grad=["a", "b"]),
    "unknown_segment_sum": C({"x": _f(4, 3), "ids": _i([0, 0, 1, 2])},
                             lambda tf, x, ids: tf.segment_sum(x, ids),
                             ph={"x": [None, 3], "ids": [None]}),
    "unknown_unique": C({"x": _i([3, 3, 1])}, lambda tf, x: tf.unique(x), ph={"x": [None]}),
    "unknown_band_part": C({"x": _f(2, 3, 3)}, lambda tf, x: tf.matrix_band_part(x, 0, 1),
                           ph={"x": [None, 3, None]}),
    "unknown_meshgrid": C({"x": _f(3), "y": _f(2)}, lambda tf, x, y: tf.meshgrid(x, y),
                          ph={"x": [None]}),
    "unknown_linspace_num": C({"n": _i(5)}, lambda tf, n: tf.linspace(1.0, 2.0, n),
                              ph={"n": []}),
    "unknown_resize_batch": C({"x": _f(2, 3, 4, 2)},
                              lambda tf, x: tf.image.resize_images(x, [5, 2]),
                              ph={"x": [None, None, None, 2]}),
    "unknown_depthwise_batch": C({"x": _f(2, 5, 5, 2), "w": _f(3, 3, 2, 2)},
                                 lambda tf, x, w: tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1],
                                                                         "SAME"),
                                 ph={"x": [None, 5, 5, 2]}, grad=["x", "w"], grad_tol=5e-3),
    "unknown_categorical_free_arg_max": C({"x": X34}, lambda tf, x: tf.arg_max(x, 1),
                                          ph={"x": [None, 4]}),
    "unknown_nce_batch": C(_nce_inputs(1), lambda tf, w, b, x, y, s, te, se: tf.nn.nce_loss(
        w, b, y, x, 4, 10, sampled_values=(s, te, se)), ph={"x": [None, 3], "y": [None, 1]},
        grad=["x"]),
}

# Bad input: `build(tf)` must raise (at build time, or when run); the recorded TF message must
# contain `text`, and so must tfgraph's.
ERROR_CASES = {
    "meshgrid_bad_indexing": (
        lambda tf: tf.meshgrid([1.0], [2.0], indexing="yx"),
        "Argument `indexing` parameter must be either 'xy' or 'ij', got 'yx'"),
    "meshgrid_bad_kwarg": (lambda tf: tf.meshgrid([1.0], foo=1),
                           "'foo' is an invalid keyword argument"),
    "truncatemod_no_gradient": (
        lambda tf: _grad_of(tf, lambda x: tf.truncatemod(x, tf.constant([2.0]))),
        "No gradient defined for operation"),
    "unique_no_gradient": (lambda tf: _grad_of(tf, lambda x: tf.unique(x)[0]),
                           "No gradient defined for operation"),
    "unique_rank2": (lambda tf: tf.unique(tf.zeros([2, 2])), "Shape must be rank 1 but is rank 2"),
    "segment_not_increasing": (
        lambda tf: tf.segment_sum(tf.zeros([3, 2]), tf.placeholder_with_default([0, 2, 1], [3])),
        "segment ids are not increasing"),
    "segment_negative": (
        lambda tf: tf.segment_sum(tf.zeros([3]), tf.placeholder_with_default([-1, 0, 1], [3])),
        "Segment id -1 out of range [0, 2), possibly because 'segment_ids' input is not sorted."),
    "segment_ids_size": (
        lambda tf: tf.segment_sum(tf.zeros([3]), tf.placeholder_with_default([0, 0], [2])),
        "segment_ids should be the same size as dimension 0 of input"),
    "atrous_rate_zero": (lambda tf: tf.nn.atrous_conv2d(tf.zeros([1, 4, 4, 1]),
                                                        tf.zeros([2, 2, 1, 1]), 0, "SAME"),
                         "all values of `dilation_rate` must be positive"),
    "resize_images_bad_size": (
        lambda tf: tf.image.resize_images(tf.zeros([1, 4, 4, 1]), [2, 2, 2]),
        "'size' must be a 1-D Tensor of 2 elements: new_height, new_width"),
    "resize_images_bad_rank": (
        lambda tf: tf.image.resize_images(tf.zeros([4, 4]), [2, 2]),
        "'images' must have either 3 or 4 dimensions."),
    "embedding_bad_strategy": (
        lambda tf: tf.nn.embedding_lookup([tf.zeros([2, 2])] * 2, [0], partition_strategy="x"),
        "Unrecognized partition strategy: x"),
    "einsum_input_count": (lambda tf: tf.einsum("ij,jk->ik", tf.zeros([2, 3])),
                           'Got 1 inputs for equation "ij,jk->ik", expecting 2'),
    "einsum_rank": (lambda tf: tf.einsum("ijk->ik", tf.zeros([2, 3])),
                    "Shape must be rank 3 but is rank 2"),
    "einsum_output_label": (lambda tf: tf.einsum("ij->iz", tf.zeros([2, 3])),
                            "Output subscripts contain the label z not present in the input "
                            "subscripts."),
    "einsum_dims": (lambda tf: tf.einsum("ij,jk->ik", tf.zeros([2, 3]), tf.zeros([4, 2])),
                    "Dimensions must be equal, but are 3 and 4"),
    "unique_rank0": (lambda tf: tf.unique(tf.constant(3)), "Shape must be rank 1 but is rank 0"),
    "categorical_rank1": (lambda tf: tf.random.categorical(tf.zeros([3]), 2),
                          "Shape must be rank 2 but is rank 1"),
    "segment_ids_rank2": (lambda tf: tf.segment_sum(tf.zeros([2, 2]), tf.zeros([2, 2], tf.int32)),
                          "Shape must be rank 1 but is rank 2"),
    "resize_align_and_half_pixel": (
        lambda tf: tf.image.resize_bilinear(tf.zeros([1, 2, 2, 1]), [3, 3], align_corners=True,
                                            half_pixel_centers=True),
        "If half_pixel_centers is True, align_corners must be False."),
    "band_part_too_many_rows": (
        lambda tf: tf.matrix_band_part(tf.zeros([2, 3]), tf.placeholder_with_default(3, []), 0),
        "num_lower must be negative or less or equal to number of rows (2) got: 3"),
}


def _grad_of(tf, fn):
    x = tf.constant([3.0])
    return tf.gradients(fn(x), [x])


def weights_for(values):
    """Fixed weights for the loss sum(output * weights) whose gradient the cases record."""
    r = np.random.RandomState(77)
    return [r.uniform(0.5, 1.5, size=np.shape(v)).astype(np.asarray(v).dtype)
            if np.asarray(v).dtype.kind == "f" else None for v in values]
