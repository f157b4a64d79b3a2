"""TensorBoard event files written without TensorFlow or the protobuf package.

An event file is a sequence of TFRecords::

    uint64 length (little endian) | uint32 masked_crc32c(length bytes)
    | data | uint32 masked_crc32c(data)

where each ``data`` is a serialized ``Event`` protobuf message. Only the handful of fields
TensorBoard needs for scalars and histograms are encoded, by hand:

- ``Event``: wall_time (1, double), step (2, int64), file_version (3, string), summary (5).
- ``Summary``: value (1, repeated ``Summary.Value``).
- ``Summary.Value``: tag (1, string), simple_value (2, float), histo (5, ``HistogramProto``).
- ``HistogramProto``: min (1), max (2), num (3), sum (4), sum_squares (5) doubles;
  bucket_limit (6) and bucket (7) packed repeated doubles.

Protobuf wire format in brief: a field is a key ``(field_number << 3) | wire_type`` written as a
varint, then its payload; wire type 0 is a varint, 1 a little-endian 64-bit value, 2 a varint
length followed by that many bytes (strings, nested messages, packed repeated numbers), 5 a
little-endian 32-bit value.
"""

import itertools
import os
import socket
import struct
import time

import numpy as np

FILE_VERSION = "brain.Event:2"

_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5

# ---------------------------------------------------------------------------------------------
# CRC32C (Castagnoli), as TFRecord uses it
# ---------------------------------------------------------------------------------------------

_CASTAGNOLI = 0x82F63B78  # the polynomial 0x1EDC6F41, bit-reversed (CRC32C is a reflected CRC)
_MASK_DELTA = 0xA282EAD8


def _crc_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _CASTAGNOLI if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc_table()


def crc32c(data, crc=0):
    """CRC32C of ``data`` (bytes-like), continuing from ``crc`` (0 to start).

    Table-driven, one byte at a time: event records are small (a scalar is ~40 bytes, a
    histogram ~600), so this pure-Python loop is not a cost worth a compiled dependency.

    Example:
        >>> hex(crc32c(b"123456789"))
        '0xe3069283'
    """
    crc ^= 0xFFFFFFFF
    table = _CRC_TABLE
    for byte in bytes(data):
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    """The CRC as TFRecord stores it: rotated right by 15 bits plus a constant, so that a CRC
    computed over data that itself contains CRCs does not degenerate."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def frame_record(data):
    """One TFRecord: length, masked CRC of the length, ``data``, masked CRC of ``data``."""
    length = struct.pack("<Q", len(data))
    return (length + struct.pack("<I", masked_crc32c(length)) + bytes(data)
            + struct.pack("<I", masked_crc32c(data)))


# ---------------------------------------------------------------------------------------------
# Protobuf encoding of Event / Summary / HistogramProto
# ---------------------------------------------------------------------------------------------


def _varint(value):
    """Base-128 varint; a negative int64 is written as its 64-bit two's complement (10 bytes)."""
    value = int(value)
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _key(field, wire_type):
    return _varint((field << 3) | wire_type)


def _length_delimited(field, payload):
    return _key(field, _LENGTH) + _varint(len(payload)) + payload


def _double(field, value):
    return _key(field, _FIXED64) + struct.pack("<d", float(value))


def _float(field, value):
    return _key(field, _FIXED32) + struct.pack("<f", float(value))


def _packed_doubles(field, values):
    return _length_delimited(field, np.asarray(values, dtype="<f8").tobytes())


def encode_event(wall_time, step=0, file_version=None, summary=None):
    """A serialized ``Event``; ``summary`` is an already encoded ``Summary`` (bytes) or None."""
    out = _double(1, wall_time) + _key(2, _VARINT) + _varint(step)
    if file_version is not None:
        out += _length_delimited(3, file_version.encode("utf-8"))
    if summary is not None:
        out += _length_delimited(5, summary)
    return out


def encode_summary(values):
    """A serialized ``Summary`` from encoded ``Summary.Value`` messages."""
    return b"".join(_length_delimited(1, value) for value in values)


