"""``keras.ops``: comparisons, logic, bit operations and predicates.

Their results are tensors with no gradient: bools for comparisons, logic and predicates
(``isnan``, ``isclose``, ...), integers for the bit operations. Operands are promoted as in the
arithmetic ops before they are compared.
"""

from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..validation import boolean, real
from .dtypes import operands, to_tensor

__all__ = ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
           "logical_and", "logical_or", "logical_xor", "logical_not", "isnan", "isinf",
           "isfinite", "isneginf", "isposinf", "isreal", "signbit", "isclose", "allclose",
           "isin", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_invert",
           "bitwise_left_shift", "bitwise_right_shift", "left_shift", "right_shift"]


def _compare(owner, fn, x1, x2):
    a, b = operands(owner, x1, x2)
    return Tensor(getattr(get_ops().xp, fn)(a.data, b.data))


def equal(x1, x2):
    """``x1 == x2``, elementwise.

    Example:
        >>> equal([1, 2], 2).tolist()
        [False, True]
    """
    return _compare("equal", "equal", x1, x2)


def not_equal(x1, x2):
    """``x1 != x2``, elementwise.

    Example:
        >>> not_equal([1, 2], 2).tolist()
        [True, False]
    """
    return _compare("not_equal", "not_equal", x1, x2)


def less(x1, x2):
    """``x1 < x2``, elementwise.

    Example:
        >>> less([1, 2], 2).tolist()
        [True, False]
    """
    return _compare("less", "less", x1, x2)


def less_equal(x1, x2):
    """``x1 <= x2``, elementwise.

    Example:
        >>> less_equal([1, 3], 2).tolist()
        [True, False]
    """
    return _compare("less_equal", "less_equal", x1, x2)


def greater(x1, x2):
    """``x1 > x2``, elementwise.

    Example:
        >>> greater([1, 3], 2).tolist()
        [False, True]
    """
    return _compare("greater", "greater", x1, x2)


def greater_equal(x1, x2):
    """``x1 >= x2``, elementwise.

    Example:
        >>> greater_equal([1, 2], 2).tolist()
        [False, True]
    """
    return _compare("greater_equal", "greater_equal", x1, x2)


def logical_and(x1, x2):
    """Truth of both (nonzero numbers are true).

    Example:
        >>> logical_and([True, True], [True, False]).tolist()
        [True, False]
    """
    return _compare("logical_and", "logical_and", x1, x2)


def logical_or(x1, x2):
    """Truth of either.

    Example:
        >>> logical_or([False, False], [True, False]).tolist()
        [True, False]
    """
    return _compare("logical_or", "logical_or", x1, x2)


def logical_xor(x1, x2):
    """Truth of exactly one.

    Example:
        >>> logical_xor([True, True], [True, False]).tolist()
        [False, True]
    """
    return _compare("logical_xor", "logical_xor", x1, x2)


def logical_not(x):
    """Negated truth.

    Example:
        >>> logical_not([True, 0]).tolist()
        [False, True]
    """
    return Tensor(get_ops().xp.logical_not(to_tensor(x, owner="logical_not").data))


def _predicate(owner, fn, x):
    x = to_tensor(x, owner=owner)
    return Tensor(getattr(get_ops().xp, fn)(x.data))


def isnan(x):
    """True where x is NaN.

    Example:
        >>> isnan([float("nan"), 1.0]).tolist()
        [True, False]
    """
    return _predicate("isnan", "isnan", x)


def isinf(x):
    """True where x is +inf or -inf.

    Example:
        >>> isinf([float("inf"), 1.0]).tolist()
        [True, False]
    """
    return _predicate("isinf", "isinf", x)


def isfinite(x):
    """True where x is neither infinite nor NaN.

    Example:
        >>> isfinite([float("inf"), 1.0]).tolist()
        [False, True]
    """
    return _predicate("isfinite", "isfinite", x)


