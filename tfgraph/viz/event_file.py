"""TensorBoard event files written without protobuf or tensorboard: TFRecord framing, Event bytes.

An events file is a TFRecord file (uint64 length, masked CRC-32C of the length, the bytes, masked
CRC-32C of the bytes) of serialized `Event` messages: wall_time=1 (double), step=2 (int64),
file_version=3 (string), graph_def=4 (bytes), summary=5 (Summary). A Summary op's output is
already a serialized Summary, so an event is a few header bytes around it; tensorboard's own
writer parses it back into a protobuf and checksums it in pure Python (about 25 ms for the 30 KB
of a histogram-heavy step).
"""
import os
import socket
import struct
import time

from tfgraph.kernels.crc32c import crc32c, mask
from tfgraph.viz.summary_proto import _len_field, _varint


def event_bytes(wall_time, step=0, summary=None, file_version=None, graph_def=None):
    """A serialized Event (fields left out when empty, as protobuf writes them)."""
    out = _varint(1 << 3 | 1) + struct.pack("<d", wall_time)
    if step:
        out += _varint(2 << 3) + _varint(int(step))
    if file_version is not None:
        out += _len_field(3, file_version.encode("utf-8"))
    if graph_def is not None:
        out += _len_field(4, bytes(graph_def))
    if summary is not None:
        out += _len_field(5, bytes(summary))
    return out


def record(data):
    """One TFRecord: length, its masked CRC, the data, its masked CRC."""
    header = struct.pack("<Q", len(data))
    return (header + struct.pack("<I", mask(crc32c(header))) + data
            + struct.pack("<I", mask(crc32c(data))))


class EventFileWriter:
    """Appends events to logdir/events.out.tfevents.<time>.<host><suffix>, TF1's file name. Writes
    are buffered and reach the file every `flush_secs`, after `max_queue` events, or on flush()."""

    def __init__(self, logdir, max_queue=10, flush_secs=120, filename_suffix=""):
        os.makedirs(logdir, exist_ok=True)
        now = time.time()
        self.path = os.path.join(logdir, "events.out.tfevents.%010d.%s%s" % (
            int(now), socket.gethostname(), filename_suffix or ""))
        self._file = open(self.path, "ab")
        self._max_queue = max(1, int(max_queue))
        self._flush_secs = flush_secs
        self._pending = []
        self._last_flush = time.monotonic()
        self.add_event(event_bytes(now, file_version="brain.Event:2"))
        self.flush()

    def add_event(self, event):
        """Queues an Event: its bytes, or a protobuf Event (anything with SerializeToString)."""
        if hasattr(event, "SerializeToString"):
            event = event.SerializeToString()
        self._pending.append(record(bytes(event)))
        if (len(self._pending) >= self._max_queue
                or time.monotonic() - self._last_flush >= self._flush_secs):
            self.flush()

    def flush(self):
        if self._pending:
            self._file.write(b"".join(self._pending))
            self._pending = []
        self._file.flush()
        self._last_flush = time.monotonic()

    def close(self):
        if not self._file.closed:
            self.flush()
            self._file.close()
