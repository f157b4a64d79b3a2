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
    if name == "cupy":
        _require_cupy()
    active.ops.release_threads()  # the replaced Ops's pool would otherwise wait forever
    if name == "numpy":
        active.ops = Ops()
    elif name == "strict":
        from .strict import StrictOps

        active.ops = StrictOps()
    else:
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


# -- Keras's keras.backend helpers that user code calls ----------------------------------------
def floatx():
    """The default float type ("float32"), as ``keras.backend.floatx``."""
    from .. import config

    return config.floatx()


def set_floatx(value):
    from .. import config

    config.set_floatx(value)


def epsilon():
    """The fuzz factor (1e-7), as ``keras.backend.epsilon``."""
    from .. import config

    return config.epsilon()


def set_epsilon(value):
    from .. import config

    config.set_epsilon(value)


def image_data_format():
    """Always "channels_last": the layers' default data format, as in Keras."""
    return "channels_last"


def get_value(x):
    """``x`` (a Variable, a Tensor, an array or a number) as a NumPy value
    (``keras.backend.get_value``).

    Example:
        >>> from neurona.optimizers import SGD
        >>> float(get_value(SGD(0.1).learning_rate))
        0.1
    """
    import numpy as np

    data = getattr(x, "data", x)
    # a copy: a later set_value (a learning-rate finder's) must not change a value read before
    return np.array(active.ops.to_numpy(data) if active.ops.is_array(data) else data)


def set_value(x, value):
    """Assign ``value`` to the variable ``x`` (``keras.backend.set_value``), e.g. an optimizer's
    learning rate."""
    assign = getattr(x, "assign", None)
    if assign is None:
        raise TypeError(f"set_value: {x!r} is not a variable (it has no assign method); pass a "
                        "Variable such as model.optimizer.learning_rate or a layer's weight")
    assign(value)


def clear_session():
    """Reset the automatic layer names, as ``keras.backend.clear_session`` does (a rebuilt
    model is named dense, dense_1, ... again)."""
    from ..layers.layer import clear_session as reset_names

    reset_names()


__all__ = ["Ops", "get_ops", "set_backend", "backend", "cupy_available", "floatx", "set_floatx",
           "epsilon", "set_epsilon", "image_data_format", "get_value", "set_value",
           "clear_session"]
