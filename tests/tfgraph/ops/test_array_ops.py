"""Array ops: values vs numpy, static vs runtime shapes, float64 gradient checks, shape errors.

The indexing ops (slicing, gather, pad, one_hot, ...) are tested in test_indexing_ops.py.
"""
import numpy as np
import pytest

import tfgraph as tf
from tfgraph.testing.op_check import check_op


def _dyn(value):
    """A shape argument whose value the graph only knows at run time."""
    v = np.asarray(value, np.int32)
    return tf.placeholder_with_default(v, v.shape)

# name, fn, numpy reference, shapes (None = unknown dim, fed as 2), check gradients
CASES = [
    ("transpose_default", lambda x: tf.transpose(x), lambda x: x.T,
     [(3, 4), (None, 3, 4)], True),
    ("transpose_perm", lambda x: tf.transpose(x, [1, 0, 2]), lambda x: x.transpose(1, 0, 2),
     [(2, 3, 4), (None, 3, 2)], True),
    ("matrix_transpose", lambda x: tf.matrix_transpose(x), lambda x: np.swapaxes(x, -1, -2),
     [(None, 2, 3)], True),
    ("squeeze_all", lambda x: tf.squeeze(x), np.squeeze, [(1, 3, 1), (2, 1)], True),
    ("squeeze_axis", lambda x: tf.squeeze(x, [-1]), lambda x: x[..., 0], [(None, 3, 1)], True),
    ("squeeze_dims_old", lambda x: tf.squeeze(x, squeeze_dims=[0]), lambda x: x[0],
     [(1, 4)], True),
    ("concat", lambda a, b: tf.concat([a, b], 1), lambda a, b: np.concatenate([a, b], 1),
     [((2, 3), (2, 4)), ((None, 3), (None, 1))], True),
    ("concat_neg_axis3", lambda a, b, c: tf.concat([a, b, c], -1),
     lambda a, b, c: np.concatenate([a, b, c], -1), [((2, 1, 2), (2, 1, 3), (2, 1, 1))], True),
    ("concat_batch_axis", lambda a, b: tf.concat([a, b], 0), lambda a, b: np.concatenate([a, b]),
     [((None, 3), (None, 3))], True),
    ("concat_one", lambda a: tf.concat([a], 0), lambda a: a, [(2, 3)], True),
    ("stack", lambda a, b: tf.stack([a, b], axis=1), lambda a, b: np.stack([a, b], 1),
     [((2, 3), (2, 3)), ((None, 3), (None, 3))], True),
    ("unstack", lambda x: tf.unstack(x, axis=1), lambda x: list(np.moveaxis(x, 1, 0)),
     [(2, 3, 4), (None, 3)], True),
    ("unstack_one", lambda x: tf.unstack(x), lambda x: [x[0]], [(1, 3)], True),
    ("split_even", lambda x: tf.split(x, 2, axis=1), lambda x: np.split(x, 2, 1),
     [(3, 4), (None, 6)], True),
    ("split_sizes", lambda x: tf.split(x, [1, -1, 2], axis=-1),
     lambda x: np.split(x, [1, x.shape[-1] - 2], -1), [(2, 6), (None, 5)], True),
    ("tile", lambda x: tf.tile(x, [2, 1, 3]), lambda x: np.tile(x, (2, 1, 3)),
     [(2, 3, 1), (None, 2, 2)], True),
    ("reverse", lambda x: tf.reverse(x, [0, -1]), lambda x: x[::-1, :, ::-1],
     [(2, 3, 4), (None, 2, 3)], True),
    ("reshape", lambda x: tf.reshape(x, [-1, 6]), lambda x: x.reshape(-1, 6),
     [(2, 3, 2), (None, 3, 2)], True),
    ("reshape_dynamic", lambda x: tf.reshape(x, [tf.shape(x)[0], -1]),
     lambda x: x.reshape(x.shape[0], -1), [(None, 3, 2)], True),
    ("expand_dims", lambda x: tf.expand_dims(x, -1), lambda x: x[..., None], [(None, 3)], True),
    ("identity", tf.identity, lambda x: x, [(None, 3)], True),
    ("fill", lambda v: tf.fill([2, 3], v), lambda v: np.full((2, 3), v), [()], True),
    ("shape", tf.shape, lambda x: np.array(x.shape, np.int32), [(None, 3)], False),
    ("size", tf.size, lambda x: np.array(x.size, np.int32), [(2, 3), (None, 4)], False),
    ("rank", tf.rank, lambda x: np.array(x.ndim, np.int32), [(None, 4)], False),
    ("stop_gradient_value", lambda x: x + tf.stop_gradient(x), lambda x: 2 * x, [(3,)], False),
    ("placeholder_with_default", lambda x: tf.placeholder_with_default(x, [None, 3]),
     lambda x: x, [(2, 3)], True),
    # shape arguments known only at run time
    ("tile_dynamic", lambda x: tf.tile(x, _dyn([2, 1])), lambda x: np.tile(x, (2, 1)),
     [(None, 3)], True),
    ("split_dynamic", lambda x: tf.split(x, _dyn([1, 2]), axis=1), lambda x: np.split(x, [1], 1),
     [(None, 3)], True),
    ("concat_dynamic_axis", lambda a, b: tf.concat([a, b], _dyn(1)),
     lambda a, b: np.concatenate([a, b], 1), [((None, 2), (None, 3))], True),
    ("transpose_dynamic_perm", lambda x: tf.transpose(x, _dyn([2, 0, 1])),
     lambda x: x.transpose(2, 0, 1), [(None, 3, 2)], True),
]


