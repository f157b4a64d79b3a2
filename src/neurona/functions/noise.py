"""Random regularization: dropout, Gaussian noise, Gaussian dropout and alpha dropout.

Each is one Function whose ``forward`` draws its noise from the NumPy generator it holds, on the
backend (:meth:`~neurona.backend.Ops.uniform`, :meth:`~neurona.backend.Ops.normal`: on a GPU the
draws happen on the device), keeps what backward needs (the mask or the multiplicative noise)
and applies it. The draw is part of the computation: a recorded training step holds the
generator, not one step's mask, so a replayed step (:mod:`neurona.autograd.replay`) draws fresh
noise, the very numbers eager training would draw.

These functions always add their noise; the layers in :mod:`neurona.layers.regularization` call
them only in training.
"""

import math as _math

import numpy as np

from .. import validation
from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..random import make_generator
from .activation import SELU_ALPHA, SELU_SCALE

__all__ = ["dropout", "gaussian_noise", "gaussian_dropout", "alpha_dropout"]


def _draw_dtype(dtype):
    """Draws are float32 unless the data is wider (float64 data gets float64 noise)."""
    return np.float64 if np.dtype(dtype).itemsize > 4 else np.float32


class Dropout(Function):
    """Inverted dropout: a keep mask (True with probability ``1 - rate``) of ``mask_shape``,
    broadcast to x, scaled by ``1 / (1 - rate)``."""

    def __init__(self, rate, mask_shape, rng):
        self.rate, self.mask_shape, self.rng = rate, mask_shape, rng

    def forward(self, x):
        mask = (self.ops.uniform(self.rng, self.mask_shape) >= self.rate).astype(x.dtype)
        mask *= 1.0 / (1.0 - self.rate)
        self.mask = mask
        return x * mask

    def backward(self, g):
        # dy/dx = mask (it broadcasts to x's shape, never beyond it)
        return (g * self.mask,)


class GaussianNoise(Function):
    """y = x + stddev * n with n standard normal of x's shape."""

    def __init__(self, stddev, rng):
        self.stddev, self.rng = stddev, rng

    def forward(self, x):
        noise = self.ops.normal(self.rng, x.shape, _draw_dtype(x.dtype))
        noise *= self.stddev
        return x + noise.astype(x.dtype, copy=False)

    def backward(self, g):
        # dy/dx = 1
        return (g,)


class GaussianDropout(Function):
    """y = x * (1 + sqrt(rate / (1 - rate)) * n) with n standard normal of x's shape."""

    def __init__(self, rate, rng):
        self.rate, self.rng = rate, rng

    def forward(self, x):
        noise = self.ops.normal(self.rng, x.shape, _draw_dtype(x.dtype))
        noise *= _math.sqrt(self.rate / (1.0 - self.rate))
        noise += 1.0
        self.scale = noise.astype(x.dtype, copy=False)
        return x * self.scale

    def backward(self, g):
        # dy/dx = the multiplicative noise
        return (g * self.scale,)


