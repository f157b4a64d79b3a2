"""Activation functions, each one Function with its derivative beside it.

``softmax`` and ``sigmoid`` tag their output with the logits they came from, so a cross-entropy
loss on probabilities can be computed exactly from the logits instead (as Keras does).

Every function is stable for large ``|x|``: sigmoid in its tanh form, softplus as
``max(x, 0) + log1p(exp(-|x|))``, exponentials taken only of non-positive numbers (except in
``exponential`` itself), softmax shifted by its maximum.
"""

import math as _math

import numpy as np

from .. import validation
from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..random import make_generator
from .elementwise import erfc_kernel
from .math import Exp, multiply
from .shape import concatenate

__all__ = ["step", "relu", "relu6", "leaky_relu", "prelu", "rrelu", "elu", "selu", "gelu",
           "sigmoid", "hard_sigmoid", "hard_silu", "hard_swish", "tanh", "silu", "swish", "softplus",
           "softsign", "mish", "exponential", "softmax", "log_softmax", "crelu", "linear"]

# SELU's fixed point constants (Klambauer et al., 2017), as Keras uses them
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

_SQRT_HALF = _math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / _math.sqrt(2.0 * _math.pi)
_GELU_K = _math.sqrt(2.0 / _math.pi)  # tanh approximation: tanh(k (x + 0.044715 x^3))
_GELU_C = 0.044715


def _number(fn, arg, value, low=None, finite=True):
    """``value`` as a float; TypeError for a non-number, as Python's own functions raise."""
    return validation.real(fn, arg, value, low, finite=finite, type_error=TypeError)


def _axis(fn, axis):
    return validation.axis(fn, "axis", axis, type_error=TypeError)


# -- the rectifier family ------------------------------------------------------------------------
class Step(Function):
    """Heaviside step, 1 for x > 0 else 0 (the perceptron's activation).

    Its derivative is zero wherever it exists, so gradients through it are zero: a network
    with step activations cannot be trained by backpropagation (the perceptron rule is used).
    """

    differentiable = False

    def forward(self, x):
        return (x > 0).astype(x.dtype)

    def backward(self, g):
        # step'(x) = 0 for x != 0 (undefined at 0; taken as 0)
        return (self.xp.zeros_like(g),)


class ReLU(Function):
    def forward(self, x):
        self.y = self.xp.maximum(x, 0)
        return self.y

    def backward(self, g):
        # relu'(x) = 1 for x > 0, else 0
        return (g * (self.y > 0),)


class ThresholdReLU(Function):
    """Keras's relu with options: x above ``threshold`` (capped at ``max_value``),
    ``negative_slope * (x - threshold)`` below it."""

    def __init__(self, negative_slope=0.0, max_value=None, threshold=0.0):
        self.negative_slope, self.max_value, self.threshold = negative_slope, max_value, threshold

    def forward(self, x):
        xp, t = self.xp, self.threshold
        self.x = x
        pos = xp.where(x > t, x, 0)
        if self.max_value is not None:  # Keras clips the positive part to [0, max_value]
            pos = xp.clip(pos, 0, self.max_value)
        out = pos + self.negative_slope * xp.minimum(x - t, 0)
        return out.astype(x.dtype, copy=False)

    def backward(self, g):
        # f'(x) = 1 on the open linear part (t < x, and 0 < x < max_value when capped),
        #         negative_slope for x < t, 0 elsewhere
        x, t = self.x, self.threshold
        slope = (x > t).astype(g.dtype)
        if self.max_value is not None:
            slope *= (x > 0) & (x < self.max_value)
        if self.negative_slope:
            slope += self.negative_slope * (x < t)
        return (g * slope,)


class LeakyReLU(Function):
    """x for x > 0, slope * x otherwise; ``slope`` is the second input: a number (leaky relu),
    a learnable tensor (prelu) or an array of random slopes (rrelu in training)."""

    def forward(self, x, slope):
        self.x, self.slope = x, slope
        return self.xp.where(x > 0, x, x * slope)

    def backward(self, g):
        # df/dx = 1 for x > 0 else slope;  df/dslope = min(x, 0)
        x, slope = self.x, self.slope
        xp = self.xp
        gx = gs = None
        if self.needs_grad[0]:
            gx = self.ops.sum_to(xp.where(x > 0, g, g * slope), x.shape)
        if self.needs_grad[1]:
            gs = self.ops.sum_to(g * xp.minimum(x, 0), slope.shape)
        return gx, gs


