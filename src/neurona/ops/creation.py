"""``keras.ops``: new tensors (ranges, constants, identity matrices, grids).

Dtypes default as in Keras: ``zeros``, ``ones``, ``full``, ``eye`` and ``linspace`` give
``floatx()``; ``arange`` follows its arguments (Python ints give ``int32``); ``*_like`` keep the
dtype of their model. The results hold no gradient, except ``copy`` and ``meshgrid``, which
move values of their inputs.
"""

import numbers

import numpy as np

from .. import functions as F
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..validation import boolean, choice, integer
from .dtypes import operands, result_type, standardize_dtype, to_tensor

__all__ = ["arange", "linspace", "logspace", "geomspace", "zeros", "ones", "full", "empty",
           "zeros_like", "ones_like", "full_like", "empty_like", "eye", "identity", "tri",
           "array", "copy", "meshgrid"]


_INT32 = np.iinfo(np.int32)


def _shape(owner, shape):
    if isinstance(shape, (numbers.Integral, np.integer)):
        shape = (shape,)
    try:
        dims = tuple(int(n) for n in shape)
    except (TypeError, ValueError):
        raise TypeError(f"{owner}: shape must be an int or a sequence of ints, got "
                        f"{shape!r}") from None
    if any(n < 0 for n in dims):
        raise ValueError(f"{owner}: shape {dims} has a negative size")
    return dims


def _new(values, dtype):
    return Tensor(get_ops().asarray(np.asarray(values, dtype=dtype)))


def _scalar_type(x, owner):
    """What a range argument contributes to the dtype: ``int``/``float`` for Python numbers
    (weak), else the dtype of a tensor or array."""
    if isinstance(x, bool) or not isinstance(x, numbers.Number):
        return to_tensor(x, owner=owner).dtype
    return int if isinstance(x, numbers.Integral) else float


def _number(owner, arg, x):
    value = x.item() if hasattr(x, "item") else x
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {arg} must be a real number, got {x!r}")
    return value


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in ``[start, stop)`` (``arange(n)``: 0 to n - 1).

    Example:
        >>> t = arange(3)
        >>> t.dtype.name, t.tolist()
        ('int32', [0, 1, 2])
    """
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    values = [_number("arange", a, v) for a, v in (("start", start), ("stop", stop),
                                                    ("step", step))]
    if values[2] == 0:
        raise ValueError("arange: step must not be 0")
    target = (standardize_dtype(dtype, "arange") if dtype is not None else
              result_type(*[_scalar_type(v, "arange") for v in (start, stop, step)]))
    values = np.arange(*values)
    if dtype is None and target == "int32" and values.size and not (
            _INT32.min <= values.min() and values.max() <= _INT32.max):
        target = "int64"  # Python ints beyond int32, as convert_to_tensor keeps them
    return _new(values, target)


def _spacing(owner, start, stop, num, endpoint, dtype, axis):
    num = integer(owner, "num", num, low=0)
    boolean(owner, "endpoint", endpoint)
    axis = integer(owner, "axis", axis)
    lo, hi = (np.asarray(v.numpy() if isinstance(v, Tensor) else v) for v in (start, stop))
    target = (standardize_dtype(dtype, owner) if dtype is not None else
              result_type(_scalar_type(start, owner), _scalar_type(stop, owner), float))
    return lo, hi, num, axis, target


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop`` (included unless
    ``endpoint=False``); with ``retstep``, also the spacing.

    Example:
        >>> linspace(0, 1, 3).tolist()
        [0.0, 0.5, 1.0]
    """
    lo, hi, num, axis, target = _spacing("linspace", start, stop, num, endpoint, dtype, axis)
    boolean("linspace", "retstep", retstep)
    values, step = np.linspace(lo, hi, num, endpoint=endpoint, retstep=True, axis=axis)
    out = _new(values, target)
    return (out, _new(step, target)) if retstep else out


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """``base ** linspace(start, stop, num)``.

    Example:
        >>> logspace(0, 2, 3).tolist()
        [1.0, 10.0, 100.0]
    """
    lo, hi, num, axis, target = _spacing("logspace", start, stop, num, endpoint, dtype, axis)
    base = _number("logspace", "base", base)
    return _new(np.logspace(lo, hi, num, endpoint=endpoint, base=base, axis=axis), target)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """``num`` values from ``start`` to ``stop`` with a constant ratio.

    Example:
        >>> geomspace(1, 100, 3).tolist()
        [1.0, 10.0, 100.0]
    """
    lo, hi, num, axis, target = _spacing("geomspace", start, stop, num, endpoint, dtype, axis)
    if (lo == 0).any() or (hi == 0).any():
        raise ValueError("geomspace: start and stop must be nonzero")
    return _new(np.geomspace(lo, hi, num, endpoint=endpoint, axis=axis), target)


def _constant(owner, shape, value, dtype):
    target = standardize_dtype(dtype, owner)
    return Tensor(get_ops().xp.full(_shape(owner, shape), value, dtype=target))


