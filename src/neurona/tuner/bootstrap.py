"""Worker processes for a study started from a plain script.

A worker process of :class:`~neurona.tuner.executors.LocalExecutor` starts as a fresh Python
(a fork server's child or a spawned interpreter), and multiprocessing prepares it by running
the parent's ``__main__`` script again, as ``__mp_main__``. A script whose code is guarded by
``if __name__ == "__main__":`` only defines things when run that way; a plain script (the
README's snippet pasted into a file) would run the whole search again inside every worker,
which multiprocessing stops with its "bootstrapping phase" error after the worker has made a
second tuning folder.

The workers need nothing from the script: the job (the model-building function, the data) is
sent to them with cloudpickle, which carries functions and classes of ``__main__`` by value.
So for a plain script the driver starts its workers without telling them about the script
(:func:`script_not_rerun`), and the search works as it does from a guarded script or a
notebook. Without cloudpickle a plain script cannot work, and :func:`check_script` says what
to add before anything is created.
"""

import ast
import contextlib
import sys

from .objectives import TunerError

__all__ = ["unguarded_script", "check_script", "script_not_rerun"]


def _is_main_guard(node):
    """``if __name__ == "__main__":`` (either side of the ``==``)."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    test = node.test
    if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s.id for s in sides if isinstance(s, ast.Name)]
    values = [s.value for s in sides if isinstance(s, ast.Constant)]
    return names == ["__name__"] and values == ["__main__"]


def unguarded_script():
    """Whether the caller runs, through the module-level code of a ``__main__`` script file,
    outside an ``if __name__ == "__main__":`` block (so a worker process would run it again).

    False for an interactive session, a notebook, ``python -c``, a guarded script, or code that
    runs after the script's module level finished (a thread, an atexit hook).
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None:
        return False
    outer, frame = None, sys._getframe(1)
    while frame is not None:
        if frame.f_globals is main.__dict__ and frame.f_code.co_name == "<module>":
            outer = frame
        frame = frame.f_back
    if outer is None:
        return False
    try:
        with open(path, encoding="utf-8") as stream:
            tree = ast.parse(stream.read(), filename=path)
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return False  # a script we cannot read: multiprocessing's own rules apply
    for node in tree.body:
        if node.lineno <= outer.f_lineno <= (node.end_lineno or node.lineno):
            return not _is_main_guard(node)
    return False


def check_script(executor):
    """Refuse, before any work, a plain script that local workers cannot start from.

    Returns:
        True when the workers must be started without re-running the script (a plain script
        and local workers), else False.

    Raises:
        TunerError: a plain script without cloudpickle (the workers would have to run it).
    """
    if executor != "local" or not unguarded_script():
        return False
    try:
        import cloudpickle  # noqa: F401
    except ImportError:
        raise TunerError('Tuner.search starts worker processes, which re-run this script: put '
                         'its code under  if __name__ == "__main__":  (or pip install '
                         'cloudpickle, with which the workers need not run it)') from None
    return True


@contextlib.contextmanager
def script_not_rerun(active=True):
    """Worker processes started inside this block do not run the ``__main__`` script: its
    file (and module spec) are hidden from multiprocessing's preparation of the child, and
    put back on leaving. Does nothing when ``active`` is False."""
    main = sys.modules.get("__main__")
    if not active or main is None:
        yield
        return
    saved = {key: main.__dict__[key] for key in ("__file__", "__spec__") if key in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)
