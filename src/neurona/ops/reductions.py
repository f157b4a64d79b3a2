"""``keras.ops``: reductions over axes, running sums and products.

``axis`` is None (every axis), an int or a tuple/list of ints (negative ones count from the
end); ``keepdims`` keeps the reduced axes with size 1. Dtypes follow Keras: ``sum``/``prod`` of
small integers and bools give ``int32`` (``uint32`` for small unsigned ones), means, variances
are floats, ``argmax`` gives ``int32``. Values are differentiable; indices and counts are not.
"""

import builtins

import numpy as np

from .. import functions as F
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..validation import boolean, integer
from .dtypes import as_float, cast, float_dtype_of, operands, standardize_dtype, to_tensor

__all__ = ["sum", "mean", "max", "min", "amax", "amin", "prod", "var", "std", "any", "all",
           "argmax", "argmin", "average", "logsumexp", "cumsum", "cumprod", "count_nonzero",
           "ptp"]

_WIDER = {"bool": "int32", "int8": "int32", "int16": "int32", "uint8": "uint32",
          "uint16": "uint32"}


def normalize_axes(owner, axis, ndim):
    """``axis`` as a sorted tuple of non-negative ints (None: every axis)."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for a in axes:
        a = integer(owner, "axis", a)
        if not -builtins.max(ndim, 1) <= a < builtins.max(ndim, 1):
            raise ValueError(f"{owner}: axis {a} is out of range for a tensor with {ndim} axes")
        out.append(a % builtins.max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"{owner}: axis {axis!r} names an axis twice")
    return tuple(sorted(out))


def prepare(owner, x, axis, keepdims):
    x = to_tensor(x, owner=owner)
    boolean(owner, "keepdims", keepdims)
    return x, normalize_axes(owner, axis, x.ndim)


def sum(x, axis=None, keepdims=False):  # noqa: A001  (Keras's name)
    """Sum over ``axis``.

    Example:
        >>> sum(np.array([[1.0, 2.0], [3.0, 4.0]]), axis=0).tolist()
        [4.0, 6.0]
    """
    x, axes = prepare("sum", x, axis, keepdims)
    if x.dtype.kind != "f":  # integers: no gradient, and NumPy would widen them to 64 bits
        return _integer_reduction(x, "sum", axes, keepdims, _WIDER.get(x.dtype.name))
    return F.sum(x, axis=axes, keepdims=keepdims)


def _integer_reduction(x, method, axes, keepdims, dtype):
    dtype = dtype or x.dtype.name
    return Tensor(getattr(x.data, method)(axis=axes, keepdims=keepdims, dtype=dtype))


def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over ``axis`` (a float).

    Example:
        >>> mean([1, 2, 3, 4]).tolist()
        2.5
    """
    x, axes = prepare("mean", x, axis, keepdims)
    return F.mean(cast(x, float_dtype_of(x)), axis=axes, keepdims=keepdims)


def _extremum(owner, reducer, pick, x, axis, keepdims, initial):
    x, axes = prepare(owner, x, axis, keepdims)
    if x.size == 0 and initial is None:
        raise ValueError(f"{owner}: the tensor is empty and has no {owner}; pass initial=")
    if x.size == 0:
        shape = [1 if i in axes else n for i, n in enumerate(x.shape)] if keepdims else [
            n for i, n in enumerate(x.shape) if i not in axes]
        return Tensor(get_ops().xp.full(shape, initial, dtype=x.dtype))
    out = reducer(x, axis=axes, keepdims=keepdims)
    if initial is not None:
        out = pick(out, Tensor(get_ops().asarray(np.asarray(initial, dtype=x.dtype.name))))
    return out


def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    """Maximum over ``axis`` (``initial``: a value the result is at least; the gradient is
    shared between tied maxima).

    Example:
        >>> max(np.array([[1.0, 5.0], [3.0, 2.0]]), axis=1).tolist()
        [5.0, 3.0]
    """
    return _extremum("max", F.max, F.maximum, x, axis, keepdims, initial)


