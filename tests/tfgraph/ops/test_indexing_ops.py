"""Indexing ops: values vs numpy, static vs runtime shapes, float64 gradients, Tensor.__getitem__,
the IndexedSlices gradient of gather, and shape errors."""
import numpy as np
import pytest

import tfgraph as tf
from tfgraph.ops.indexed_slices import IndexedSlices
from tfgraph.testing.op_check import check_op


def _segment_sum(data, ids, n):
    out = np.zeros((n,) + data.shape[ids.ndim:], data.dtype)
    keep = ids.reshape(-1) >= 0
    np.add.at(out, ids.reshape(-1)[keep], data.reshape((ids.size,) + data.shape[ids.ndim:])[keep])
    return out


def _scatter_ref(u):
    out = np.zeros((5, 2), u.dtype)
    np.add.at(out, [1, 3, 1], u)
    return out


def _rev_seq(x, lengths):
    out = x.copy()
    for b, n in enumerate(lengths):
        out[b, :n] = x[b, :n][::-1]
    return out


def _dyn(value):
    """A shape argument whose value the graph only knows at run time."""
    v = np.asarray(value, np.int32)
    return tf.placeholder_with_default(v, v.shape)


_IDX = np.array([1, 0, 1], np.int32)

# name, fn, numpy reference, shapes (None = unknown dim, fed as 2), check gradients
CASES = [
    ("slice", lambda x: tf.slice(x, [1, 0, 1], [1, -1, 2]), lambda x: x[1:2, :, 1:3],
     [(3, 3, 4), (None, None, 3)], True),
    ("gather_axis0", lambda p: tf.gather(p, _IDX), lambda p: p[_IDX], [(4, 3), (None, 3)], True),
    ("gather_nd_indices", lambda p: tf.gather(p, [[0, 1], [1, 1]]), lambda p: p[[[0, 1], [1, 1]]],
     [(3, 2), (None,)], True),
    ("gather_axis1", lambda p: tf.gather(p, [[1, 0], [2, 2]], axis=1),
     lambda p: np.take(p, [[1, 0], [2, 2]], 1), [(2, 3, 4), (None, 3, 2)], True),
    ("gather_axis_last", lambda p: tf.gather(p, _IDX, axis=-1), lambda p: p[..., _IDX],
     [(None, 2)], True),
    ("unsorted_segment_sum", lambda d: tf.unsorted_segment_sum(d, [0, 2, 0, -1], 3),
     lambda d: _segment_sum(d, np.array([0, 2, 0, -1]), 3), [(4, 3), (4,), (4, 2, None)], True),
    ("unsorted_segment_sum_2d_ids", lambda d: tf.unsorted_segment_sum(d, [[1, 1], [0, 3]], 4),
     lambda d: _segment_sum(d, np.array([[1, 1], [0, 3]]), 4), [(2, 2, 3)], True),
    ("pad", lambda x: tf.pad(x, [[1, 0], [2, 3]]), lambda x: np.pad(x, [[1, 0], [2, 3]]),
     [(2, 3), (None, 3)], True),
    ("pad_value", lambda x: tf.pad(x, [[0, 1], [1, 1]], constant_values=1.5),
     lambda x: np.pad(x, [[0, 1], [1, 1]], constant_values=1.5), [(None, 2)], True),
    ("pad_reflect", lambda x: tf.pad(x, [[1, 2], [2, 3]], "REFLECT"),
     lambda x: np.pad(x, [[1, 2], [2, 3]], "reflect"), [(3, 4), (4, 5)], True),
    ("pad_symmetric", lambda x: tf.pad(x, [[2, 1], [0, 2]], mode="symmetric"),
     lambda x: np.pad(x, [[2, 1], [0, 2]], "symmetric"), [(2, 3), (None, 3)], True),
    ("strided_slice", lambda x: tf.strided_slice(x, [0, 1], [2, 3], [1, 2]),
     lambda x: x[0:2, 1:3:2], [(3, 4)], True),
    ("argmax", lambda x: tf.argmax(x, 1), lambda x: np.argmax(x, 1), [(3, 4), (None, 5)], False),
    ("argmax_default_axis", lambda x: tf.argmax(x), lambda x: np.argmax(x, 0), [(3, 4)], False),
    ("argmin_dimension", lambda x: tf.argmin(x, dimension=0, output_type=tf.int32),
     lambda x: np.argmin(x, 0).astype(np.int32), [(3, 4)], False),
    ("where_indices", lambda x: tf.where(x > 0), lambda x: np.argwhere(x > 0),
     [(3, 4), (None, 3)], False),
    # shape arguments known only at run time
    ("pad_dynamic", lambda x: tf.pad(x, _dyn([[1, 0], [0, 2]])),
     lambda x: np.pad(x, [[1, 0], [0, 2]]), [(None, 3)], True),
    ("slice_dynamic", lambda x: tf.slice(x, _dyn([1, 0]), [1, -1]), lambda x: x[1:2],
     [(None, 3)], True),
    ("gather_dynamic_indices", lambda x: tf.gather(x, _dyn([[2], [0]])),
     lambda x: x[[[2], [0]]], [(3, 2)], True),
    ("getitem_dynamic_index", lambda x: x[_dyn(1), ::-1], lambda x: x[1, ::-1], [(None, 3)], True),
    ("gather_nd", lambda p: tf.gather_nd(p, [[0, 2], [1, 0], [0, 2]]),
     lambda p: p[[0, 1, 0], [2, 0, 2]], [(2, 3, 2), (None, 3)], True),
    ("gather_nd_slices", lambda p: tf.gather_nd(p, [[[1]], [[0]]]), lambda p: p[[[1], [0]]],
     [(2, 3)], True),
    ("scatter_nd", lambda u: tf.scatter_nd([[1], [3], [1]], u, [5, 2]),
     lambda u: _scatter_ref(u), [(3, 2)], True),
    ("reverse_sequence", lambda x: tf.reverse_sequence(x, [3, 0, 1], seq_axis=1),
     lambda x: _rev_seq(x, [3, 0, 1]), [(3, 4, 2), (3, 3)], True),
    ("reverse_sequence_batch_last", lambda x: tf.reverse_sequence(x, [2, 1], 0, batch_axis=1),
     lambda x: _rev_seq(x.T, [2, 1]).T, [(3, 2)], True),
]

