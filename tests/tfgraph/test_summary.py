"""tf.summary ops and FileWriter: event files read back with TensorBoard's own EventAccumulator."""
import numpy as np
import pytest

import tfgraph as tf
from tfgraph.viz import summary_proto


def test_summary_bytes_parse_as_tensorboard_summaries():
    summary_pb2 = pytest.importorskip(
        "tensorboard.compat.proto.summary_pb2", reason="tensorboard not installed (tfgraph[viz])")
    s = summary_pb2.Summary.FromString(summary_proto.scalar("a/loss", 0.25))
    assert s.value[0].tag == "a/loss" and s.value[0].simple_value == 0.25
    h = summary_pb2.Summary.FromString(summary_proto.histogram("h", [-1.0, 0.0, 2.0, 2.0])).value[0]
    assert (h.histo.min, h.histo.max, h.histo.num, h.histo.sum) == (-1.0, 2.0, 4.0, 3.0)
    assert sum(h.histo.bucket) == 4 and len(h.histo.bucket) == len(h.histo.bucket_limit)
    t = summary_pb2.Summary.FromString(summary_proto.text("t", ["hi", "there"])).value[0]
    assert t.metadata.plugin_data.plugin_name == "text" and t.tensor.string_val == [b"hi", b"there"]


def test_png_encoder_round_trips_through_zlib():
    import struct
    import zlib
    img = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    data = summary_proto.png(img)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", data[16:24])
    idat_len = struct.unpack(">I", data[33:37])[0]
    raw = zlib.decompress(data[41:41 + idat_len])
    assert (w, h) == (3, 2) and raw == b"\x00" + img[0].tobytes() + b"\x00" + img[1].tobytes()


def test_merge_all_and_filewriter_are_read_back_by_event_accumulator(tmp_path):
    ea_mod = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator",
                                 reason="tensorboard not installed (tfgraph[viz])")
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        with tf.name_scope("stats"):
            loss = tf.reduce_mean(tf.square(x), name="loss")
        tf.summary.scalar("loss", loss)
        tf.summary.histogram("inputs", x)
        tf.summary.image("img", tf.reshape(x, [-1, 1, 3, 1]), max_outputs=2)
        tf.summary.text("note", tf.constant("hello"))
        merged = tf.summary.merge_all()
    assert merged.dtype == tf.string and merged.op.type == "MergeSummary"
    logdir = str(tmp_path / "run1")
    with tf.Session(graph=g) as sess, tf.summary.FileWriter(logdir, sess.graph) as writer:
        for step in range(3):
            feed = np.full((2, 3), step + 1.0, np.float32)
            writer.add_summary(sess.run(merged, {x: feed}), global_step=step)
    ea = ea_mod.EventAccumulator(logdir, size_guidance={"images": 0, "histograms": 0})
    ea.Reload()
    assert [(e.step, e.value) for e in ea.Scalars("loss")] == [(0, 1.0), (1, 4.0), (2, 9.0)]
    assert ea.Histograms("inputs")[2].histogram_value.sum == 18.0
    assert ea.Tags()["images"] == ["img/image/0", "img/image/1"]
    assert ea.Images("img/image/0")[0].width == 3
    assert "note" in ea.Tags()["tensors"]
    graph = ea.Graph()
    assert {n.name for n in graph.node} == {op.name for op in g.get_operations()}
    node = {n.name: n for n in graph.node}
    assert [d.size for d in node["x"].attr["_output_shapes"].list.shape[0].dim] == [-1, 3]
    assert node["stats/loss"].device.endswith("CPU:0")