def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    """Minimum over ``axis`` (``initial``: a value the result is at most).

    Example:
        >>> min(np.array([[1.0, 5.0], [3.0, 2.0]]), axis=1).tolist()
        [1.0, 2.0]
    """
    return _extremum("min", F.min, F.minimum, x, axis, keepdims, initial)


def amax(x, axis=None, keepdims=False):
    """Maximum over ``axis`` (as :func:`max`).

    Example:
        >>> amax([1.0, 3.0, 2.0]).tolist()
        3.0
    """
    return max(x, axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims=False):
    """Minimum over ``axis`` (as :func:`min`).

    Example:
        >>> amin([1.0, 3.0, 2.0]).tolist()
        1.0
    """
    return min(x, axis=axis, keepdims=keepdims)


def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over ``axis`` (in ``dtype`` when given).

    Example:
        >>> prod([1.0, 2.0, 3.0]).tolist()
        6.0
    """
    x, axes = prepare("prod", x, axis, keepdims)
    target = _WIDER.get(x.dtype.name, x.dtype.name) if dtype is None else standardize_dtype(
        dtype, "prod")
    x = cast(x, target)
    if x.dtype.kind != "f":
        return _integer_reduction(x, "prod", axes, keepdims, target)
    return F.prod(x, axis=axes, keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    """Population variance over ``axis`` (mean squared deviation, a float).

    Example:
        >>> var([1.0, 2.0, 3.0, 4.0]).tolist()
        1.25
    """
    x, axes = prepare("var", x, axis, keepdims)
    x = cast(x, float_dtype_of(x))
    centered = F.subtract(x, F.mean(x, axis=axes, keepdims=True))
    return F.mean(F.square(centered), axis=axes, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """Population standard deviation over ``axis``.

    Example:
        >>> std([1.0, 3.0]).tolist()
        1.0
    """
    return F.sqrt(var(x, axis=axis, keepdims=keepdims))


def any(x, axis=None, keepdims=False):  # noqa: A001
    """True where any element over ``axis`` is true (nonzero).

    Example:
        >>> any([[False, True], [False, False]], axis=1).tolist()
        [True, False]
    """
    x, axes = prepare("any", x, axis, keepdims)
    return Tensor(get_ops().xp.any(x.data, axis=axes, keepdims=keepdims))


def all(x, axis=None, keepdims=False):  # noqa: A001
    """True where every element over ``axis`` is true (nonzero).

    Example:
        >>> all([[True, True], [False, True]], axis=1).tolist()
        [True, False]
    """
    x, axes = prepare("all", x, axis, keepdims)
    return Tensor(get_ops().xp.all(x.data, axis=axes, keepdims=keepdims))


def _arg(owner, fn, x, axis, keepdims):
    x = to_tensor(x, owner=owner)
    boolean(owner, "keepdims", keepdims)
    if x.size == 0:
        raise ValueError(f"{owner}: the tensor is empty")
    xp = get_ops().xp
    if axis is None:
        out = getattr(xp, fn)(x.data.reshape(-1))
        out = out.reshape((1,) * x.ndim) if keepdims else out
    else:
        (a,) = normalize_axes(owner, integer(owner, "axis", axis), x.ndim)
        out = getattr(xp, fn)(x.data, axis=a, keepdims=keepdims)
    return Tensor(xp.asarray(out).astype("int32"))


def argmax(x, axis=None, keepdims=False):
    """Index of the (first) maximum along ``axis`` (of the flattened tensor for None), int32.

    Example:
        >>> argmax(np.array([[1.0, 5.0], [3.0, 2.0]]), axis=1).tolist()
        [1, 0]
    """
    return _arg("argmax", "argmax", x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """Index of the (first) minimum along ``axis``, int32.

    Example:
        >>> argmin(np.array([[1.0, 5.0], [3.0, 2.0]]), axis=1).tolist()
        [0, 1]
    """
    return _arg("argmin", "argmin", x, axis, keepdims)


def average(x, axis=None, weights=None):
    """Weighted mean over ``axis``; ``weights`` has x's shape or, with one axis, that axis's
    length (differentiable in both).

    Example:
        >>> average([1.0, 3.0], weights=[3.0, 1.0]).tolist()
        1.5
    """
    x = as_float(x, "average")
    if weights is None:
        return mean(x, axis=axis)
    x, w = operands("average", x, weights)
    if w.shape != x.shape:
        if axis is None or isinstance(axis, (tuple, list)) or w.ndim != 1:
            raise ValueError(f"average: weights of shape {w.shape} must match x's shape "
                             f"{x.shape}, or be 1-D along a single axis")
        (a,) = normalize_axes("average", axis, x.ndim)
        if w.shape[0] != x.shape[a]:
            raise ValueError(f"average: {w.shape[0]} weights for axis {a} of size {x.shape[a]}")
        w = F.reshape(w, [x.shape[a] if i == a else 1 for i in range(x.ndim)])
    axes = normalize_axes("average", axis, x.ndim)
    total = F.sum(F.multiply(x, w), axis=axes)
    return F.divide(total, F.sum(F.broadcast_to(w, x.shape), axis=axes))


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` over ``axis``, without overflow.

    Example:
        >>> round(logsumexp([1000.0, 1000.0]).tolist(), 2)
        1000.69
    """
    x, axes = prepare("logsumexp", x, axis, keepdims)
    return F.logsumexp(cast(x, float_dtype_of(x)), axis=axes, keepdims=keepdims)


