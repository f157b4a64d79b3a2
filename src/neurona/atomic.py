"""Files that are never seen half written: one atomic writer for the whole library.

Model files, backups, tuner results, predictions and exported data sets all go through
:func:`atomic_write`: the bytes go to a temporary file beside the target, are flushed and
fsynced, and the temporary is renamed onto the target (and the directory fsynced), so a crash
or a kill mid-write leaves the previous file intact and the new one either whole or absent.
The temporary itself goes on SIGTERM/SIGHUP, and after a SIGKILL at the next write into the
same folder (see :mod:`neurona.tempfiles`).
"""

import os
import stat

from . import tempfiles

__all__ = ["atomic_write", "atomic_write_text"]


def atomic_write(filepath, write, overwrite=True):
    """Create ``filepath`` through a temporary file so that it is never seen half written.

    Args:
        filepath: destination path (str or ``os.PathLike``).
        write: ``write(binary_file)`` fills the temporary file.
        overwrite: when False and ``filepath`` exists, raise ``FileExistsError`` and touch
            nothing.

    Returns:
        The destination path as a string.

    Example:
        >>> import pathlib
        >>> path = atomic_write("data.bin", lambda f: f.write(b"data"))
        >>> pathlib.Path(path).read_bytes()
        b'data'
    """
    path = os.path.abspath(os.fspath(filepath))
    directory, base = os.path.split(path)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"Cannot save to {filepath!r}: directory {directory!r} does not "
                                "exist; create it first")
    if os.path.isdir(path):
        raise IsADirectoryError(f"Cannot save to {filepath!r}: it is a directory; pass a file path "
                                "such as 'model.keras'")
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{filepath!r} already exists and overwrite=False; pass "
                              "overwrite=True to replace it or choose another path")
    mode = stat.S_IMODE(os.stat(path).st_mode) if os.path.exists(path) else 0o644
    fd, tmp = tempfiles.make_temporary(directory, base)
    try:
        with os.fdopen(fd, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, mode)
        if overwrite:
            os.replace(tmp, path)
        else:
            _publish_exclusive(tmp, path, filepath)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    finally:
        tempfiles.forget(tmp)
    _fsync_directory(directory)
    return path


def _publish_exclusive(tmp, path, filepath):
    """Move ``tmp`` to ``path`` only if ``path`` does not exist (atomically where links work)."""
    try:
        os.link(tmp, path)  # fails atomically if another process created path meanwhile
    except FileExistsError:
        raise FileExistsError(f"{filepath!r} already exists and overwrite=False; pass "
                              "overwrite=True to replace it or choose another path") from None
    except OSError:  # no hard links on this file system: check, then rename
        if os.path.exists(path):
            raise FileExistsError(f"{filepath!r} already exists and overwrite=False") from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def _fsync_directory(directory):
    """Make the rename durable (POSIX); silently skipped where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_text(filepath, text, overwrite=True):
    """:func:`atomic_write` of a string, encoded as UTF-8."""
    data = text.encode("utf-8")
    return atomic_write(filepath, lambda stream: stream.write(data), overwrite)
