"""The model archive on disk: a zip of ``config.json`` and ``model.safetensors``.

Writing is atomic: the archive goes to a temporary file in the target's directory, is flushed
and fsynced, then ``os.replace``-d onto the target (and the directory is fsynced), so a crash
mid-save leaves the previous file intact. Reading trusts nothing: the zip's entries, their
names, declared sizes, compression, checksums and JSON are all checked, with bounded reads,
before anything is built; every defect raises :class:`ModelFileError`.
"""

import collections
import contextlib
import datetime
import hashlib
import json
import os
import zipfile
import zlib

from ..atomic import atomic_write
from .errors import ModelFileError
from .safetensors_format import write_safetensors

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
ENTRIES = (CONFIG_NAME, WEIGHTS_NAME)

#: format names in config.json and the newest version this code reads
MODEL_FORMAT = "neurona.model"
WEIGHTS_FORMAT = "neurona.weights"
FORMAT_VERSION = 1

#: config.json bigger than this, or nested deeper, is refused
MAX_CONFIG_BYTES = 32 * 1024 * 1024
MAX_JSON_DEPTH = 100
#: deflate cannot expand data more than ~1032 times; a larger claimed size is a lie
_MAX_DEFLATE_RATIO = 1100
#: weights (noise-like floats) barely compress: a compressed weights entry may expand at most
#: this many times (plus 1 MiB), so a small file cannot make the reader hold gigabytes
MAX_WEIGHTS_EXPANSION = 64


class _HashingWriter:
    def __init__(self, stream):
        self.stream, self.sha256, self.size = stream, hashlib.sha256(), 0

    def write(self, data):
        self.sha256.update(data)
        self.size += len(data)
        return self.stream.write(data)


def _to_json(config):
    try:
        return json.dumps(config, indent=1, sort_keys=False, allow_nan=True).encode("utf-8")
    except (TypeError, ValueError) as err:
        raise ValueError(f"The model's config cannot be written as JSON ({err}); every "
                         "get_config() must return JSON values (str, int, float, bool, None, "
                         "lists, dicts)") from None


def write_archive(filepath, config, tensors, overwrite=True):
    """Atomically write a model archive.

    Args:
        filepath: destination.
        config: the JSON-ready dict for ``config.json``; a ``metadata`` dict in it receives the
            SHA-256 of ``model.safetensors`` under ``"sha256"``.
        tensors: ``{key: NumPy array}`` for ``model.safetensors``.
        overwrite: see :func:`atomic_write`.

    Returns:
        The absolute path written.
    """
    _to_json(config)  # fail before touching the disk
    now = datetime.datetime.now().timetuple()[:6]

    def write(stream):
        with zipfile.ZipFile(stream, "w") as archive:
            info = zipfile.ZipInfo(WEIGHTS_NAME, date_time=now)
            info.compress_type = zipfile.ZIP_STORED  # weights barely compress; keep reads cheap
            with archive.open(info, "w", force_zip64=True) as entry:
                hashing = _HashingWriter(entry)
                write_safetensors(hashing, tensors)
            final = dict(config)
            final["metadata"] = dict(config.get("metadata", {}),
                                     sha256={WEIGHTS_NAME: hashing.sha256.hexdigest()})
            info = zipfile.ZipInfo(CONFIG_NAME, date_time=now)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, _to_json(final))

    return atomic_write(filepath, write, overwrite)


# -- reading ------------------------------------------------------------------------------------
def _json_depth(value):
    depth, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            depth = max(depth, level)
            if depth > MAX_JSON_DEPTH:
                return depth
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return depth


