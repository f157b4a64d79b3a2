"""``keras.ops``: sorting and order statistics (quantiles, percentiles, the median).

Sorting is a differentiable gather (each gradient goes back to the element that landed there),
so quantiles, which interpolate between sorted elements, are differentiable too.
"""

import builtins

import numpy as np

from .. import functions as F
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..validation import choice
from .dtypes import cast, float_dtype_of, to_tensor
from .reductions import normalize_axes, prepare

__all__ = ["sort", "argsort", "quantile", "percentile", "median"]

_QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def sort(x, axis=-1):
    """``x`` sorted along ``axis`` (None: flattened), differentiable (each gradient goes back
    to the element that landed there).

    Example:
        >>> sort([3.0, 1.0, 2.0]).tolist()
        [1.0, 2.0, 3.0]
    """
    x = to_tensor(x, owner="sort")
    if axis is None:
        x, axis = F.reshape(x, (-1,)), 0
    (a,) = normalize_axes("sort", axis, x.ndim)
    order = get_ops().xp.argsort(x.data, axis=a, kind="stable")
    return _take_along(x, order, a)


def argsort(x, axis=-1):
    """Indices that sort ``x`` along ``axis`` (stable), int32.

    Example:
        >>> argsort([3.0, 1.0, 2.0]).tolist()
        [1, 2, 0]
    """
    x = to_tensor(x, owner="argsort")
    if axis is None:
        x, axis = F.reshape(x, (-1,)), 0
    (a,) = normalize_axes("argsort", axis, x.ndim)
    return Tensor(get_ops().xp.argsort(x.data, axis=a, kind="stable").astype("int32"))


def _take_along(x, indices, axis):
    """x gathered with an index array of x's rank along ``axis`` (a differentiable gather)."""
    xp = get_ops().xp
    grids = xp.ix_(*[xp.arange(n) for n in indices.shape])
    index = tuple(indices if i == axis else grids[i] for i in range(x.ndim))
    return F.getitem(x, index)


def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th quantiles (q in [0, 1], a number or a 1-D list) over ``axis``.

    Args:
        x: the data.
        q: the quantile(s); a list puts them on a new first axis.
        axis: the axes reduced (None: all).
        method: between two order statistics: "linear" (default), "lower", "higher",
            "midpoint" or "nearest" (NumPy's names).
        keepdims: keep the reduced axes with size 1.

    Returns:
        A float Tensor, differentiable in ``x``.

    Example:
        >>> quantile([1.0, 2.0, 3.0, 4.0], 0.5).tolist()
        2.5
    """
    choice("quantile", "method", method, _QUANTILE_METHODS)
    x, axes = prepare("quantile", x, axis, keepdims)
    x = cast(x, float_dtype_of(x))
    qs = np.asarray(q.numpy() if isinstance(q, Tensor) else q, dtype=np.float64)
    if qs.ndim > 1 or (qs.size and (qs.min() < 0 or qs.max() > 1)):
        raise ValueError(f"quantile: q must be a number or a 1-D list in [0, 1], got {q!r}")
    kept = [i for i in range(x.ndim) if i not in axes]
    order = kept + list(axes)
    moved = x if order == list(range(x.ndim)) else F.transpose(x, order)
    rows = F.reshape(moved, [x.shape[i] for i in kept] + [-1])
    n = rows.shape[-1]
    if n == 0:
        raise ValueError("quantile: the data is empty")
    ordered = sort(rows, axis=-1)
    position = qs * (n - 1)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, n - 1)
    frac = position - low
    if method == "lower":
        high, frac = low, frac * 0
    elif method == "higher":
        low, frac = np.ceil(position).astype(np.int64), frac * 0
        high = low
    elif method == "nearest":  # half to even, as NumPy rounds
        low = high = np.round(position).astype(np.int64)
        frac = frac * 0
    elif method == "midpoint":
        frac = np.where(frac > 0, 0.5, 0.0)
    lead = (builtins.slice(None),) * (rows.ndim - 1)
    xp = get_ops().xp
    below = F.getitem(ordered, lead + (xp.asarray(low.reshape(-1)),))
    above = F.getitem(ordered, lead + (xp.asarray(high.reshape(-1)),))
    weight = xp.asarray(frac.reshape(-1).astype(x.dtype.name))
    out = F.add(below, F.multiply(F.subtract(above, below), weight))  # (..., len(q))
    if qs.ndim == 1:  # NumPy puts the quantiles first
        out = F.transpose(out, [out.ndim - 1] + list(range(out.ndim - 1)))
    else:
        out = F.reshape(out, out.shape[:-1])
    if keepdims:
        shape = [1 if i in axes else n_ for i, n_ in enumerate(x.shape)]
        out = F.reshape(out, list(qs.shape) + shape)
    return out


def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th percentiles (q in [0, 100]); see :func:`quantile`.

    Example:
        >>> percentile([1.0, 2.0, 3.0, 4.0, 5.0], 25).tolist()
        2.0
    """
    qs = np.asarray(q.numpy() if isinstance(q, Tensor) else q, dtype=np.float64)
    if qs.size and (qs.min() < 0 or qs.max() > 100):
        raise ValueError(f"percentile: q must be in [0, 100], got {q!r}")
    return quantile(x, qs / 100.0, axis=axis, method=method, keepdims=keepdims)


def median(x, axis=None, keepdims=False):
    """The median over ``axis`` (the mean of the middle two for an even count).

    Example:
        >>> median([3.0, 1.0, 4.0, 2.0]).tolist()
        2.5
    """
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)
