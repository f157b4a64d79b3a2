"""``keras.ops``: arithmetic between tensors, with NumPy broadcasting and Keras's promotion.

Operands may be Tensors, arrays or Python numbers; they are brought to one dtype as Keras does
(``int32`` with ``float32`` gives ``float32``; a Python number adopts the tensor's dtype). Every
op is differentiable where its derivative is not zero everywhere.
"""

import math as _math

from .. import functions as F
from ..autograd.tensor import Tensor
from ..backend import get_ops
from .dtypes import cast, float_dtype_of, operands, to_tensor

__all__ = ["add", "subtract", "multiply", "divide", "true_divide", "divide_no_nan",
           "floor_divide", "mod", "fmod", "power", "maximum", "minimum", "fmax", "fmin",
           "arctan2", "hypot", "logaddexp", "logaddexp2", "heaviside", "ldexp", "gcd", "lcm",
           "nextafter", "clip", "where", "nan_to_num"]

_LN2 = _math.log(2.0)


def _floats(owner, x1, x2):
    """Both operands in their promoted float dtype (integers and bools: floatx())."""
    a, b = operands(owner, x1, x2)
    target = float_dtype_of(a)
    return cast(a, target), cast(b, target)


def add(x1, x2):
    """``x1 + x2``.

    Example:
        >>> add([1, 2], 0.5).tolist()
        [1.5, 2.5]
    """
    a, b = operands("add", x1, x2)
    if a.dtype.name == "bool":  # logical or, as NumPy adds booleans
        return Tensor(a.data | b.data)
    return F.add(a, b)


def subtract(x1, x2):
    """``x1 - x2``.

    Example:
        >>> subtract([3.0], [1.0]).tolist()
        [2.0]
    """
    a, b = operands("subtract", x1, x2)
    if a.dtype.name == "bool":
        raise TypeError("subtract: bool tensors cannot be subtracted; use logical_xor, or cast "
                        "them to a number first")
    return F.subtract(a, b)


def multiply(x1, x2):
    """``x1 * x2``.

    Example:
        >>> multiply([2.0, 3.0], 2).tolist()
        [4.0, 6.0]
    """
    a, b = operands("multiply", x1, x2)
    if a.dtype.name == "bool":
        return Tensor(a.data & b.data)
    return F.multiply(a, b)


def divide(x1, x2):
    """``x1 / x2``, always a float (integers divide into ``floatx()``).

    Example:
        >>> divide([1, 3], 2).tolist()
        [0.5, 1.5]
    """
    return F.divide(*_floats("divide", x1, x2))


true_divide = divide


def divide_no_nan(x1, x2):
    """``x1 / x2``, and 0 where ``x2`` is 0 (no inf, no NaN, zero gradient there).

    Example:
        >>> divide_no_nan([1.0, 1.0], [2.0, 0.0]).tolist()
        [0.5, 0.0]
    """
    a, b = _floats("divide_no_nan", x1, x2)
    zero = b.data == 0
    return F.where(zero, 0.0, F.divide(a, F.where(zero, 1.0, b)))


def floor_divide(x1, x2):
    """``floor(x1 / x2)`` (no gradient: it is piecewise constant).

    Example:
        >>> floor_divide([7, -7], 2).tolist()
        [3, -4]
    """
    a, b = operands("floor_divide", x1, x2)
    return Tensor(get_ops().xp.floor_divide(a.data, b.data))


def mod(x1, x2):
    """Remainder of floor division, with the sign of ``x2`` (NumPy's ``mod``).

    Example:
        >>> mod([7, -7], 3).tolist()
        [1, 2]
    """
    a, b = operands("mod", x1, x2)
    return F.mod(a, b) if a.dtype.kind == "f" else Tensor(get_ops().xp.mod(a.data, b.data))


