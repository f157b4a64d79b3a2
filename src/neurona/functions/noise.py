"""Random regularization: dropout, Gaussian noise, Gaussian dropout and alpha dropout.

Each is one node ``y = x * scale + shift`` whose ``scale`` and ``shift`` are random arrays drawn
once per call and then held fixed, so backward multiplies by the very mask forward used. The
random numbers are drawn on the host with a NumPy ``Generator`` and moved to the backend, so the
CPU and the GPU see the same noise for one seed (masks travel as booleans, a quarter of the
bytes of float32).

These functions always add their noise; the layers in :mod:`neurona.layers.regularization` call
them only in training.
"""

import math as _math
import numbers

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..random import make_generator
from .activation import SELU_ALPHA, SELU_SCALE

__all__ = ["dropout", "gaussian_noise", "gaussian_dropout", "alpha_dropout"]


class Noise(Function):
    """y = x * scale + shift with fixed arrays ``scale`` and ``shift`` (either may be None)
    broadcastable to x's shape: a dropout mask, multiplicative or additive noise."""

    def __init__(self, scale=None, shift=None):
        self.scale, self.shift = scale, shift

    def forward(self, x):
        if self.scale is None:
            return x + self.shift
        y = x * self.scale
        if self.shift is not None:
            y += self.shift
        return y

    def backward(self, g):
        # dy/dx = scale (1 without one); scale broadcasts to x's shape, never beyond it
        return (g if self.scale is None else g * self.scale,)


class Dropout(Function):
    """Inverted dropout whose mask is drawn in ``forward`` from ``rng``: the node a training
    step records holds the generator, not one step's mask, so a replayed step
    (:mod:`neurona.autograd.replay`) draws a fresh mask, the same one eager training would."""

    def __init__(self, rate, mask_shape, rng):
        self.rate, self.mask_shape, self.rng = rate, mask_shape, rng

    def forward(self, x):
        mask = _keep_mask(self.rng, self.rate, self.mask_shape).astype(x.dtype)
        mask *= 1.0 / (1.0 - self.rate)
        self.mask = mask
        return x * mask

    def backward(self, g):
        return (g * self.mask,)


# -- argument checks ---------------------------------------------------------------------------
def check_rate(owner, rate):
    """``rate`` as a float in [0, 1), else a ValueError naming ``owner`` and the value."""
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(
            f"{owner}: rate must be a float in [0, 1), the fraction of the units to drop, got "
            f"rate={rate!r}; use e.g. rate=0.5 (rate=1 would drop every unit)"
        )
    return float(rate)


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


def _normal(rng, shape, dtype):
    """Standard normal draws on the host, in float32 unless ``dtype`` is wider."""
    draw = np.float64 if np.dtype(dtype).itemsize > 4 else np.float32
    return make_generator(rng).standard_normal(shape, dtype=draw)


def _keep_mask(rng, rate, shape):
    """Boolean keep mask on the backend: True with probability 1 - rate."""
    return get_ops().asarray(make_generator(rng).random(shape, dtype=np.float32) >= rate)


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
    if x.dtype.kind != "f":
        x = Tensor(x.data.astype(_float_dtype(x)))
    return Dropout(rate, _noise_shape("dropout", noise_shape, x.shape), rng)(x)


def gaussian_noise(x, stddev, rng=None):
    """Add zero-centred Gaussian noise of standard deviation ``stddev``.

    Example:
        >>> gaussian_noise(np.zeros((2, 3)), 0.1, rng=0).shape
        (2, 3)
    """
    if isinstance(stddev, bool) or not isinstance(stddev, numbers.Real) or not stddev >= 0:
        raise ValueError(f"gaussian_noise: stddev must be a float >= 0, got stddev={stddev!r}")
    x = _tensor(x)
    if stddev == 0:
        return x
    dtype = _float_dtype(x)
    noise = _normal(rng, x.shape, dtype)
    noise *= stddev
    return Noise(shift=get_ops().asarray(noise.astype(dtype, copy=False)))(x)


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
    dtype = _float_dtype(x)
    noise = _normal(rng, x.shape, dtype)
    noise *= _math.sqrt(rate / (1.0 - rate))
    noise += 1.0
    return Noise(scale=get_ops().asarray(noise.astype(dtype, copy=False)))(x)


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
    dtype = _float_dtype(x)
    alpha_p = -SELU_ALPHA * SELU_SCALE
    a = ((1.0 - rate) * (1.0 + rate * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * rate
    keep = _keep_mask(rng, rate, _noise_shape("alpha_dropout", noise_shape, x.shape))
    # a (x k + alpha' (1 - k)) + b = x (a k) + (b where kept, a alpha' + b where dropped)
    scale = keep.astype(dtype)
    shift = scale * -(a * alpha_p)
    shift += a * alpha_p + b
    scale *= a
    return Noise(scale=scale, shift=shift)(x)