@pytest.mark.parametrize("name,fn,ref,shapes,grad", CASES, ids=[c[0] for c in CASES])
def test_op_table(name, fn, ref, shapes, grad):
    check_op(fn, ref, shapes, grad=grad)


INT_CASES = [
    ("one_hot", lambda i: tf.one_hot(i, 4), lambda i: (i[..., None] == np.arange(4)).astype(
        np.float32), [(5,), (None, 3)]),
    ("one_hot_axis0_int", lambda i: tf.one_hot(i, 3, on_value=5, off_value=-1, axis=0),
     lambda i: np.moveaxis(np.where(i[..., None] == np.arange(3), 5, -1), -1, 0).astype(np.int32),
     [(4,), (None, 2)]),
    ("one_hot_axis1_dtype", lambda i: tf.one_hot(i, 3, axis=1, dtype=tf.float64),
     lambda i: np.moveaxis((i[..., None] == np.arange(3)).astype(np.float64), -1, 1),
     [(2, 2)]),
    ("gather_int_params", lambda p: tf.gather(p, [2, 0]), lambda p: p[[2, 0]], [(3, 2)]),
]

@pytest.mark.parametrize("name,fn,ref,shapes", INT_CASES, ids=[c[0] for c in INT_CASES])
def test_int_op_table(name, fn, ref, shapes):
    check_op(fn, ref, shapes, dtype=np.int32, low=0, high=1)


# -- second-order gradients: the backward ops (StridedSliceGrad, MirrorPadGrad, ...) too ----------
def _grad_of(f):
    return lambda x: tf.convert_to_tensor(tf.gradients(tf.reduce_sum(f(x) ** 3), x)[0])


