"""Global numeric settings: default float type, fuzz factor and the library seed.

These are the few pieces of state every layer reads when it creates arrays. They are set from
Python (never from environment variables inside the library) and mirror Keras's
``keras.config`` names.
"""

import numpy as np

_FLOATX = "float32"
_EPSILON = 1e-7
_ALLOWED_FLOATX = ("float16", "float32", "float64")


def floatx():
    """Return the default float type name used for new weights and inputs ("float32")."""
    return _FLOATX


def set_floatx(value):
    """Set the default float type: one of "float16", "float32", "float64"."""
    global _FLOATX
    if value not in _ALLOWED_FLOATX:
        raise ValueError(f"set_floatx: unknown float type {value!r}; use one of {_ALLOWED_FLOATX}")
    _FLOATX = str(value)


def epsilon():
    """Return the fuzz factor used to keep divisions and logarithms finite (1e-7, as Keras)."""
    return _EPSILON


def set_epsilon(value):
    """Set the fuzz factor returned by :func:`epsilon`."""
    global _EPSILON
    value = float(value)
    if not (value > 0 and np.isfinite(value)):
        raise ValueError(f"set_epsilon: epsilon must be a positive finite number, got {value!r}")
    _EPSILON = value