@pytest.mark.parametrize("name,fn,ref,shapes,grad", CASES, ids=[c[0] for c in CASES])
def test_op_table(name, fn, ref, shapes, grad):
    check_op(fn, ref, shapes, grad=grad)


INT_CASES = [
    ("range_limit", lambda n: tf.range(n), lambda n: np.arange(n, dtype=np.int32), [()]),
    ("transpose_int", lambda x: tf.transpose(x), lambda x: x.T, [(2, 3)]),
]


@pytest.mark.parametrize("name,fn,ref,shapes", INT_CASES, ids=[c[0] for c in INT_CASES])
def test_int_op_table(name, fn, ref, shapes):
    check_op(fn, ref, shapes, dtype=np.int32, low=0, high=1)


# -- second-order gradients: the backward ops are differentiable too ------------------------------
def _grad_of(f):
    return lambda x: tf.convert_to_tensor(tf.gradients(tf.reduce_sum(f(x) ** 3), x)[0])


SECOND_ORDER = [
    ("tile", lambda x: tf.tile(x, [2, 2])),
    ("concat_split", lambda x: tf.concat(tf.split(x, [1, 2], axis=1)[::-1], 1)),
    ("transpose_unstack", lambda x: tf.stack(tf.unstack(tf.transpose(x)))),
]


@pytest.mark.parametrize("name,f", SECOND_ORDER, ids=[c[0] for c in SECOND_ORDER])
def test_second_order(name, f):
    x = np.random.RandomState(1).uniform(0.5, 1.5, (3, 3)).astype(np.float32)
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32, [3, 3])
        with tf.Session() as sess:
            first = sess.run(_grad_of(f)(p), {p: x})
    assert first.shape == (3, 3)
    check_op(_grad_of(f), lambda v: first, [(3, 3)], grad=True, inputs=[x], rtol=1e-4)


def test_range_values_and_dtypes():
    with tf.Graph().as_default():
        cases = [(tf.range(5), np.arange(5, dtype=np.int32)),
                 (tf.range(2, 11, 3), np.arange(2, 11, 3, dtype=np.int32)),
                 (tf.range(10, 2, -3), np.arange(10, 2, -3, dtype=np.int32)),
                 (tf.range(1.0, 2.0, 0.25), np.arange(1.0, 2.0, 0.25, dtype=np.float32)),
                 (tf.range(0, 1, 0.1), np.arange(0, 1, 0.1).astype(np.float32)),
                 (tf.range(3, dtype=tf.float64), np.arange(3.0)),
                 (tf.range(tf.constant(4, tf.int64)), np.arange(4, dtype=np.int64)),
                 (tf.range(3, 3), np.zeros(0, np.int32))]
        with tf.Session() as sess:
            for t, want in cases:
                got = sess.run(t)
                assert got.dtype == want.dtype and t.shape.as_list() == [len(want)]
                np.testing.assert_allclose(got, want, rtol=1e-6)
        n = tf.placeholder(tf.int32, [])
        assert tf.range(n).shape.as_list() == [None]
        with pytest.raises(ValueError, match="delta != 0"):
            tf.range(0, 5, 0)