def _running(owner, fn, x, axis, dtype):
    x = to_tensor(x, owner=owner)
    if dtype is not None:
        x = cast(x, standardize_dtype(dtype, owner))
    elif x.dtype.name == "bool":
        x = cast(x, "int32")
    if axis is None:
        x, a = F.reshape(x, (-1,)), 0
    else:
        (a,) = normalize_axes(owner, integer(owner, "axis", axis), x.ndim)
    if x.dtype.kind != "f":  # integers keep their dtype (NumPy would widen them)
        return Tensor(getattr(x.ops.xp, owner)(x.data, axis=a, dtype=x.dtype))
    return fn(x, a)


def cumsum(x, axis=None, dtype=None):
    """Running sum along ``axis`` (of the flattened tensor for None).

    Example:
        >>> cumsum([1, 2, 3]).tolist()
        [1, 3, 6]
    """
    return _running("cumsum", F.cumsum, x, axis, dtype)


def cumprod(x, axis=None, dtype=None):
    """Running product along ``axis`` (exact gradients also through zeros).

    Example:
        >>> cumprod([1, 2, 3]).tolist()
        [1, 2, 6]
    """
    return _running("cumprod", F.cumprod, x, axis, dtype)


def count_nonzero(x, axis=None):
    """The number of nonzero elements over ``axis``, int32.

    Example:
        >>> count_nonzero([0, 1, 2]).tolist()
        2
    """
    x = to_tensor(x, owner="count_nonzero")
    axes = normalize_axes("count_nonzero", axis, x.ndim)
    return Tensor((x.data != 0).sum(axis=axes).astype("int32"))


def ptp(x, axis=None, keepdims=False):
    """Range ``max - min`` over ``axis``.

    Example:
        >>> ptp([4.0, 1.0, 3.0]).tolist()
        3.0
    """
    x = to_tensor(x, owner="ptp")
    if x.dtype.name == "bool":  # max and min of booleans do not subtract: their xor does
        return Tensor(max(x, axis, keepdims).data ^ min(x, axis, keepdims).data)
    return F.subtract(max(x, axis, keepdims), min(x, axis, keepdims))
