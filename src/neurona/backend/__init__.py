"""Backend selection: which :class:`Ops` (NumPy or CuPy) runs the array math.

``get_ops()`` is what the rest of the library calls; ``set_backend("cupy")`` switches to the GPU.
This is the only package that imports CuPy.
"""

from .ops import Ops

_BACKENDS = ("numpy", "cupy")
_current = Ops()


def get_ops():
    """The active :class:`Ops` object."""
    return _current


def set_backend(name):
    """Select the array backend: "numpy" (default) or "cupy" (needs CuPy and a CUDA GPU)."""
    global _current
    if name not in _BACKENDS:
        raise ValueError(f"set_backend: unknown backend {name!r}; use one of {_BACKENDS}")
    if name == "numpy":
        _current = Ops()
    else:
        from .cupy_ops import CupyOps

        _current = CupyOps()
    return _current


def backend():
    """Name of the active backend ("numpy" or "cupy")."""
    return _current.name


def cupy_available():
    """True when CuPy imports and sees at least one CUDA device."""
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # no CuPy, no driver, no device: all mean "not available"
        return False


__all__ = ["Ops", "get_ops", "set_backend", "backend", "cupy_available"]