def test_static_shapes_fold_shape_arguments():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3, 4])
        assert tf.reshape(x, [tf.shape(x)[0], -1]).shape.as_list() == [None, 12]
        assert tf.reshape(x, tf.shape(x)).shape.as_list() == [None, 3, 4]
        assert tf.reshape(x, [-1]).shape.as_list() == [None]
        assert tf.reshape(tf.zeros([2, 6]), [3, -1]).shape.as_list() == [3, 4]
        assert tf.tile(x, tf.stack([1, tf.shape(x)[1], 2])).shape.as_list() == [None, 9, 8]
        assert tf.zeros(tf.shape(x)[1:]).shape.as_list() == [3, 4]
        z = tf.zeros([tf.shape(x)[0], 10], dtype=tf.float64)
        assert z.shape.as_list() == [None, 10] and z.dtype == tf.float64
        assert tf.ones((tf.shape(x)[2], 2)).shape.as_list() == [4, 2]
        assert tf.fill(tf.concat([tf.shape(x)[:2], [5]], 0), 1.0).shape.as_list() == [None, 3, 5]
        assert tf.transpose(tf.placeholder(tf.float32)).shape.ndims is None
        axis = tf.placeholder(tf.int32, [])
        assert tf.concat([x, x], axis).shape.as_list() == [None, None, None]
        assert tf.gather(x, tf.placeholder(tf.int32, [5, None]), axis=2).shape.as_list() == \
            [None, 3, 5, None]
        assert tf.split(x, [1, -1], axis=1)[1].shape.as_list() == [None, 2, 4]
        assert tf.pad(x, tf.placeholder(tf.int32, [3, 2])).shape.as_list() == [None] * 3
        assert tf.slice(x, [0, 1, 0], [-1, -1, 2]).shape.as_list() == [None, 2, 2]
        assert tf.unstack(x, axis=-1)[0].shape.as_list() == [None, 3]
        assert tf.squeeze(tf.placeholder(tf.float32, [None, 1])).shape.ndims is None
        assert tf.one_hot(tf.placeholder(tf.int32, [None]), 7).shape.as_list() == [None, 7]
        assert tf.argmax(x, -1).shape.as_list() == [None, 3]
        i = tf.placeholder(tf.int32, [])
        assert x[:, i].shape.as_list() == [None, 4]
        assert x[1:, i:, ::2].shape.as_list() == [None, None, 2]
        assert tf.broadcast_static_shape(tf.TensorShape([None, 1]),
                                         tf.TensorShape([3])).as_list() == [None, 3]
        with tf.Session() as sess:
            got = sess.run(tf.broadcast_dynamic_shape(tf.shape(x), [5, 1, 1, 1]),
                           {x: np.zeros((2, 3, 4))})
        np.testing.assert_array_equal(got, [5, 2, 3, 4])


def test_sequence_mask():
    lengths = np.array([[1, 3], [0, 2]], np.int32)
    with tf.Graph().as_default():
        ln = tf.placeholder(tf.int32, [None, 2])
        a, b = tf.sequence_mask(ln), tf.sequence_mask(ln, 4, dtype=tf.float32)
        assert a.dtype == tf.bool and b.shape.as_list() == [None, 2, 4] and b.dtype == tf.float32
        with tf.Session() as sess:
            av, bv = sess.run([a, b], {ln: lengths})
    np.testing.assert_array_equal(av, np.arange(3) < lengths[..., None])
    np.testing.assert_array_equal(bv, (np.arange(4) < lengths[..., None]).astype(np.float32))


def test_unknown_rank_inputs():
    x = np.arange(6.0).reshape(2, 3)
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float64)
        t = tf.transpose(p)
        g = tf.gradients(tf.reduce_sum(t * x.T), p)[0]
        c = tf.concat([p, p], 0)
        assert t.shape.ndims is None and c.shape.ndims is None
        with tf.Session() as sess:
            tv, gv, cv = sess.run([t, g, c], {p: x})
    np.testing.assert_array_equal(tv, x.T)
    np.testing.assert_array_equal(gv, x)
    np.testing.assert_array_equal(cv, np.concatenate([x, x]))


def test_op_names_and_types_follow_tf1():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [4, 6])
        assert tf.transpose(x).op.type == "Transpose" and tf.transpose(x).name == "transpose_1:0"
        assert tf.concat([x, x], 0).op.type == "ConcatV2"
        assert tf.split(x, 2)[0].op.type == "Split" and tf.split(x, [2, 2])[0].op.type == "SplitV"
        assert tf.gather(x, [0]).op.type == "GatherV2" and tf.unstack(x)[0].op.type == "Unpack"
        assert tf.pad(x, [[1, 1], [0, 0]]).op.type == "Pad"
        assert tf.pad(x, [[1, 1], [0, 0]], constant_values=2).op.type == "PadV2"
        assert tf.pad(x, [[1, 1], [0, 0]], "SYMMETRIC").op.type == "MirrorPad"
        assert tf.argmax(x, 1).dtype == tf.int64 and tf.where(x > 0).dtype == tf.int64
        assert tf.range(3).op.name == "range" and tf.slice(x, [0, 0], [1, 1]).op.type == "Slice"
        assert tf.reverse(x, [0]).op.type == "ReverseV2" and tf.one_hot([1], 2).op.name == "one_hot"
        assert len(tf.unstack(x)) == 4 and len(tf.split(x, 1)) == 1


