"""``keras.ops``: functions of one tensor, elementwise.

Each takes a Tensor, an array or Python data ``x`` and returns a Tensor of x's shape. The
transcendental ones compute in x's float dtype (integers and bools become ``floatx()``, as in
Keras) and are differentiable; rounding and sign have a zero derivative wherever they have one,
so their results carry no gradient.
"""

import math as _math

from .. import functions as F
from ..autograd.tensor import Tensor
from ..validation import integer
from .dtypes import as_float, cast, to_tensor

__all__ = ["abs", "absolute", "fabs", "negative", "square", "sqrt", "rsqrt", "reciprocal", "cbrt",
           "exp", "exp2", "expm1", "log", "log1p", "log2", "log10", "sin", "cos", "tan", "arcsin",
           "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "erf",
           "erfc", "sinc", "deg2rad", "rad2deg", "sign", "floor", "ceil", "round", "trunc"]

_LN2 = _math.log(2.0)
_LN10 = _math.log(10.0)


def _f(x, owner):
    return as_float(x, owner)


def abs(x):  # noqa: A001  (Keras's name)
    """Absolute value (keeps x's dtype; the derivative at 0 is taken as 0).

    Example:
        >>> abs([-2, 3]).tolist()
        [2, 3]
    """
    x = to_tensor(x, owner="abs")
    return x if x.dtype.name == "bool" or x.dtype.kind == "u" else F.abs(x)


absolute = abs


def fabs(x):
    """Absolute value as a float.

    Example:
        >>> fabs([-2]).tolist()
        [2.0]
    """
    return F.abs(_f(x, "fabs"))


def negative(x):
    """``-x``.

    Example:
        >>> negative([1.0, -2.0]).tolist()
        [-1.0, 2.0]
    """
    return F.negative(to_tensor(x, owner="negative"))


def square(x):
    """``x * x`` (bools become int32).

    Example:
        >>> square([3.0]).tolist()
        [9.0]
    """
    x = to_tensor(x, owner="square")
    return F.square(cast(x, "int32") if x.dtype.name == "bool" else x)


def sqrt(x):
    """Square root.

    Example:
        >>> sqrt([4.0, 9.0]).tolist()
        [2.0, 3.0]
    """
    return F.sqrt(_f(x, "sqrt"))


def rsqrt(x):
    """``1 / sqrt(x)``.

    Example:
        >>> rsqrt([4.0]).tolist()
        [0.5]
    """
    return F.divide(1.0, F.sqrt(_f(x, "rsqrt")))


def reciprocal(x):
    """``1 / x``.

    Example:
        >>> reciprocal([4.0]).tolist()
        [0.25]
    """
    return F.divide(1.0, _f(x, "reciprocal"))


def cbrt(x):
    """Cube root (real, also for negative x).

    Example:
        >>> cbrt([-8.0]).tolist()
        [-2.0]
    """
    return F.cbrt(_f(x, "cbrt"))


def exp(x):
    """``e ** x``.

    Example:
        >>> exp([0.0]).tolist()
        [1.0]
    """
    return F.exp(_f(x, "exp"))


def exp2(x):
    """``2 ** x``.

    Example:
        >>> exp2([3.0]).tolist()
        [8.0]
    """
    return F.exp(F.multiply(_f(x, "exp2"), _LN2))


def expm1(x):
    """``exp(x) - 1``, exact for small x.

    Example:
        >>> expm1([0.0]).tolist()
        [0.0]
    """
    return F.expm1(_f(x, "expm1"))


def log(x):
    """Natural logarithm.

    Example:
        >>> log([1.0]).tolist()
        [0.0]
    """
    return F.log(_f(x, "log"))


def log1p(x):
    """``log(1 + x)``, exact for small x.

    Example:
        >>> log1p([0.0]).tolist()
        [0.0]
    """
    return F.log1p(_f(x, "log1p"))


def log2(x):
    """Base-2 logarithm.

    Example:
        >>> log2([8.0]).tolist()
        [3.0]
    """
    return F.divide(F.log(_f(x, "log2")), _LN2)


def log10(x):
    """Base-10 logarithm.

    Example:
        >>> log10([100.0]).tolist()
        [2.0]
    """
    return F.divide(F.log(_f(x, "log10")), _LN10)


def sin(x):
    """Sine (radians).

    Example:
        >>> sin([0.0]).tolist()
        [0.0]
    """
    return F.sin(_f(x, "sin"))


def cos(x):
    """Cosine (radians).

    Example:
        >>> cos([0.0]).tolist()
        [1.0]
    """
    return F.cos(_f(x, "cos"))


def tan(x):
    """Tangent (radians).

    Example:
        >>> tan([0.0]).tolist()
        [0.0]
    """
    return F.tan(_f(x, "tan"))


