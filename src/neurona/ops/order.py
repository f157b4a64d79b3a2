"""``keras.ops``: sorting and order statistics (quantiles, percentiles, the median).

Sorting is a differentiable gather (each gradient goes back to the element that landed there),
so quantiles, which interpolate between sorted elements, are differentiable too.
"""

import numpy as np

from .. import functions as F
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..validation import choice
from .dtypes import cast, float_dtype_of, to_tensor
from .reductions import normalize_axes, prepare

__all__ = ["sort", "argsort", "quantile", "percentile", "median", "nanquantile",
           "nanpercentile", "nanmedian"]

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
    order = get_ops().argsort(x.data, axis=a)
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
    return Tensor(get_ops().argsort(x.data, axis=a).astype("int32"))


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
    return _quantile("quantile", x, q, axis, method, keepdims, skip_nan=False)


def _quantile(owner, x, q, axis, method, keepdims, skip_nan):
    choice(owner, "method", method, _QUANTILE_METHODS)
    x, axes = prepare(owner, x, axis, keepdims)
    x = cast(x, float_dtype_of(x))
    qs = np.asarray(q.numpy() if isinstance(q, Tensor) else q, dtype=np.float64)
    if qs.ndim > 1 or (qs.size and (qs.min() < 0 or qs.max() > 1)):
        raise ValueError(f"{owner}: q must be a number or a 1-D list in [0, 1], got {q!r}")
    kept = [i for i in range(x.ndim) if i not in axes]
    order = kept + list(axes)
    moved = x if order == list(range(x.ndim)) else F.transpose(x, order)
    rows = F.reshape(moved, [x.shape[i] for i in kept] + [-1])
    if rows.shape[-1] == 0:
        raise ValueError(f"{owner}: the data is empty")
    ordered = sort(rows, axis=-1)  # NaNs sort last
    xp = get_ops().xp
    # each row's count of values: all of them, or those that are not NaN
    counts = get_ops().to_numpy((~xp.isnan(rows.data)).sum(axis=-1)) if skip_nan else np.full(
        rows.shape[:-1], rows.shape[-1])
    position = qs.reshape(-1) * (np.maximum(counts, 1) - 1)[..., None]  # (..., len(q))
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, np.maximum(counts, 1)[..., None] - 1)
    frac = position - low
    if method == "lower":
        high, frac = low, frac * 0
    elif method == "higher":
        low = high = np.ceil(position).astype(np.int64)
        frac = frac * 0
    elif method == "nearest":  # half to even, as NumPy rounds
        low = high = np.round(position).astype(np.int64)
        frac = frac * 0
    elif method == "midpoint":
        frac = np.where(frac > 0, 0.5, 0.0)
    grids = np.ix_(*[np.arange(n) for n in low.shape[:-1]]) if low.ndim > 1 else ()
    lead = tuple(xp.asarray(g[..., None]) for g in grids)
    below = F.getitem(ordered, lead + (xp.asarray(low),))
    above = F.getitem(ordered, lead + (xp.asarray(high),))
    weight = xp.asarray(frac.astype(x.dtype.name))
    out = F.add(below, F.multiply(F.subtract(above, below), weight))  # (..., len(q))
    if skip_nan and (counts == 0).any():  # an all-NaN slice has NaN quantiles
        out = F.where(xp.asarray(counts == 0)[..., None], x.dtype.type(np.nan), out)
    if qs.ndim == 1:  # NumPy puts the quantiles first
        out = F.transpose(out, [out.ndim - 1] + list(range(out.ndim - 1)))
    else:
        out = F.reshape(out, out.shape[:-1])
    if keepdims:
        shape = [1 if i in axes else n for i, n in enumerate(x.shape)]
        out = F.reshape(out, list(qs.shape) + shape)
    return out


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """:func:`quantile` of the values that are not NaN (NaN where a slice has none).

    Example:
        >>> nanquantile([1.0, float("nan"), 3.0], 0.5).tolist()
        2.0
    """
    return _quantile("nanquantile", x, q, axis, method, keepdims, skip_nan=True)


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """:func:`percentile` of the values that are not NaN.

    Example:
        >>> nanpercentile([1.0, float("nan"), 3.0], 50).tolist()
        2.0
    """
    return _quantile("nanpercentile", x, _percents("nanpercentile", q), axis, method, keepdims,
                     skip_nan=True)


def nanmedian(x, axis=None, keepdims=False):
    """:func:`median` of the values that are not NaN.

    Example:
        >>> nanmedian([1.0, float("nan"), 3.0, 4.0]).tolist()
        3.0
    """
    return _quantile("nanmedian", x, 0.5, axis, "linear", keepdims, skip_nan=True)


def _percents(owner, q):
    qs = np.asarray(q.numpy() if isinstance(q, Tensor) else q, dtype=np.float64)
    if qs.size and (qs.min() < 0 or qs.max() > 100):
        raise ValueError(f"{owner}: q must be in [0, 100], got {q!r}")
    return qs / 100.0


def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th percentiles (q in [0, 100]); see :func:`quantile`.

    Example:
        >>> percentile([1.0, 2.0, 3.0, 4.0, 5.0], 25).tolist()
        2.0
    """
    return quantile(x, _percents("percentile", q), axis=axis, method=method, keepdims=keepdims)


def median(x, axis=None, keepdims=False):
    """The median over ``axis`` (the mean of the middle two for an even count).

    Example:
        >>> median([3.0, 1.0, 4.0, 2.0]).tolist()
        2.5
    """
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)