def parse_json(data, where):
    """Decode bounded, shallow JSON; anything else is a :class:`ModelFileError`."""
    if len(data) > MAX_CONFIG_BYTES:
        raise ModelFileError(f"{where}: {len(data)} bytes of JSON exceed the {MAX_CONFIG_BYTES} "
                             "byte limit")
    try:
        value = json.loads(data.decode("utf-8"))
    except RecursionError:
        raise ModelFileError(f"{where}: the JSON is nested too deeply (limit {MAX_JSON_DEPTH})") \
            from None
    except (UnicodeDecodeError, ValueError) as err:
        raise ModelFileError(f"{where}: not valid JSON ({err})") from None
    if _json_depth(value) > MAX_JSON_DEPTH:
        raise ModelFileError(f"{where}: the JSON is nested deeper than {MAX_JSON_DEPTH} levels")
    if not isinstance(value, dict):
        raise ModelFileError(f"{where}: expected a JSON object, got {type(value).__name__}")
    return value


def check_name(name, where):
    parts = name.replace("\\", "/").split("/")
    if (name.startswith(("/", "\\")) or ".." in parts or ":" in name or "\x00" in name
            or name != name.strip()):
        raise ModelFileError(f"{where}: unsafe entry name {name!r} (absolute path, '..' or "
                             "drive); the archive was tampered with")


def _check_infos(infos, archive_size, where):
    names = [info.filename for info in infos]
    for name in names:
        check_name(name, where)
    counts = collections.Counter(names)  # one pass: 60,000 entries took 48 s with names.count
    repeated = sorted(name for name, count in counts.items() if count > 1)
    if repeated:
        raise ModelFileError(f"{where}: duplicated entries {repeated[:10]}"
                             f"{f' and {len(repeated) - 10} more' if len(repeated) > 10 else ''}")
    missing, extra = sorted(set(ENTRIES) - set(names)), sorted(set(names) - set(ENTRIES))
    if missing or extra:
        raise ModelFileError(f"{where}: expected exactly the entries {list(ENTRIES)}; missing "
                             f"{missing}, unexpected {extra}. Not a neurona model file, or it was "
                             "tampered with")
    for info in infos:
        check_entry(info, archive_size, where)


def check_entry(info, archive_size, where):
    """Refuse a zip entry that is encrypted, oddly compressed, beyond the end of the file, or
    declares a size its stored bytes cannot hold (shared by the Keras-file reader)."""
    label = f"{where}[{info.filename}]"
    if info.flag_bits & 0x1:
        raise ModelFileError(f"{label}: encrypted entries are not supported")
    if info.flag_bits & 0x60:  # 0x20 patched data, 0x40 strong encryption: never written
        raise ModelFileError(f"{label}: the entry's flags {info.flag_bits:#06x} mark patched or "
                             f"strongly encrypted data, which model files never hold (corrupt)")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ModelFileError(f"{label}: unsupported compression method {info.compress_type}")
    if info.header_offset + info.compress_size > archive_size:
        raise ModelFileError(f"{label}: the entry claims {info.compress_size} bytes beyond the "
                             f"end of the {archive_size}-byte file (truncated)")
    stored = info.compress_type == zipfile.ZIP_STORED
    if (stored and info.file_size != info.compress_size) or (
            info.file_size > _MAX_DEFLATE_RATIO * info.compress_size + 1024):
        raise ModelFileError(f"{label}: declared size {info.file_size} is impossible for "
                             f"{info.compress_size} stored bytes (corrupt or a zip bomb)")


def weights_limit(info, where):
    """The most bytes a weights entry may decompress to: its declared size, when that is within
    :data:`MAX_WEIGHTS_EXPANSION` times its stored bytes (a stored entry is its own size)."""
    cap = info.compress_size * MAX_WEIGHTS_EXPANSION + (1 << 20)
    if info.compress_type != zipfile.ZIP_STORED and info.file_size > cap:
        raise ModelFileError(f"{where}[{info.filename}]: {info.compress_size} compressed bytes "
                             f"claim to expand to {info.file_size}, more than "
                             f"{MAX_WEIGHTS_EXPANSION} times: weights do not compress like that "
                             f"(a zip bomb?); save the model again with model.save()")
    return info.file_size