def scalar_value(tag, value):
    """A ``Summary.Value`` holding a scalar (``simple_value``, stored as float32)."""
    return _length_delimited(1, tag.encode("utf-8")) + _float(2, value)


def histogram_value(tag, values, bins=30):
    """A ``Summary.Value`` holding a histogram of ``values`` (any shape), or None when no entry
    is finite.

    Buckets are ``bins`` equal-width intervals from the minimum to the maximum, as
    ``tf.summary.histogram`` makes them; ``bucket_limit`` holds each bucket's right edge (the
    left edge of the first is ``min``). Non-finite entries are left out: TensorBoard cannot
    place them on an axis.
    """
    flat = np.asarray(values, dtype=np.float64).ravel()
    flat = flat[np.isfinite(flat)]
    if flat.size == 0:
        return None
    low, high = float(flat.min()), float(flat.max())
    if low == high:
        limits, counts = np.array([high]), np.array([float(flat.size)])
    else:
        counts, edges = np.histogram(flat, bins=bins, range=(low, high))
        limits = edges[1:]
        limits[-1] = high  # exact, whatever rounding the edge arithmetic did
    histo = (_double(1, low) + _double(2, high) + _double(3, flat.size) + _double(4, flat.sum())
             + _double(5, np.dot(flat, flat)) + _packed_doubles(6, limits)
             + _packed_doubles(7, counts))
    return _length_delimited(1, tag.encode("utf-8")) + _length_delimited(5, histo)


# ---------------------------------------------------------------------------------------------
# The file
# ---------------------------------------------------------------------------------------------

# Distinguishes files one process opens in the same second, like TensorFlow's writer does.
_file_counter = itertools.count(1)


class EventFileWriter:
    """Appends events to a new event file in ``logdir`` (created if missing).

    The file is named like TensorFlow 2's, ``events.out.tfevents.<time>.<host>.<pid>.<n>.v2``,
    and created exclusively: an existing file is never overwritten. The first record carries
    ``file_version = "brain.Event:2"``.

    Args:
        logdir: directory of the file (TensorBoard shows one run per directory).

    Example:
        >>> import os
        >>> with EventFileWriter("logs/train") as writer:
        ...     writer.add_scalars({"epoch_loss": 0.25}, step=0)
        >>> [name.startswith("events.out.tfevents.") for name in os.listdir("logs/train")]
        [True]
    """

    def __init__(self, logdir):
        logdir = os.fspath(logdir)
        os.makedirs(logdir, exist_ok=True)
        host, pid = socket.gethostname(), os.getpid()
        while True:
            name = (f"events.out.tfevents.{int(time.time()):010d}.{host}.{pid}."
                    f"{next(_file_counter)}.v2")
            path = os.path.join(logdir, name)
            try:
                self._file = open(path, "xb")
                break
            except FileExistsError:
                continue
        self.path = path
        self.write_event(encode_event(time.time(), 0, file_version=FILE_VERSION))

    @property
    def closed(self):
        return self._file is None

    def write_event(self, event):
        """Append one serialized ``Event``."""
        if self._file is None:
            raise ValueError(f"EventFileWriter: {self.path} is closed; open a new writer")
        self._file.write(frame_record(event))

    def add_summary(self, values, step):
        """Append one event whose summary holds the encoded ``values`` (skipped when empty)."""
        values = [v for v in values if v is not None]
        if values:
            self.write_event(encode_event(time.time(), step, summary=encode_summary(values)))

    def add_scalars(self, scalars, step):
        """Append ``{tag: float}`` as one event at ``step``."""
        self.add_summary([scalar_value(tag, value) for tag, value in scalars.items()], step)

    def add_histograms(self, arrays, step, bins=30):
        """Append ``{tag: array}`` as histograms in one event at ``step``."""
        self.add_summary([histogram_value(tag, a, bins) for tag, a in arrays.items()], step)

    def flush(self):
        if self._file is not None:
            self._file.flush()

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
