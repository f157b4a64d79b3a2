"""Temporary files and folders that do not outlive their process.

Every temporary the library makes beside a destination (a model file being written, a run
folder being filled) is named ``.NAME.HOST-PID.RANDOM.tmp`` (HOST: a short hash of the machine's
name, so a folder shared by several machines is swept only of this machine's dead
processes) and tracked while it exists:

- SIGTERM and SIGHUP remove this process's tracked temporaries, then end the process the way
  the signal would have (the previous handler runs, or the default action);
- SIGKILL cannot be caught, so the next temporary made in the same folder first sweeps the
  stale ones: those of this machine whose pid is no longer a running process.

SIGINT needs nothing here: it raises ``KeyboardInterrupt``, and the writers' own cleanup runs.
"""

import hashlib
import os
import re
import shutil
import signal
import socket
import tempfile
import threading

from .processes import process_alive

__all__ = ["make_temporary", "temporary_directory", "forget", "sweep_stale", "track",
           "remove_tracked"]

_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP")
                 if hasattr(signal, name))
# only .tmp: a run folder's ".old" copy may be the only copy of a run if a kill hit mid-swap
_STALE = re.compile(r"^\..+\.(?P<host>[0-9a-f]{6})-(?P<pid>\d+)\.[a-z0-9_]+\.tmp$")
HOST = hashlib.sha1(socket.gethostname().encode("utf-8")).hexdigest()[:6]
_lock = threading.RLock()
_tracked = {}        # path -> only_if_empty
_previous = {}       # signal -> the handler ours replaced


def make_temporary(directory, name, folder=False, suffix=".tmp"):
    """A new temporary file (``(fd, path)``) or folder (``path``) in ``directory``, named
    after ``name`` and this process, and tracked until :func:`forget`. Stale temporaries of
    the folder are swept first."""
    sweep_stale(directory)
    prefix = f".{name}.{HOST}-{os.getpid()}."
    with _lock, _signals_held():  # made and tracked at once: a signal between would miss it
        if folder:
            path = tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=directory)
            track(path)
            return path
        fd, path = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=directory)
        track(path)
        return fd, path


class temporary_directory:
    """``with temporary_directory() as path:`` a private folder in the system's temporary
    folder, removed at the end of the block and on SIGTERM/SIGHUP (which would skip the end
    of a ``tempfile.TemporaryDirectory`` block)."""

    def __init__(self, prefix="neurona-"):
        self.prefix = prefix
        self.path = None

    def __enter__(self):
        with _lock, _signals_held():
            self.path = tempfile.mkdtemp(prefix=self.prefix)
            track(self.path)
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)
        forget(self.path)
        return False


def track(path, only_if_empty=False):
    """Remove ``path`` if a termination signal arrives before :func:`forget` (a folder
    ``only_if_empty``: a claimed folder that nothing was written into yet)."""
    with _lock:
        _tracked[os.path.abspath(path)] = only_if_empty
        _install_handlers()


def forget(path):
    """``path`` was published or removed: a signal leaves it alone now."""
    with _lock:
        _tracked.pop(os.path.abspath(path), None)
        if not _tracked:
            _restore_handlers()


def sweep_stale(directory):
    """Remove the temporaries in ``directory`` left by processes of this machine that are
    gone (killed by a signal nobody can catch). Returns the names removed."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    removed = []
    for name in names:
        match = _STALE.match(name)
        if match is None or match.group("host") != HOST or \
                process_alive(int(match.group("pid"))):
            continue
        if _remove(os.path.join(directory, name)):
            removed.append(name)
    return removed


def _remove(path):
    """Remove the file or folder ``path``; False when a file could not be removed."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
        return True
    try:
        os.unlink(path)
    except OSError:
        return False
    return True


def remove_tracked():
    """Remove every tracked temporary of this process (what a termination signal does)."""
    with _lock:
        items = list(_tracked.items())
        _tracked.clear()
    for path, only_if_empty in items:
        if only_if_empty:
            try:
                os.rmdir(path)
            except OSError:
                pass  # not empty (the run published into it) or gone
        else:
            _remove(path)


class _signals_held:
    """SIGTERM/SIGHUP held back while a block runs (delivered right after it)."""

    def __enter__(self):
        self.held = hasattr(signal, "pthread_sigmask") and bool(_SIGNALS)
        if self.held:
            self.mask = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)

    def __exit__(self, *exc):
        if self.held:
            signal.pthread_sigmask(signal.SIG_SETMASK, self.mask)
        return False


def _on_signal(number, frame):
    remove_tracked()
    previous = _previous.get(number, signal.SIG_DFL)
    _restore_handlers()
    if callable(previous):
        previous(number, frame)
        return
    os.kill(os.getpid(), number)  # the default action, now that ours is gone


def _install_handlers():
    """Ours on SIGTERM/SIGHUP, from the main thread only (Python's rule); a handler that
    ignores the signal is left alone: the process is not meant to end then."""
    if threading.current_thread() is not threading.main_thread():
        return
    for number in _SIGNALS:
        current = signal.getsignal(number)
        if current is _on_signal or current == signal.SIG_IGN or current is None:
            continue
        _previous[number] = current
        signal.signal(number, _on_signal)


def _restore_handlers():
    if threading.current_thread() is not threading.main_thread():
        return
    for number, previous in list(_previous.items()):
        if signal.getsignal(number) is _on_signal:
            signal.signal(number, previous)
        del _previous[number]