# -- errors ----------------------------------------------------------------------------------------
def _raises(match, fn, *shapes):
    with tf.Graph().as_default():
        phs = [tf.placeholder(tf.float32, s) for s in shapes]
        with pytest.raises(ValueError, match=match) as info:
            fn(*phs)
    return str(info.value)


def test_static_shape_errors_name_both_shapes():
    msg = _raises(r"Dimension 0 in both shapes must be equal, but are 2 and 3\. Shapes are "
                  r"\[2,3\] and \[3,5\]", lambda a, b: tf.concat([a, b], 1), [2, 3], [3, 5])
    assert "'concat'" in msg and "ConcatV2" in msg and "test_array_ops.py" in msg
    _raises(r"Shape must be rank 2 but is rank 1", lambda a, b: tf.concat([a, b], 0), [2, 3], [3])
    _raises(r"Cannot reshape a tensor with 6 elements to shape \[4, -1\].*input shapes: \[2,3\]",
            lambda a: tf.reshape(a, [4, -1]), [2, 3])
    _raises(r"Cannot reshape a tensor with 6 elements to shape \[4\]",
            lambda a: tf.reshape(a, [4]), [2, 3])
    _raises(r"Dimension must be 2 but is 3", lambda a: tf.transpose(a, [0, 2, 1]), [2, 3])
    _raises(r"Can not squeeze dim\[1\], expected a dimension of 1, got 3",
            lambda a: tf.squeeze(a, [1]), [None, 3])
    _raises(r"Expected multiples argument to be a vector of length 2 but got length 3",
            lambda a: tf.tile(a, [1, 2, 3]), [2, 3])
    _raises(r"evenly divisible by 2 but is 3", lambda a: tf.split(a, 2, axis=1), [None, 3])
    _raises(r"Determined shape must either match", lambda a: tf.split(a, [1, 1], 1), [2, 3])
    _raises(r"Cannot infer num from shape \(\?, 3\)", lambda a: tf.unstack(a), [None, 3])


def test_dtype_errors():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2, 3])
        with pytest.raises(TypeError, match=r"have types \[float32, int32\] that don't all match"):
            tf.concat([x, tf.placeholder(tf.int32, [2, 3])], 0)


def test_stack_of_python_values_has_tf_constant_dtypes():
    # TF 2.21 tf.compat.v1: int32, int32, float32, bool (numpy's own stacking would give int64)
    got = [tf.stack([4]), tf.stack([[1, 2], [3, 4]], axis=1), tf.stack([1.0, 2.0]),
           tf.stack([True])]
    assert [t.dtype.name for t in got] == ["int32", "int32", "float32", "bool"]
    with tf.Session() as sess:
        assert sess.run(got[1]).tolist() == [[1, 3], [2, 4]]


def test_gradient_of_a_gather_of_a_concat():
    # the gather's IndexedSlices gradient reaches ConcatV2's gradient (it crashed there)
    a = tf.constant(np.arange(6.0).reshape(3, 2))
    b = tf.constant(np.arange(4.0).reshape(2, 2))
    y = tf.reduce_sum(tf.gather(tf.concat([a, b], 0), [0, 4, 4]))
    ga, gb = tf.gradients(y, [a, b])
    with tf.Session() as sess:
        ga, gb = sess.run([ga, gb])
    np.testing.assert_allclose(ga, [[1, 1], [0, 0], [0, 0]])
    np.testing.assert_allclose(gb, [[0, 0], [2, 2]])


def test_fill_and_autopacking_follow_the_tensors_dtype():
    # TF 2.21 tf.compat.v1: tf.fill([x_int64, 2], 2.0) runs (shape (?, 2)); [y_int32, 1] packs int32
    x = tf.placeholder(tf.int64, [])
    y = tf.placeholder(tf.int32, [])
    f = tf.fill([x, 2], 2.0)
    packed = tf.convert_to_tensor([[y, 1], [2, 3]])
    assert f.shape.as_list() == [None, 2] and packed.dtype == tf.int32
    with tf.Session() as sess:
        fv, pv = sess.run([f, packed], {x: 3, y: 7})
    assert fv.shape == (3, 2) and pv.tolist() == [[7, 1], [2, 3]]
    with pytest.raises((TypeError, ValueError)):
        tf.stack([y, 1.5])   # a float beside an int32 tensor, as TF refuses
