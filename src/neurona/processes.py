"""Is a process still the one we started? Liveness checks the tuner (and the sweep of stale
temporaries) trust more than a ``multiprocessing`` handle: a worker started through the fork
server is not our child, and once the fork server is gone its handle reports every worker
dead, alive or not.

A process is named by its pid and its start time (Linux: ``/proc/PID/stat``), so a pid the
system has since given to another process is not taken for the old one.
"""

import os

__all__ = ["process_alive", "process_identity"]


def _proc_stat(pid):
    """The fields of ``/proc/PID/stat`` after the command name, or None (no such process, or
    no ``/proc`` on this system)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stream:
            text = stream.read().decode("ascii", "replace")
    except OSError:
        return None
    return text.rsplit(")", 1)[-1].split()  # the name may hold spaces and parentheses


def process_identity(pid):
    """A token naming the process ``pid`` for as long as it lives: its start time in clock
    ticks since boot, or None where ``/proc`` is not available."""
    fields = _proc_stat(pid)
    return fields[19] if fields and len(fields) > 19 else None  # field 22 of stat(5)


def process_alive(pid, identity=None):
    """Whether ``pid`` runs (a zombie does not) and, when ``identity`` is given, is still the
    process :func:`process_identity` named then."""
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
        return False
    fields = _proc_stat(pid)
    if fields is not None:
        if fields[0] in ("Z", "X"):
            return False
        return identity is None or process_identity(pid) in (None, identity)
    if os.path.isdir("/proc/self"):
        return False  # /proc works here and has no entry for pid: it is gone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