class AlphaDropout(Function):
    """Alpha dropout: y = x * (a k) + (b where kept, a alpha' + b where dropped) for a keep
    mask k of ``mask_shape`` (see :func:`alpha_dropout` for a, b and alpha')."""

    def __init__(self, rate, mask_shape, rng):
        self.rate, self.mask_shape, self.rng = rate, mask_shape, rng

    def forward(self, x):
        rate = self.rate
        alpha_p = -SELU_ALPHA * SELU_SCALE
        a = ((1.0 - rate) * (1.0 + rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * rate
        scale = (self.ops.uniform(self.rng, self.mask_shape) >= rate).astype(x.dtype)
        # a (x k + alpha' (1 - k)) + b = x (a k) + (b where kept, a alpha' + b where dropped)
        shift = scale * -(a * alpha_p)
        shift += a * alpha_p + b
        scale *= a
        self.scale = scale
        y = x * scale
        y += shift
        return y

    def backward(self, g):
        # dy/dx = a k, broadcast to x's shape
        return (g * self.scale,)


# -- argument checks ---------------------------------------------------------------------------
def check_rate(owner, rate):
    """``rate`` as a float in [0, 1), else a ValueError naming ``owner`` and the value."""
    return validation.real(owner, "rate", rate, 0.0, 1.0, high_open=True,
                           fix="it is the fraction of the units to drop: use e.g. rate=0.5 "
                               "(rate=1 would drop every unit)")


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def _noise_shape(owner, noise_shape, shape):
    """The concrete shape of the mask: None entries take the input's size; every entry must be
    1 or the input's size, so the mask broadcasts to the input."""
    if noise_shape is None:
        return tuple(shape)
    noise_shape = tuple(noise_shape)
    if len(noise_shape) != len(shape):
        raise ValueError(f"{owner}: noise_shape={noise_shape} must have one entry per input axis; "
                         f"the input has shape {tuple(shape)}")
    out = tuple(n if m is None else m for m, n in zip(noise_shape, shape))
    if any(m not in (1, n) for m, n in zip(out, shape)):
        raise ValueError(f"{owner}: noise_shape={noise_shape} does not broadcast to the input "
                         f"shape {tuple(shape)}; each entry must be None, 1 or the input's size")
    return out


def _float_dtype(x):
    return x.dtype if x.dtype.kind == "f" else np.dtype("float32")


def _float_input(x):
    """A tensor of floats (integer inputs are cast to float32, as the noise is real)."""
    x = _tensor(x)
    return x if x.dtype.kind == "f" else Tensor(x.data.astype(_float_dtype(x)))


# -- the public functions --------------------------------------------------------------------
def dropout(x, rate, noise_shape=None, rng=None):
    """Inverted dropout: zero each unit with probability ``rate`` and scale the kept units by
    ``1 / (1 - rate)``, so the expected value of every unit is unchanged.

    Args:
        x: the input.
        rate: fraction of the units to drop, in [0, 1).
        noise_shape: shape of the mask, broadcast to x's shape (None entries take x's size):
            ``(batch, 1, features)`` drops the same features at every timestep.
        rng: ``numpy.random.Generator`` or seed the mask comes from; default a fresh child of
            the library seed.

    Returns:
        A tensor of x's shape.

    Example:
        >>> y = dropout(np.ones(1000), 0.5, rng=0).numpy()
        >>> np.unique(y).tolist()  # dropped units are 0, kept ones scaled by 1 / (1 - 0.5)
        [0.0, 2.0]
    """
    rate = check_rate("dropout", rate)
    x = _tensor(x)
    if rate == 0:
        return x
    x = _float_input(x)
    return Dropout(rate, _noise_shape("dropout", noise_shape, x.shape), make_generator(rng))(x)


def gaussian_noise(x, stddev, rng=None):
    """Add zero-centred Gaussian noise of standard deviation ``stddev``.

    Example:
        >>> gaussian_noise(np.zeros((2, 3)), 0.1, rng=0).shape
        (2, 3)
    """
    stddev = validation.real("gaussian_noise", "stddev", stddev, low=0.0)
    x = _tensor(x)
    if stddev == 0:
        return x
    return GaussianNoise(stddev, make_generator(rng))(_float_input(x))


def gaussian_dropout(x, rate, rng=None):
    """Multiply by 1-centred Gaussian noise of standard deviation ``sqrt(rate / (1 - rate))``
    (the variance of inverted dropout with the same rate).

    Example:
        >>> gaussian_dropout(np.ones((2, 3)), 0.2, rng=0).shape
        (2, 3)
    """
    rate = check_rate("gaussian_dropout", rate)
    x = _tensor(x)
    if rate == 0:
        return x
    return GaussianDropout(rate, make_generator(rng))(_float_input(x))


def alpha_dropout(x, rate, noise_shape=None, rng=None):
    """Dropout for self-normalizing (SELU) networks: dropped units are set to SELU's negative
    saturation ``-alpha * scale`` and an affine map ``a x + b`` restores the mean 0 and
    variance 1 of the input (Klambauer et al., 2017), with
    ``a = ((1 - rate) (1 + rate alpha'^2))^-1/2`` and ``b = -a alpha' rate``, ``alpha' = -alpha
    scale``, as Keras.

    Args:
        x, rate, noise_shape, rng: as in :func:`dropout`.

    Example:
        >>> alpha_dropout(np.zeros((2, 3)), 0.1, rng=0).shape
        (2, 3)
    """
    rate = check_rate("alpha_dropout", rate)
    x = _tensor(x)
    if rate == 0:
        return x
    x = _float_input(x)
    mask_shape = _noise_shape("alpha_dropout", noise_shape, x.shape)
    return AlphaDropout(rate, mask_shape, make_generator(rng))(x)
