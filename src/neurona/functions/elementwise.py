"""Elementwise transcendental functions: trigonometric, hyperbolic, error function and friends.

Each is one Function with its derivative beside it. The arithmetic ones (add, exp, log, ...)
live in :mod:`neurona.functions.math`; these complete the set ``keras.ops`` exposes.

``erf``/``erfc`` are computed here on the backend's arrays (neither NumPy nor CuPy's core has
them): ``erfc`` from a Chebyshev fit of ``log(erfcx)``, exact to double precision in both tails,
and ``erf`` near zero from its Taylor series, so neither loses relative precision where its
value is small.
"""

import math as _math

from ..autograd.function import Function
from .math import _shape

__all__ = ["sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh",
           "arccosh", "arctanh", "expm1", "cbrt", "sinc", "erf", "erfc", "arctan2", "hypot",
           "logaddexp"]

_TWO_OVER_SQRT_PI = 2.0 / _math.sqrt(_math.pi)

# Chebyshev coefficients of log(erfcx(z) / t) in s = 2t - 1, t = 2 / (2 + z), z >= 0, fitted
# once to double precision; erfc(z) = t exp(-z^2 + sum c_k T_k(s)) has relative error < 1e-14.
_ERFC_CHEB = (
    -6.5132685989085470e-01, 6.4196979235649010e-01, 1.9476473204185898e-02, -9.5615147868089116e-03,
    -9.4659534448196547e-04, 3.6683949785248888e-04, 4.2523324806848910e-05, -2.0278578112804594e-05,
    -1.6242900043859561e-06, 1.3036558351416763e-06, 1.5626442364874221e-08, -8.5238096717473358e-08,
    6.5290551961829894e-09, 5.0593427364242771e-09, -9.9136338207502821e-10, -2.2736617783987085e-10,
    9.6469192202420909e-11, 2.3927088448421144e-12, -6.8848500074915588e-12, 8.9336382941490802e-13,
    3.1399175954767074e-13, -1.1369557558801354e-13, 1.3286696845629768e-15, 6.3154214368376382e-15,
    -8.8380948650136880e-16,
)
# Taylor coefficients of erf(x) / x in x^2, (-1)^n 2 / (sqrt(pi) n! (2n + 1)): 13 terms reach
# double precision for |x| < 1/2, where 1 - erfc(x) would cancel
_ERF_TAYLOR = tuple((-1) ** n * _TWO_OVER_SQRT_PI / (_math.factorial(n) * (2 * n + 1))
                    for n in range(13))


def erfc_kernel(xp, x):
    """erfc(x) for every real x, in x's dtype, on the array module ``xp``."""
    z = xp.minimum(xp.abs(x), 27.0)  # erfc(27) underflows float64: the cap avoids z^2 overflow
    t = 2 / (2 + z)
    s = 2 * t - 1
    b1 = b2 = 0
    for c in _ERFC_CHEB[:0:-1]:  # Clenshaw recurrence for sum c_k T_k(s)
        b1, b2 = 2 * s * b1 - b2 + c, b1
    tail = t * xp.exp(s * b1 - b2 + _ERFC_CHEB[0] - z * z)
    return xp.where(x < 0, 2 - tail, tail).astype(x.dtype, copy=False)


def _erf_kernel(xp, x):
    x2 = x * x
    series = 0
    for c in _ERF_TAYLOR[::-1]:  # Horner in x^2
        series = series * x2 + c
    outer = xp.sign(x) * (1 - erfc_kernel(xp, xp.abs(x)))
    return xp.where(xp.abs(x) < 0.5, x * series, outer).astype(x.dtype, copy=False)


class _Unary(Function):
    """Keeps the input for the derivative."""

    def forward(self, x):
        self.x = x
        return self.apply(x)


class Sin(_Unary):
    def apply(self, x):
        return self.xp.sin(x)

    def backward(self, g):
        return (g * self.xp.cos(self.x),)


class Cos(_Unary):
    def apply(self, x):
        return self.xp.cos(x)

    def backward(self, g):
        return (-g * self.xp.sin(self.x),)


class Tan(Function):
    def forward(self, x):
        self.y = self.xp.tan(x)
        return self.y

    def backward(self, g):
        # tan' = 1 + tan^2
        return (g * (1 + self.y * self.y),)


class Arcsin(_Unary):
    def apply(self, x):
        return self.xp.arcsin(x)

    def backward(self, g):
        # asin' = 1 / sqrt(1 - x^2)
        return (g / self.xp.sqrt(1 - self.x * self.x),)


class Arccos(_Unary):
    def apply(self, x):
        return self.xp.arccos(x)

    def backward(self, g):
        return (-g / self.xp.sqrt(1 - self.x * self.x),)


class Arctan(_Unary):
    def apply(self, x):
        return self.xp.arctan(x)

    def backward(self, g):
        return (g / (1 + self.x * self.x),)


class Sinh(_Unary):
    def apply(self, x):
        return self.xp.sinh(x)

    def backward(self, g):
        return (g * self.xp.cosh(self.x),)


