"""The Initializer base class, shared argument checks, Keras's fan rule and the constants."""

import math
import numbers

import numpy as np

from .. import config
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


def _check_shape(shape):
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        dims = None
    if dims is None or not all(isinstance(d, numbers.Integral) and d >= 0 for d in dims):
        raise ValueError(f"initializer: shape must be a tuple of non-negative ints, got {shape!r}")
    return tuple(int(d) for d in dims)


def _check_dtype(dtype, floating):
    dtype = np.dtype(config.floatx() if dtype is None else dtype)
    if floating and dtype.kind != "f":
        raise ValueError(
            f"initializer: a random initializer needs a float dtype, got dtype={dtype.name!r}; "
            "pass e.g. dtype='float32'"
        )
    return dtype


def _check_seed(seed):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                             or seed < 0):
        raise ValueError(f"initializer: seed must be None or a non-negative int, got {seed!r}")
    return None if seed is None else int(seed)


def _check_number(owner, name, value, positive=False, non_negative=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{owner}: {name} must be a finite number, got {name}={value!r}")
    if positive and value <= 0:
        raise ValueError(f"{owner}: {name} must be > 0, got {name}={value!r}")
    if non_negative and value < 0:
        raise ValueError(f"{owner}: {name} must be >= 0, got {name}={value!r}")
    return float(value)


class Initializer:
    """Base class: subclasses implement :meth:`__call__` and :meth:`get_config`."""

    def __call__(self, shape, dtype=None, rng=None):
        raise TypeError(f"{type(self).__name__} must define __call__(shape, dtype=None, rng=None)")

    def get_config(self):
        """The constructor arguments as a JSON-friendly dict."""
        return {}

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
        self.seed = _check_seed(seed)

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
        return np.zeros(_check_shape(shape), dtype=_check_dtype(dtype, floating=False))


@registry.register("Ones", "ones", "one")
class Ones(Initializer):
    """All ones.

    Example:
        >>> Ones()((3,)).tolist()
        [1.0, 1.0, 1.0]
    """

    def __call__(self, shape, dtype=None, rng=None):
        return np.ones(_check_shape(shape), dtype=_check_dtype(dtype, floating=False))


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
        shape = _check_shape(shape)
        value = np.asarray(self.value, dtype=_check_dtype(dtype, floating=False))
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