def zeros(shape, dtype=None):
    """A tensor of zeros (``floatx()`` by default).

    Example:
        >>> zeros((2,)).tolist()
        [0.0, 0.0]
    """
    return _constant("zeros", shape, 0, dtype)


def ones(shape, dtype=None):
    """A tensor of ones (``floatx()`` by default).

    Example:
        >>> ones((2,)).tolist()
        [1.0, 1.0]
    """
    return _constant("ones", shape, 1, dtype)


def empty(shape, dtype=None):
    """A new tensor of ``shape`` (zero-filled here, so its contents are defined).

    Example:
        >>> empty((2,)).shape
        (2,)
    """
    return _constant("empty", shape, 0, dtype)


def full(shape, fill_value, dtype=None):
    """A tensor of ``shape`` filled with ``fill_value`` (``floatx()`` unless ``dtype``;
    ``fill_value`` may be an array broadcast to ``shape``).

    Example:
        >>> full((2,), 7).tolist()
        [7.0, 7.0]
    """
    value = to_tensor(fill_value, owner="full").data
    target = standardize_dtype(dtype, "full")
    return Tensor(get_ops().xp.broadcast_to(value, _shape("full", shape)).astype(target))


def _like(owner, x, value, dtype):
    x = to_tensor(x, owner=owner)
    target = x.dtype.name if dtype is None else standardize_dtype(dtype, owner)
    fill = to_tensor(value, owner=owner).data
    return Tensor(get_ops().xp.broadcast_to(fill, x.shape).astype(target))


def zeros_like(x, dtype=None):
    """Zeros of x's shape and dtype.

    Example:
        >>> zeros_like([1, 2]).tolist()
        [0, 0]
    """
    return _like("zeros_like", x, 0, dtype)


def ones_like(x, dtype=None):
    """Ones of x's shape and dtype.

    Example:
        >>> ones_like([1.0, 2.0]).tolist()
        [1.0, 1.0]
    """
    return _like("ones_like", x, 1, dtype)


def empty_like(x, dtype=None):
    """A new tensor of x's shape and dtype (zero-filled).

    Example:
        >>> empty_like([1.0, 2.0]).shape
        (2,)
    """
    return _like("empty_like", x, 0, dtype)


def full_like(x, fill_value, dtype=None):
    """``fill_value`` in x's shape and dtype.

    Example:
        >>> full_like([1.0, 2.0], 3).tolist()
        [3.0, 3.0]
    """
    return _like("full_like", x, fill_value, dtype)


def eye(N, M=None, k=0, dtype=None):  # noqa: N803  (Keras's names)
    """An ``N x M`` matrix with ones on diagonal ``k``.

    Example:
        >>> eye(2).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """
    n = integer("eye", "N", N, low=0)
    m = integer("eye", "M", M, low=0, allow_none=True)
    k = integer("eye", "k", k)
    return Tensor(get_ops().xp.eye(n, m, k, dtype=standardize_dtype(dtype, "eye")))


def identity(n, dtype=None):
    """The ``n x n`` identity matrix.

    Example:
        >>> identity(2).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):  # noqa: N803
    """An ``N x M`` matrix with ones on and below diagonal ``k``.

    Example:
        >>> tri(2).tolist()
        [[1.0, 0.0], [1.0, 1.0]]
    """
    n = integer("tri", "N", N, low=0)
    m = integer("tri", "M", M, low=0, allow_none=True)
    k = integer("tri", "k", k)
    return Tensor(get_ops().xp.tri(n, m, k, dtype=standardize_dtype(dtype, "tri")))


def array(x, dtype=None):
    """``x`` as a new tensor (Python floats become ``floatx()``, ints ``int32``).

    Example:
        >>> array([1, 2], dtype="float32").tolist()
        [1.0, 2.0]
    """
    return Tensor(to_tensor(x, dtype, "array").data.copy())


def copy(x):
    """A copy of ``x`` (differentiable: the gradient passes to x).

    Example:
        >>> copy([1.0]).tolist()
        [1.0]
    """
    x = to_tensor(x, owner="copy")
    return F.add(x, x.dtype.type(0)) if x.dtype.kind != "b" else Tensor(x.data.copy())


def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D tensors: with ``indexing="xy"`` (default) the first two
    outputs have shape ``(len(y), len(x), ...)``, with "ij" ``(len(x), len(y), ...)``.

    Example:
        >>> gx, gy = meshgrid([1.0, 2.0], [3.0])
        >>> gx.tolist(), gy.tolist()
        ([[1.0, 2.0]], [[3.0, 3.0]])
    """
    choice("meshgrid", "indexing", indexing, ("xy", "ij"))
    vectors = [F.reshape(v, (-1,)) for v in operands("meshgrid", *x)]
    sizes = [v.shape[0] for v in vectors]
    if indexing == "xy" and len(vectors) > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i, v in enumerate(vectors):
        axis = i
        if indexing == "xy" and len(vectors) > 1 and i < 2:
            axis = 1 - i
        shape = [1] * len(vectors)
        shape[axis] = v.shape[0]
        grids.append(F.broadcast_to(F.reshape(v, shape), sizes))
    return grids

