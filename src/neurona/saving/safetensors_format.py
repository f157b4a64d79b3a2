"""The safetensors format, written and read with NumPy alone (no pickle, no extra dependency).

A safetensors buffer is an 8-byte little-endian header length ``N``, ``N`` bytes of JSON
``{name: {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, "__metadata__": {...}}``
and then the raw little-endian bytes of every tensor, back to back. The reader checks every
claim of the header against the bytes actually present BEFORE allocating anything, so a header
announcing 10^12 elements fails at once with :class:`ModelFileError`.
"""

import json
import math

import numpy as np

from .errors import ModelFileError

#: safetensors dtype code <-> NumPy dtype (little endian). BF16/F8 have no NumPy dtype.
_CODES = {
    "F64": "<f8", "F32": "<f4", "F16": "<f2",
    "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1",
    "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "u1",
    "BOOL": "?",
}
_NAMES = {np.dtype(v).name: k for k, v in _CODES.items()}  # "float32" -> "F32"

#: largest header we accept (the safetensors package uses 100 MB)
MAX_HEADER_BYTES = 100 * 1024 * 1024
#: largest tensor rank and name length we accept
MAX_RANK = 32
MAX_NAME_LENGTH = 1024


def _code_of(array, name):
    code = _NAMES.get(array.dtype.name)
    if code is None:
        raise ValueError(f"safetensors: tensor {name!r} has dtype {array.dtype}, which the format "
                         f"cannot hold; supported: {sorted(_NAMES)}")
    return code


def write_safetensors(stream, tensors, metadata=None):
    """Write ``tensors`` to a binary ``stream`` in the safetensors format.

    Args:
        stream: any object with ``write(bytes)``.
        tensors: ``{name: NumPy array}``; the names are written in sorted order.
        metadata: optional ``{str: str}`` stored under ``"__metadata__"``.

    Returns:
        The number of bytes written.

    Example:
        >>> import io
        >>> buf = io.BytesIO()
        >>> _ = write_safetensors(buf, {"w": np.ones((2, 2), dtype="float32")})
        >>> read_safetensors(buf.getvalue())["w"].shape
        (2, 2)
    """
    header, arrays, offset = {}, [], 0
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise ValueError(f"safetensors metadata must map str to str, got {metadata!r}")
        header["__metadata__"] = dict(metadata)
    for name in sorted(tensors):
        if not isinstance(name, str) or not name or name == "__metadata__":
            raise ValueError(f"safetensors: invalid tensor name {name!r}")
        array = np.asarray(tensors[name])
        code = _code_of(array, name)
        array = np.asarray(array, dtype=np.dtype(_CODES[code]), order="C")  # keeps 0-d
        header[name] = {"dtype": code, "shape": list(array.shape),
                        "data_offsets": [offset, offset + array.nbytes]}
        arrays.append(array)
        offset += array.nbytes
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # align the data on 8 bytes, as the reference writer does
    stream.write(len(text).to_bytes(8, "little"))
    stream.write(text)
    for array in arrays:
        stream.write(memoryview(array.reshape(-1)).cast("B"))
    return 8 + len(text) + offset


def encode_safetensors(tensors, metadata=None):
    """``tensors`` as safetensors bytes (see :func:`write_safetensors`).

    Example:
        >>> len(encode_safetensors({"b": np.zeros(3, dtype="float64")})) > 24
        True
    """
    import io

    buffer = io.BytesIO()
    write_safetensors(buffer, tensors, metadata)
    return buffer.getvalue()


def _fail(what, where):
    raise ModelFileError(f"{where}: {what}")