def isneginf(x):
    """True where x is -inf.

    Example:
        >>> isneginf([float("-inf"), float("inf")]).tolist()
        [True, False]
    """
    return _predicate("isneginf", "isneginf", x)


def isposinf(x):
    """True where x is +inf.

    Example:
        >>> isposinf([float("-inf"), float("inf")]).tolist()
        [False, True]
    """
    return _predicate("isposinf", "isposinf", x)


def isreal(x):
    """True everywhere: neurona's tensors are real.

    Example:
        >>> isreal([1.0]).tolist()
        [True]
    """
    return _predicate("isreal", "isreal", x)


def signbit(x):
    """True where the sign bit is set (negative numbers and -0.0).

    Example:
        >>> signbit([-0.0, 1.0]).tolist()
        [True, False]
    """
    return _predicate("signbit", "signbit", x)


def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True where ``|x1 - x2| <= atol + rtol * |x2|``.

    Example:
        >>> isclose([1.0, 1.1], 1.0).tolist()
        [True, False]
    """
    rtol, atol = real("isclose", "rtol", rtol, 0), real("isclose", "atol", atol, 0)
    boolean("isclose", "equal_nan", equal_nan)
    a, b = operands("isclose", x1, x2)
    return Tensor(get_ops().xp.isclose(a.data, b.data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True (a 0-d bool tensor) when :func:`isclose` holds everywhere.

    Example:
        >>> bool(allclose([1.0, 2.0], [1.0, 2.0 + 1e-9]))
        True
    """
    close = isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return Tensor(close.data.all())


def isin(x1, x2, assume_unique=False, invert=False):
    """True where an element of ``x1`` occurs in ``x2`` (False with ``invert``).

    Example:
        >>> isin([1, 2, 3], [2, 4]).tolist()
        [False, True, False]
    """
    boolean("isin", "assume_unique", assume_unique)
    boolean("isin", "invert", invert)
    a, b = operands("isin", x1, x2)
    return Tensor(get_ops().xp.isin(a.data, b.data, assume_unique=assume_unique, invert=invert))


def _bits(owner, fn, x, y):
    a, b = operands(owner, x, y)
    if a.dtype.kind not in "iub":
        raise TypeError(f"{owner}: bit operations need integer or bool tensors, got dtype "
                        f"{a.dtype.name}")
    return Tensor(getattr(get_ops().xp, fn)(a.data, b.data))


def bitwise_and(x, y):
    """Bitwise and of integers (logical and of bools).

    Example:
        >>> bitwise_and([12], [10]).tolist()
        [8]
    """
    return _bits("bitwise_and", "bitwise_and", x, y)


def bitwise_or(x, y):
    """Bitwise or.

    Example:
        >>> bitwise_or([12], [10]).tolist()
        [14]
    """
    return _bits("bitwise_or", "bitwise_or", x, y)


def bitwise_xor(x, y):
    """Bitwise exclusive or.

    Example:
        >>> bitwise_xor([12], [10]).tolist()
        [6]
    """
    return _bits("bitwise_xor", "bitwise_xor", x, y)


def bitwise_invert(x):
    """Bitwise not (``~x``).

    Example:
        >>> bitwise_invert([0]).tolist()
        [-1]
    """
    x = to_tensor(x, owner="bitwise_invert")
    if x.dtype.kind not in "iub":
        raise TypeError(f"bitwise_invert: needs integer or bool tensors, got dtype {x.dtype.name}")
    return Tensor(get_ops().xp.invert(x.data))


bitwise_not = bitwise_invert


def bitwise_left_shift(x, y):
    """``x << y``.

    Example:
        >>> bitwise_left_shift([1], [3]).tolist()
        [8]
    """
    return _bits("bitwise_left_shift", "left_shift", x, y)


def bitwise_right_shift(x, y):
    """``x >> y``.

    Example:
        >>> bitwise_right_shift([8], [3]).tolist()
        [1]
    """
    return _bits("bitwise_right_shift", "right_shift", x, y)


left_shift = bitwise_left_shift
right_shift = bitwise_right_shift