def read_entry(archive, info, limit, where):
    """The bytes of entry ``info``, read through a cap of ``limit`` bytes (the decompressed
    size is never trusted: reading stops one byte past the limit)."""
    label = f"{where}[{info.filename}]"
    if info.file_size > limit:
        raise ModelFileError(f"{label}: {info.file_size} bytes exceed the limit of {limit}")
    try:
        with archive.open(info) as entry:
            data = entry.read(limit + 1)  # bounded even if the declared size lies
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
            NotImplementedError) as err:  # zipfile's "compressed patched data", flag bit 5
        raise ModelFileError(f"{label}: the entry is corrupt ({err})") from None
    if len(data) != info.file_size:
        raise ModelFileError(f"{label}: read {len(data)} bytes, the archive declares "
                             f"{info.file_size} (truncated)")
    return data


@contextlib.contextmanager
def open_zip(path, where):
    """``(ZipFile, file size)`` of the zip at ``path``; a missing file is a FileNotFoundError
    and anything that is not a readable zip a :class:`ModelFileError`."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No model file at {path!r}")
    archive_size = os.path.getsize(path)
    with open(path, "rb") as stream:
        if not zipfile.is_zipfile(stream):
            raise ModelFileError(f"{where} is not a model archive: no zip directory found (not a "
                                 "zip file, or truncated); save it with model.save()")
        stream.seek(0)
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
                NotImplementedError) as err:
            raise ModelFileError(f"{where}: the zip archive is corrupt or truncated "
                                 f"({err})") from None
        with archive:
            yield archive, archive_size


def read_archive(filepath, expected_format=None):
    """Read and validate an archive: returns ``(config dict, safetensors bytes)``.

    Args:
        filepath: the archive.
        expected_format: ``MODEL_FORMAT`` to insist on a full model; None accepts both kinds.

    Raises:
        FileNotFoundError: no such file.
        ModelFileError: anything wrong with the file's contents.
    """
    path = os.fspath(filepath)
    where = repr(path)
    with open_zip(path, where) as (archive, archive_size):
        infos = archive.infolist()
        _check_infos(infos, archive_size, where)
        by_name = {info.filename: info for info in infos}
        config = parse_json(read_entry(archive, by_name[CONFIG_NAME], MAX_CONFIG_BYTES, where),
                            f"{where}[{CONFIG_NAME}]")
        _check_format(config, expected_format, where)
        weights_info = by_name[WEIGHTS_NAME]
        weights = read_entry(archive, weights_info, weights_limit(weights_info, where), where)
    expected = config["metadata"]["sha256"][WEIGHTS_NAME]
    if hashlib.sha256(weights).hexdigest() != expected:
        raise ModelFileError(f"{where}[{WEIGHTS_NAME}]: SHA-256 checksum mismatch; the weights "
                             "were corrupted (flipped bits) or altered after saving")
    return config, weights


def _check_format(config, expected_format, where):
    fmt, version = config.get("format"), config.get("format_version")
    if fmt not in (MODEL_FORMAT, WEIGHTS_FORMAT):
        raise ModelFileError(f"{where}: config.json has format {fmt!r}, expected "
                             f"{MODEL_FORMAT!r} or {WEIGHTS_FORMAT!r}")
    if type(version) is not int or version < 1:
        raise ModelFileError(f"{where}: invalid format_version {version!r}")
    if version > FORMAT_VERSION:
        raise ModelFileError(f"{where}: format_version {version} is newer than this neurona reads "
                             f"({FORMAT_VERSION}); upgrade neurona")
    if expected_format == MODEL_FORMAT and fmt != MODEL_FORMAT:
        raise ModelFileError(f"{where} holds only weights (written by save_weights); build the "
                             "model in code and call model.load_weights(path) instead")
    metadata = config.get("metadata")
    checksums = metadata.get("sha256") if isinstance(metadata, dict) else None
    if (not isinstance(checksums, dict) or set(checksums) != {WEIGHTS_NAME}
            or not isinstance(checksums[WEIGHTS_NAME], str)):
        raise ModelFileError(f"{where}: config.json lacks metadata.sha256 for {WEIGHTS_NAME!r}")