SECOND_ORDER = [
    ("strided_slice", lambda x: x[:, 1:]),
    ("slice", lambda x: tf.slice(x, [0, 1], [-1, 2])),
    ("pad_reflect", lambda x: tf.pad(x, [[1, 1], [2, 0]], "REFLECT")),
    ("gather_rows", lambda x: tf.gather(x, [0, 2, 0])),
    ("gather_axis1", lambda x: tf.gather(x, [1, 1], axis=1)),
]


@pytest.mark.parametrize("name,f", SECOND_ORDER, ids=[c[0] for c in SECOND_ORDER])
def test_second_order(name, f):
    x = np.random.RandomState(1).uniform(0.5, 1.5, (3, 3)).astype(np.float32)
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32, [3, 3])
        with tf.Session() as sess:
            first = sess.run(_grad_of(f)(p), {p: x})
    check_op(_grad_of(f), lambda v: first, [(3, 3)], grad=True, inputs=[x], rtol=1e-4)


# -- Tensor.__getitem__ ----------------------------------------------------------------------------
KEYS = [
    1, -1, np.int64(2), slice(1, 3), slice(None, None, 2), slice(None, None, -1), slice(-2, None),
    (Ellipsis, 0), (slice(None), None, 1), None, (1, Ellipsis, slice(2, None)),
    (slice(-2, None), slice(None, None, -2)), (Ellipsis, None), (0, 1, 2), (slice(3, 1, -1),),
    (slice(None), -3), (None, Ellipsis, None, -1), (slice(5, 10),),
]


@pytest.mark.parametrize("key", KEYS, ids=[repr(k) for k in KEYS])
def test_getitem_matches_numpy(key):
    x = np.arange(4 * 3 * 4, dtype=np.float32).reshape(4, 3, 4)
    with tf.Graph().as_default():
        for static in ([4, 3, 4], [None, 3, 4], None):
            p = tf.placeholder(tf.float32, static)
            y = p[key]
            with tf.Session() as sess:
                got = sess.run(y, {p: x})
            np.testing.assert_array_equal(got, x[key])
            assert y.shape.is_compatible_with(got.shape), (y.shape, got.shape)
            if static is not None and static[0] is not None:
                assert y.shape.as_list() == list(got.shape)


def test_getitem_tensor_index_and_newaxis_name():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32, [None, 3])
        i = tf.placeholder(tf.int32, [])
        y, z = p[i], p[1:, tf.newaxis, i]
        assert y.shape.as_list() == [3] and z.shape.as_list() == [None, 1]
        with tf.Session() as sess:
            gy, gz = sess.run([y, z], {p: x, i: 2})
        np.testing.assert_array_equal(gy, x[2])
        np.testing.assert_array_equal(gz, x[1:, None, 2])


GRAD_KEYS = [(slice(None), 0), (Ellipsis, slice(None, None, -2)), (1, None), (slice(-2, None), -1),
             (slice(None, 1), None, slice(1, 3))]


@pytest.mark.parametrize("key", GRAD_KEYS, ids=[repr(k) for k in GRAD_KEYS])
def test_getitem_gradient(key):
    check_op(lambda x: x[key] * 2.0, lambda x: x[key] * 2, [(3, 4), (None, 4)], grad=True)


def test_getitem_chain_gradient_is_exact():
    x = np.random.RandomState(0).rand(3, 4).astype(np.float32)
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32, [None, 4])
        loss = tf.reduce_sum(p[:, 0] * p[:, 1]) + tf.reduce_sum(p[-1])
        g = tf.gradients(loss, p)[0]
        assert g.shape.as_list() == [None, 4]
        with tf.Session() as sess:
            gv = sess.run(g, {p: x})
    want = np.zeros_like(x)
    want[:, 0], want[:, 1] = x[:, 1], x[:, 0]
    want[-1] += 1
    np.testing.assert_allclose(gv, want, rtol=1e-6)


