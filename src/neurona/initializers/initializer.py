"""The Initializer base class, shared argument checks, Keras's fan rule and the constants."""

import math

import numpy as np

from .. import config, validation
from ..random import make_generator
from ..registry import Registry

registry = Registry("initializer")


def compute_fans(shape):
    """(fan_in, fan_out) of a weight of ``shape`` under Keras's rules (see the module doc)."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2]) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: subclasses implement :meth:`__call__` and :meth:`get_config`."""

    def __call__(self, shape, dtype=None, rng=None):
        raise TypeError(f"{type(self).__name__} must define __call__(shape, dtype=None, rng=None)")

    def get_config(self):
        """The constructor arguments as a JSON-friendly dict."""
        return {}

    def _check_call(self, shape, dtype, floating=True):
        """``__call__``'s (shape, dtype), checked: non-negative sizes, and a float dtype for
        an initializer that draws or scales (``floating``)."""
        owner = type(self).__name__
        dtype = np.dtype(config.floatx() if dtype is None else dtype)
        if floating and dtype.kind != "f":
            raise ValueError(f"{owner}: dtype must be a float dtype, got dtype={dtype.name!r}; "
                             "pass e.g. dtype='float32'")
        return validation.shape(owner, "shape", shape, low=0), dtype

    @classmethod
    def from_config(cls, config):
        """Rebuild an initializer from :meth:`get_config`'s output."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class _RandomInitializer(Initializer):
    """Shared seed handling of the random initializers."""

    def __init__(self, seed=None):
        self.seed = validation.seed(type(self).__name__, "seed", seed)

    def _generator(self, rng):
        if self.seed is not None:
            return make_generator(self.seed)
        if rng is None:
            return make_generator()
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"{type(self).__name__}: rng must be a numpy.random.Generator or None, got "
                f"{type(rng).__name__}; create one with neurona.random.make_generator(seed)"
            )
        return rng

    def get_config(self):
        return {"seed": self.seed}


@registry.register("Zeros", "zeros", "zero")
class Zeros(Initializer):
    """All zeros.

    Example:
        >>> Zeros()((2, 2)).tolist()
        [[0.0, 0.0], [0.0, 0.0]]
    """

    def __call__(self, shape, dtype=None, rng=None):
        return np.zeros(*self._check_call(shape, dtype, floating=False))


@registry.register("Ones", "ones", "one")
class Ones(Initializer):
    """All ones.

    Example:
        >>> Ones()((3,)).tolist()
        [1.0, 1.0, 1.0]
    """

    def __call__(self, shape, dtype=None, rng=None):
        return np.ones(*self._check_call(shape, dtype, floating=False))


@registry.register("Constant", "constant")
class Constant(Initializer):
    """A constant value (a scalar, or an array broadcastable to the shape).

    Args:
        value: the fill value. Defaults to 0.0.

    Example:
        >>> Constant(0.5)((2,)).tolist()
        [0.5, 0.5]
    """

    def __init__(self, value=0.0):
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise ValueError(f"Constant: value must be a number or numeric array, got {value!r}")
        self.value = value

    def __call__(self, shape, dtype=None, rng=None):
        shape, dtype = self._check_call(shape, dtype, floating=False)
        value = np.asarray(self.value, dtype=dtype)
        try:
            return np.broadcast_to(value, shape).copy()
        except ValueError:
            raise ValueError(
                f"Constant: value of shape {value.shape} cannot fill shape {shape}; pass a "
                "scalar or an array broadcastable to the weight's shape"
            ) from None

    def get_config(self):
        value = self.value
        return {"value": value.tolist() if isinstance(value, np.ndarray) else value}
