import numpy as np
import pytest

import tfgraph as tf
from tfgraph.ops.indexed_slices import IndexedSlices
import tfgraph_keras as keras
from tfgraph_keras import backend, layers
from tests.tfgraph_keras.layers.layer_check import run_layer


@pytest.fixture(autouse=True)
def _fresh():
    backend.clear_session()
    yield
    backend.clear_session()


def test_embedding_forward_is_a_row_lookup():
    emb = layers.Embedding(10, 4)
    ids = np.array([[1, 2, 2], [9, 0, 3]], np.int32)
    y = run_layer(emb, ids)
    table = emb.get_weights()[0]
    assert table.shape == (10, 4) and np.abs(table).max() <= 0.05  # uniform(-0.05, 0.05)
    np.testing.assert_array_equal(y, table[ids])


def test_embedding_accepts_float_ids_and_input_length():
    emb = layers.Embedding(5, 2, input_length=3)
    assert emb._batch_input_shape == (None, 3)
    y = run_layer(emb, np.array([[0.0, 4.0, 1.0]], np.float32))
    np.testing.assert_array_equal(y, emb.get_weights()[0][[0, 4, 1]][None])


def test_embedding_gradient_is_sparse_and_correct():
    emb = layers.Embedding(1000, 3)
    ids = tf.placeholder(tf.int32, (None,))
    y = emb(ids)
    w = tf.placeholder(tf.float32, (None, 3))
    loss = tf.reduce_sum(y * w)
    (grad,) = tf.gradients(loss, [emb.embeddings])
    assert isinstance(grad, IndexedSlices)  # never a dense (1000 x 3) array per step
    sess = backend.get_session()
    backend.initialize_variables(emb.weights)
    idv = np.array([3, 7, 3], np.int32)
    wv = np.arange(9, dtype=np.float32).reshape(3, 3)
    values, indices = sess.run([grad.values, grad.indices], {ids: idv, w: wv})
    dense = np.zeros((1000, 3), np.float32)
    np.add.at(dense, indices, values)
    ref = np.zeros((1000, 3), np.float32)
    np.add.at(ref, idv, wv)
    np.testing.assert_allclose(dense, ref)


def test_embedding_mask_zero_marks_id_zero_as_padding():
    emb = layers.Embedding(5, 2, mask_zero=True)
    ids = keras.Input((4,), dtype="int32")
    out = emb(ids)
    assert out._keras_mask.dtype == tf.bool
    mask = backend.get_session().run(out._keras_mask, {ids: [[1, 0, 3, 0], [0, 0, 0, 2]]})
    np.testing.assert_array_equal(mask, [[True, False, True, False], [False, False, False, True]])
    assert emb.get_config()["mask_zero"] is True
    assert not hasattr(layers.Embedding(5, 2)(ids), "_keras_mask")