def fmod(x1, x2):
    """Remainder of truncated division, with the sign of ``x1`` (C's ``fmod``).

    Example:
        >>> fmod([7, -7], 3).tolist()
        [1, -1]
    """
    a, b = operands("fmod", x1, x2)
    return F.fmod(a, b) if a.dtype.kind == "f" else Tensor(get_ops().xp.fmod(a.data, b.data))


def power(x1, x2):
    """``x1 ** x2``, differentiable in both (a Python number exponent is a constant).

    Example:
        >>> power([2.0, 3.0], 2).tolist()
        [4.0, 9.0]
    """
    a, b = operands("power", x1, x2)
    if a.dtype.kind != "f":  # integer powers: exact integers, no gradient
        return Tensor(a.data ** b.data)
    if not isinstance(x2, Tensor) and b.ndim == 0:  # a constant exponent
        return F.power(a, b.data.item())
    return F.power(a, b.data if not isinstance(x2, Tensor) else b)


def maximum(x1, x2):
    """Elementwise maximum (NaN if either is NaN; ties send the gradient to ``x1``).

    Example:
        >>> maximum([1.0, 5.0], 3.0).tolist()
        [3.0, 5.0]
    """
    return F.maximum(*operands("maximum", x1, x2))


def minimum(x1, x2):
    """Elementwise minimum (NaN if either is NaN).

    Example:
        >>> minimum([1.0, 5.0], 3.0).tolist()
        [1.0, 3.0]
    """
    return F.minimum(*operands("minimum", x1, x2))


def _nan_aware(owner, pick, x1, x2):
    a, b = operands(owner, x1, x2)
    if a.dtype.kind != "f":
        return pick(a, b)
    xp = get_ops().xp
    a_nan, b_nan = xp.isnan(a.data), xp.isnan(b.data)
    # where one side is NaN take the other: route each NaN to the other operand first
    return pick(F.where(a_nan, b, a), F.where(b_nan, a, b))


def fmax(x1, x2):
    """Elementwise maximum that ignores NaNs (NaN only where both are).

    Example:
        >>> fmax([float("nan"), 1.0], [2.0, 0.0]).tolist()
        [2.0, 1.0]
    """
    return _nan_aware("fmax", F.maximum, x1, x2)


def fmin(x1, x2):
    """Elementwise minimum that ignores NaNs (NaN only where both are).

    Example:
        >>> fmin([float("nan"), 1.0], [2.0, 0.0]).tolist()
        [2.0, 0.0]
    """
    return _nan_aware("fmin", F.minimum, x1, x2)


def arctan2(x1, x2):
    """The angle of the point ``(x2, x1)`` in radians, in (-pi, pi].

    Example:
        >>> arctan2([0.0], [1.0]).tolist()
        [0.0]
    """
    return F.arctan2(*_floats("arctan2", x1, x2))


def hypot(x1, x2):
    """``sqrt(x1**2 + x2**2)`` without overflow.

    Example:
        >>> hypot([3.0], [4.0]).tolist()
        [5.0]
    """
    return F.hypot(*_floats("hypot", x1, x2))


def logaddexp(x1, x2):
    """``log(exp(x1) + exp(x2))`` without overflow.

    Example:
        >>> round(logaddexp([0.0], [0.0]).tolist()[0], 6)
        0.693147
    """
    return F.logaddexp(*_floats("logaddexp", x1, x2))


def logaddexp2(x1, x2):
    """``log2(2**x1 + 2**x2)`` without overflow.

    Example:
        >>> logaddexp2([1.0], [1.0]).tolist()
        [2.0]
    """
    a, b = _floats("logaddexp2", x1, x2)
    return F.divide(F.logaddexp(F.multiply(a, _LN2), F.multiply(b, _LN2)), _LN2)


def heaviside(x1, x2):
    """Step function: 0 where ``x1 < 0``, ``x2`` where ``x1 == 0``, 1 where ``x1 > 0`` (no
    gradient).

    Example:
        >>> heaviside([-1.0, 0.0, 2.0], 0.5).tolist()
        [0.0, 0.5, 1.0]
    """
    a, b = _floats("heaviside", x1, x2)
    return Tensor(get_ops().xp.heaviside(a.data, b.data))