def arcsin(x):
    """Inverse sine, in [-pi/2, pi/2].

    Example:
        >>> arcsin([0.0]).tolist()
        [0.0]
    """
    return F.arcsin(_f(x, "arcsin"))


def arccos(x):
    """Inverse cosine, in [0, pi].

    Example:
        >>> arccos([1.0]).tolist()
        [0.0]
    """
    return F.arccos(_f(x, "arccos"))


def arctan(x):
    """Inverse tangent, in (-pi/2, pi/2).

    Example:
        >>> arctan([0.0]).tolist()
        [0.0]
    """
    return F.arctan(_f(x, "arctan"))


def sinh(x):
    """Hyperbolic sine.

    Example:
        >>> sinh([0.0]).tolist()
        [0.0]
    """
    return F.sinh(_f(x, "sinh"))


def cosh(x):
    """Hyperbolic cosine.

    Example:
        >>> cosh([0.0]).tolist()
        [1.0]
    """
    return F.cosh(_f(x, "cosh"))


def tanh(x):
    """Hyperbolic tangent.

    Example:
        >>> tanh([0.0]).tolist()
        [0.0]
    """
    return F.tanh(_f(x, "tanh"))


def arcsinh(x):
    """Inverse hyperbolic sine.

    Example:
        >>> arcsinh([0.0]).tolist()
        [0.0]
    """
    return F.arcsinh(_f(x, "arcsinh"))


def arccosh(x):
    """Inverse hyperbolic cosine (x >= 1).

    Example:
        >>> arccosh([1.0]).tolist()
        [0.0]
    """
    return F.arccosh(_f(x, "arccosh"))


def arctanh(x):
    """Inverse hyperbolic tangent (|x| < 1).

    Example:
        >>> arctanh([0.0]).tolist()
        [0.0]
    """
    return F.arctanh(_f(x, "arctanh"))


def erf(x):
    """The error function ``2/sqrt(pi) * integral_0^x exp(-t^2) dt``.

    Example:
        >>> erf([0.0]).tolist()
        [0.0]
    """
    return F.erf(_f(x, "erf"))


def erfc(x):
    """The complementary error function ``1 - erf(x)``, exact in the right tail.

    Example:
        >>> erfc([0.0]).tolist()
        [1.0]
    """
    return F.erfc(_f(x, "erfc"))


def sinc(x):
    """Normalized sinc ``sin(pi x) / (pi x)``, 1 at 0.

    Example:
        >>> sinc([0.0]).tolist()
        [1.0]
    """
    return F.sinc(_f(x, "sinc"))


def deg2rad(x):
    """Degrees to radians.

    Example:
        >>> deg2rad(np.array([180.0])).tolist()
        [3.141592653589793]
    """
    return F.multiply(_f(x, "deg2rad"), _math.pi / 180.0)


def rad2deg(x):
    """Radians to degrees.

    Example:
        >>> rad2deg([0.0]).tolist()
        [0.0]
    """
    return F.multiply(_f(x, "rad2deg"), 180.0 / _math.pi)


# -- piecewise constant: no gradient ---------------------------------------------------------------
def _constant(x, fn):
    return Tensor(fn(x.data))


def sign(x):
    """-1, 0 or 1 by the sign of x (keeps x's dtype).

    Example:
        >>> sign([-2.0, 0.0, 3.0]).tolist()
        [-1.0, 0.0, 1.0]
    """
    x = to_tensor(x, owner="sign")
    if x.dtype.name == "bool":
        raise TypeError("sign: a bool tensor has no sign; cast it to a number first")
    return _constant(x, x.ops.xp.sign)


def floor(x):
    """The largest integer <= x, as a float.

    Example:
        >>> floor([1.7, -1.2]).tolist()
        [1.0, -2.0]
    """
    x = _f(x, "floor")
    return _constant(x, x.ops.xp.floor)


def ceil(x):
    """The smallest integer >= x, as a float.

    Example:
        >>> ceil([1.2, -1.7]).tolist()
        [2.0, -1.0]
    """
    x = _f(x, "ceil")
    return _constant(x, x.ops.xp.ceil)


def round(x, decimals=0):  # noqa: A001  (Keras's name)
    """Round half to even, to ``decimals`` decimal places (keeps x's dtype).

    Example:
        >>> round([0.5, 1.5, 2.675], decimals=0).tolist()
        [0.0, 2.0, 3.0]
    """
    decimals = integer("round", "decimals", decimals)
    x = to_tensor(x, owner="round")
    if x.dtype.kind in "iub" and decimals >= 0:
        return x
    return _constant(x, lambda a: x.ops.xp.round(a, decimals))


def trunc(x):
    """x rounded toward zero (keeps x's dtype).

    Example:
        >>> trunc([1.7, -1.7]).tolist()
        [1.0, -1.0]
    """
    x = to_tensor(x, owner="trunc")
    return x if x.dtype.kind in "iub" else _constant(x, x.ops.xp.trunc)

