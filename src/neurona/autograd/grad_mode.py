"""Whether operations record the graph for backward: on by default, per thread.

The flag is thread-local, like every mode flag of the library: a ``predict`` inside
``no_grad()`` in one thread (a web server answering requests, a tuner's trial) never stops
another thread's ``fit`` from recording its graph.
"""

import contextlib
import threading


class _GradMode(threading.local):
    enabled = True  # each thread starts with recording on


#: ``mode.enabled`` is read by every Function call (an attribute of a thread-local object is
#: the cheapest per-thread read Python has)
mode = _GradMode()


def is_grad_enabled():
    """True when operations in this thread record the graph for backward."""
    return mode.enabled


@contextlib.contextmanager
def no_grad():
    """Context manager: operations inside build no graph (inference, optimizer updates).

    Example:
        >>> from neurona import Tensor
        >>> with no_grad():
        ...     y = Tensor([1.0], requires_grad=True) * 2
        >>> y.requires_grad
        False
    """
    previous = mode.enabled
    mode.enabled = False
    try:
        yield
    finally:
        mode.enabled = previous


@contextlib.contextmanager
def enable_grad():
    """Context manager re-enabling graph recording inside a :func:`no_grad` block."""
    previous = mode.enabled
    mode.enabled = True
    try:
        yield
    finally:
        mode.enabled = previous