class Cosh(_Unary):
    def apply(self, x):
        return self.xp.cosh(x)

    def backward(self, g):
        return (g * self.xp.sinh(self.x),)


class Arcsinh(_Unary):
    def apply(self, x):
        return self.xp.arcsinh(x)

    def backward(self, g):
        return (g / self.xp.sqrt(self.x * self.x + 1),)


class Arccosh(_Unary):
    def apply(self, x):
        return self.xp.arccosh(x)

    def backward(self, g):
        # acosh' = 1 / sqrt(x^2 - 1), x > 1
        return (g / self.xp.sqrt(self.x * self.x - 1),)


class Arctanh(_Unary):
    def apply(self, x):
        return self.xp.arctanh(x)

    def backward(self, g):
        return (g / (1 - self.x * self.x),)


class Expm1(Function):
    def forward(self, x):
        self.y = self.xp.expm1(x)
        return self.y

    def backward(self, g):
        # (e^x - 1)' = e^x = y + 1
        return (g * (self.y + 1),)


class Cbrt(Function):
    def forward(self, x):
        self.y = self.xp.cbrt(x)
        return self.y

    def backward(self, g):
        # d x^(1/3) = 1 / (3 y^2) (infinite at 0, as the function's slope is)
        return (g / (3 * self.y * self.y),)


class Sinc(_Unary):
    """sin(pi x) / (pi x), 1 at 0 (NumPy's normalized sinc)."""

    def apply(self, x):
        return self.xp.sinc(x)

    def backward(self, g):
        # sinc'(x) = (cos(pi x) - sinc(x)) / x, 0 at x = 0 (sinc is even)
        xp, x = self.xp, self.x
        nonzero = x != 0
        safe = xp.where(nonzero, x, 1)
        d = (xp.cos(_math.pi * safe) - xp.sinc(safe)) / safe
        return (g * xp.where(nonzero, d, 0),)


class Erf(_Unary):
    def apply(self, x):
        return _erf_kernel(self.xp, x)

    def backward(self, g):
        # erf'(x) = 2 / sqrt(pi) exp(-x^2)
        return (g * (_TWO_OVER_SQRT_PI * self.xp.exp(-self.x * self.x)),)


class Erfc(_Unary):
    def apply(self, x):
        return erfc_kernel(self.xp, x)

    def backward(self, g):
        return (g * (-_TWO_OVER_SQRT_PI * self.xp.exp(-self.x * self.x)),)


class Arctan2(Function):
    """The angle of the point (x2, x1), in (-pi, pi]."""

    def forward(self, y, x):
        self.y, self.x = y, x
        return self.xp.arctan2(y, x)

    def backward(self, g):
        # d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2)
        y, x = self.y, self.x
        s = g / (x * x + y * y)
        sum_to = self.ops.sum_to
        return (sum_to(s * x, _shape(y)) if self.needs_grad[0] else None,
                sum_to(-s * y, _shape(x)) if self.needs_grad[1] else None)


class Hypot(Function):
    """sqrt(a^2 + b^2) without overflow."""

    def forward(self, a, b):
        self.a, self.b = a, b
        self.h = self.xp.hypot(a, b)
        return self.h

    def backward(self, g):
        # d/da = a / h, d/db = b / h; taken as 0 at the origin (a subgradient)
        xp, h = self.xp, self.h
        s = g / xp.where(h == 0, 1, h)
        sum_to = self.ops.sum_to
        return (sum_to(s * self.a, _shape(self.a)) if self.needs_grad[0] else None,
                sum_to(s * self.b, _shape(self.b)) if self.needs_grad[1] else None)


class LogAddExp(Function):
    """log(exp(a) + exp(b)) without overflow."""

    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = self.xp.logaddexp(a, b)
        return self.y

    def backward(self, g):
        # d/da = exp(a - y), d/db = exp(b - y): the two softmax weights (1/2 each at a tie)
        xp, y = self.xp, self.y
        sum_to = self.ops.sum_to
        return (sum_to(g * xp.exp(self.a - y), _shape(self.a)) if self.needs_grad[0] else None,
                sum_to(g * xp.exp(self.b - y), _shape(self.b)) if self.needs_grad[1] else None)


def sin(x):
    return Sin()(x)


def cos(x):
    return Cos()(x)


def tan(x):
    return Tan()(x)


def arcsin(x):
    return Arcsin()(x)


def arccos(x):
    return Arccos()(x)


def arctan(x):
    return Arctan()(x)


def sinh(x):
    return Sinh()(x)


def cosh(x):
    return Cosh()(x)


def arcsinh(x):
    return Arcsinh()(x)


def arccosh(x):
    return Arccosh()(x)


def arctanh(x):
    return Arctanh()(x)


def expm1(x):
    return Expm1()(x)


def cbrt(x):
    return Cbrt()(x)


def sinc(x):
    return Sinc()(x)


def erf(x):
    return Erf()(x)


def erfc(x):
    return Erfc()(x)


def arctan2(y, x):
    return Arctan2()(y, x)


def hypot(a, b):
    return Hypot()(a, b)


def logaddexp(a, b):
    return LogAddExp()(a, b)
