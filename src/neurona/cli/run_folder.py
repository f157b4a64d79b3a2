"""A run folder that appears only when the run succeeds.

Everything is written into a hidden temporary folder next to the destination, which is renamed
onto the destination at the end. A run that fails (bad data, an exception, Ctrl-C) deletes its
temporary folder and never touches an earlier run folder; ``overwrite`` replaces a previous
folder only once the new one is complete.
"""

import datetime
import os
import re
import shutil
import tempfile

from .errors import CLIError


def default_out(data_path, root="runs"):
    """A fresh folder name under ``root``: ``<time>-<data file stem>`` (suffixed if taken)."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", os.path.splitext(os.path.basename(data_path))[0])
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = os.path.join(root, f"{stamp}-{stem}")
    path, n = base, 1
    while os.path.exists(path):
        n += 1
        path = f"{base}-{n}"
    return path


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

    Example:
        >>> import pathlib
        >>> with RunFolder("runs/demo") as folder:
        ...     _ = pathlib.Path(folder, "metrics.json").write_text("{}")
        >>> os.listdir("runs/demo")
        ['metrics.json']
    """

    def __init__(self, out, overwrite=False):
        check_out(out, overwrite)
        self.out = os.path.abspath(out)
        self.overwrite = overwrite
        self.path = None

    def __enter__(self):
        parent = os.path.dirname(self.out)
        try:
            os.makedirs(parent, exist_ok=True)
            self.path = tempfile.mkdtemp(prefix=f".{os.path.basename(self.out)}.", suffix=".tmp",
                                         dir=parent)
        except OSError as err:
            raise CLIError(f"cannot create the run folder in {parent}: {err.strerror}") from None
        mask = os.umask(0)  # mkdtemp makes the folder private; give it a normal folder's mode
        os.umask(mask)
        os.chmod(self.path, 0o777 & ~mask)
        return self.path

    def __exit__(self, kind, value, traceback):
        if kind is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            return False
        self.publish()
        return False

    def publish(self):
        """Move the finished temporary folder to ``out`` (an old folder is removed last)."""
        check_out(self.out, self.overwrite)  # someone may have written there meanwhile
        old = None
        if os.path.isdir(self.out):
            if os.listdir(self.out):
                old = tempfile.mkdtemp(prefix=f".{os.path.basename(self.out)}.", suffix=".old",
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
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