class RReLU(LeakyReLU):
    """Leaky relu whose slope for each element is drawn uniformly from ``[lower, upper]`` in
    forward, from the NumPy generator it holds (the draw is part of the computation, so a
    replayed training step draws fresh slopes)."""

    def __init__(self, lower, upper, rng):
        self.lower, self.upper, self.rng = lower, upper, rng

    def forward(self, x):
        slopes = self.ops.uniform(self.rng, x.shape, np.float64)
        slopes *= self.upper - self.lower
        slopes += self.lower
        return super().forward(x, slopes.astype(x.dtype, copy=False))

    def backward(self, g):
        # df/dx = 1 for x > 0 else the element's slope (x is the only input)
        return (self.xp.where(self.x > 0, g, g * self.slope),)


class ELU(Function):
    """scale * (x for x > 0, alpha * (exp(x) - 1) otherwise): elu (scale 1) and selu."""

    def __init__(self, alpha=1.0, scale=1.0):
        self.alpha, self.scale = alpha, scale

    def forward(self, x):
        xp = self.xp
        self.pos = x > 0
        neg = (self.alpha * self.scale) * xp.expm1(xp.minimum(x, 0))  # no overflow for x >> 0
        self.y = xp.where(self.pos, self.scale * x, neg).astype(x.dtype, copy=False)
        return self.y

    def backward(self, g):
        # f'(x) = scale for x > 0, else scale * alpha * exp(x) = y + scale * alpha
        d = self.xp.where(self.pos, self.scale, self.y + self.alpha * self.scale)
        return (g * d,)


# -- smooth gates ---------------------------------------------------------------------------------
class Sigmoid(Function):
    def forward(self, x):
        self.y = self.ops.sigmoid(x)
        return self.y

    def backward(self, g):
        # sigma' = sigma (1 - sigma)
        y = self.y
        return (g * y * (1 - y),)


class HardSigmoid(Function):
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear in between (Keras 3 and PyTorch)."""

    def forward(self, x):
        self.y = self.xp.clip(x / 6 + 0.5, 0, 1).astype(x.dtype, copy=False)
        return self.y

    def backward(self, g):
        # f'(x) = 1/6 on -3 < x < 3 (where 0 < y < 1), else 0
        y = self.y
        return (g * (((y > 0) & (y < 1)) / 6.0).astype(g.dtype),)


class Tanh(Function):
    def forward(self, x):
        self.y = self.xp.tanh(x)
        return self.y

    def backward(self, g):
        # tanh' = 1 - tanh^2
        return (g * (1 - self.y * self.y),)


class SiLU(Function):
    """x * sigmoid(x) (swish)."""

    def forward(self, x):
        self.x, self.s = x, self.ops.sigmoid(x)
        return x * self.s

    def backward(self, g):
        # (x s)' = s + x s (1 - s) = s (1 + x (1 - s))
        s = self.s
        return (g * s * (1 + self.x * (1 - s)),)


class Softplus(Function):
    def forward(self, x):
        self.x = x
        return self.ops.softplus(x)

    def backward(self, g):
        # softplus' = sigmoid
        return (g * self.ops.sigmoid(self.x),)


class Softsign(Function):
    """x / (1 + |x|)."""

    def forward(self, x):
        self.y = x / (1 + self.xp.abs(x))
        return self.y

    def backward(self, g):
        # f'(x) = 1 / (1 + |x|)^2 = (1 - |y|)^2
        d = 1 - self.xp.abs(self.y)
        return (g * d * d,)


class Mish(Function):
    """x * tanh(softplus(x))."""

    def forward(self, x):
        self.x, self.t = x, self.xp.tanh(self.ops.softplus(x))
        return x * self.t

    def backward(self, g):
        # f'(x) = t + x (1 - t^2) sigmoid(x), with t = tanh(softplus(x))
        t = self.t
        return (g * (t + self.x * (1 - t * t) * self.ops.sigmoid(self.x)),)


def _normal_cdf(xp, x):
    """Phi(x) = erfc(-x / sqrt 2) / 2: the tail is computed directly, so no precision is lost."""
    return 0.5 * erfc_kernel(xp, -x * _SQRT_HALF)


class GELU(Function):
    """x * Phi(x) (exact), or its tanh approximation 0.5 x (1 + tanh(k (x + 0.044715 x^3)))."""

    def __init__(self, approximate=False):
        self.approximate = approximate

    def forward(self, x):
        self.x = x
        if self.approximate:
            self.t = self.xp.tanh(_GELU_K * (x + _GELU_C * x * x * x))
            return 0.5 * x * (1 + self.t)
        self.cdf = _normal_cdf(self.xp, x)
        return x * self.cdf

    def backward(self, g):
        x = self.x
        if self.approximate:
            # f' = (1 + t) / 2 + x (1 - t^2) k (1 + 3 c x^2) / 2
            t = self.t
            d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _GELU_K * (1 + 3 * _GELU_C * x * x)
        else:
            # f' = Phi(x) + x phi(x), phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
            d = self.cdf + x * (_INV_SQRT_2PI * self.xp.exp(-0.5 * x * x))
        return (g * d,)


# -- over an axis --------------------------------------------------------------------------------
class Softmax(Function):
    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        self.y = self.ops.softmax(x, axis=self.axis)
        return self.y

    def backward(self, g):
        # J^T g = y * (g - sum(g * y))
        y = self.y
        return (y * (g - (g * y).sum(axis=self.axis, keepdims=True)),)


class LogSoftmax(Function):
    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        out = self.ops.log_softmax(x, axis=self.axis)
        self.y = out
        return out

    def backward(self, g):
        # d log_softmax = g - softmax * sum(g)
        return (g - self.xp.exp(self.y) * g.sum(axis=self.axis, keepdims=True),)


# -- the public wrappers: each takes a tensor, a backend array or array-like ``x`` and returns a
# Tensor of x's shape (crelu: twice as wide along ``axis``) ---------------------------------------
def _input(x):
    """Tensors and backend arrays pass through; lists, scalars and host arrays become tensors."""
    return x if isinstance(x, Tensor) or get_ops().is_array(x) else Tensor(x)


def linear(x):
    """Identity, Keras's "linear" activation: returns ``x`` itself."""
    return x


