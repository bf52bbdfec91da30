"""Event files written without tensorboard: TFRecord framing and Event bytes, read back here."""
import glob
import struct

import numpy as np

import tfgraph as tf
from tfgraph.kernels.crc32c import crc32c, unmask
from tfgraph.viz import event_file


def read_records(path):
    data = open(path, "rb").read()
    out, pos = [], 0
    while pos < len(data):
        (n,) = struct.unpack_from("<Q", data, pos)
        assert unmask(struct.unpack_from("<I", data, pos + 8)[0]) == crc32c(data[pos:pos + 8])
        body = data[pos + 12:pos + 12 + n]
        assert unmask(struct.unpack_from("<I", data, pos + 12 + n)[0]) == crc32c(body)
        out.append(body)
        pos += 16 + n
    assert pos == len(data)
    return out


def test_event_bytes_fields():
    ev = event_file.event_bytes(1.5, step=300, summary=b"\x0a\x01x")
    assert ev == b"\x09" + struct.pack("<d", 1.5) + b"\x10\xac\x02" + b"\x2a\x03\x0a\x01x"
    assert event_file.event_bytes(2.0, file_version="brain.Event:2").endswith(
        b"\x1a\x0dbrain.Event:2")


def test_file_writer_writes_summaries_as_records(tmp_path):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None])
        tf.summary.scalar("mean", tf.reduce_mean(x))
        tf.summary.histogram("x", x)
        merged = tf.summary.merge_all()
        writer = tf.summary.FileWriter(str(tmp_path), max_queue=2)
        with tf.Session() as sess:
            summaries = []
            for step in range(5):
                summaries.append(sess.run(merged, {x: np.arange(step + 1, dtype=np.float32)}))
                writer.add_summary(summaries[-1], global_step=step)
        writer.close()
    (path,) = glob.glob(str(tmp_path / "events.out.tfevents.*"))
    records = read_records(path)
    assert len(records) == 6 and records[0][9:] == b"\x1a\x0dbrain.Event:2"
    for step, (rec, summ) in enumerate(zip(records[1:], summaries)):
        payload = bytes(summ)
        expected_step = b"\x10" + bytes([step]) if step else b""
        assert rec[9:] == expected_step + b"\x2a" + event_file._varint(len(payload)) + payload


def test_file_writer_writes_the_graph_without_tensorboard(tmp_path):
    from tfgraph.viz import graph_def_wire
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        tf.reduce_sum(x * 2.0, name="total")
    with tf.summary.FileWriter(str(tmp_path), g):
        pass
    (path,) = glob.glob(str(tmp_path / "events.out.tfevents.*"))
    graph_event = read_records(path)[1]
    payload = graph_def_wire.graph_def_bytes(g)
    assert graph_event[9:] == b"\x22" + event_file._varint(len(payload)) + payload
    assert b"\n\x01x\x12\x0bPlaceholder" in payload and b"total" in payload
