"""A run folder that appears only when the run succeeds.

Everything is written into a hidden temporary folder next to the destination, which is renamed
onto the destination at the end. A run that fails (bad data, an exception, Ctrl-C) deletes its
temporary folder and never touches an earlier run folder; ``overwrite`` replaces a previous
folder only once the new one is complete. SIGTERM and SIGHUP remove the temporary folder too,
and one left by a SIGKILL is swept (with its empty default folder) by the next run in the same
parent folder.
"""

import datetime
import os
import re
import secrets
import shutil
import tempfile

from .. import tempfiles
from .errors import CLIError


def default_out(data_path, root="runs"):
    """A new, claimed run folder under ``root``: ``<time>-<random>-<data file stem>``. It is
    created here (``mkdir``: one process wins a name), before any work, so two runs started
    in the same second never pick the same folder; it stays empty until the run publishes."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", os.path.splitext(os.path.basename(data_path))[0])
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        os.makedirs(root, exist_ok=True)
    except OSError as err:
        raise CLIError(f"cannot create the runs folder {root}: {err.strerror}") from None
    for _ in range(100):
        path = os.path.join(root, f"{stamp}-{secrets.token_hex(3)}-{stem}")
        try:
            os.mkdir(path)
        except FileExistsError:
            continue
        except OSError as err:
            raise CLIError(f"cannot create a run folder in {root}: {err.strerror}") from None
        tempfiles.track(path, only_if_empty=True)  # a signal before the run ends removes it
        return path
    raise CLIError(f"no free run folder name in {root} after 100 tries; pass --out")


def check_out(out, overwrite):
    """Refuse (before any work) a destination that would lose an earlier run's files."""
    if os.path.exists(out):
        if not os.path.isdir(out):
            raise CLIError(f"--out {out}: exists and is not a folder")
        if os.listdir(out) and not overwrite:
            raise CLIError(f"--out {out}: the folder exists and is not empty; choose another "
                           "folder or pass --overwrite to replace it")


class RunFolder:
    """Context manager: ``with RunFolder(out) as tmp:`` write under ``tmp``; on success the
    folder is published at ``out``, on any failure it is removed.

    Args:
        out: the destination folder.
        overwrite: replace an existing non-empty ``out`` (only after the run succeeded).
        claimed: ``out`` is an empty folder :func:`default_out` made for this run: a failed
            run removes it too.

    Example:
        >>> import pathlib
        >>> with RunFolder("runs/demo") as folder:
        ...     _ = pathlib.Path(folder, "metrics.json").write_text("{}")
        >>> os.listdir("runs/demo")
        ['metrics.json']
    """

    def __init__(self, out, overwrite=False, claimed=False):
        check_out(out, overwrite)
        self.out = os.path.abspath(out)
        self.overwrite = overwrite
        self.claimed = claimed
        self.path = None

    def __enter__(self):
        parent = os.path.dirname(self.out)
        try:
            os.makedirs(parent, exist_ok=True)
            _sweep_killed_runs(parent)
            self.path = tempfiles.make_temporary(parent, os.path.basename(self.out),
                                                 folder=True)
        except OSError as err:
            raise CLIError(f"cannot create the run folder in {parent}: {err.strerror}") from None
        mask = os.umask(0)  # mkdtemp makes the folder private; give it a normal folder's mode
        os.umask(mask)
        os.chmod(self.path, 0o777 & ~mask)
        return self.path

    def __exit__(self, kind, value, traceback):
        if kind is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            tempfiles.forget(self.path)
            if self.claimed:
                release_claim(self.out)
            return False
        self.publish()
        return False

    def publish(self):
        """Move the finished temporary folder to ``out`` (an old folder is removed last)."""
        check_out(self.out, self.overwrite)  # someone may have written there meanwhile
        old = None
        if os.path.isdir(self.out):
            if os.listdir(self.out):
                old = tempfile.mkdtemp(prefix=f".{os.path.basename(self.out)}."
                                       f"{tempfiles.HOST}-{os.getpid()}.", suffix=".old",
                                       dir=os.path.dirname(self.out))
                os.rmdir(old)
                os.rename(self.out, old)
            else:
                os.rmdir(self.out)
        try:
            os.rename(self.path, self.out)
        except OSError:
            if old is not None:
                os.rename(old, self.out)  # put the previous run back
            shutil.rmtree(self.path, ignore_errors=True)
            raise
        finally:
            tempfiles.forget(self.path)
            tempfiles.forget(self.out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


_DEFAULT_NAME = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}-")  # what default_out makes


def _sweep_killed_runs(parent):
    """The temporary folders of runs killed by SIGKILL go, and with each its claimed default
    folder while it is still empty (a folder named by the user is never touched)."""
    for name in tempfiles.sweep_stale(parent):
        claimed = name[1:].rsplit(".", 3)[0]  # .NAME.HOST-PID.RANDOM.tmp
        if _DEFAULT_NAME.match(claimed):
            try:
                os.rmdir(os.path.join(parent, claimed))
            except OSError:
                pass  # not empty (published meanwhile?) or gone


def release_claim(path):
    """Done with a folder :func:`default_out` claimed: removed if still empty (the run failed
    before writing anything), kept otherwise; a signal leaves it alone from now on."""
    try:
        os.rmdir(path)
    except OSError:
        pass  # not empty, or gone: nothing of ours to remove
    tempfiles.forget(path)