def _parse_header(data, where):
    if len(data) < 8:
        _fail(f"the safetensors data is {len(data)} bytes, shorter than its 8-byte header length "
              "(the file is truncated)", where)
    size = int.from_bytes(data[:8], "little")
    if size > min(len(data) - 8, MAX_HEADER_BYTES):
        _fail(f"the safetensors header claims {size} bytes but only {len(data) - 8} follow "
              f"(limit {MAX_HEADER_BYTES}); the file is truncated or corrupt", where)
    try:
        header = json.loads(bytes(data[8:8 + size]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise ModelFileError(f"{where}: the safetensors header is not valid JSON ({err}); the "
                             "entry is corrupt or not a safetensors file") from None
    if not isinstance(header, dict):
        _fail(f"the safetensors header must be a JSON object, got {type(header).__name__}", where)
    return header, 8 + size


def _check_entry(name, info, where):
    if not isinstance(name, str) or not name or len(name) > MAX_NAME_LENGTH:
        _fail(f"invalid tensor name {name!r}", where)
    if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
        _fail(f"tensor {name!r} must have exactly dtype, shape and data_offsets, got {info!r}",
              where)
    code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if code not in _CODES:
        _fail(f"tensor {name!r} has unsupported dtype {code!r}; supported: {sorted(_CODES)}",
              where)
    if (not isinstance(shape, list) or len(shape) > MAX_RANK
            or not all(type(n) is int and n >= 0 for n in shape)):
        _fail(f"tensor {name!r} has an invalid shape {shape!r} (a list of at most {MAX_RANK} "
              "non-negative ints)", where)
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(type(n) is int and n >= 0 for n in offsets) or offsets[0] > offsets[1]):
        _fail(f"tensor {name!r} has invalid data_offsets {offsets!r}", where)
    # Python ints: no overflow however absurd the claimed shape; an empty tensor's other sizes
    # must still make an array NumPy can describe (its dims multiplied, zeros left out)
    itemsize = np.dtype(_CODES[code]).itemsize
    if math.prod(n for n in shape if n) * itemsize >= 2 ** 62:
        _fail(f"tensor {name!r} has an impossible shape {shape!r}", where)
    nbytes = math.prod(shape) * itemsize
    if offsets[1] - offsets[0] != nbytes:
        _fail(f"tensor {name!r} of dtype {code} and shape {shape} needs {nbytes} bytes, but its "
              f"data_offsets {offsets} span {offsets[1] - offsets[0]}", where)


def read_safetensors(data, where="safetensors data"):
    """Parse safetensors ``data`` (bytes) into ``{name: NumPy array}`` after validating it all.

    Args:
        data: the whole buffer (``bytes``, ``bytearray`` or ``memoryview``).
        where: how error messages name the source (a file and entry name).

    Returns:
        ``{name: array}``; each array owns its memory and is writable, native byte order.

    Raises:
        ModelFileError: truncated data, a malformed header, an unsupported dtype, a shape that
            does not match its byte range, overlapping or missing byte ranges.

    Example:
        >>> arrays = read_safetensors(encode_safetensors({"x": np.arange(3, dtype="int64")}))
        >>> arrays["x"].tolist()
        [0, 1, 2]
    """
    data = memoryview(data).cast("B")
    header, start = _parse_header(data, where)
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not (isinstance(metadata, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        _fail("__metadata__ must map strings to strings", where)
    body = len(data) - start
    for name, info in header.items():
        _check_entry(name, info, where)
    # the byte ranges must tile the body exactly: no overlap (aliasing), no hidden bytes
    position = 0
    for name, info in sorted(header.items(), key=lambda item: tuple(item[1]["data_offsets"])):
        begin, end = info["data_offsets"]
        if begin != position:
            _fail(f"tensor {name!r} starts at byte {begin}, expected {position} (overlapping or "
                  "non-contiguous data)", where)
        position = end
    if position != body:
        _fail(f"the tensors cover {position} bytes but {body} bytes of data are present (the "
              "file is truncated or has trailing bytes)", where)
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = np.dtype(_CODES[info["dtype"]])
        if end == begin:
            out[name] = np.zeros(info["shape"], dtype=dtype.newbyteorder("="))
            continue
        flat = np.frombuffer(data, dtype=dtype, count=(end - begin) // dtype.itemsize,
                             offset=start + begin)
        out[name] = flat.astype(dtype.newbyteorder("="), copy=True).reshape(info["shape"])
    return out
