"""Backend selection: which :class:`Ops` (NumPy or CuPy) runs the array math.

``get_ops()`` is what the rest of the library calls; ``set_backend("cupy")`` switches to the GPU.
The choice is made in code, never read from the environment. This is the only package that
imports CuPy.
"""

from .ops import Ops

_BACKENDS = ("numpy", "cupy", "strict")


class _Active:
    """The active Ops (one per process, like Keras's backend); ``active.ops`` is read on hot
    paths (each Tensor made), so it is a plain attribute."""

    ops = Ops()


active = _Active()


def get_ops():
    """The active :class:`Ops` object."""
    return active.ops


def set_backend(name):
    """Select the array backend: "numpy" (default) or "cupy" (needs CuPy and a CUDA GPU).

    "strict" is a test backend: NumPy behind an array type that, like CuPy's, refuses to mix
    with NumPy arrays (see :mod:`neurona.backend.strict`), so host/device mixing shows up
    without a GPU."""
    if name not in _BACKENDS:
        raise ValueError(f"set_backend: unknown backend {name!r}; use one of {_BACKENDS}")
    if name == "numpy":
        active.ops = Ops()
    elif name == "strict":
        from .strict import StrictOps

        active.ops = StrictOps()
    else:
        _require_cupy()
        from .cupy_ops import CupyOps

        active.ops = CupyOps()
    return active.ops


def _require_cupy():
    """Raise a RuntimeError saying what is missing when CuPy or a CUDA device is not there."""
    try:
        import cupy
    except Exception as error:  # not installed, or its CUDA libraries fail to load
        raise RuntimeError(
            f"the cupy backend needs CuPy, which does not import here ({error}); install the "
            "wheel for your CUDA version (e.g. pip install cupy-cuda12x) or use the numpy "
            "backend") from None
    try:
        devices = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # no driver or no device: CUDA raises its own error types
        raise RuntimeError(f"the cupy backend needs a CUDA GPU, and CUDA reports: {error}; "
                           "use the numpy backend on this machine") from None
    if devices == 0:
        raise RuntimeError("the cupy backend needs a CUDA GPU and none is visible; use the "
                           "numpy backend on this machine")


def backend():
    """Name of the active backend ("numpy" or "cupy")."""
    return active.ops.name


def cupy_available():
    """True when CuPy imports and sees at least one CUDA device."""
    try:
        _require_cupy()
    except RuntimeError:
        return False
    return True


__all__ = ["Ops", "get_ops", "set_backend", "backend", "cupy_available"]