def step(x):
    """Heaviside step: 1 where x > 0, else 0 (the perceptron's activation).

    Its gradient is zero everywhere: a step network trains only with the perceptron rule.

    Example:
        >>> step([-1.0, 0.0, 2.0]).tolist()
        [0.0, 0.0, 1.0]
    """
    return Step()(_input(x))


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit with Keras's options.

    ``max(x, 0)`` by default; otherwise ``x`` above ``threshold`` (capped at ``max_value``) and
    ``negative_slope * (x - threshold)`` below it.

    Args:
        x: the input.
        negative_slope: slope below the threshold.
        max_value: saturation value, or None for no cap.
        threshold: where the linear part starts.

    Returns:
        A tensor of x's shape.

    Example:
        >>> relu([-10.0, -5.0, 0.0, 5.0, 10.0], max_value=5.0).tolist()
        [0.0, 0.0, 0.0, 5.0, 5.0]
    """
    negative_slope = _number("relu", "negative_slope", negative_slope)
    threshold = _number("relu", "threshold", threshold)
    if max_value is not None:
        max_value = _number("relu", "max_value", max_value, finite=False)  # inf: no cap
    x = _input(x)
    if max_value is None and threshold == 0:
        return ReLU()(x) if negative_slope == 0 else LeakyReLU()(x, negative_slope)
    return ThresholdReLU(negative_slope, max_value, threshold)(x)


def relu6(x):
    """ReLU capped at 6: ``min(max(x, 0), 6)``."""
    return ThresholdReLU(max_value=6.0)(_input(x))


def leaky_relu(x, negative_slope=0.2):
    """Leaky ReLU: ``x`` for x > 0, ``negative_slope * x`` otherwise (Keras 3 default 0.2).

    Example:
        >>> leaky_relu([-10.0, 5.0], negative_slope=0.5).tolist()
        [-5.0, 5.0]
    """
    return LeakyReLU()(_input(x), _number("leaky_relu", "negative_slope", negative_slope))


def prelu(x, alpha):
    """Parametric ReLU: ``x`` for x > 0, ``alpha * x`` otherwise, with a learnable ``alpha``
    (a tensor broadcastable to x; its gradient is summed back to its own shape)."""
    if not (isinstance(alpha, Tensor) or get_ops().is_array(alpha)):
        raise TypeError(f"prelu: alpha must be a tensor (the learnable slopes), got {alpha!r}")
    return LeakyReLU()(_input(x), alpha)


def rrelu(x, lower=1.0 / 8, upper=1.0 / 3, training=False, rng=None):
    """Randomized leaky ReLU (PyTorch's RReLU).

    In training each element's negative slope is drawn uniformly from ``[lower, upper]``; in
    inference the slope is the mean ``(lower + upper) / 2``.

    Args:
        x: the input.
        lower, upper: bounds of the slope, ``0 <= lower <= upper``.
        training: draw random slopes (True) or use the mean slope (False).
        rng: ``numpy.random.Generator`` (or seed) the slopes come from; default a fresh
            child of the library seed.

    Returns:
        A tensor of x's shape.
    """
    lower = _number("rrelu", "lower", lower, low=0.0)
    upper = _number("rrelu", "upper", upper, low=lower)  # the slopes are drawn from [lower, upper]
    x = _input(x)
    if not training:
        return LeakyReLU()(x, (lower + upper) / 2)
    return RReLU(lower, upper, make_generator(rng))(x)


def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` for x > 0, ``alpha * (exp(x) - 1)`` otherwise."""
    return ELU(_number("elu", "alpha", alpha))(_input(x))


def selu(x):
    """Scaled ELU, ``scale * elu(x, alpha)`` with Keras's constants (alpha ~ 1.6733,
    scale ~ 1.0507); pair it with the "lecun_normal" initializer."""
    return ELU(SELU_ALPHA, SELU_SCALE)(_input(x))


def gelu(x, approximate=False):
    """Gaussian error linear unit ``x * P(X <= x)``, X standard normal.

    Args:
        x: the input.
        approximate: use ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`` instead.

    Returns:
        A tensor of x's shape.
    """
    return GELU(validation.boolean("gelu", "approximate", approximate))(_input(x))


def sigmoid(x):
    """Logistic ``1 / (1 + exp(-x))``, stable for every x. The output remembers ``x`` so a
    cross-entropy loss on it is computed from the logits."""
    x = _input(x)
    out = Sigmoid()(x)
    out._logits = x
    return out


def hard_sigmoid(x):
    """Piecewise linear sigmoid ``relu6(x + 3) / 6``: 0 below -3, 1 above 3."""
    return HardSigmoid()(_input(x))


def hard_silu(x):
    """Hard swish ``x * hard_sigmoid(x)``."""
    x = _input(x)
    return multiply(x, hard_sigmoid(x))


hard_swish = hard_silu


def tanh(x):
    """Hyperbolic tangent."""
    return Tanh()(_input(x))


def silu(x):
    """Swish / SiLU: ``x * sigmoid(x)``."""
    return SiLU()(_input(x))


swish = silu


def softplus(x):
    """``log(1 + exp(x))`` without overflow."""
    return Softplus()(_input(x))


def softsign(x):
    """``x / (1 + |x|)``."""
    return Softsign()(_input(x))


def mish(x):
    """``x * tanh(softplus(x))``."""
    return Mish()(_input(x))


def exponential(x):
    """``exp(x)``; like Keras it overflows to inf (above about 88 in float32)."""
    return Exp()(_input(x))


def softmax(x, axis=-1):
    """Normalized exponentials: each slice along ``axis`` becomes a probability distribution.
    The output remembers the logits ``x`` for an exact cross-entropy.

    Example:
        >>> softmax([0.0, 0.0]).tolist()
        [0.5, 0.5]
    """
    axis = _axis("softmax", axis)
    x = _input(x)
    out = Softmax(axis)(x)
    out._logits = x
    out._logits_axis = axis
    return out


def log_softmax(x, axis=-1):
    """``log(softmax(x))`` as ``x - logsumexp(x)`` along ``axis``: finite for any logits."""
    return LogSoftmax(_axis("log_softmax", axis))(_input(x))


def crelu(x, axis=-1):
    """Concatenated ReLU ``[relu(x), relu(-x)]`` along ``axis`` (twice as wide there)."""
    x = _input(x)
    return concatenate([relu(x), relu(-x)], axis=_axis("crelu", axis))