# -- gather's gradient is an IndexedSlices ---------------------------------------------------------
def test_gather_gradient_is_indexed_slices():
    vocab, dim = 50000, 8
    rng = np.random.RandomState(0)
    w = rng.rand(vocab, dim).astype(np.float32)
    ids = np.array([[3, 7, 3], [49999, 0, 7]], np.int32)
    with tf.Graph().as_default():
        W = tf.Variable(w, name="W")
        idx = tf.placeholder(tf.int32, [None, 3])
        emb = tf.gather(W, idx)
        assert emb.shape.as_list() == [None, 3, dim]
        loss = tf.reduce_sum(emb * emb)
        g = tf.gradients(loss, W)[0]
        assert isinstance(g, IndexedSlices)
        assert g.values.shape.as_list() == [None, dim] and g.indices.shape.as_list() == [None]
        # nothing vocabulary-sized is built in the backward pass
        for op in tf.get_default_graph().get_operations():
            if op.name.startswith("gradients"):
                for t in op.outputs:
                    assert vocab not in (t.shape.as_tuple() or ()), (op.name, t.shape)
        dense = tf.convert_to_tensor(g)
        assert dense.shape.as_list() == [vocab, dim]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            vals, inds, shape, d = sess.run([g.values, g.indices, g.dense_shape, dense], {idx: ids})
    np.testing.assert_array_equal(inds, ids.reshape(-1))
    np.testing.assert_allclose(vals, 2 * w[ids.reshape(-1)], rtol=1e-6)
    np.testing.assert_array_equal(shape, [vocab, dim])
    want = np.zeros_like(w)
    np.add.at(want, ids.reshape(-1), 2 * w[ids.reshape(-1)])
    np.testing.assert_allclose(d, want, rtol=1e-6)


def test_indexed_slices_sum_of_two_gathers_and_dense_mix():
    w = np.arange(12, dtype=np.float64).reshape(6, 2)
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float64, [6, 2])
        a, b = tf.gather(p, [0, 5]), tf.gather(p, [5])
        g = tf.gradients(tf.reduce_sum(a) + 3 * tf.reduce_sum(b), p)[0]
        assert isinstance(g, IndexedSlices)
        c = tf.gather(p, tf.constant([5, 5], tf.int64))
        g3 = tf.gradients(tf.reduce_sum(a) + tf.reduce_sum(c), p)[0]  # int32 + int64 indices
        assert isinstance(g3, IndexedSlices) and g3.indices.dtype == tf.int64
        g2 = tf.gradients(tf.reduce_sum(a) + tf.reduce_sum(p * p), p)[0]  # sparse + dense -> dense
        assert isinstance(g2, tf.Tensor)
        with tf.Session() as sess:
            d, d2, d3 = sess.run([tf.convert_to_tensor(g), g2, tf.convert_to_tensor(g3)], {p: w})
    want = np.zeros_like(w)
    want[0] += 1
    want[5] += 4
    np.testing.assert_allclose(d, want)
    want3 = np.zeros_like(w)
    want3[0], want3[5] = 1, 3
    np.testing.assert_allclose(d3, want3)
    want2 = 2 * w
    want2[[0, 5]] += 1
    np.testing.assert_allclose(d2, want2)


def test_unsorted_segment_sum_fast_kernel_matches_reference():
    from tfgraph.framework.op_def import get_op_def
    rng = np.random.RandomState(0)
    data, ids = rng.rand(50, 3, 2).astype(np.float32), rng.randint(-1, 7, size=50).astype(np.int64)
    with tf.Graph().as_default():
        out = tf.unsorted_segment_sum(data, ids, 7)
        kernel = get_op_def("UnsortedSegmentSum").make_kernel(out.op, None)
    got = kernel(data, ids, np.int32(7))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, _segment_sum(data, ids, 7), rtol=1e-6)
    with pytest.raises(IndexError, match="out of range"):
        kernel(data, np.full(50, 9), np.int32(7))


