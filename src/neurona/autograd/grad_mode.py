"""Whether operations record the graph for backward (on by default)."""

import contextlib

_state = {"enabled": True}


def is_grad_enabled():
    return _state["enabled"]


@contextlib.contextmanager
def no_grad():
    """Context manager: operations inside build no graph (inference, optimizer updates)."""
    previous = _state["enabled"]
    _state["enabled"] = False
    try:
        yield
    finally:
        _state["enabled"] = previous


@contextlib.contextmanager
def enable_grad():
    """Context manager re-enabling graph recording inside a :func:`no_grad` block."""
    previous = _state["enabled"]
    _state["enabled"] = True
    try:
        yield
    finally:
        _state["enabled"] = previous
