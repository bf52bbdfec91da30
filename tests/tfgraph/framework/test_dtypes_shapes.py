"""dtypes, Dimension and TensorShape."""
import numpy as np
import pytest

import tfgraph as tf
from tfgraph.framework import tensor_shape


@pytest.mark.parametrize("dt, npd", [
    (tf.float16, np.float16), (tf.float32, np.float32), (tf.float64, np.float64),
    (tf.int8, np.int8), (tf.int16, np.int16), (tf.int32, np.int32), (tf.int64, np.int64),
    (tf.uint8, np.uint8), (tf.bool, np.bool_)])
def test_dtype_numpy_mapping(dt, npd):
    assert dt.as_numpy_dtype is npd
    assert tf.as_dtype(npd) is dt and tf.as_dtype(np.dtype(npd)) is dt
    assert tf.as_dtype(dt.name) is dt
    assert dt == dt.name and dt != "string"
    assert repr(dt) == "tf." + dt.name


def test_dtype_properties_and_errors():
    assert tf.float32.is_floating and not tf.int32.is_floating
    assert tf.int32.is_integer and tf.uint8.is_unsigned and tf.bool.is_bool
    assert tf.float32.size == 4 and tf.int64.max == np.iinfo(np.int64).max
    assert tf.float32.base_dtype is tf.float32 and tf.double is tf.float64 and tf.half is tf.float16
    assert tf.float32.real_dtype is tf.float32 and not tf.float32.is_complex
    assert tf.uint8.limits == (0, 255) and tf.int8.min == -128
    assert tf.as_dtype(float) is tf.float32 and tf.as_dtype(int) is tf.int32
    with pytest.raises(TypeError):
        tf.as_dtype("floaty")
    assert tf.constant(1).dtype == tf.int32 and tf.constant(1.0).dtype == tf.float32
    assert tf.constant(True).dtype == tf.bool and tf.constant(2 ** 40).dtype == tf.int64
    assert tf.constant(np.float64(1)).dtype == tf.float64


def test_dimension():
    d, u = tf.Dimension(3), tf.Dimension(None)
    assert d.value == 3 and str(d) == "3" and str(u) == "?"
    assert (d == 3) is True and (u == 3) is None
    assert (d + 2).value == 5 and (d * u).value is None
    assert d.is_compatible_with(u) and not d.is_compatible_with(4)
    assert d.merge_with(u).value == 3
    with pytest.raises(ValueError):
        d.merge_with(4)
    with pytest.raises(ValueError):
        tf.Dimension(-2)
    assert int(d) == 3


def test_tensor_shape():
    s = tf.TensorShape([None, 784])
    assert str(s) == "(?, 784)" and str(tf.TensorShape([3])) == "(3,)"
    assert str(tf.TensorShape([])) == "()" and str(tf.TensorShape(None)) == "<unknown>"
    assert s.ndims == 2 and s.rank == 2 and len(s) == 2 and s.as_list() == [None, 784]
    assert not s.is_fully_defined() and s.num_elements() is None
    assert tf.TensorShape([2, 3]).num_elements() == 6
    assert s.is_compatible_with([5, 784]) and not s.is_compatible_with([5, 783])
    assert not s.is_compatible_with([5, 784, 1]) and s.is_compatible_with(tf.TensorShape(None))
    assert s.merge_with([5, None]).as_list() == [5, 784]
    with pytest.raises(ValueError):
        s.merge_with([5, 3])
    assert s[1].value == 784 and s[0].value is None and s[1:].as_list() == [784]
    assert [d.value for d in s] == [None, 784]
    assert s.concatenate([2]).as_list() == [None, 784, 2]
    assert s == tf.TensorShape([None, 784]) and s != tf.TensorShape([1, 784])
    with pytest.raises(ValueError):
        tf.TensorShape(None).as_list()
    with pytest.raises(ValueError):
        s.assert_has_rank(3)
    assert s.with_rank(2) == s
    assert tf.TensorShape([tf.Dimension(2), None]).as_list() == [2, None]


def test_broadcast_shapes():
    b = tensor_shape.broadcast_shapes
    assert b([None, 3], [3]).as_list() == [None, 3]
    assert b([2, 1], [1, 5]).as_list() == [2, 5]
    assert b([None, 1], [4, 7]).as_list() == [4, 7]
    assert b(tf.TensorShape(None), [3]).ndims is None
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        b([2], [3])


def test_dimensions_convert_to_ints_in_op_arguments():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 784])
        assert tf.constant([x.shape[1], 10]).dtype == tf.int32
        assert tf.constant(x.shape[1:]).shape.as_list() == [1]
        assert tf.zeros([x.get_shape()[1], 10]).shape.as_list() == [784, 10]
        w = tf.get_variable("w", [x.shape[1], 3])
        assert w.shape.as_list() == [784, 3]
        with pytest.raises(ValueError, match="partially known"):
            tf.constant(x.shape)
        with pytest.raises(ValueError, match="unknown Dimension"):
            tf.constant([x.shape[0]])


def test_dimension_arithmetic_and_comparisons():
    d, u = tf.Dimension(7), tf.Dimension(None)
    assert (d // 2).value == 3 and (d % 4).value == 3 and (10 - d).value == 3
    assert (20 // d).value == 2 and (u % 2).value is None
    assert (d < 8) is True and (d >= 7) is True and (d > 7) is False and (u < 3) is None
    with pytest.raises(TypeError, match="please use //"):
        d / 2


def test_tensor_shape_helpers():
    a = tf.TensorShape([2, None])
    assert (a + [3]).as_list() == [2, None, 3] and ([1] + a).as_list() == [1, 2, None]
    assert a.most_specific_compatible_shape([2, 5]).as_list() == [2, None]
    assert a.most_specific_compatible_shape([3, 5]).as_list() == [None, None]
    assert a.most_specific_compatible_shape([3]).ndims is None
    with pytest.raises(ValueError):
        a.assert_is_fully_defined()
    with pytest.raises(ValueError):
        a.assert_same_rank([1, 2, 3])