# -- other values and static shapes ----------------------------------------------------------------
def test_boolean_mask():
    rng = np.random.RandomState(0)
    x = rng.rand(3, 4, 2).astype(np.float64)
    m1, m2 = rng.rand(3) > 0.4, rng.rand(3, 4) > 0.5
    check_op(lambda a, m: tf.boolean_mask(a, m), lambda a, m: a[m], [((None, 4, 2), (None,))],
             inputs=[x, m1], grad=True)
    check_op(lambda a, m: tf.boolean_mask(a, m), lambda a, m: a[m], [((None, 4, 2), (None, 4))],
             inputs=[x, m2], grad=True)
    check_op(lambda a, m: tf.boolean_mask(a, m, axis=1), lambda a, m: a[:, m],
             [((3, 4, 2), (4,))], inputs=[x, m2[0]], grad=True)
    with tf.Graph().as_default():
        y = tf.boolean_mask(tf.placeholder(tf.float32, [None, 4, 2]),
                            tf.placeholder(tf.bool, [None, 4]))
        assert y.shape.as_list() == [None, 2] and y.op.name == "boolean_mask/GatherV2"


def _raises(match, fn, *shapes):
    with tf.Graph().as_default():
        phs = [tf.placeholder(tf.float32, s) for s in shapes]
        with pytest.raises(ValueError, match=match):
            fn(*phs)


def test_static_shape_errors():
    _raises(r"index innermost dimension length must be <= params rank; saw: 3 vs. 2",
            lambda a: tf.gather_nd(a, [[0, 0, 0]]), [2, 3])
    _raises(r"The outer 1 dimensions of indices.shape=\[2,1\] must match the outer 1 dimensions "
            r"of updates.shape=\[3,2\]", lambda u: tf.scatter_nd([[0], [1]], u, [4, 2]), [3, 2])
    _raises(r"Expected size\[1\] in \[0, 2\], but got 3",
            lambda a: tf.slice(a, [0, 1], [1, 3]), [2, 3])
    _raises(r"The first dimension of paddings must be the rank of inputs\[1,2\] \[2,3\]",
            lambda a: tf.pad(a, [[1, 1]]), [2, 3])
    _raises(r"paddings must be less than the dimension size: 3, 0 not less than 3",
            lambda a: tf.pad(a, [[0, 0], [3, 0]], "REFLECT"), [2, 3])
    _raises(r"Expected axis in the range \[-2, 2\), but got 2",
            lambda a: tf.gather(a, [0], axis=2), [2, 3])
    _raises(r"Expected dimension in the range \[-2, 2\), but got 2",
            lambda a: tf.argmax(a, 2), [2, 3])
    _raises(r"slice index 5 of dimension 1 out of bounds", lambda a: a[:, 5], [2, 3])
    _raises(r"data.shape = \[2,3\] does not start with segment_ids.shape = \[3\]",
            lambda a: tf.unsorted_segment_sum(a, [0, 1, 1], 2), [2, 3])
    _raises(r"Shapes \(2,\) and \(3,\) are incompatible",
            lambda a: tf.boolean_mask(a, tf.constant([True, False, True])), [2, 3])
    with tf.Graph().as_default(), pytest.raises(TypeError, match="indices"):
        tf.gather(tf.placeholder(tf.float32, [2, 3]), tf.placeholder(tf.float32, [2]))


def test_runtime_errors_name_the_op():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        i = tf.placeholder(tf.int32, [None])
        g = tf.gather(x, i)
        s = tf.squeeze(x, [0])
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="GatherV2"):
                sess.run(g, {x: np.zeros((2, 3)), i: [0, 5]})
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"not in \[0, 2\)"):
                sess.run(g, {x: np.zeros((2, 3)), i: [-1]})
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[5\] does "
                               r"not index into param shape \[2, 3\]"):
                sess.run(tf.gather_nd(x, tf.expand_dims(i, -1)), {x: np.zeros((2, 3)), i: [0, 5]})
            with pytest.raises(tf.errors.InvalidArgumentError, match="Squeeze"):
                sess.run(s, {x: np.zeros((2, 3))})
