"""tf.io.read_file, tf.io.decode_image (Pillow) and tf.strings.substr."""
import numpy as np
import pytest

import tfgraph as tf


def test_read_file_and_substr(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("héllo wörld\n".encode())
    name = tf.placeholder(tf.string, [])
    content = tf.io.read_file(name)
    head = tf.strings.substr(content, 1, 5)
    with tf.Session() as sess:
        got, cut = sess.run([content, head], {name: str(path)})
        assert got == "héllo wörld\n".encode() and cut == "héllo".encode()[1:6]
        with pytest.raises(tf.errors.NotFoundError, match="missing.txt"):
            sess.run(content, {name: str(tmp_path / "missing.txt")})


def test_decode_image_png(tmp_path):
    from PIL import Image
    pixels = np.random.RandomState(0).randint(0, 256, (5, 7, 3)).astype(np.uint8)
    Image.fromarray(pixels).save(str(tmp_path / "x.png"))
    data = tf.io.read_file(str(tmp_path / "x.png"))
    rgb, rgba, gray = (tf.io.decode_image(data, channels=c) for c in (3, 4, 1))
    assert rgb.shape.as_list() == [None, None, 3] and rgb.dtype == tf.uint8
    with tf.Session() as sess:
        a, b, g = sess.run([rgb, rgba, gray])
    np.testing.assert_array_equal(a, pixels)
    np.testing.assert_array_equal(b[..., :3], pixels)
    assert (b[..., 3] == 255).all() and g.shape == (5, 7, 1)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="Unknown"):
        sess.run(tf.io.decode_image(tf.constant("not an image")))