def ldexp(x1, x2):
    """``x1 * 2**x2`` for integer ``x2``, differentiable in ``x1``.

    Example:
        >>> ldexp([3.0], [2]).tolist()
        [12.0]
    """
    a = to_tensor(x1, owner="ldexp")
    e = to_tensor(x2, owner="ldexp")
    if e.dtype.kind not in "iu":
        raise TypeError(f"ldexp: x2 must hold integers, got dtype {e.dtype.name}")
    a = cast(a, float_dtype_of(a))
    return F.multiply(a, (2.0 ** e.data.astype(a.dtype)))


def _integers(owner, fn, x1, x2):
    a, b = operands(owner, x1, x2)
    if a.dtype.kind not in "iu":
        raise TypeError(f"{owner}: needs integer tensors, got dtype {a.dtype.name}")
    return Tensor(getattr(get_ops().xp, fn)(a.data, b.data))


def gcd(x1, x2):
    """Greatest common divisor of integers.

    Example:
        >>> gcd([12, 18], 8).tolist()
        [4, 2]
    """
    return _integers("gcd", "gcd", x1, x2)


def lcm(x1, x2):
    """Least common multiple of integers.

    Example:
        >>> lcm([4, 6], 6).tolist()
        [12, 6]
    """
    return _integers("lcm", "lcm", x1, x2)


def nextafter(x1, x2):
    """The next float after ``x1`` toward ``x2`` (no gradient).

    Example:
        >>> bool(nextafter([1.0], [2.0]).numpy()[0] > 1.0)
        True
    """
    a, b = _floats("nextafter", x1, x2)
    return Tensor(get_ops().xp.nextafter(a.data, b.data))


def clip(x, x_min, x_max):
    """``x`` limited to ``[x_min, x_max]`` (bounds: numbers or tensors); the gradient passes
    where x is inside the bounds.

    Example:
        >>> clip([-2.0, 0.5, 3.0], 0.0, 1.0).tolist()
        [0.0, 0.5, 1.0]
    """
    x = to_tensor(x, owner="clip")
    if x.dtype.name == "bool":  # Keras clips booleans as int32
        x = cast(x, "int32")
    tensor_bounds = isinstance(x_min, Tensor) or isinstance(x_max, Tensor) or any(
        getattr(b, "ndim", 0) for b in (x_min, x_max))
    x, low, high = operands("clip", x, x_min, x_max)
    if tensor_bounds:
        return F.minimum(F.maximum(x, low), high)
    return F.clip(x, low.data, high.data)


def where(condition, x1=None, x2=None):
    """``x1`` where ``condition`` is true, else ``x2`` (differentiable in both); with only
    ``condition``, the indices of its nonzero elements (as :func:`nonzero`).

    Example:
        >>> where([True, False], [1.0, 2.0], 0.0).tolist()
        [1.0, 0.0]
    """
    cond = to_tensor(condition, owner="where").data
    if x1 is None and x2 is None:
        return tuple(Tensor(i.astype("int32")) for i in get_ops().xp.nonzero(cond))
    if x1 is None or x2 is None:
        raise ValueError("where: give both x1 and x2, or neither (for the nonzero indices)")
    a, b = operands("where", x1, x2)
    return F.where(cond.astype(bool, copy=False), a, b)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """NaN replaced by ``nan``, +inf by ``posinf`` and -inf by ``neginf`` (default: the
    largest and smallest finite values of x's dtype); the gradient passes elsewhere.

    Example:
        >>> nan_to_num([float("nan"), 1.0]).tolist()
        [0.0, 1.0]
    """
    x = to_tensor(x, owner="nan_to_num")
    if x.dtype.kind != "f":
        return x
    xp = get_ops().xp
    replaced = xp.nan_to_num(x.data, nan=nan, posinf=posinf, neginf=neginf)
    return F.where(xp.isfinite(x.data), x, replaced)

